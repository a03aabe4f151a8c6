// The Autodiscover client (MS-OXDSCLI 3.1.5) against HTTPS test servers on 127.0.0.1: the
// candidate order, HTTP redirects, RedirectAddr/RedirectUrl, loops, the HTTP GET probe, the SRV
// record (dnsmasq), Autodiscover v2 JSON, wrong passwords and TLS failures. The names of the
// example.test domain reach the servers through curl's CONNECT_TO, so TLS still checks them.
#include <gtest/gtest.h>

#include <exmapi/autodiscover.h>

#include "autodiscover/autodiscover_codec.hpp"
#include "autodiscover/discover.hpp"
#include "base/error.hpp"
#include "http_client_support.hpp"

namespace exmapi::test {
namespace {

using namespace exmapi::autodiscover;
using nlohmann::json;

const char* kPox = "/autodiscover/autodiscover.xml";

std::string settings_body(const std::string& name, const std::string& mailbox_url) {
  PoxResponse r;
  r.user = UserSettings{name, "/o=Example/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Recipients/cn=" + name, "dep-1", ""};
  r.account.emplace();
  r.account->action = "settings";
  ProtocolSettings expr;
  expr.type = "EXPR";
  expr.set("Server", "rpc.example.test").set("SSL", "On").set("AuthPackage", "Basic");
  r.account->protocols.push_back(expr);
  ProtocolSettings mapi;
  mapi.type_attribute = "mapiHttp";
  mapi.version_attribute = "1";
  mapi.mail_store.external_url = mailbox_url;
  mapi.address_book.external_url = "https://mail.example.test/mapi/nspi/";
  r.account->protocols.push_back(mapi);
  return build_pox_response(r);
}

std::string redirect_addr_body(const std::string& address) {
  PoxResponse r;
  r.account.emplace();
  r.account->action = "redirectAddr";
  r.account->redirect_addr = address;
  return build_pox_response(r);
}

json route(const std::string& host, const std::string& path, json extra) {
  json r = {{"host", host}, {"path", path}};
  r.update(extra);
  return r;
}

// Every name the client may try goes somewhere on 127.0.0.1: to a server, or to a closed port.
class Names {
 public:
  void to(const std::string& host, int port, uint16_t local) {
    entries_.push_back(host + ":" + std::to_string(port) + ":127.0.0.1:" + std::to_string(local));
  }
  std::vector<std::string> connect_to() const {
    auto all = entries_;  // the first matching entry wins
    for (const char* h : {"example.test", "autodiscover.example.test", "mail.example.test", "other.test", "autodiscover.other.test"})
      for (int port : {443, 80}) all.push_back(std::string(h) + ":" + std::to_string(port) + ":127.0.0.1:" + std::to_string(refused_));
    return all;
  }

 private:
  uint16_t refused_ = unused_tcp_port();
  std::vector<std::string> entries_;
};

DiscoverOptions options_for(const TestCertificate& cert, const Names& names, const std::string& password = "pw") {
  DiscoverOptions o;
  o.http.ca_file = cert.cert;
  o.http.connect_to = names.connect_to();
  o.http.connect_timeout_ms = 3000;
  o.http.total_timeout_ms = 10000;
  o.credentials = {http::AuthScheme::kBasic, "alice@example.test", password, {}, {}};
  o.try_srv = false;
  o.try_json_v2 = false;
  return o;
}

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

TEST(AutodiscoverClient, FirstCandidateRefusesSecondAnswers) {
  TestCertificate cert;
  PeerHttpServer server(json::array({route("autodiscover.example.test", kPox,
                                           {{"method", "POST"}, {"basic_auth", "alice@example.test:pw"},
                                            {"body", settings_body("Alice", "https://mail.example.test/mapi/emsmdb/")}})}),
                        cert.cert, cert.key);
  Names names;
  names.to("autodiscover.example.test", 443, server.port());  // example.test:443 stays closed
  std::vector<std::string> steps;
  DiscoverOptions o = options_for(cert, names);
  o.trace = [&](const std::string& s) { steps.push_back(s); };
  DiscoveredEndpoints ep = discover("alice@example.test", o);
  EXPECT_EQ(ep.transport, Transport::kMapiHttp);
  EXPECT_EQ(ep.mapi_mailbox_url, "https://mail.example.test/mapi/emsmdb/");
  EXPECT_EQ(ep.mapi_addressbook_url, "https://mail.example.test/mapi/nspi/");
  EXPECT_EQ(ep.display_name, "Alice");
  EXPECT_EQ(ep.deployment_id, "dep-1");
  EXPECT_EQ(ep.rpc_proxy_server, "rpc.example.test");
  EXPECT_EQ(ep.email, "alice@example.test");
  EXPECT_EQ(ep.autodiscover_url, "https://autodiscover.example.test/autodiscover/autodiscover.xml");
  ASSERT_GE(steps.size(), 2u);
  EXPECT_EQ(steps[0], "POST https://example.test/autodiscover/autodiscover.xml");
  EXPECT_NE(steps[1].find("connection refused"), std::string::npos) << steps[1];
  // What the server received is a valid request, read with the server-side codec.
  auto requests = server.stats("https", cert.cert)["requests"];
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0]["headers"]["X-MapiHttpCapability"], "1");
  EXPECT_EQ(parse_pox_request(requests[0]["body"].get<std::string>()).email_address, "alice@example.test");
}

TEST(AutodiscoverClient, FollowsAnHttp302Redirect) {
  TestCertificate cert;
  PeerHttpServer server(
      json::array({route("example.test", kPox, {{"status", 302}, {"headers", {{"Location", "https://mail.example.test/autodiscover/autodiscover.xml"}}}}),
                   route("mail.example.test", kPox, {{"body", settings_body("Bob", "https://mail.example.test/mapi/emsmdb/?MailboxId=b")}})}),
      cert.cert, cert.key);
  Names names;
  names.to("example.test", 443, server.port());
  names.to("mail.example.test", 443, server.port());
  DiscoveredEndpoints ep = discover("bob@example.test", options_for(cert, names));
  EXPECT_EQ(ep.display_name, "Bob");
  EXPECT_EQ(ep.mapi_mailbox_url, "https://mail.example.test/mapi/emsmdb/?MailboxId=b");
  EXPECT_EQ(ep.autodiscover_url, "https://mail.example.test/autodiscover/autodiscover.xml");
}

TEST(AutodiscoverClient, FollowsRedirectAddrToAnotherDomain) {
  TestCertificate cert;
  PeerHttpServer server(json::array({route("example.test", kPox, {{"body", redirect_addr_body("carol@other.test")}}),
                                     route("other.test", kPox, {{"body", settings_body("Carol", "https://other.test/mapi/emsmdb/")}})}),
                        cert.cert, cert.key);
  Names names;
  names.to("example.test", 443, server.port());
  names.to("other.test", 443, server.port());
  DiscoveredEndpoints ep = discover("carol@example.test", options_for(cert, names));
  EXPECT_EQ(ep.email, "carol@other.test");
  EXPECT_EQ(ep.display_name, "Carol");
  auto requests = server.stats("https", cert.cert)["requests"];
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(parse_pox_request(requests[1]["body"].get<std::string>()).email_address, "carol@other.test");
}

TEST(AutodiscoverClient, FollowsRedirectUrl) {
  TestCertificate cert;
  PoxResponse redirect;
  redirect.account.emplace();
  redirect.account->action = "redirectUrl";
  redirect.account->redirect_url = "https://mail.example.test/autodiscover/autodiscover.xml";
  PeerHttpServer server(json::array({route("example.test", kPox, {{"body", build_pox_response(redirect)}}),
                                     route("mail.example.test", kPox, {{"body", settings_body("Dan", "https://mail.example.test/mapi/emsmdb/")}})}),
                        cert.cert, cert.key);
  Names names;
  names.to("example.test", 443, server.port());
  names.to("mail.example.test", 443, server.port());
  EXPECT_EQ(discover("dan@example.test", options_for(cert, names)).display_name, "Dan");
}

TEST(AutodiscoverClient, RedirectLoopsStopWithAClearError) {
  TestCertificate cert;
  PeerHttpServer server(
      json::array({route("example.test", kPox, {{"status", 302}, {"headers", {{"Location", "https://mail.example.test/autodiscover/autodiscover.xml"}}}}),
                   route("mail.example.test", kPox, {{"status", 301}, {"headers", {{"Location", "https://example.test/autodiscover/autodiscover.xml"}}}}),
                   route("other.test", kPox, {{"body", redirect_addr_body("x@example.test")}})}),
      cert.cert, cert.key);
  Names names;
  for (const char* h : {"example.test", "mail.example.test", "other.test"}) names.to(h, 443, server.port());
  std::string msg = expect_error(EXMAPI_E_LIMIT, [&] { discover("erin@example.test", options_for(cert, names)); });
  EXPECT_NE(msg.find("redirect loop"), std::string::npos) << msg;
  // An address loop: other.test sends x@example.test ... whose domain loops above; a direct one:
  PeerHttpServer addr_loop(json::array({route("example.test", kPox, {{"body", redirect_addr_body("y@other.test")}}),
                                        route("other.test", kPox, {{"body", redirect_addr_body("y@example.test")}})}),
                           cert.cert, cert.key);
  Names names2;
  names2.to("example.test", 443, addr_loop.port());
  names2.to("other.test", 443, addr_loop.port());
  msg = expect_error(EXMAPI_E_LIMIT, [&] { discover("y@example.test", options_for(cert, names2)); });
  EXPECT_NE(msg.find("redirect loop"), std::string::npos) << msg;
  EXPECT_NE(msg.find("already asked"), std::string::npos) << msg;
}

TEST(AutodiscoverClient, WrongPasswordIsAnAuthenticationError) {
  TestCertificate cert;
  PeerHttpServer server(json::array({route("example.test", kPox, {{"basic_auth", "alice@example.test:pw"}, {"body", settings_body("A", "https://x/")}})}),
                        cert.cert, cert.key);
  Names names;
  names.to("example.test", 443, server.port());
  std::string msg = expect_error(EXMAPI_E_AUTH, [&] { discover("alice@example.test", options_for(cert, names, "not-pw")); });
  EXPECT_NE(msg.find("wrong user name or password"), std::string::npos) << msg;
}

TEST(AutodiscoverClient, HttpGetProbeRedirectIsFollowedWithoutCredentials) {
  TestCertificate cert;
  PeerHttpServer https(json::array({route("mail.example.test", kPox, {{"basic_auth", "alice@example.test:pw"}, {"body", settings_body("Fay", "https://mail.example.test/mapi/emsmdb/")}})}),
                       cert.cert, cert.key);
  PeerHttpServer plain(json::array({route("autodiscover.example.test", kPox,
                                          {{"method", "GET"}, {"status", 302}, {"headers", {{"Location", "https://mail.example.test/autodiscover/autodiscover.xml"}}}})}));
  Names names;
  names.to("autodiscover.example.test", 80, plain.port());
  names.to("mail.example.test", 443, https.port());
  DiscoveredEndpoints ep = discover("alice@example.test", options_for(cert, names));
  EXPECT_EQ(ep.display_name, "Fay");
  auto probe = plain.stats()["requests"];
  ASSERT_EQ(probe.size(), 1u);
  EXPECT_EQ(probe[0]["method"], "GET");
  EXPECT_FALSE(probe[0]["headers"].contains("Authorization"));  // no password over plain HTTP
}

TEST(AutodiscoverClient, ProbeRedirectToPlainHttpIsRefused) {
  TestCertificate cert;
  PeerHttpServer plain(json::array({route("autodiscover.example.test", kPox,
                                          {{"status", 302}, {"headers", {{"Location", "http://evil.example.test/autodiscover/autodiscover.xml"}}}})}));
  Names names;
  names.to("autodiscover.example.test", 80, plain.port());
  std::string msg = expect_error(EXMAPI_E_TRANSPORT, [&] { discover("alice@example.test", options_for(cert, names)); });
  EXPECT_NE(msg.find("not HTTPS"), std::string::npos) << msg;
  EXPECT_NE(msg.find("https://example.test/autodiscover/autodiscover.xml: cannot connect"), std::string::npos) << msg;
}

TEST(AutodiscoverClient, SrvRecordNamesTheServer) {
  TestCertificate cert;
  PeerHttpServer server(json::array({route("mail.example.test", kPox, {{"body", settings_body("Gus", "https://mail.example.test/mapi/emsmdb/")}})}),
                        cert.cert, cert.key);
  Dnsmasq dns({"--srv-host=_autodiscover._tcp.example.test,mail.example.test,443,0,0"});
  auto targets = lookup_srv("_autodiscover._tcp.example.test", dns.address(), 2000);
  ASSERT_EQ(targets.size(), 1u);
  EXPECT_EQ(targets[0].host, "mail.example.test");
  EXPECT_EQ(targets[0].port, 443);
  EXPECT_TRUE(lookup_srv("_autodiscover._tcp.nothing.example.test", dns.address(), 2000).empty());
  Names names;
  names.to("mail.example.test", 443, server.port());
  DiscoverOptions o = options_for(cert, names);
  o.try_srv = true;
  o.dns_server = dns.address();
  DiscoveredEndpoints ep = discover("gus@example.test", o);
  EXPECT_EQ(ep.display_name, "Gus");
  EXPECT_EQ(ep.autodiscover_url, "https://mail.example.test/autodiscover/autodiscover.xml");
}

TEST(AutodiscoverClient, JsonV2WhenPoxIsNotServed) {
  TestCertificate cert;
  PeerHttpServer server(json::array({route("example.test", "/autodiscover/autodiscover.json",
                                           {{"content_type", "application/json"},
                                            {"body", build_json_v2_response({"MapiHttp", "https://mail.example.test/mapi/emsmdb/?MailboxId=h", "", ""})}})}),
                        cert.cert, cert.key);
  Names names;
  names.to("example.test", 443, server.port());  // the POX URL there answers 404
  DiscoverOptions o = options_for(cert, names);
  o.try_json_v2 = true;
  DiscoveredEndpoints ep = discover("hal@example.test", o);
  EXPECT_EQ(ep.transport, Transport::kMapiHttp);
  EXPECT_EQ(ep.mapi_mailbox_url, "https://mail.example.test/mapi/emsmdb/?MailboxId=h");
  auto requests = server.stats("https", cert.cert)["requests"];
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[1]["query"], "Email=hal%40example.test&Protocol=MapiHttp");
}

TEST(AutodiscoverClient, TlsFailureWithoutTheCa) {
  TestCertificate cert;
  PeerHttpServer server(json::array({route("example.test", kPox, {{"body", settings_body("Ivy", "https://x/")}})}), cert.cert, cert.key);
  Names names;
  names.to("example.test", 443, server.port());
  DiscoverOptions o = options_for(cert, names);
  o.http.ca_file.clear();
  std::string msg = expect_error(EXMAPI_E_TRANSPORT, [&] { discover("ivy@example.test", o); });
  EXPECT_NE(msg.find("Autodiscover found no server for ivy@example.test"), std::string::npos) << msg;
  EXPECT_NE(msg.find("TLS certificate verification failed for example.test"), std::string::npos) << msg;
}

TEST(AutodiscoverClient, NotAnEmailAddress) {
  TestCertificate cert;
  Names names;
  expect_error(EXMAPI_E_INVALID_ARGUMENT, [&] { discover("no-at-sign", options_for(cert, names)); });
  expect_error(EXMAPI_E_INVALID_ARGUMENT, [&] { discover("a@b/c", options_for(cert, names)); });
}

TEST(AutodiscoverCapi, OptionsAndResult) {
  TestCertificate cert;
  PeerHttpServer server(json::array({route("example.test", kPox, {{"basic_auth", "jo@example.test:pw"}, {"body", settings_body("Jo", "https://mail.example.test/mapi/emsmdb/")}})}),
                        cert.cert, cert.key);
  Names names;
  names.to("example.test", 443, server.port());
  exmapi_autodiscover_options* o = nullptr;
  ASSERT_EQ(exmapi_autodiscover_options_new(&o), EXMAPI_OK);
  EXPECT_EQ(exmapi_autodiscover_options_set(o, "colour", "blue"), EXMAPI_E_INVALID_ARGUMENT);
  EXPECT_NE(std::string(exmapi_error_last()->message).find("unknown Autodiscover option 'colour'"), std::string::npos);
  EXPECT_EQ(exmapi_autodiscover_options_set(o, "auth", "digest"), EXMAPI_E_INVALID_ARGUMENT);
  ASSERT_EQ(exmapi_autodiscover_options_set(o, "ca_file", cert.cert.c_str()), EXMAPI_OK);
  for (const auto& c : names.connect_to()) ASSERT_EQ(exmapi_autodiscover_options_set(o, "connect_to", c.c_str()), EXMAPI_OK);
  ASSERT_EQ(exmapi_autodiscover_options_set(o, "srv", "0"), EXMAPI_OK);
  ASSERT_EQ(exmapi_autodiscover_options_set(o, "json_v2", "0"), EXMAPI_OK);
  ASSERT_EQ(exmapi_autodiscover_options_set(o, "password", "pw"), EXMAPI_OK);
  exmapi_autodiscover_result* r = nullptr;
  ASSERT_EQ(exmapi_autodiscover(&r, "jo@example.test", o), EXMAPI_OK) << exmapi_error_last()->message;
  EXPECT_EQ(r->transport, EXMAPI_TRANSPORT_MAPI_HTTP);
  EXPECT_STREQ(r->display_name, "Jo");
  EXPECT_STREQ(r->mapi_mailbox_url, "https://mail.example.test/mapi/emsmdb/");
  EXPECT_STREQ(r->rpc_proxy_server, "rpc.example.test");
  EXPECT_STREQ(r->rpc_server, "");
  exmapi_autodiscover_result_free(r);
  ASSERT_EQ(exmapi_autodiscover_options_set(o, "password", "nope"), EXMAPI_OK);
  EXPECT_EQ(exmapi_autodiscover(&r, "jo@example.test", o), EXMAPI_E_AUTH);
  EXPECT_EQ(r, nullptr);
  EXPECT_EQ(exmapi_autodiscover(&r, nullptr, o), EXMAPI_E_INVALID_ARGUMENT);
  exmapi_autodiscover_options_free(o);
}

TEST(AutodiscoverCli, PrintsTheEndpointsAndFailsClearly) {
  TestCertificate cert;
  PeerHttpServer server(json::array({route("autodiscover.example.test", kPox, {{"basic_auth", "kim@example.test:pw"}, {"body", settings_body("Kim", "https://mail.example.test/mapi/emsmdb/")}})}),
                        cert.cert, cert.key);
  Names names;
  names.to("autodiscover.example.test", 443, server.port());
  std::string args = " --ca-file " + cert.cert + " --no-srv --no-json-v2";
  for (const auto& c : names.connect_to()) args += " --connect-to " + c;
  write_text(cert.dir.file("pw"), "pw\n");
  write_text(cert.dir.file("bad"), "bad\n");
  auto r = run_command(cli_path() + " autodiscover kim@example.test --json --password-file " + cert.dir.file("pw") + args, "");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = json::parse(r.out);
  EXPECT_EQ(j["transport"], "mapi-http");
  EXPECT_EQ(j["display_name"], "Kim");
  EXPECT_EQ(j["mapi_http"]["mailbox_url"], "https://mail.example.test/mapi/emsmdb/");
  EXPECT_EQ(j["autodiscover_url"], "https://autodiscover.example.test/autodiscover/autodiscover.xml");
  r = run_command(cli_path() + " autodiscover kim@example.test --password-file " + cert.dir.file("pw") + args, "");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("Use:               MAPI over HTTP"), std::string::npos) << r.out;
  r = run_command(cli_path() + " autodiscover kim@example.test --password-file " + cert.dir.file("bad") + args, "");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("wrong user name or password"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("[EXMAPI_E_AUTH]"), std::string::npos) << r.err;
  r = run_command(cli_path() + " autodiscover kim@example.test --password pw", "");
  EXPECT_EQ(r.exit_code, 64);
  EXPECT_NE(r.err.find("not taken on the command line"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace exmapi::test
