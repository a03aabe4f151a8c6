// Authenticated binds against exmapi-server: our client (src/mapi over src/rpc) with NTLM and SPNEGO
// at each protection level, checked by the server against the passwords in its seeded store.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "base/error.hpp"
#include "mapi/connect.hpp"
#include "rpc/emsmdb_client.hpp"
#include "server/store/sample_org.hpp"
#include "server_process.hpp"
#include "test_support.hpp"

namespace exmapi::mapi {
namespace {

using test::ServerProcess;

std::string password_of(std::string_view account) {
  for (const auto& u : server::sample::kUsers)
    if (u.account == account) return std::string(u.password);
  throw std::logic_error("no sample user " + std::string(account));
}

ConnectSpec spec(const ServerProcess& server, const std::string& user, Auth auth = Auth::Ntlm) {
  ConnectSpec s;
  s.server = "127.0.0.1";
  s.port = server.port();
  s.user = user;
  s.password = password_of(user);
  s.auth = auth;
  s.protection = Protection::Seal;
  return s;
}

bool has_folder(const std::vector<FolderInfo>& folders, const std::string& name) {
  return std::any_of(folders.begin(), folders.end(), [&](const FolderInfo& f) { return f.name == name; });
}

// Every method fails the same way for a wrong secret: the user must learn it is the password.
void expect_refused(const ConnectSpec& s, const std::string& why) {
  try {
    connect_rpc(s);
    ADD_FAILURE() << "connected " << why;
  } catch (const Error& e) {
    EXPECT_EQ(e.status(), EXMAPI_E_AUTH) << e.what();
    std::string msg = e.what();
    EXPECT_TRUE(msg.find("password") != std::string::npos || msg.find("authentication failed") != std::string::npos)
        << msg;
  }
}

class ServerAuth : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = new ServerProcess(); }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  static ServerProcess* server_;
};
ServerProcess* ServerAuth::server_ = nullptr;

TEST_F(ServerAuth, NtlmSealedSessionReadsTheMailbox) {
  auto c = connect_rpc(spec(*server_, "alice"));
  EXPECT_EQ(c->mailbox_display_name(), "Alice Martin");
  Session& s = c->session();
  auto folders = s.folder_tree();
  EXPECT_TRUE(has_folder(folders, "Inbox"));
  EXPECT_TRUE(has_folder(folders, "Calendar"));
  auto items = s.folder_items(s.folders().inbox);
  ASSERT_FALSE(items.empty());
  EXPECT_FALSE(items[0].subject.empty());
}

TEST_F(ServerAuth, NtlmAtEachProtectionLevel) {
  for (Protection p : {Protection::Sign, Protection::Connect}) {
    ConnectSpec s = spec(*server_, "bob");
    s.protection = p;
    auto c = connect_rpc(s);
    EXPECT_EQ(c->mailbox_display_name(), "Bob Nguyen") << static_cast<int>(p);
    EXPECT_TRUE(has_folder(c->session().folder_tree(), "Inbox"));
  }
}

TEST_F(ServerAuth, UserNamesAreCaseInsensitiveAndNonAsciiPasswordsWork) {
  ConnectSpec s = spec(*server_, "dmitri");
  s.user = "DMITRI";
  auto c = connect_rpc(s);
  EXPECT_EQ(c->mailbox_display_name(), "Дмитрий Иванов");
}

TEST_F(ServerAuth, SpnegoFallsBackToNtlm) {
  auto c = connect_rpc(spec(*server_, "chloe", Auth::Negotiate));
  EXPECT_EQ(c->mailbox_display_name(), "Chloé Dubois");
  EXPECT_TRUE(has_folder(c->session().folder_tree(), "Inbox"));
}

TEST_F(ServerAuth, AWrongPasswordIsRefusedAndSaysSo) {
  ConnectSpec s = spec(*server_, "alice");
  s.password = "Bob#2026";  // another user's: a real password, not alice's
  expect_refused(s, "NTLM with a wrong password");
  s.auth = Auth::Negotiate;
  expect_refused(s, "SPNEGO with a wrong password");
}

TEST_F(ServerAuth, AnUnknownUserIsRefused) {
  ConnectSpec s = spec(*server_, "alice");
  s.user = "mallory";
  expect_refused(s, "an account the store does not have");
}

TEST_F(ServerAuth, AnonymousBindsStillWorkByDefault) {
  ConnectSpec s = spec(*server_, "alice", Auth::Anonymous);
  s.password.clear();
  auto c = connect_rpc(s);
  EXPECT_EQ(c->mailbox_display_name(), "Alice Martin");
}

ndr::emsmdb::EcDoConnectEx::Request connect_request(const std::string& dn) {
  ndr::emsmdb::EcDoConnectEx::Request c;
  c.user_dn = dn;
  c.cpid = 1252;
  c.lcid_string = c.lcid_sort = 0x0409;
  c.icxr_link = 0xFFFFFFFF;
  c.can_convert_code_pages = 1;
  c.client_version = {0x000F, 0x0000, 0x0FA0};  // 15.0.4000, an Outlook 2013-era client
  c.aux_out_size = 0x1008;
  return c;
}

rpc::ConnectOptions rpc_options(const ServerProcess& server, rpc::AuthMethod method, const std::string& user) {
  rpc::ConnectOptions o;
  o.host = "127.0.0.1";
  o.port = server.port();
  o.credentials.method = method;
  o.credentials.user = user;
  o.credentials.password = password_of(user);
  return o;
}

// The server knows who authenticated: EcDoConnectEx serves the caller's own DN and no other.
TEST_F(ServerAuth, EcDoConnectExServesOnlyTheAuthenticatedAccountsDn) {
  for (rpc::AuthMethod method : {rpc::AuthMethod::ntlm, rpc::AuthMethod::negotiate}) {
    rpc::EmsmdbClient own(rpc_options(*server_, method, "bob"));
    EXPECT_EQ(own.connection().auth_info().auth_type, method == rpc::AuthMethod::ntlm ? 10 : 9);
    EXPECT_EQ(own.connection().auth_info().auth_level, 6);
    own.connect_ex(connect_request(server::sample::user_dn("bob")));
    EXPECT_TRUE(own.connected());
    own.disconnect();

    rpc::EmsmdbClient other(rpc_options(*server_, method, "bob"));
    try {
      other.connect_ex(connect_request(server::sample::user_dn("alice")));
      ADD_FAILURE() << "bob connected as alice";
    } catch (const Error& e) {
      EXPECT_EQ(e.status(), EXMAPI_MAPI_AccessDenied) << e.what();
    }
    EXPECT_FALSE(other.connected());
  }
}

TEST(ServerRequireAuth, AnonymousCallsAreDeniedAuthenticatedOnesServed) {
  ServerProcess server(std::vector<std::string>{"--require-auth"});
  ConnectSpec anon = spec(server, "alice", Auth::Anonymous);
  anon.password.clear();
  try {
    connect_rpc(anon);
    FAIL() << "an anonymous session on a server that requires authentication";
  } catch (const Error& e) {
    EXPECT_EQ(e.status(), EXMAPI_E_AUTH) << e.what();
    EXPECT_NE(std::string(e.what()).find("access denied"), std::string::npos) << e.what();
  }
  auto c = connect_rpc(spec(server, "emi"));
  EXPECT_EQ(c->mailbox_display_name(), "佐藤 恵美");
  EXPECT_TRUE(has_folder(c->session().folder_tree(), "Inbox"));
}

}  // namespace
}  // namespace exmapi::mapi
