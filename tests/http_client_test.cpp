// HttpClient against the scriptable Python server: keep-alive, cookies, streaming, auth, TLS,
// timeouts and the error messages users see.
#include <gtest/gtest.h>

#include <chrono>

#include "base/error.hpp"
#include "http/http_client.hpp"
#include "http_client_support.hpp"

namespace exmapi::test {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

http::HttpRequest get(const std::string& url) {
  http::HttpRequest r;
  r.url = url;
  return r;
}

// Runs fn, expects an exmapi::Error with that status and returns its message.
template <class Fn>
std::string expect_error(exmapi_status status, Fn&& fn) {
  try {
    fn();
  } catch (const Error& e) {
    EXPECT_EQ(e.status(), status) << e.message();
    return e.message();
  }
  ADD_FAILURE() << "no error thrown";
  return {};
}

TEST(HttpClient, KeepAliveReusesOneConnectionForSeveralRequests) {
  PeerHttpServer server(json::array({{{"path", "/a"}, {"body", "alpha"}}, {{"path", "/b"}, {"echo", true}}}));
  http::HttpClient client({}, {});
  EXPECT_EQ(client.send(get(server.url("/a"))).body, "alpha");
  http::HttpRequest post;
  post.method = "POST";
  post.url = server.url("/b");
  post.body = std::string("bin\0ary", 7);
  post.headers = {{"Content-Type", "application/octet-stream"}, {"X-RequestType", "Connect"}};
  auto r = client.send(post);
  EXPECT_EQ(r.status, 200);
  auto echoed = json::parse(r.body);
  EXPECT_EQ(echoed["method"], "POST");
  EXPECT_EQ(echoed["headers"]["X-RequestType"], "Connect");
  EXPECT_EQ(echoed["headers"]["Content-Length"], "7");
  EXPECT_EQ(echoed["body"].get<std::string>(), std::string("bin\0ary", 7));
  EXPECT_EQ(client.send(get(server.url("/a"))).body, "alpha");
  EXPECT_EQ(client.connections_opened(), 1);
  EXPECT_EQ(server.stats()["connections"], 1);
}

TEST(HttpClient, ResponseHeadersAndStatusAreReturned) {
  PeerHttpServer server(json::array({{{"path", "/x"}, {"status", 503}, {"headers", {{"X-ResponseCode", "9"}}}, {"body", "busy"}}}));
  http::HttpClient client({}, {});
  auto r = client.send(get(server.url("/x")));
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.header("x-responsecode").value_or(""), "9");
  EXPECT_EQ(r.body, "busy");
}

TEST(HttpClient, CookiesSetByTheServerAreSentBack) {
  PeerHttpServer server(json::array({{{"path", "/connect"}, {"set_cookie", "MapiContext=ctx42; Path=/"}, {"body", "ok"}},
                                     {{"path", "/execute"}, {"require_cookie", "MapiContext=ctx42"}, {"body", "executed"}}}));
  http::HttpClient client({}, {});
  // Without the cookie the server refuses: the check is real.
  http::HttpClient fresh({}, {});
  EXPECT_EQ(fresh.send(get(server.url("/execute"))).status, 403);
  EXPECT_EQ(client.send(get(server.url("/connect"))).status, 200);
  auto r = client.send(get(server.url("/execute")));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "executed");
  auto jar = client.cookies();
  ASSERT_EQ(jar.size(), 1u);
  EXPECT_NE(jar[0].find("MapiContext"), std::string::npos);
}

TEST(HttpClient, StreamingDeliversChunksAsTheyArrive) {
  std::vector<std::string> parts{"PROCESSING\r\n", "PENDING\r\n", "DONE\r\n", "X-ElapsedTime: 3\r\n\r\nbody"};
  PeerHttpServer server(json::array({{{"path", "/stream"}, {"chunks", parts}, {"chunk_delay", 0.3}}}));
  http::HttpClient client({}, {});
  std::vector<std::pair<std::string, Clock::time_point>> got;
  auto r = client.send_streaming(get(server.url("/stream")), [&](std::string_view c) { got.emplace_back(std::string(c), Clock::now()); });
  EXPECT_EQ(r.status, 200);
  EXPECT_TRUE(r.body.empty());
  std::string all;
  for (auto& g : got) all += g.first;
  EXPECT_EQ(all, parts[0] + parts[1] + parts[2] + parts[3]);
  ASSERT_GE(got.size(), 2u);
  // The first chunk came well before the last one was sent: nothing was buffered to the end.
  EXPECT_EQ(got.front().first, parts[0]);
  EXPECT_GE(got.back().second - got.front().second, std::chrono::milliseconds(600));
}

TEST(HttpClient, AnExceptionFromTheSinkAbortsTheTransfer) {
  PeerHttpServer server(json::array({{{"path", "/stream"}, {"chunks", {"a", "b", "c"}}, {"chunk_delay", 0.1}}}));
  http::HttpClient client({}, {});
  std::string msg = expect_error(EXMAPI_E_DECODE, [&] {
    client.send_streaming(get(server.url("/stream")), [](std::string_view) { throw DecodeError(0, "meta-tag", "bad"); });
  });
  EXPECT_NE(msg.find("meta-tag"), std::string::npos);
}

TEST(HttpClient, BasicAuthenticationAndTheWrongPassword) {
  PeerHttpServer server(json::array({{{"path", "/mapi"}, {"basic_auth", "alice:s3cret"}, {"body", "in"}}}));
  http::HttpClient good({}, {http::AuthScheme::kBasic, "alice", "s3cret", {}, {}});
  EXPECT_EQ(good.send(get(server.url("/mapi"))).body, "in");
  http::HttpClient bad({}, {http::AuthScheme::kBasic, "alice", "wrong", {}, {}});
  std::string msg = expect_error(EXMAPI_E_AUTH, [&] { bad.send(get(server.url("/mapi"))); });
  EXPECT_NE(msg.find("wrong user name or password"), std::string::npos) << msg;
  EXPECT_EQ(msg.find("wrong\""), std::string::npos);
  EXPECT_EQ(msg.find("s3cret"), std::string::npos);
  // The password went in a header, never in the URL.
  json stats = server.stats();  // a range-for over stats()["requests"] would outlive the temporary
  for (const auto& req : stats["requests"]) EXPECT_EQ(req["query"], "");
}

TEST(HttpClient, BearerTokenFromACommandFirstLine) {
  PeerHttpServer server(json::array({{{"path", "/mapi"}, {"bearer", "tok-123"}, {"body", "in"}}}));
  http::Credentials c;
  c.scheme = http::AuthScheme::kBearer;
  c.bearer_token_command = {"printf", "tok-123\nsecond line\n"};
  http::HttpClient client({}, c);
  EXPECT_EQ(client.send(get(server.url("/mapi"))).body, "in");
  http::Credentials direct;
  direct.scheme = http::AuthScheme::kBearer;
  direct.bearer_token = "expired";
  http::HttpClient refused({}, direct);
  std::string msg = expect_error(EXMAPI_E_AUTH, [&] { refused.send(get(server.url("/mapi"))); });
  EXPECT_NE(msg.find("bearer token was refused"), std::string::npos) << msg;
}

TEST(HttpClient, BearerTokenCommandFailuresAreClear) {
  http::Credentials c;
  c.scheme = http::AuthScheme::kBearer;
  c.bearer_token_command = {"false"};
  std::string msg = expect_error(EXMAPI_E_AUTH, [&] { http::HttpClient client({}, c); });
  EXPECT_NE(msg.find("'false' failed with exit status 1"), std::string::npos) << msg;
  c.bearer_token_command = {"/nonexistent/token-helper"};
  msg = expect_error(EXMAPI_E_AUTH, [&] { http::HttpClient client({}, c); });
  EXPECT_NE(msg.find("cannot run the token command"), std::string::npos) << msg;
  c.bearer_token_command = {"true"};
  msg = expect_error(EXMAPI_E_AUTH, [&] { http::HttpClient client({}, c); });
  EXPECT_NE(msg.find("printed no token"), std::string::npos) << msg;
  EXPECT_EQ(http::run_token_command({"echo", "a b"}), "a b");  // argv, not a shell line
}

TEST(HttpClient, TotalTimeoutIsReportedAsTimeout) {
  PeerHttpServer server(json::array({{{"path", "/slow"}, {"delay", 3}, {"body", "late"}}}));
  http::HttpOptions o;
  o.total_timeout_ms = 400;
  http::HttpClient client(o, {});
  auto start = Clock::now();
  std::string msg = expect_error(EXMAPI_E_TIMEOUT, [&] { client.send(get(server.url("/slow"))); });
  EXPECT_LT(Clock::now() - start, std::chrono::milliseconds(2500));
  EXPECT_NE(msg.find("no answer in time from 127.0.0.1"), std::string::npos) << msg;
}

TEST(HttpClient, RefusedConnectionNamesTheCause) {
  http::HttpClient client({}, {});
  std::string msg = expect_error(EXMAPI_E_TRANSPORT, [&] { client.send(get("http://127.0.0.1:" + std::to_string(unused_tcp_port()) + "/")); });
  EXPECT_NE(msg.find("connection refused"), std::string::npos) << msg;
}

TEST(HttpClient, TlsVerifiedWithTheCaFileAndRefusedWithout) {
  TestCertificate cert;
  PeerHttpServer server(json::array({{{"path", "/"}, {"body", "secure"}}}), cert.cert, cert.key);
  const std::string url = "https://127.0.0.1:" + std::to_string(server.port()) + "/";
  http::HttpOptions trusted;
  trusted.ca_file = cert.cert;
  http::HttpClient ok(trusted, {});
  EXPECT_EQ(ok.send(get(url)).body, "secure");
  // The name in the URL is checked too: example.test is in the certificate, nowhere.test is not.
  http::HttpOptions mapped = trusted;
  mapped.connect_to = {"example.test:443:127.0.0.1:" + std::to_string(server.port()),
                       "nowhere.test:443:127.0.0.1:" + std::to_string(server.port())};
  http::HttpClient named(mapped, {});
  EXPECT_EQ(named.send(get("https://example.test/")).body, "secure");
  std::string msg = expect_error(EXMAPI_E_TRANSPORT, [&] { named.send(get("https://nowhere.test/")); });
  EXPECT_NE(msg.find("TLS certificate verification failed for nowhere.test"), std::string::npos) << msg;
  http::HttpClient untrusted({}, {});
  msg = expect_error(EXMAPI_E_TRANSPORT, [&] { untrusted.send(get(url)); });
  EXPECT_NE(msg.find("TLS certificate verification failed"), std::string::npos) << msg;
}

TEST(HttpClient, HeaderInjectionIsRefused) {
  http::HttpClient client({}, {});
  http::HttpRequest r = get("http://127.0.0.1:1/");
  r.headers = {{"X-A", "1\r\nX-B: 2"}};
  expect_error(EXMAPI_E_INVALID_ARGUMENT, [&] { client.send(r); });
}

TEST(HttpClient, AuthSchemeNames) {
  EXPECT_EQ(http::parse_auth_scheme("NTLM"), http::AuthScheme::kNtlm);
  EXPECT_EQ(http::parse_auth_scheme("negotiate"), http::AuthScheme::kNegotiate);
  EXPECT_EQ(http::parse_auth_scheme("Bearer"), http::AuthScheme::kBearer);
  EXPECT_FALSE(http::parse_auth_scheme("digest"));
  EXPECT_STREQ(http::auth_scheme_name(http::AuthScheme::kBasic), "basic");
}

}  // namespace
}  // namespace exmapi::test
