// The MAPI over HTTP client (src/mapihttp/client, connect_mapihttp) against exmapi-server's /mapi/
// endpoints: identifiers and keep-alive, the address book's typed calls, refused credentials, and
// the transparent renewal of a Session Context the server lost (expired, or the server restarted).
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <future>
#include <thread>

#include "base/error.hpp"
#include "mapi/connect.hpp"
#include "mapihttp/client.hpp"
#include "server/store/sample_org.hpp"
#include "server_process.hpp"

namespace exmapi::mapihttp {
namespace {

using test::ServerProcess;

std::string password_of(std::string_view account) {
  for (const auto& u : server::sample::kUsers)
    if (u.account == account) return std::string(u.password);
  throw std::logic_error("no sample user " + std::string(account));
}

std::string base_url(const ServerProcess& s) { return "http://127.0.0.1:" + std::to_string(s.http_port()); }

std::shared_ptr<http::HttpClient> client_for(const std::string& user, const std::string& password) {
  http::Credentials c;
  c.scheme = http::AuthScheme::kBasic;
  c.user = user;
  c.password = password;
  return std::make_shared<http::HttpClient>(http::HttpOptions{}, c);
}

mapi::ConnectSpec spec_for(const ServerProcess& s, const std::string& user) {
  mapi::ConnectSpec spec;
  spec.user = user;
  spec.password = password_of(user);
  mapi::MapiHttpSpec m;
  m.mailbox_url = base_url(s) + "/mapi/emsmdb/";
  m.auth = http::AuthScheme::kBasic;
  spec.mapi_http = m;
  return spec;
}

Stat en_us_stat() {
  Stat st;
  st.code_page = 1252;
  st.template_locale = st.sort_locale = 0x409;
  return st;
}

TEST(MapiHttpClient, AddressBookCallsShareOneConnectionAndCountTheirRequestIds) {
  ServerProcess server(std::vector<std::string>{"--http-port", "0"});
  auto http = client_for("alice", password_of("alice"));
  MapiHttpAddressBook ab(http, base_url(server) + "/mapi/nspi/", nullptr);
  BindRequest bind;
  bind.state = en_us_stat();
  BindResponse bound = ab.bind(bind);
  EXPECT_NE(bound.server_guid, Guid{});
  auto first = parse_sequenced_id(ab.endpoint().last_request_id());
  ASSERT_TRUE(first);
  EXPECT_EQ(first->counter, 1u);
  auto info = parse_sequenced_id(ab.endpoint().client_info());
  ASSERT_TRUE(info);

  ResolveNamesRequest rn;
  rn.state = en_us_stat();
  rn.property_tags = std::vector<PropTag>{0x3001001F};
  rn.names = std::vector<std::string>{"bob", "nobody-at-all"};
  ResolveNamesResponse resolved = ab.resolve_names(rn);
  ASSERT_TRUE(resolved.minimal_ids);
  ASSERT_EQ(resolved.minimal_ids->size(), 2u);
  EXPECT_GT((*resolved.minimal_ids)[0], 0x10u);
  EXPECT_EQ((*resolved.minimal_ids)[1], 0u);  // MID_UNRESOLVED

  DNToMIdRequest dn;
  dn.names = std::vector<std::string>{server::sample::user_dn("bob")};
  DNToMIdResponse mids = ab.dn_to_mid(dn);
  ASSERT_TRUE(mids.minimal_ids);
  ASSERT_EQ(mids.minimal_ids->size(), 1u);
  EXPECT_EQ((*mids.minimal_ids)[0], (*resolved.minimal_ids)[0]);

  GetPropsRequest gp;
  Stat at_bob = en_us_stat();
  at_bob.current_rec = (*mids.minimal_ids)[0];
  gp.state = at_bob;
  gp.property_tags = std::vector<PropTag>{0x3001001F};
  GetPropsResponse props = ab.get_props(gp);
  ASSERT_TRUE(props.property_values);
  ASSERT_EQ(props.property_values->size(), 1u);
  ASSERT_TRUE((*props.property_values)[0].value.value);
  EXPECT_EQ((*props.property_values)[0].value.value->as_string(), "Bob Nguyen");

  QueryRowsRequest qr;
  qr.state = en_us_stat();
  qr.row_count = 100;
  qr.columns = std::vector<PropTag>{0x3001001F};
  QueryRowsResponse rows = ab.query_rows(qr);
  ASSERT_TRUE(rows.columns_and_rows);
  EXPECT_GE(rows.columns_and_rows->rows.size(), server::sample::kUsers.size());

  GetSpecialTableRequest st;
  st.flags = 0x4;  // NspiUnicodeStrings
  st.state = en_us_stat();
  GetSpecialTableResponse hierarchy = ab.get_special_table(st);
  ASSERT_TRUE(hierarchy.rows);
  EXPECT_FALSE(hierarchy.rows->empty());

  std::string mailbox_url = ab.get_mailbox_url("/o=x/ou=y/cn=Configuration/cn=Servers/cn=z");
  EXPECT_NE(mailbox_url.find("/mapi/emsmdb/"), std::string::npos) << mailbox_url;
  ab.ping();

  auto last = parse_sequenced_id(ab.endpoint().last_request_id());
  ASSERT_TRUE(last);
  EXPECT_EQ(last->guid, first->guid);
  EXPECT_EQ(last->counter, 8u);  // one X-RequestId per request, counting from 1
  ab.unbind();
  // Keep-alive: the Basic credentials go with each request, over the one TCP connection.
  EXPECT_EQ(http->connections_opened(), 1);
}

TEST(MapiHttpClient, RequestsWithoutASessionContextAreRefusedWithTheCodesMeaning) {
  ServerProcess server(std::vector<std::string>{"--http-port", "0"});
  MapiHttpAddressBook ab(client_for("alice", password_of("alice")), base_url(server) + "/mapi/nspi/", nullptr);
  QueryRowsRequest qr;
  qr.state = en_us_stat();
  try {
    ab.query_rows(qr);
    FAIL() << "QueryRows without Bind succeeded";
  } catch (const ResponseCodeError& e) {
    EXPECT_EQ(e.code(), 13u) << e.what();  // Missing Cookie
    EXPECT_TRUE(e.session_context_lost());
    EXPECT_NE(std::string(e.what()).find("Missing Cookie"), std::string::npos) << e.what();
  }
}

TEST(MapiHttpClient, AWrongPasswordIsAnAuthenticationError) {
  ServerProcess server(std::vector<std::string>{"--http-port", "0"});
  mapi::ConnectSpec spec = spec_for(server, "alice");
  spec.password = "not-her-password";
  for (http::AuthScheme scheme : {http::AuthScheme::kBasic, http::AuthScheme::kNtlm}) {
    spec.mapi_http->auth = scheme;
    try {
      mapi::connect(spec);
      FAIL() << "connected with a wrong password";
    } catch (const Error& e) {
      EXPECT_EQ(e.status(), EXMAPI_E_AUTH) << e.what();
      EXPECT_NE(std::string(e.what()).find("password"), std::string::npos) << e.what();
    }
  }
}

TEST(MapiHttpClient, NtlmConnectsToo) {
  ServerProcess server(std::vector<std::string>{"--http-port", "0"});
  mapi::ConnectSpec spec = spec_for(server, "bob");
  spec.mapi_http->auth = http::AuthScheme::kNtlm;
  auto c = mapi::connect(spec);
  EXPECT_EQ(c->mailbox_display_name(), "Bob Nguyen");
  EXPECT_FALSE(c->session().folder_tree().empty());
}

TEST(MapiHttpClient, AnExpiredSessionContextIsRenewedTransparently) {
  ServerProcess server(std::vector<std::string>{"--http-port", "0", "--mapi-session-timeout", "1"});
  auto c = mapi::connect(spec_for(server, "alice"));
  mapi::Session& s = c->session();
  auto before = s.folder_items(s.folders().inbox);
  ASSERT_FALSE(before.empty());
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));
  auto after = s.folder_items(s.folders().inbox);
  EXPECT_EQ(s.renewals(), 1u);
  ASSERT_EQ(after.size(), before.size());
  for (size_t i = 0; i < before.size(); ++i) EXPECT_EQ(after[i].id, before[i].id);
  EXPECT_FALSE(s.folder_tree().empty());
  EXPECT_EQ(s.renewals(), 1u);
}

TEST(MapiHttpClient, AServerRestartMidSessionIsRenewedTransparently) {
  auto first = std::make_unique<ServerProcess>(std::vector<std::string>{"--http-port", "0"});
  uint16_t port = first->http_port();
  auto c = mapi::connect(spec_for(*first, "alice"));
  mapi::Session& s = c->session();
  auto before = s.folder_tree();
  first->stop();
  // The same store on the same port: the sessions the old process held are gone.
  ServerProcess second(first->store(), {"--http-port", std::to_string(port)});
  ASSERT_EQ(second.http_port(), port);
  auto after = s.folder_tree();
  EXPECT_EQ(s.renewals(), 1u);
  ASSERT_EQ(after.size(), before.size());
  for (size_t i = 0; i < before.size(); ++i) EXPECT_EQ(after[i].name, before[i].name);
}

TEST(MapiHttpClient, RenewalHappensOnceThenTheErrorSurfaces) {
  // A server that stays down: the first failure is a transport error, not a renewal loop.
  auto server = std::make_unique<ServerProcess>(std::vector<std::string>{"--http-port", "0"});
  auto c = mapi::connect(spec_for(*server, "alice"));
  server->stop();
  try {
    c->session().folder_tree();
    FAIL() << "listed folders of a stopped server";
  } catch (const Error& e) {
    EXPECT_EQ(e.status(), EXMAPI_E_TRANSPORT) << e.what();
  }
  EXPECT_EQ(c->session().renewals(), 0u);
}

TEST(MapiHttpClient, AutodiscoverFromAnEmailAddressToAFolderListing) {
  char tmpl[] = "/tmp/exmapi-mapihttp-client-tls-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  std::string dir = tmpl, cert = dir + "/cert.pem", key = dir + "/key.pem";
  std::string cmd = "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 -addext "
                    "subjectAltName=IP:127.0.0.1,DNS:example.test,DNS:autodiscover.example.test -keyout " +
                    key + " -out " + cert + " >/dev/null 2>&1";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  {
    ServerProcess server(std::vector<std::string>{"--http-port", "0", "--tls-cert", cert, "--tls-key", key});
    ASSERT_TRUE(server.https());
    mapi::ConnectSpec spec;
    spec.email = "alice@example.test";
    spec.user = "alice";
    spec.password = password_of("alice");
    mapi::MapiHttpSpec http;
    http.auth = http::AuthScheme::kBasic;
    http.ca_file = cert;
    // https://example.test/autodiscover/autodiscover.xml (MS-OXDSCLI's first candidate) is this server.
    http.connect_to = {"example.test:443:127.0.0.1:" + std::to_string(server.http_port())};
    spec.mapi_http_defaults = http;
    auto c = mapi::connect(spec);
    EXPECT_EQ(c->mailbox_display_name(), "Alice Martin");
    auto folders = c->session().folder_tree();
    EXPECT_TRUE(std::any_of(folders.begin(), folders.end(), [](const mapi::FolderInfo& f) { return f.name == "Inbox"; }));
  }
  std::filesystem::remove_all(dir);
}

// Session over a MapiHttpSession the test holds, so it can also call NotificationWait.
class ExecuteTransport final : public mapi::RopTransport {
 public:
  explicit ExecuteTransport(MapiHttpSession& s) : s_(s) {}
  Bytes execute(ByteView rop_in, uint32_t max_out) override { return s_.execute(0, rop_in, max_out); }

 private:
  MapiHttpSession& s_;
};

TEST(MapiHttpClient, NotificationWaitIsWokenByAnotherSessionsNewMessage) {
  ServerProcess server(std::vector<std::string>{"--http-port", "0", "--async-wait-timeout", "3000", "--mapi-pending-period", "200"});
  const std::string url = base_url(server) + "/mapi/emsmdb/";
  MapiHttpSession watcher_http(client_for("alice", password_of("alice")), url, nullptr);
  watcher_http.connect(server::sample::user_dn("alice"));
  ExecuteTransport watcher_transport(watcher_http);
  mapi::Session watcher(watcher_transport);
  watcher.logon_private_mailbox(server::sample::user_dn("alice"));
  uint64_t inbox = watcher.folders().inbox;
  mapi::RopBatch subscribe;
  uint8_t logon = subscribe.input(watcher.logon_handle());
  uint8_t folder = subscribe.output(), subscription = subscribe.output();
  rop::RopOpenFolder::Request open;
  open.logon_id = watcher.logon_id();
  open.input_handle_index = logon;
  open.output_handle_index = folder;
  open.folder_id = inbox;
  subscribe.add(open);
  rop::RopRegisterNotification::Request reg;
  reg.logon_id = watcher.logon_id();
  reg.input_handle_index = folder;
  reg.output_handle_index = subscription;
  reg.notification_types = rop::notification_type::NewMail | rop::notification_type::ObjectCreated;
  reg.folder_id = inbox;
  size_t reg_at = subscribe.add(reg);
  watcher.execute(subscribe).get<rop::RopRegisterNotification::Response>(reg_at);

  auto waiting = std::async(std::launch::async, [&] {
    auto t0 = std::chrono::steady_clock::now();
    bool pending = watcher_http.notification_wait();  // PENDING lines arrive every 200 ms meanwhile
    return std::make_pair(pending, std::chrono::steady_clock::now() - t0);
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  // A second session (its own HTTP connection) saves a message into the watched Inbox.
  MapiHttpSession writer_http(client_for("alice", password_of("alice")), url, nullptr);
  writer_http.connect(server::sample::user_dn("alice"));
  ExecuteTransport writer_transport(writer_http);
  mapi::Session writer(writer_transport);
  writer.logon_private_mailbox(server::sample::user_dn("alice"));
  mapi::RopBatch create;
  uint8_t w_logon = create.input(writer.logon_handle());
  uint8_t message = create.output();
  rop::RopCreateMessage::Request cm;
  cm.logon_id = writer.logon_id();
  cm.input_handle_index = w_logon;
  cm.output_handle_index = message;
  cm.code_page_id = 0x0FFF;
  cm.folder_id = inbox;
  create.add(cm);
  rop::RopSetProperties::Request sp;
  sp.logon_id = writer.logon_id();
  sp.input_handle_index = message;
  sp.property_values = {{0x0037001F, rop::PropertyValue::string("Woken over MAPI/HTTP")}};
  create.add(sp);
  rop::RopSaveChangesMessage::Request save;
  save.logon_id = writer.logon_id();
  save.response_handle_index = message;
  save.input_handle_index = message;
  save.save_flags = 0x02;
  size_t save_at = create.add(save);
  writer.execute(create).get<rop::RopSaveChangesMessage::Response>(save_at);

  auto [pending, took] = waiting.get();
  EXPECT_TRUE(pending);
  EXPECT_LT(took, std::chrono::milliseconds(2800));
  EXPECT_GE(took, std::chrono::milliseconds(400));
}

}  // namespace
}  // namespace exmapi::mapihttp
