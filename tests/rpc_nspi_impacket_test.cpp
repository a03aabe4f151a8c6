// Our NSPI client, through real Samba DCE/RPC (ncacn_ip_tcp, no auth), against an NSPI responder
// hosted by impacket's rpcrt.DCERPCServer that marshals with impacket's own NDR
// (tests/peers/impacket_nspi_server.py): every value checked here crossed two NDR implementations
// that share no code. Also the transport's failure paths: a dead port, a dead server, an interface
// version the server does not offer, a method the server does not serve.
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <string>
#include <vector>

#include "rpc/nspi_client.hpp"
#include "test_support.hpp"

using namespace exmapi;
using namespace exmapi::rpc;
using namespace exmapi::ndr::nspi;

namespace {

const char* kPython = "/usr/bin/python3";
const char* kPeer = EXMAPI_SOURCE_DIR "/tests/peers/impacket_nspi_server.py";

// The peer process: started with its stdout on a pipe (it prints "PORT <n>" once listening), its
// stderr in a temporary file (shown when something fails), killed and reaped on destruction.
class PeerProcess {
 public:
  explicit PeerProcess(const char* script) {
    char path[] = "/tmp/exmapi-peer-stderr-XXXXXX";
    err_fd_ = mkstemp(path);
    if (err_fd_ < 0) throw std::runtime_error("mkstemp failed");
    unlink(path);
    int out[2];
    if (pipe(out) != 0) throw std::runtime_error("pipe failed");
    pid_ = fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
      dup2(out[1], 1);
      dup2(err_fd_, 2);
      close(out[0]);
      close(out[1]);
      execl(kPython, kPython, script, static_cast<char*>(nullptr));
      _exit(127);
    }
    close(out[1]);
    out_fd_ = out[0];
    read_port();
  }
  ~PeerProcess() { stop(); }
  PeerProcess(const PeerProcess&) = delete;
  PeerProcess& operator=(const PeerProcess&) = delete;

  uint16_t port() const { return port_; }
  void stop() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
      pid_ = -1;
    }
    if (out_fd_ >= 0) close(out_fd_), out_fd_ = -1;
  }
  std::string stderr_text() const {
    std::string s;
    char buf[4096];
    ssize_t n;
    off_t at = 0;
    while ((n = pread(err_fd_, buf, sizeof buf, at)) > 0) s.append(buf, static_cast<size_t>(n)), at += n;
    return s;
  }

 private:
  void read_port() {
    std::string line;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (line.find('\n') == std::string::npos) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      pollfd p{out_fd_, POLLIN, 0};
      if (left.count() <= 0 || poll(&p, 1, static_cast<int>(left.count())) <= 0) {
        stop();
        throw std::runtime_error("the impacket peer printed no port within 20 s; its stderr:\n" + stderr_text());
      }
      char buf[256];
      ssize_t n = read(out_fd_, buf, sizeof buf);
      if (n <= 0) {
        stop();
        throw std::runtime_error("the impacket peer exited before listening; its stderr:\n" + stderr_text());
      }
      line.append(buf, static_cast<size_t>(n));
    }
    if (line.rfind("PORT ", 0) != 0) throw std::runtime_error("unexpected first line from the peer: " + line);
    port_ = static_cast<uint16_t>(std::stoi(line.substr(5)));
  }

  pid_t pid_ = -1;
  int out_fd_ = -1, err_fd_ = -1;
  uint16_t port_ = 0;
};

bool impacket_present() {
  std::string cmd = std::string(kPython) + " -c 'import impacket.dcerpc.v5.rpcrt, impacket.dcerpc.v5.nspi' 2>/dev/null";
  return std::system(cmd.c_str()) == 0;
}

#define REQUIRE_IMPACKET() \
  if (!impacket_present()) FAIL() << kPython << " cannot import impacket (python3-impacket; scripts/install-deps.sh installs it)"

ConnectOptions local(uint16_t port) {
  ConnectOptions o;
  o.host = "127.0.0.1";
  o.port = port;
  o.call_timeout_seconds = 10;
  return o;
}

// The fixture's directory (impacket_nspi_server.py DIRECTORY).
constexpr uint32_t kAlice = 0x1001, kBob = 0x1002, kCarol = 0x1003, kBobby = 0x1004;
constexpr uint32_t kMidEndOfTable = 2, kMidAmbiguous = 1, kMidUnresolved = 0;
constexpr uint32_t kEntryId = 0x0FFF0102, kDisplayName = 0x3001001F, kSmtp = 0x39FE001F, kAccount = 0x3A00001F,
                   kTitle = 0x3A17001F, kEmailAddress = 0x3003001F;
const std::string kOrg = "/o=Example/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Recipients/cn=";
const Guid kServerGuid = *Guid::parse("{d4c3b2a1-f6e5-1807-293a-4b5c6d7e8f90}");

Stat start_stat() {
  Stat s;
  s.code_page = 1252;
  s.template_locale = s.sort_locale = 0x409;
  return s;
}

const std::string& str(const PropertyValue& v) { return std::get<std::string>(v.value); }

std::vector<std::string> column(const PropertyRowSet& rows, size_t i) {
  std::vector<std::string> out;
  for (const PropertyRow& r : rows.rows) out.push_back(str(r.props.at(i)));
  return out;
}

bool nodelay(int fd) {
  int v = 0;
  socklen_t len = sizeof v;
  return getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &v, &len) == 0 && v != 0;
}

}  // namespace

TEST(RpcNspiImpacket, SessionDecodesWhatImpacketMarshalled) {
  REQUIRE_IMPACKET();
  PeerProcess peer(kPeer);
  try {
    NspiClient nspi(local(peer.port()));
    // Anonymous: no auth type. The pipe's socket got TCP_NODELAY from us.
    EXPECT_EQ(nspi.connection().auth_info().auth_type, 0);
    ASSERT_FALSE(nspi.connection().socket_fds().empty());
    for (int fd : nspi.connection().socket_fds()) EXPECT_TRUE(nodelay(fd)) << "fd " << fd;

    std::optional<Guid> guid = nspi.bind(0, start_stat());
    ASSERT_TRUE(guid);
    EXPECT_EQ(*guid, kServerGuid);
    EXPECT_TRUE(nspi.bound());

    auto special = nspi.get_special_table(0, start_stat(), 41);
    EXPECT_EQ(special.version, 42u);
    ASSERT_TRUE(special.rows);
    ASSERT_EQ(special.rows->rows.size(), 1u);
    EXPECT_EQ(str(special.rows->rows[0].props.at(0)), "Global Address List");

    // The whole table in one call; the tags ask for a Unicode name, an SMTP address, an entry ID.
    PropertyTagArray tags{{kDisplayName, kSmtp, kAccount, kEntryId}};
    auto all = nspi.query_rows(0, start_stat(), 10, tags);
    ASSERT_TRUE(all.rows);
    EXPECT_EQ(column(*all.rows, 0),
              (std::vector<std::string>{"Alice \xC3\x9Cnicode", "Bob Builder", "Carol Singer", "Bobby Tables"}));
    EXPECT_EQ(column(*all.rows, 1), (std::vector<std::string>{"alice@example.org", "bob@example.org",
                                                              "carol@example.org", "bobby@example.org"}));
    EXPECT_EQ(all.stat.current_rec, kMidEndOfTable);
    EXPECT_EQ(all.stat.num_pos, 4u);
    EXPECT_EQ(all.stat.total_recs, 4u);
    EXPECT_EQ(all.stat.code_page, 1252u);
    // PidTagEntryId is an ephemeral entry ID naming the server and the row's MId (MS-OXNSPI 2.2.9.2).
    EphemeralEntryId id = EphemeralEntryId::decode(std::get<Bytes>(all.rows->rows[2].props.at(3).value));
    EXPECT_EQ(id.provider_uid, kServerGuid);
    EXPECT_EQ(id.mid, kCarol);

    // Paging: two rows, then the rest from the STAT the server returned.
    auto first = nspi.query_rows(0, start_stat(), 2, PropertyTagArray{{kAccount}});
    ASSERT_TRUE(first.rows);
    EXPECT_EQ(column(*first.rows, 0), (std::vector<std::string>{"alice", "bob"}));
    EXPECT_EQ(first.stat.current_rec, kCarol);
    auto rest = nspi.query_rows(0, first.stat, 2, PropertyTagArray{{kAccount}});
    ASSERT_TRUE(rest.rows);
    EXPECT_EQ(column(*rest.rows, 0), (std::vector<std::string>{"carol", "bobby"}));
    EXPECT_EQ(rest.stat.current_rec, kMidEndOfTable);

    // An explicit table of MIds.
    auto explicit_rows = nspi.query_rows(0, start_stat(), 1, PropertyTagArray{{kTitle}}, std::vector<uint32_t>{kBobby});
    ASSERT_TRUE(explicit_rows.rows);
    EXPECT_EQ(column(*explicit_rows.rows, 0), (std::vector<std::string>{"Intern"}));

    // Resolve: an account, an SMTP address, a unique prefix, an ambiguous prefix, an unknown name.
    auto resolved = nspi.resolve_names_w(start_stat(), PropertyTagArray{{kDisplayName, kEmailAddress}},
                                         {"alice", "carol@example.org", "Bob B", "bob", "nobody"});
    ASSERT_TRUE(resolved.mids);
    EXPECT_EQ(resolved.mids->values,
              (std::vector<uint32_t>{kAlice, kCarol, kBob, kBob, kMidUnresolved}));
    ASSERT_TRUE(resolved.rows);
    EXPECT_EQ(column(*resolved.rows, 0),
              (std::vector<std::string>{"Alice \xC3\x9Cnicode", "Carol Singer", "Bob Builder", "Bob Builder"}));
    EXPECT_EQ(str(resolved.rows->rows[1].props.at(1)), kOrg + "carol");
    auto ambiguous = nspi.resolve_names_w(start_stat(), std::nullopt, {"Bo"});
    ASSERT_TRUE(ambiguous.mids);
    EXPECT_EQ(ambiguous.mids->values, (std::vector<uint32_t>{kMidAmbiguous}));

    EXPECT_EQ(nspi.dn_to_mid({kOrg + "bob", kOrg + "nobody", kOrg + "CAROL"}),
              (std::vector<uint32_t>{kBob, kMidUnresolved, kCarol}));

    // GetProps on Bob; a property he lacks comes back as PtypErrorCode NotFound with ErrorsReturned.
    Stat at_bob = start_stat();
    at_bob.current_rec = kBob;
    auto props = nspi.get_props(0, at_bob, PropertyTagArray{{kDisplayName, kTitle, 0x8001001F}});
    EXPECT_EQ(props.result, 0x00040380u);  // ErrorsReturned: a warning, not thrown
    ASSERT_TRUE(props.row);
    ASSERT_EQ(props.row->props.size(), 3u);
    EXPECT_EQ(str(props.row->props[0]), "Bob Builder");
    EXPECT_EQ(str(props.row->props[1]), "Architect");
    EXPECT_EQ(props.row->props[2].prop_tag, 0x8001000Au);
    EXPECT_EQ(static_cast<uint32_t>(std::get<int32_t>(props.row->props[2].value)), 0x8004010Fu);

    // GetMatches with a property restriction: PidTagDisplayName == "Bobby Tables".
    Restriction equals;
    equals.rt = kResProperty;
    equals.op = 4;  // RELOP_EQ
    equals.prop_tag = kDisplayName;
    equals.prop = PropertyValue{kDisplayName, 0, std::string("Bobby Tables")};
    auto matches = nspi.get_matches(start_stat(), equals, std::nullopt, 10, PropertyTagArray{{kSmtp}});
    ASSERT_TRUE(matches.mids);
    EXPECT_EQ(matches.mids->values, (std::vector<uint32_t>{kBobby}));
    ASSERT_TRUE(matches.rows);
    EXPECT_EQ(column(*matches.rows, 0), (std::vector<std::string>{"bobby@example.org"}));

    std::vector<uint32_t> columns = nspi.query_columns(0);
    EXPECT_EQ(columns.size(), 10u);
    EXPECT_NE(std::find(columns.begin(), columns.end(), kSmtp), columns.end());

    EXPECT_EQ(nspi.unbind(), 1u);
    EXPECT_FALSE(nspi.bound());
  } catch (const Error& e) {
    FAIL() << e.what() << "\npeer stderr:\n" << peer.stderr_text();
  }
}

TEST(RpcNspiImpacket, MethodTheServerDoesNotServeIsAProtocolErrorAndTheConnectionStaysUsable) {
  REQUIRE_IMPACKET();
  PeerProcess peer(kPeer);
  NspiClient nspi(local(peer.port()));
  nspi.bind(0, start_stat());
  try {
    nspi.compare_mids(start_stat(), kAlice, kBob);
    FAIL() << "NspiCompareMIds succeeded against a server that does not serve it";
  } catch (const Error& e) {
    EXPECT_EQ(e.status(), EXMAPI_E_PROTOCOL) << e.what();
    EXPECT_NE(e.message().find("NspiCompareMIds (NSPI opnum 10)"), std::string::npos) << e.what();
    EXPECT_NE(e.message().find("server fault 0x000006e4"), std::string::npos) << e.what();
  }
  EXPECT_EQ(nspi.query_columns(0).size(), 10u);
}

TEST(RpcNspiImpacket, MethodOfAnotherInterfaceIsRefusedBeforeTheWire) {
  REQUIRE_IMPACKET();
  PeerProcess peer(kPeer);
  Connection c(kNspi, local(peer.port()));
  try {
    call<ndr::emsmdb::EcDummyRpc>(c, {});
    FAIL() << "an EMSMDB method went out on an NSPI connection";
  } catch (const Error& e) {
    EXPECT_EQ(e.status(), EXMAPI_E_INVALID_ARGUMENT) << e.what();
    EXPECT_NE(e.message().find("EcDummyRpc is a EMSMDB method"), std::string::npos) << e.what();
  }
}

TEST(RpcNspiImpacket, InterfaceVersionTheServerDoesNotOfferFailsTheBind) {
  REQUIRE_IMPACKET();
  PeerProcess peer(kPeer);
  RpcInterface nspi55 = kNspi;
  nspi55.major = 55;
  try {
    Connection c(nspi55, local(peer.port()));
    FAIL() << "bound to NSPI 55.0, which the server does not offer";
  } catch (const Error& e) {
    EXPECT_EQ(e.status(), EXMAPI_E_PROTOCOL) << e.what();
    EXPECT_NE(e.message().find("does not offer interface NSPI"), std::string::npos) << e.what();
    EXPECT_NE(e.message().find("version 55.0"), std::string::npos) << e.what();
  }
}

TEST(RpcNspiImpacket, ServerThatDiesIsATransportError) {
  REQUIRE_IMPACKET();
  PeerProcess peer(kPeer);
  NspiClient nspi(local(peer.port()));
  nspi.bind(0, start_stat());
  peer.stop();
  auto started = std::chrono::steady_clock::now();
  try {
    nspi.query_columns(0);
    FAIL() << "a call to a killed server succeeded";
  } catch (const Error& e) {
    EXPECT_EQ(e.status(), EXMAPI_E_TRANSPORT) << e.what();
    EXPECT_NE(e.message().find("NspiQueryColumns"), std::string::npos) << e.what();
    EXPECT_NE(e.message().find("closed"), std::string::npos) << e.what();
  }
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5));
}

TEST(RpcConnection, DeadPortIsRefusedQuicklyWithAClearMessage) {
  // A port that was free a moment ago: bound, never listened on, closed.
  int s = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(s, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  socklen_t len = sizeof a;
  ASSERT_EQ(getsockname(s, reinterpret_cast<sockaddr*>(&a), &len), 0);
  uint16_t port = ntohs(a.sin_port);
  close(s);

  auto started = std::chrono::steady_clock::now();
  try {
    NspiClient nspi(local(port));
    FAIL() << "connected to a port nobody listens on";
  } catch (const Error& e) {
    EXPECT_EQ(e.status(), EXMAPI_E_TRANSPORT) << e.what();
    EXPECT_NE(e.message().find("connection refused"), std::string::npos) << e.what();
    EXPECT_NE(e.message().find("NSPI at 127.0.0.1 port " + std::to_string(port)), std::string::npos) << e.what();
  }
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5));
}

TEST(RpcConnection, OptionsThatCouldInjectBindingOptionsAreRejected) {
  ConnectOptions o = local(6004);
  o.host = "127.0.0.1[1234,print]";
  try {
    Connection c(kNspi, o);
    FAIL() << "accepted a host with binding syntax in it";
  } catch (const Error& e) {
    EXPECT_EQ(e.status(), EXMAPI_E_INVALID_ARGUMENT) << e.what();
  }
  o = local(6004);
  o.credentials = {AuthMethod::ntlm, "", "secret", "", ""};
  try {
    Connection c(kNspi, o);
    FAIL() << "accepted NTLM without a user name";
  } catch (const Error& e) {
    EXPECT_EQ(e.status(), EXMAPI_E_INVALID_ARGUMENT) << e.what();
  }
  o = local(6004);
  o.transport = Transport::http;
  o.port.reset();
  try {
    Connection c(kRfr, o);
    FAIL() << "RFR over HTTP without a port";
  } catch (const Error& e) {
    EXPECT_EQ(e.status(), EXMAPI_E_INVALID_ARGUMENT) << e.what();
    EXPECT_NE(e.message().find("RFR over RPC over HTTP needs the RPC server port"), std::string::npos) << e.what();
  }
  EXPECT_EQ(ConnectOptions{}.level, AuthLevel::seal);
}
