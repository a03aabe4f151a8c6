// MAPI over HTTP against a real exmapi-server process (started on 127.0.0.1 by each test, HTTP(S)
// on a free port): requests made with libcurl, bodies built and read with the src/mapihttp codec,
// ROP buffers with src/rop, the response stream parsed by mapihttp::ResponseStreamParser.
#include <curl/curl.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "autodiscover/autodiscover_codec.hpp"
#include "mapihttp/bodies.hpp"
#include "mapihttp/framing.hpp"
#include "rop/rop_buffer.hpp"
#include "rop/rops_notification.hpp"
#include "server_process.hpp"
#include "store/mailbox_tags.hpp"
#include "store/sample_org.hpp"
#include "wire/extended_buffer.hpp"

namespace exmapi {
namespace {

using namespace rop;  // NOLINT
namespace mh = mapihttp;
namespace tag = server::mailbox_tag;
using test::ServerProcess;

constexpr uint32_t kNoHandle = 0xFFFFFFFF;
constexpr const char* kAlicePassword = "Alice#2026";
constexpr const char* kBobPassword = "Bob#2026";

struct HttpResult {
  long status = 0;
  std::vector<std::pair<std::string, std::string>> headers;
  Bytes body;
  std::string header(std::string_view name) const {
    for (const auto& [k, v] : headers)
      if (k.size() == name.size() && std::equal(k.begin(), k.end(), name.begin(), [](char a, char b) {
            return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
          }))
        return v;
    return {};
  }
  std::vector<std::string> all(std::string_view name) const {
    std::vector<std::string> out;
    for (const auto& [k, v] : headers)
      if (strcasecmp(k.c_str(), std::string(name).c_str()) == 0) out.push_back(v);
    return out;
  }
};

enum class Auth { Basic, Ntlm };

struct HttpRequest {
  std::string method = "POST";
  std::string path;
  std::vector<std::string> headers;
  Bytes body;
  std::string user = "alice", password = kAlicePassword;
  Auth auth = Auth::Basic;
  std::string cookie;  // "name=value"
};

size_t on_header(char* data, size_t size, size_t n, void* user) {
  auto* r = static_cast<HttpResult*>(user);
  std::string line(data, size * n);
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
  if (line.rfind("HTTP/", 0) == 0) r->headers.clear();  // a new response (after a 401 leg)
  auto colon = line.find(':');
  if (colon != std::string::npos) {
    std::string value = line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(' '));
    r->headers.emplace_back(line.substr(0, colon), value);
  }
  return size * n;
}
size_t on_body(char* data, size_t size, size_t n, void* user) {
  auto* r = static_cast<HttpResult*>(user);
  r->body.insert(r->body.end(), data, data + size * n);
  return size * n;
}

class HttpClient {
 public:
  HttpClient(std::string base, std::string ca_file = {}) : base_(std::move(base)), ca_(std::move(ca_file)) {}
  HttpResult send(const HttpRequest& rq) const {
    CURL* c = curl_easy_init();
    HttpResult r;
    std::string url = base_ + rq.path;
    curl_easy_setopt(c, CURLOPT_URL, url.c_str());
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, rq.method.c_str());
    if (rq.method == "POST") {
      curl_easy_setopt(c, CURLOPT_POST, 1L);
      curl_easy_setopt(c, CURLOPT_POSTFIELDS, reinterpret_cast<const char*>(rq.body.data()));
      curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, static_cast<long>(rq.body.size()));
    }
    curl_slist* h = nullptr;
    for (const auto& x : rq.headers) h = curl_slist_append(h, x.c_str());
    h = curl_slist_append(h, "Expect:");
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    std::string userpwd = rq.user + ":" + rq.password;
    curl_easy_setopt(c, CURLOPT_USERPWD, userpwd.c_str());
    curl_easy_setopt(c, CURLOPT_HTTPAUTH, rq.auth == Auth::Ntlm ? CURLAUTH_NTLM : CURLAUTH_BASIC);
    if (!rq.cookie.empty()) curl_easy_setopt(c, CURLOPT_COOKIE, rq.cookie.c_str());
    if (!ca_.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, ca_.c_str());
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &r);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &r);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 60L);
    CURLcode rc = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.status);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    if (rc != CURLE_OK) throw std::runtime_error(std::string("curl: ") + curl_easy_strerror(rc));
    return r;
  }

 private:
  std::string base_, ca_;
};

// One client's MAPI/HTTP conversation with one endpoint: its cookie and request ids.
class MapiSession {
 public:
  MapiSession(const HttpClient& http, mh::Endpoint endpoint, std::string user = "alice",
              std::string password = kAlicePassword, Auth auth = Auth::Basic)
      : http_(http), endpoint_(endpoint), user_(std::move(user)), password_(std::move(password)), auth_(auth),
        ids_(Guid::parse("{E2EA6C1C-E61B-49E9-9CFB-38184F907552}").value()) {}

  struct Reply {
    HttpResult http;
    uint32_t response_code = 0;
    size_t pending = 0;
    std::vector<mh::HeaderField> stream_headers;
    Bytes body;
  };

  Reply raw(std::string_view type, const Bytes& body, std::vector<std::string> extra = {}) {
    HttpRequest rq;
    rq.path = std::string(mh::endpoint_path(endpoint_));
    rq.headers = {"Content-Type: application/mapi-http", "X-RequestType: " + std::string(type),
                  "X-RequestId: " + ids_.next(), "X-ClientInfo: {2D2E5C2A-6A7F-4C8D-9E12-0123456789AB}:1",
                  "X-ClientApplication: Outlook/16.00.0000.000"};
    rq.headers.insert(rq.headers.end(), extra.begin(), extra.end());
    rq.body = body;
    rq.user = user_;
    rq.password = password_;
    rq.auth = auth_;
    if (!cookie_.empty()) rq.cookie = "MapiContext=" + cookie_;
    Reply r;
    r.http = http_.send(rq);
    for (const auto& sc : r.http.all("Set-Cookie")) {
      auto eq = sc.find('=');
      auto semi = sc.find(';');
      if (sc.rfind("MapiContext=", 0) == 0) cookie_ = sc.substr(eq + 1, semi - eq - 1);
    }
    std::string code = r.http.header("X-ResponseCode");
    r.response_code = code.empty() ? 0xFFFFFFFF : static_cast<uint32_t>(std::stoul(code));
    if (r.response_code == 0 && r.http.header("Content-Type") == "application/mapi-http" && !r.http.body.empty()) {
      mh::ResponseStreamParser parser;
      parser.feed(r.http.body);
      parser.finish();
      r.pending = parser.pending_count();
      r.stream_headers = parser.headers();
      r.body = parser.take_body();
    }
    return r;
  }

  template <class Resp, class Req>
  Resp call(const Req& req, Reply* out = nullptr) {
    Reply r = raw(mh::request_type_name(Req::kType), mh::encode_body(req));
    EXPECT_EQ(r.http.status, 200);
    EXPECT_EQ(r.response_code, 0u) << std::string(r.http.body.begin(), r.http.body.end());
    Resp resp = mh::decode_body<Resp>(r.body);
    if (out) *out = std::move(r);
    return resp;
  }

  const std::string& cookie() const { return cookie_; }
  void set_cookie(std::string c) { cookie_ = std::move(c); }

 private:
  const HttpClient& http_;
  mh::Endpoint endpoint_;
  std::string user_, password_;
  Auth auth_;
  mh::RequestIdSequence ids_;
  std::string cookie_;
};

// EMSMDB over a MapiSession: Connect, then ROP batches through Execute.
class Mailbox {
 public:
  explicit Mailbox(MapiSession& s) : s_(s) {}
  mh::ConnectResponse connect(const std::string& account) {
    mh::ConnectRequest c;
    c.user_dn = server::sample::user_dn(account);
    c.default_code_page = 1252;
    c.lcid_sort = c.lcid_string = 0x409;
    return s_.call<mh::ConnectResponse>(c);
  }
  struct Result {
    uint32_t error_code = 0;
    RopResponseBuffer buffer;
  };
  Result execute(std::vector<RopRequest> rops, std::vector<uint32_t> handles, uint32_t flags = 0) {
    RopRequestBuffer request{std::move(rops), std::move(handles)};
    mh::ExecuteRequest e;
    e.flags = flags;
    e.rop_buffer = wire::pack(encode_request_buffer(request));
    e.max_rop_out = 0x40000;
    auto r = s_.call<mh::ExecuteResponse>(e);
    Result out;
    out.error_code = r.error_code;
    if (r.error_code != 0) return out;
    Bytes payload;
    for (auto& f : wire::unpack(r.rop_buffer)) payload.insert(payload.end(), f.payload.begin(), f.payload.end());
    out.buffer = decode_response_buffer(payload, request, &tables_);
    return out;
  }

 private:
  MapiSession& s_;
  TableColumnsState tables_;
};

template <class T>
const T& response(const Mailbox::Result& r, size_t i) {
  const T* p = get_if<T>(&r.buffer.rops.at(i));
  if (!p) throw std::runtime_error("response " + std::to_string(i) + " has another type: " + to_json(r.buffer.rops.at(i)));
  return *p;
}

RopLogon::Request logon_request() {
  RopLogon::Request r;
  r.output_handle_index = 0;
  r.logon_flags = logon_flags::Private;
  r.open_flags = 0x01000000;  // USE_PER_MDB_REPLID_MAPPING
  return r;
}
RopOpenFolder::Request open_folder(uint8_t in, uint8_t out, uint64_t fid) {
  RopOpenFolder::Request r;
  r.input_handle_index = in;
  r.output_handle_index = out;
  r.folder_id = fid;
  return r;
}

std::string base_url(const ServerProcess& p) {
  return std::string(p.https() ? "https" : "http") + "://127.0.0.1:" + std::to_string(p.http_port());
}

std::string header_of(const std::vector<mh::HeaderField>& h, std::string_view name) {
  for (const auto& f : h)
    if (f.name == name) return f.value;
  return {};
}

// Connects, logs on and lists the IPM subtree's folders through the hierarchy table.
std::set<std::string> folder_names(MapiSession& s, const std::string& account) {
  Mailbox mb(s);
  EXPECT_EQ(mb.connect(account).error_code, 0u);
  auto l = mb.execute({logon_request()}, {kNoHandle});
  EXPECT_EQ(l.error_code, 0u);
  auto& logon = response<RopLogon::Response>(l, 0);
  EXPECT_EQ(logon.return_value, 0u);
  auto handles = l.buffer.handles;
  handles.resize(3, kNoHandle);
  RopGetHierarchyTable::Request ht;
  ht.input_handle_index = 1;
  ht.output_handle_index = 2;
  RopSetColumns::Request sc;
  sc.input_handle_index = 2;
  sc.property_tags = {tag::DisplayName, tag::FolderId};
  RopQueryRows::Request qr;
  qr.input_handle_index = 2;
  qr.row_count = 50;
  qr.forward_read = 1;
  auto ex = mb.execute({open_folder(0, 1, logon.folder_ids[3]), ht, sc, qr}, handles);
  EXPECT_EQ(ex.error_code, 0u);
  EXPECT_EQ(response<RopGetHierarchyTable::Response>(ex, 1).row_count, 10u);
  std::set<std::string> names;
  for (auto& row : response<RopQueryRows::Response>(ex, 3).rows) names.insert(row.cells[0].value.as_string());
  return names;
}

class MapiHttpServerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { curl_global_init(CURL_GLOBAL_DEFAULT); }
};

TEST_F(MapiHttpServerTest, ConnectExecuteDisconnectWithSessionCookie) {
  ServerProcess server(std::vector<std::string>{"--http-port", "0"});
  HttpClient http(base_url(server));
  MapiSession s(http, mh::Endpoint::Mailbox);
  Mailbox mb(s);
  MapiSession::Reply reply;
  mh::ConnectRequest c;
  c.user_dn = server::sample::user_dn("alice");
  c.default_code_page = 1252;
  auto connected = s.call<mh::ConnectResponse>(c, &reply);
  EXPECT_EQ(connected.error_code, 0u);
  EXPECT_EQ(connected.display_name, "Alice Martin");
  EXPECT_NE(connected.dn_prefix.find("/cn=Recipients/"), std::string::npos);
  EXPECT_FALSE(s.cookie().empty());
  // The common response headers (2.2.3.3) and the stream's additional headers (2.2.7).
  EXPECT_EQ(reply.http.header("X-RequestType"), "Connect");
  EXPECT_EQ(reply.http.header("X-RequestId"), "{E2EA6C1C-E61B-49E9-9CFB-38184F907552}:1");
  EXPECT_EQ(reply.http.header("X-ClientInfo"), "{2D2E5C2A-6A7F-4C8D-9E12-0123456789AB}:1");
  EXPECT_EQ(reply.http.header("X-ServerApplication").rfind("Exchange/15.", 0), 0u);
  EXPECT_EQ(reply.http.header("X-ExpirationInfo"), "900000");
  EXPECT_EQ(reply.http.header("Content-Type"), "application/mapi-http");
  EXPECT_FALSE(header_of(reply.stream_headers, "X-ElapsedTime").empty());
  EXPECT_NE(header_of(reply.stream_headers, "X-StartTime").find("GMT"), std::string::npos);
  std::string body_prefix(reply.http.body.begin(), reply.http.body.begin() + 12);
  EXPECT_EQ(body_prefix, "PROCESSING\r\n");

  // Execute: RopLogon, then the hierarchy table of the IPM subtree in one batch.
  auto l = mb.execute({logon_request()}, {kNoHandle});
  ASSERT_EQ(l.error_code, 0u);
  auto& logon = response<RopLogon::Response>(l, 0);
  ASSERT_EQ(logon.return_value, 0u);
  auto handles = l.buffer.handles;
  handles.resize(3, kNoHandle);
  RopGetHierarchyTable::Request ht;
  ht.input_handle_index = 1;
  ht.output_handle_index = 2;
  RopSetColumns::Request sc;
  sc.input_handle_index = 2;
  sc.property_tags = {tag::DisplayName, tag::FolderId, tag::ContainerClass};
  RopQueryRows::Request qr;
  qr.input_handle_index = 2;
  qr.row_count = 50;
  qr.forward_read = 1;
  auto ex = mb.execute({open_folder(0, 1, logon.folder_ids[3]), ht, sc, qr}, handles);
  ASSERT_EQ(ex.error_code, 0u);
  auto& rows = response<RopQueryRows::Response>(ex, 3).rows;
  std::set<std::string> names;
  for (auto& row : rows) names.insert(row.cells[0].value.as_string());
  for (const char* n : {"Inbox", "Outbox", "Sent Items", "Deleted Items", "Drafts", "Calendar", "Contacts"})
    EXPECT_TRUE(names.count(n)) << n;
  for (auto& row : rows)
    if (row.cells[0].value.as_string() == "Inbox") {
      EXPECT_EQ(static_cast<uint64_t>(row.cells[1].value.as_int64()), logon.folder_ids[4]);
      EXPECT_EQ(row.cells[2].value.as_string(), "IPF.Note");
    }

  // Compressed and obfuscated request buffers come back framed the same way unless Flags forbid it.
  RopGetHierarchyTable::Request ht2 = ht;
  wire::PackOptions packed;
  packed.compress = packed.obfuscate = true;
  RopRequestBuffer again{{open_folder(0, 1, logon.folder_ids[3]), ht2, sc, qr}, handles};
  mh::ExecuteRequest e;
  e.rop_buffer = wire::pack(encode_request_buffer(again), packed);
  e.max_rop_out = 0x40000;
  auto framed = s.call<mh::ExecuteResponse>(e);
  ASSERT_EQ(framed.error_code, 0u);
  EXPECT_NE(wire::unpack(framed.rop_buffer).front().header.flags & wire::kRpcExtXorMagic, 0);
  e.flags = 0x3;  // NoCompression | NoXorMagic
  auto plain = s.call<mh::ExecuteResponse>(e);
  EXPECT_EQ(wire::unpack(plain.rop_buffer).front().header.flags & (wire::kRpcExtXorMagic | wire::kRpcExtCompressed), 0);

  // Disconnect ends the Session Context: its cookie is then unknown (X-ResponseCode 10).
  std::string old = s.cookie();
  MapiSession::Reply bye;
  auto d = s.call<mh::DisconnectResponse>(mh::DisconnectRequest{}, &bye);
  EXPECT_EQ(d.error_code, 0u);
  EXPECT_NE(bye.http.header("Set-Cookie").find("Max-Age=0"), std::string::npos);
  s.set_cookie(old);
  auto after = s.raw("Execute", mh::encode_body(e));
  EXPECT_EQ(after.response_code, 10u);
  EXPECT_EQ(after.http.header("Content-Type"), "text/html");
}

TEST_F(MapiHttpServerTest, NtlmAndBasicAuthenticationAndWrongPasswords) {
  ServerProcess server(std::vector<std::string>{"--http-port", "0"});
  HttpClient http(base_url(server));
  MapiSession ntlm(http, mh::Endpoint::Mailbox, "bob", kBobPassword, Auth::Ntlm);
  auto names = folder_names(ntlm, "bob");
  EXPECT_TRUE(names.count("Inbox"));
  // The session belongs to bob: alice's credentials with bob's cookie get X-ResponseCode 11.
  MapiSession alice(http, mh::Endpoint::Mailbox);
  alice.set_cookie(ntlm.cookie());
  EXPECT_EQ(alice.raw("Execute", mh::encode_body(mh::ExecuteRequest{})).response_code, 11u);
  // Alice may not open bob's mailbox by his DN.
  MapiSession alice2(http, mh::Endpoint::Mailbox);
  mh::ConnectRequest c;
  c.user_dn = server::sample::user_dn("bob");
  EXPECT_NE(alice2.call<mh::ConnectResponse>(c).error_code, 0u);
  EXPECT_TRUE(alice2.cookie().empty());
  for (Auth a : {Auth::Basic, Auth::Ntlm}) {
    MapiSession wrong(http, mh::Endpoint::Mailbox, "alice", "not-her-password", a);
    auto r = wrong.raw("Connect", mh::encode_body(c));
    EXPECT_EQ(r.http.status, 401) << (a == Auth::Basic ? "Basic" : "NTLM");
    EXPECT_TRUE(wrong.cookie().empty());
  }
}

TEST_F(MapiHttpServerTest, AddressBookBindResolveQueryGetPropsUnbind) {
  ServerProcess server(std::vector<std::string>{"--http-port", "0"});
  HttpClient http(base_url(server));
  MapiSession s(http, mh::Endpoint::AddressBook);
  mh::BindRequest bind;
  bind.state = ndr::nspi::Stat{};
  bind.state->code_page = 1252;
  bind.state->template_locale = bind.state->sort_locale = 0x409;
  auto b = s.call<mh::BindResponse>(bind);
  ASSERT_EQ(b.error_code, 0u);
  EXPECT_NE(b.server_guid, Guid{});
  ASSERT_FALSE(s.cookie().empty());

  mh::ResolveNamesRequest rn;
  rn.state = bind.state;
  rn.property_tags = std::vector<PropTag>{0x3001001F, 0x39FE001F, 0x0FFE0003};  // display name, SMTP, object type
  rn.names = std::vector<std::string>{"alice"};
  auto resolved = s.call<mh::ResolveNamesResponse>(rn);
  ASSERT_EQ(resolved.error_code, 0u);
  ASSERT_TRUE(resolved.minimal_ids);
  ASSERT_EQ(resolved.minimal_ids->size(), 1u);
  uint32_t mid = resolved.minimal_ids->front();
  EXPECT_GT(mid, 0x10u);  // a resolved MId, not MID_UNRESOLVED (0) or MID_AMBIGUOUS (1)
  ASSERT_TRUE(resolved.rows_and_columns);
  ASSERT_EQ(resolved.rows_and_columns->rows.size(), 1u);
  EXPECT_EQ(resolved.rows_and_columns->rows[0].cells[0].value.value->as_string(), "Alice Martin");

  mh::QueryRowsRequest qr;
  qr.state = bind.state;
  qr.explicit_table = {mid};
  qr.row_count = 1;
  qr.columns = std::vector<PropTag>{0x3001001F, 0x3A00001F};  // display name, account
  auto rows = s.call<mh::QueryRowsResponse>(qr);
  ASSERT_EQ(rows.error_code, 0u);
  ASSERT_TRUE(rows.columns_and_rows);
  ASSERT_EQ(rows.columns_and_rows->rows.size(), 1u);
  EXPECT_EQ(rows.columns_and_rows->rows[0].cells[0].value.value->as_string(), "Alice Martin");
  EXPECT_EQ(rows.columns_and_rows->rows[0].cells[1].value.value->as_string(), "alice");

  // The whole Global Address List, in table order.
  mh::QueryRowsRequest all;
  all.state = bind.state;
  all.row_count = 100;
  all.columns = std::vector<PropTag>{0x3001001F};
  auto gal = s.call<mh::QueryRowsResponse>(all);
  ASSERT_EQ(gal.error_code, 0u);
  ASSERT_TRUE(gal.columns_and_rows);
  EXPECT_GE(gal.columns_and_rows->rows.size(), 5u);

  mh::GetPropsRequest gp;
  gp.state = bind.state;
  gp.state->current_rec = mid;
  gp.property_tags = std::vector<PropTag>{0x3001001F, 0x3A08001F};  // display name, business phone
  auto props = s.call<mh::GetPropsResponse>(gp);
  ASSERT_EQ(props.error_code, 0u);
  ASSERT_TRUE(props.property_values);
  ASSERT_EQ(props.property_values->size(), 2u);
  EXPECT_EQ((*props.property_values)[0].value.value->as_string(), "Alice Martin");
  EXPECT_EQ((*props.property_values)[1].value.value->as_string(), "+1 555 0101");

  // This server's own URLs, by the scheme it serves.
  mh::GetMailboxUrlRequest mu;
  mu.dn = server::sample::user_dn("alice");
  auto url = s.call<mh::GetMailboxUrlResponse>(mu);
  EXPECT_EQ(url.server_url, base_url(server) + "/mapi/emsmdb/");
  auto ab = s.call<mh::GetAddressBookUrlResponse>(mh::GetAddressBookUrlRequest{});
  EXPECT_EQ(ab.server_url, base_url(server) + "/mapi/nspi/");

  std::string old = s.cookie();
  EXPECT_EQ(s.call<mh::UnbindResponse>(mh::UnbindRequest{}).error_code, 0u);
  EXPECT_TRUE(s.cookie().empty());  // the server expired it
  s.set_cookie(old);
  EXPECT_EQ(s.raw("QueryRows", mh::encode_body(qr)).response_code, 10u);
}

TEST_F(MapiHttpServerTest, AddressBookOtherRequestTypesReachNspi) {
  ServerProcess server(std::vector<std::string>{"--http-port", "0"});
  HttpClient http(base_url(server));
  MapiSession s(http, mh::Endpoint::AddressBook, "bob", kBobPassword, Auth::Ntlm);
  mh::BindRequest bind;
  bind.state = ndr::nspi::Stat{};
  bind.state->code_page = 1252;
  ASSERT_EQ(s.call<mh::BindResponse>(bind).error_code, 0u);
  ndr::nspi::Stat stat = *bind.state;

  // DNToMId: alice's DN and an unknown one (MId 0).
  mh::DNToMIdRequest dn;
  dn.names = std::vector<std::string>{server::sample::user_dn("alice"), "/o=nowhere/cn=nobody"};
  auto mids = s.call<mh::DNToMIdResponse>(dn);
  ASSERT_EQ(mids.error_code, 0u);
  ASSERT_TRUE(mids.minimal_ids);
  ASSERT_EQ(mids.minimal_ids->size(), 2u);
  uint32_t alice = (*mids.minimal_ids)[0];
  EXPECT_GT(alice, 0x10u);
  EXPECT_EQ((*mids.minimal_ids)[1], 0u);

  // GetMatches with a Filter (a content restriction, converted to Restriction_r): prefix "Al".
  mh::GetMatchesRequest gm;
  gm.state = stat;
  ContentRestriction cr;
  cr.fuzzy_level_low = fuzzy::Prefix;
  cr.fuzzy_level_high = fuzzy::IgnoreCase;
  cr.tag = 0x3001001F;
  cr.value = {0x3001001F, PropertyValue::string("al")};
  gm.filter = Restriction(cr);
  gm.row_count = 50;
  gm.columns = std::vector<PropTag>{0x3001001F};
  auto matches = s.call<mh::GetMatchesResponse>(gm);
  ASSERT_EQ(matches.error_code, 0u);
  ASSERT_TRUE(matches.minimal_ids);
  ASSERT_EQ(matches.minimal_ids->size(), 1u);
  EXPECT_EQ(matches.minimal_ids->front(), alice);
  ASSERT_TRUE(matches.columns_and_rows);
  EXPECT_EQ(matches.columns_and_rows->rows.at(0).cells.at(0).value.value->as_string(), "Alice Martin");

  // SeekEntries to the first display name at or after "B".
  mh::SeekEntriesRequest se;
  se.state = stat;
  se.target = mh::AbTaggedValue{0x3001001F, {PropertyValue::string("B"), {}}};
  se.columns = std::vector<PropTag>{0x3001001F};
  auto seek = s.call<mh::SeekEntriesResponse>(se);
  ASSERT_EQ(seek.error_code, 0u);
  ASSERT_TRUE(seek.columns_and_rows);
  EXPECT_EQ(seek.columns_and_rows->rows.at(0).cells.at(0).value.value->as_string(), "Bob Nguyen");

  // CompareMIds, GetPropList, QueryColumns, UpdateStat, ResortRestriction, GetSpecialTable.
  mh::CompareMIdsRequest cmp;
  cmp.state = stat;
  cmp.minimal_id1 = cmp.minimal_id2 = alice;
  auto compared = s.call<mh::CompareMIdsResponse>(cmp);
  EXPECT_EQ(compared.error_code, 0u);
  EXPECT_EQ(compared.result, 0);
  mh::GetPropListRequest pl;
  pl.minimal_id = alice;
  pl.code_page = 1252;
  auto list = s.call<mh::GetPropListResponse>(pl);
  ASSERT_EQ(list.error_code, 0u);
  ASSERT_TRUE(list.property_tags);
  EXPECT_NE(std::find(list.property_tags->begin(), list.property_tags->end(), PropTag{0x3001001E}) ==
                list.property_tags->end(),
            std::find(list.property_tags->begin(), list.property_tags->end(), PropTag{0x3001001F}) ==
                list.property_tags->end());  // the display name is listed, in one string type
  auto columns = s.call<mh::QueryColumnsResponse>(mh::QueryColumnsRequest{});
  ASSERT_EQ(columns.error_code, 0u);
  ASSERT_TRUE(columns.columns);
  EXPECT_FALSE(columns.columns->empty());
  mh::UpdateStatRequest us;
  us.state = stat;
  us.delta_requested = 1;
  auto updated = s.call<mh::UpdateStatResponse>(us);
  EXPECT_EQ(updated.error_code, 0u);
  EXPECT_TRUE(updated.state);
  EXPECT_TRUE(updated.delta);
  mh::ResortRestrictionRequest rr;
  rr.state = stat;
  rr.minimal_ids = std::vector<uint32_t>{alice, (*matches.minimal_ids)[0]};
  // This store's NSPI does not sort Explicit Tables: its NspiResortRestriction answer, MAPI_E_NO_SUPPORT,
  // comes through as the ErrorCode.
  auto resorted = s.call<mh::ResortRestrictionResponse>(rr);
  EXPECT_EQ(resorted.error_code, 0x80040102u);
  mh::GetSpecialTableRequest st;
  st.flags = 0x4;  // NspiUnicodeStrings
  st.state = stat;
  auto special = s.call<mh::GetSpecialTableResponse>(st);
  ASSERT_EQ(special.error_code, 0u);
  ASSERT_TRUE(special.rows);
  ASSERT_FALSE(special.rows->empty());
  // Every container row names itself in Unicode (NspiUnicodeStrings).
  for (const auto& row : *special.rows) {
    bool named = false;
    for (const auto& v : row) named |= v.tag == 0x3001001F && v.value.value.has_value();
    EXPECT_TRUE(named);
  }
}

TEST_F(MapiHttpServerTest, FailuresAnswerTheirResponseCodes) {
  ServerProcess server(std::vector<std::string>{"--http-port", "0"});
  HttpClient http(base_url(server));
  MapiSession s(http, mh::Endpoint::Mailbox);
  std::string id = "X-RequestId: {E2EA6C1C-E61B-49E9-9CFB-38184F907552}:7";
  auto send = [&](std::string method, std::string path, std::vector<std::string> headers, Bytes body = {},
                  std::string cookie = {}) {
    HttpRequest rq;
    rq.method = std::move(method);
    rq.path = std::move(path);
    rq.headers = std::move(headers);
    rq.body = std::move(body);
    rq.cookie = std::move(cookie);
    HttpResult r = http.send(rq);
    EXPECT_EQ(r.status, 200);
    std::string code = r.header("X-ResponseCode");
    return code.empty() ? -1 : std::stoi(code);
  };
  const std::string ct = "Content-Type: application/mapi-http";
  EXPECT_EQ(send("POST", "/mapi/emsmdb/", {ct, id}), 7);                                  // no X-RequestType
  EXPECT_EQ(send("POST", "/mapi/emsmdb/", {ct, id, "X-RequestType: Frobnicate"}), 5);      // unknown type
  EXPECT_EQ(send("POST", "/mapi/emsmdb/", {ct, id, "X-RequestType: Bind"}), 5);            // other endpoint's
  EXPECT_EQ(send("POST", "/mapi/emsmdb/", {ct, "X-RequestType: Execute"}), 7);             // no X-RequestId
  EXPECT_EQ(send("POST", "/mapi/emsmdb/", {ct, "X-RequestType: Execute", "X-RequestId: 12"}), 4);
  EXPECT_EQ(send("POST", "/mapi/emsmdb/", {"Content-Type: text/plain", id, "X-RequestType: Execute"}), 4);
  EXPECT_EQ(send("GET", "/mapi/emsmdb/", {id, "X-RequestType: Execute"}), 2);
  EXPECT_EQ(send("POST", "/mapi/emsmdb/other", {ct, id, "X-RequestType: Execute"}), 3);
  Bytes execute = mh::encode_body(mh::ExecuteRequest{});
  EXPECT_EQ(send("POST", "/mapi/emsmdb/", {ct, id, "X-RequestType: Execute"}, execute), 13);  // no cookie
  EXPECT_EQ(send("POST", "/mapi/emsmdb/", {ct, id, "X-RequestType: Execute"}, execute, "MapiContext=forged"), 6);
  EXPECT_EQ(send("POST", "/mapi/emsmdb/", {ct, id, "X-RequestType: Execute"}, execute,
                 "MapiContext=0E3F8C3A-2B1D-4E5F-8A9B-0C1D2E3F4A5B"),
            10);
  // A body that does not decode (a Connect cut short).
  EXPECT_EQ(send("POST", "/mapi/emsmdb/", {ct, id, "X-RequestType: Connect"}, Bytes{'/', 'o'}), 12);
  // PING needs no session and has no body.
  EXPECT_EQ(send("POST", "/mapi/nspi/", {id, "X-RequestType: PING"}), 0);
}

TEST_F(MapiHttpServerTest, SessionExpiresAfterInactivity) {
  ServerProcess server({"--http-port", "0", "--mapi-session-timeout", "1"});
  HttpClient http(base_url(server));
  MapiSession s(http, mh::Endpoint::Mailbox);
  Mailbox mb(s);
  ASSERT_EQ(mb.connect("alice").error_code, 0u);
  // Used within the timeout it lives on.
  std::this_thread::sleep_for(std::chrono::milliseconds(600));
  EXPECT_EQ(mb.execute({logon_request()}, {kNoHandle}).error_code, 0u);
  std::this_thread::sleep_for(std::chrono::milliseconds(600));
  EXPECT_EQ(mb.execute({logon_request()}, {kNoHandle}).error_code, 0u);
  std::this_thread::sleep_for(std::chrono::milliseconds(1600));
  auto r = s.raw("Execute", mh::encode_body(mh::ExecuteRequest{}));
  EXPECT_EQ(r.response_code, 10u);
}

TEST_F(MapiHttpServerTest, NotificationWaitWakesOnNewMailAndTimesOut) {
  ServerProcess server({"--http-port", "0", "--async-wait-timeout", "1500", "--mapi-pending-period", "300"});
  HttpClient http(base_url(server));
  MapiSession watcher_s(http, mh::Endpoint::Mailbox);
  Mailbox watcher(watcher_s);
  ASSERT_EQ(watcher.connect("alice").error_code, 0u);
  auto l = watcher.execute({logon_request()}, {kNoHandle});
  auto& logon = response<RopLogon::Response>(l, 0);
  uint64_t inbox = logon.folder_ids[4];
  auto handles = l.buffer.handles;
  handles.resize(3, kNoHandle);
  RopRegisterNotification::Request reg;
  reg.input_handle_index = 0;
  reg.output_handle_index = 2;
  reg.notification_types = notification_type::NewMail | notification_type::ObjectCreated;
  reg.want_whole_store = 0;
  reg.folder_id = inbox;
  auto subscribed = watcher.execute({open_folder(0, 1, inbox), reg}, handles);
  ASSERT_EQ(subscribed.error_code, 0u);
  ASSERT_EQ(response<RopRegisterNotification::Response>(subscribed, 1).return_value, 0u);

  // Nothing happens: the wait ends at its timeout without an event, kept alive by PENDING lines.
  auto started = std::chrono::steady_clock::now();
  MapiSession::Reply idle;
  auto none = watcher_s.call<mh::NotificationWaitResponse>(mh::NotificationWaitRequest{}, &idle);
  auto waited = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(none.error_code, 0u);
  EXPECT_EQ(none.event_pending, 0u);
  EXPECT_GE(waited, std::chrono::milliseconds(1400));
  EXPECT_GE(idle.pending, 2u);
  EXPECT_EQ(idle.http.header("X-PendingPeriod"), "300");

  // A second session saves a message into that Inbox: the waiting NotificationWait returns with
  // EventPending long before its timeout.
  auto wait = std::async(std::launch::async, [&] {
    auto t0 = std::chrono::steady_clock::now();
    auto r = watcher_s.call<mh::NotificationWaitResponse>(mh::NotificationWaitRequest{});
    return std::make_pair(r, std::chrono::steady_clock::now() - t0);
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  MapiSession writer_s(http, mh::Endpoint::Mailbox);
  Mailbox writer(writer_s);
  ASSERT_EQ(writer.connect("alice").error_code, 0u);
  auto wl = writer.execute({logon_request()}, {kNoHandle});
  auto wh = wl.buffer.handles;
  wh.resize(3, kNoHandle);
  RopCreateMessage::Request cm;
  cm.input_handle_index = 1;
  cm.output_handle_index = 2;
  cm.folder_id = inbox;
  RopSetProperties::Request sp;
  sp.input_handle_index = 2;
  sp.property_values = {{tag::Subject, PropertyValue::string("Over MAPI/HTTP")}};
  RopSaveChangesMessage::Request save;
  save.response_handle_index = 2;
  save.input_handle_index = 2;
  save.save_flags = 0x02;
  auto saved = writer.execute({open_folder(0, 1, inbox), cm, sp, save}, wh);
  ASSERT_EQ(saved.error_code, 0u);
  EXPECT_EQ(response<RopSaveChangesMessage::Response>(saved, 3).return_value, 0u);
  auto [woken, took] = wait.get();
  EXPECT_EQ(woken.event_pending, 1u);
  EXPECT_LT(took, std::chrono::milliseconds(1400));

  // The next Execute carries the RopNotify responses.
  auto drained = watcher.execute({}, handles);
  ASSERT_EQ(drained.error_code, 0u);
  bool notified = false;
  for (const auto& r : drained.buffer.rops) notified |= get_if<RopNotify::Response>(&r) != nullptr;
  EXPECT_TRUE(notified);
}

TEST_F(MapiHttpServerTest, HttpsWithATestCertificate) {
  char tmpl[] = "/tmp/exmapi-mapihttp-tls-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  std::filesystem::path dir = tmpl;
  std::string cert = (dir / "cert.pem").string(), key = (dir / "key.pem").string();
  std::string cmd = "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 -addext "
                    "subjectAltName=IP:127.0.0.1 -keyout " + key + " -out " + cert + " >/dev/null 2>&1";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  {
    ServerProcess server({"--http-port", "0", "--tls-cert", cert, "--tls-key", key});
    ASSERT_TRUE(server.https());
    HttpClient https(base_url(server), cert);
    MapiSession s(https, mh::Endpoint::Mailbox);
    auto names = folder_names(s, "alice");
    EXPECT_TRUE(names.count("Calendar"));
    MapiSession ab(https, mh::Endpoint::AddressBook);
    mh::GetMailboxUrlRequest mu;
    mu.dn = server::sample::user_dn("alice");
    EXPECT_EQ(ab.call<mh::GetMailboxUrlResponse>(mu).server_url,
              "https://127.0.0.1:" + std::to_string(server.http_port()) + "/mapi/emsmdb/");
    // A client that does not trust the certificate fails the TLS handshake.
    HttpClient untrusting(base_url(server), "/etc/ssl/certs/ca-certificates.crt");
    HttpRequest rq;
    rq.path = "/mapi/emsmdb/";
    EXPECT_THROW(untrusting.send(rq), std::runtime_error);
  }
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}

TEST_F(MapiHttpServerTest, AutodiscoverNamesTheMapiHttpEndpoints) {
  namespace ad = exmapi::autodiscover;
  ServerProcess server(std::vector<std::string>{"--http-port", "0"});
  HttpClient http(base_url(server));
  std::string base = base_url(server);
  auto post = [&](const std::string& email, const std::string& user, const std::string& password) {
    ad::PoxRequest rq;
    rq.email_address = email;
    std::string xml = ad::build_pox_request(rq);
    HttpRequest h;
    h.path = "/autodiscover/autodiscover.xml";
    h.headers = {"Content-Type: text/xml"};
    h.body.assign(xml.begin(), xml.end());
    h.user = user;
    h.password = password;
    return http.send(h);
  };
  HttpResult r = post("alice@example.test", "alice", kAlicePassword);
  ASSERT_EQ(r.status, 200);
  ad::PoxResponse pox = ad::parse_pox_response(std::string(r.body.begin(), r.body.end()));
  ASSERT_TRUE(pox.account);
  ASSERT_TRUE(pox.user);
  EXPECT_EQ(pox.user->display_name, "Alice Martin");
  EXPECT_EQ(pox.user->legacy_dn, server::sample::user_dn("alice"));
  const ad::ProtocolSettings* mapi = nullptr;
  const ad::ProtocolSettings* expr = nullptr;
  for (const auto& p : pox.account->protocols) {
    if (p.is_mapi_http()) mapi = &p;
    if (p.type == "EXPR") expr = &p;
  }
  ASSERT_NE(mapi, nullptr);
  EXPECT_EQ(mapi->mail_store.external_url, base + "/mapi/emsmdb/?MailboxId=alice%40example.test");
  EXPECT_EQ(mapi->address_book.external_url, base + "/mapi/nspi/?MailboxId=alice%40example.test");
  ASSERT_NE(expr, nullptr);
  EXPECT_EQ(expr->get("Server"), "127.0.0.1");
  EXPECT_EQ(expr->get("SSL"), "Off");
  // The published URL serves MAPI over HTTP (its query is ignored by the endpoint).
  HttpClient same(base);
  MapiSession s(same, mh::Endpoint::Mailbox);
  EXPECT_TRUE(folder_names(s, "alice").count("Inbox"));
  // Another user's settings are not handed out; an unauthenticated request is challenged.
  HttpResult other = post("bob@example.test", "alice", kAlicePassword);
  ad::PoxResponse refused = ad::parse_pox_response(std::string(other.body.begin(), other.body.end()));
  EXPECT_FALSE(refused.account);
  ASSERT_TRUE(refused.error);
  EXPECT_EQ(refused.error->error_code, "500");
  EXPECT_EQ(post("alice@example.test", "alice", "wrong").status, 401);

  // v2 JSON.
  HttpRequest get;
  get.method = "GET";
  get.path = ad::json_v2_path("alice@example.test", "MapiHttp");
  HttpResult j = http.send(get);
  EXPECT_EQ(j.status, 200);
  ad::JsonV2Response v2 = ad::parse_json_v2_response(std::string(j.body.begin(), j.body.end()));
  EXPECT_EQ(v2.protocol, "MapiHttp");
  EXPECT_EQ(v2.url, base + "/mapi/emsmdb/?MailboxId=alice%40example.test");
  get.path = ad::json_v2_path("alice@example.test", "Expr");
  j = http.send(get);
  EXPECT_EQ(ad::parse_json_v2_response(std::string(j.body.begin(), j.body.end())).url, base + "/rpc/rpcproxy.dll");
  get.path = ad::json_v2_path("alice@example.test", "Pop3");
  j = http.send(get);
  EXPECT_EQ(j.status, 400);
  EXPECT_EQ(ad::parse_json_v2_response(std::string(j.body.begin(), j.body.end())).error_code, "InvalidProtocol");
  get.path = ad::json_v2_path("nobody@example.test", "MapiHttp");
  EXPECT_EQ(http.send(get).status, 404);
}

}  // namespace
}  // namespace exmapi
