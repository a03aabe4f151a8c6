// Authenticated binds against exmapi-server: our client (src/mapi over src/rpc) with NTLM and SPNEGO
// at each protection level, checked by the server against the passwords in its seeded store.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
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


// ---- Kerberos: an MIT KDC of our own on loopback ----------------------------------------------

constexpr const char* kRealm = "EXAMPLE.TEST";
// The SPN host the client names (target_hostname); nothing resolves it, the client connects by IP.
constexpr const char* kServiceHost = "mail.example.test";

// A realm in a temporary directory: KDC database, alice and bob with their store passwords, the
// server's service principals in a keytab, and krb5kdc on a free port, stopped by the destructor.
// KRB5_CONFIG points at it while it lives: Samba's client and the server (a child) read it.
class Kdc {
 public:
  Kdc() {
    char tmpl[] = "/tmp/exmapi-kdc-test-XXXXXX";
    if (!mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
    dir_ = tmpl;
    uint16_t port = test::unused_tcp_port();
    std::string d = dir_.string(), p = std::to_string(port);
    std::ofstream(dir_ / "krb5.conf") << "[libdefaults]\n default_realm = " << kRealm
                                      << "\n dns_lookup_kdc = false\n dns_lookup_realm = false\n rdns = false\n"
                                      << "[realms]\n " << kRealm << " = {\n  kdc = 127.0.0.1:" << p << "\n }\n";
    std::ofstream(dir_ / "kdc.conf") << "[kdcdefaults]\n kdc_ports = " << p << "\n kdc_tcp_ports = " << p << "\n"
                                     << "[realms]\n " << kRealm << " = {\n  database_name = " << d
                                     << "/principal\n  key_stash_file = " << d << "/stash\n  acl_file = " << d
                                     << "/kadm5.acl\n }\n[logging]\n kdc = FILE:" << d << "/kdc.log\n";
    save_env("KRB5_CONFIG", d + "/krb5.conf");
    save_env("KRB5_KDC_PROFILE", d + "/kdc.conf");
    run("kdb5_util create -s -P kdc-master-key -r " + std::string(kRealm));
    for (const char* user : {"alice", "bob"}) kadmin("addprinc -pw " + password_of(user) + " " + user);  // kadmin.local would keep quotes
    // Samba's client asked for exchangeMDB/VM when given target_hostname=vm (KDC log): both spellings.
    // HTTP/...: MAPI over HTTP's Negotiate (RFC 4559 names the service class HTTP).
    for (const char* service : {"exchangeMDB", "exchangeAB", "HTTP"})
      for (const std::string& host : {std::string(kServiceHost), upper(kServiceHost)}) {
        std::string spn = std::string(service) + "/" + host;
        kadmin("addprinc -randkey " + spn);
        kadmin("ktadd -k " + keytab() + " " + spn);
      }
    pid_ = fork();
    if (pid_ == 0) {
      execlp("krb5kdc", "krb5kdc", "-n", "-r", kRealm, static_cast<char*>(nullptr));
      _exit(127);
    }
    wait_for_port(port);
  }
  ~Kdc() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      waitpid(pid_, nullptr, 0);
    }
    for (auto& [name, value] : saved_)
      value ? setenv(name.c_str(), value->c_str(), 1) : unsetenv(name.c_str());
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  std::string keytab() const { return (dir_ / "server.keytab").string(); }
  std::string log() const {
    std::ifstream in(dir_ / "kdc.log");
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }

 private:
  static std::string upper(std::string s) {
    for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return s;
  }
  void save_env(const std::string& name, const std::string& value) {
    const char* old = std::getenv(name.c_str());
    saved_.emplace_back(name, old ? std::optional<std::string>(old) : std::nullopt);
    setenv(name.c_str(), value.c_str(), 1);
  }
  static void run(const std::string& command) {
    test::CommandResult r = test::run_command(command, "");
    if (r.exit_code != 0) throw std::runtime_error(command + " failed: " + r.out + r.err);
  }
  void kadmin(const std::string& query) { run("kadmin.local -r " + std::string(kRealm) + " -q \"" + query + "\""); }
  void wait_for_port(uint16_t port) {
    for (int i = 0; i < 100; ++i) {
      int fd = socket(AF_INET, SOCK_STREAM, 0);
      sockaddr_in sa{};
      sa.sin_family = AF_INET;
      sa.sin_port = htons(port);
      sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      bool up = connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0;
      close(fd);
      if (up) return;
      if (waitpid(pid_, nullptr, WNOHANG) == pid_) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    throw std::runtime_error("krb5kdc did not start (see " + (dir_ / "kdc.log").string() + ")");
  }

  std::filesystem::path dir_;
  pid_t pid_ = -1;
  std::vector<std::pair<std::string, std::optional<std::string>>> saved_;
};

class ServerKerberos : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    kdc_ = new Kdc();
    server_ = new ServerProcess(
        std::vector<std::string>{"--keytab", kdc_->keytab(), "--realm", kRealm, "--http-port", "0"});
  }
  static void TearDownTestSuite() {
    delete server_;
    delete kdc_;
    server_ = nullptr;
    kdc_ = nullptr;
  }
  static rpc::ConnectOptions options(rpc::AuthMethod method, const std::string& user) {
    rpc::ConnectOptions o = rpc_options(*server_, method, user);
    o.credentials.realm = kRealm;
    o.target_hostname = kServiceHost;
    return o;
  }
  static Kdc* kdc_;
  static ServerProcess* server_;
};
Kdc* ServerKerberos::kdc_ = nullptr;
ServerProcess* ServerKerberos::server_ = nullptr;

TEST_F(ServerKerberos, KerberosAndSpnegoKerberosSealedBindsNameTheAccount) {
  for (rpc::AuthMethod method : {rpc::AuthMethod::kerberos, rpc::AuthMethod::negotiate}) {
    rpc::EmsmdbClient own(options(method, "alice"));
    EXPECT_EQ(own.connection().auth_info().auth_type, method == rpc::AuthMethod::kerberos ? 16 : 9);
    EXPECT_EQ(own.connection().auth_info().auth_level, 6);
    own.connect_ex(connect_request(server::sample::user_dn("alice")));
    EXPECT_TRUE(own.connected());
    own.disconnect();

    rpc::EmsmdbClient other(options(method, "alice"));
    try {
      other.connect_ex(connect_request(server::sample::user_dn("bob")));
      ADD_FAILURE() << "alice connected as bob";
    } catch (const Error& e) {
      EXPECT_EQ(e.status(), EXMAPI_MAPI_AccessDenied) << e.what();
    }
  }
}

// A whole session by address: ConnectSpec::target_hostname names the SPN host, as --target-host does
// for the CLI.
TEST_F(ServerKerberos, ASealedSessionByAddressWithTheTargetHost) {
  ConnectSpec s = spec(*server_, "alice", Auth::Kerberos);
  s.realm = kRealm;
  s.target_hostname = kServiceHost;
  auto c = connect_rpc(s);
  EXPECT_EQ(c->mailbox_display_name(), "Alice Martin");
  EXPECT_TRUE(has_folder(c->session().folder_tree(), "Inbox"));
  EXPECT_NE(c->emsmdb_endpoint().find(std::string("target_hostname=") + kServiceHost), std::string::npos)
      << c->emsmdb_endpoint();

  char tmpl[] = "/tmp/exmapi-krb-cli-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  std::filesystem::path dir = tmpl;
  std::ofstream(dir / "password") << password_of("alice") << "\n";
  std::string common = "--server 127.0.0.1 --port " + std::to_string(server_->port()) +
                       " --user alice --auth kerberos --realm " + kRealm + " --password-file " + (dir / "password").string();
  test::CommandResult ok = test::run_command(test::cli_path() + " ls " + common + " --target-host " + kServiceHost, "");
  EXPECT_EQ(ok.exit_code, 0) << ok.out << ok.err;
  EXPECT_NE(ok.out.find("Inbox"), std::string::npos) << ok.out << ok.err;
  // Without it the client asks for a ticket to exchangeMDB/127.0.0.1, which the KDC does not know.
  test::CommandResult no = test::run_command(test::cli_path() + " ls " + common, "");
  EXPECT_NE(no.exit_code, 0) << no.out << no.err;
  std::error_code ignored;
  std::filesystem::remove_all(dir, ignored);
}

// MAPI over HTTP with Negotiate: curl's GSS-API presents the ticket kinit put in a credentials
// cache, the server's HTTP front accepts it with the keytab the RPC binds use. Without a ticket the
// client has nothing to offer and the server's 401 stands.
TEST_F(ServerKerberos, MapiHttpNegotiateAuthenticatesWithTheKerberosTicket) {
  char tmpl[] = "/tmp/exmapi-ccache-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  std::filesystem::path dir = tmpl;
  const char* old_ccache = std::getenv("KRB5CCNAME");
  std::optional<std::string> saved = old_ccache ? std::optional<std::string>(old_ccache) : std::nullopt;
  setenv("KRB5CCNAME", ("FILE:" + (dir / "ccache").string()).c_str(), 1);
  std::string port = std::to_string(server_->http_port());
  ConnectSpec s;
  s.user = "alice";
  MapiHttpSpec m;
  m.mailbox_url = "http://" + std::string(kServiceHost) + ":" + port + "/mapi/emsmdb/";
  m.auth = http::AuthScheme::kNegotiate;
  m.connect_to = {std::string(kServiceHost) + ":" + port + ":127.0.0.1:" + port};
  s.mapi_http = m;
  try {
    connect_mapihttp(s);
    ADD_FAILURE() << "connected without a Kerberos ticket";
  } catch (const Error& e) {
    EXPECT_EQ(e.status(), EXMAPI_E_AUTH) << e.what();
  }
  test::CommandResult kinit =
      test::run_command("kinit alice@" + std::string(kRealm), password_of("alice") + "\n");
  ASSERT_EQ(kinit.exit_code, 0) << kinit.out << kinit.err;
  auto c = connect_mapihttp(s);
  // The KDC issued alice a ticket for the HTTP service: Kerberos, not an NTLM fallback.
  EXPECT_NE(kdc_->log().find("alice@" + std::string(kRealm) + " for HTTP/" + kServiceHost), std::string::npos)
      << kdc_->log();
  EXPECT_EQ(c->mailbox_display_name(), "Alice Martin");
  EXPECT_TRUE(has_folder(c->session().folder_tree(), "Inbox"));
  c.reset();
  saved ? setenv("KRB5CCNAME", saved->c_str(), 1) : unsetenv("KRB5CCNAME");
  std::error_code ignored;
  std::filesystem::remove_all(dir, ignored);
}

TEST_F(ServerKerberos, AWrongPasswordIsAnAuthError) {
  rpc::ConnectOptions o = options(rpc::AuthMethod::kerberos, "alice");
  o.credentials.password = "Bob#2026";
  try {
    rpc::EmsmdbClient c(o);
    FAIL() << "bound with a wrong Kerberos password";
  } catch (const Error& e) {
    EXPECT_EQ(e.status(), EXMAPI_E_AUTH) << e.what();
  }
}

}  // namespace
}  // namespace exmapi::mapi
