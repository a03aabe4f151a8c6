// The endpoint mapper of exmapi-server (--epm): its ept_map codec and answers in-process, then a
// client given no port finding the server through it (Samba's dcerpc_pipe_connect asks port 135).
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "base/error.hpp"
#include "mapi/connect.hpp"
#include "rpc/connection.hpp"
#include "server/epm/endpoint_mapper.hpp"
#include "server/rpc_fault.hpp"
#include "server/store/sample_org.hpp"
#include "server_process.hpp"
#include "test_support.hpp"

namespace exmapi::server::epm {
namespace {

constexpr const char* kEmsmdb = "a4f1db00-ca47-1067-b31f-00dd010662da";

TcpTower query_for(const char* uuid, uint16_t major, uint16_t minor) {
  TcpTower t;
  t.interface = *Guid::parse(uuid);
  t.major = major;
  t.minor = minor;
  t.transfer_syntax = ndr20_syntax();
  t.transfer_major = 2;
  return t;
}

EptMap::Request map_request(const TcpTower& t, uint32_t max_towers = 1) {
  EptMap::Request r;
  r.object = Guid{};
  r.map_tower = encode_tower(tcp_tower_floors(t));
  r.max_towers = max_towers;
  return r;
}

EndpointMapper sample_mapper() {
  EndpointMapper m;
  m.add(kEmsmdb, 0, 81, "127.0.0.1", 40001);
  m.add("f5cc5a18-4264-101a-8c59-08002b2f8426", 56, 0, "127.0.0.1", 40001);
  return m;
}

TEST(EndpointMapperCodec, TowerBytesFollowC706AppendixL) {
  TcpTower t = query_for(kEmsmdb, 0, 81);
  t.port = 6001;
  t.address = {127, 0, 0, 1};
  Bytes b = encode_tower(tcp_tower_floors(t));
  ByteReader r(b);
  EXPECT_EQ(r.u16("floor_count"), 5);
  // Floor 1: 0x0D, the interface UUID in NDR byte order, the major version; rhs the minor version.
  EXPECT_EQ(r.u16("lhs1"), 19);
  EXPECT_EQ(r.u8("id1"), 0x0D);
  EXPECT_EQ(Guid::read(r, "if").to_string(), "{A4F1DB00-CA47-1067-B31F-00DD010662DA}");
  EXPECT_EQ(r.u16("major"), 0);
  EXPECT_EQ(r.u16("rhs1"), 2);
  EXPECT_EQ(r.u16("minor"), 81);
  // Floor 2: NDR 2.0.
  EXPECT_EQ(r.u16("lhs2"), 19);
  EXPECT_EQ(r.u8("id2"), 0x0D);
  EXPECT_EQ(Guid::read(r, "ndr").to_string(), "{8A885D04-1CEB-11C9-9FE8-08002B104860}");
  EXPECT_EQ(r.u16("ndr major"), 2);
  EXPECT_EQ(r.u16("rhs2"), 2);
  EXPECT_EQ(r.u16("ndr minor"), 0);
  // Floor 3: connection-oriented RPC, minor version 0.
  EXPECT_EQ(r.u16("lhs3"), 1);
  EXPECT_EQ(r.u8("id3"), 0x0B);
  EXPECT_EQ(r.u16("rhs3"), 2);
  EXPECT_EQ(r.u16("ncacn minor"), 0);
  // Floor 4: TCP, the port big-endian.
  EXPECT_EQ(r.u16("lhs4"), 1);
  EXPECT_EQ(r.u8("id4"), 0x07);
  EXPECT_EQ(r.u16("rhs4"), 2);
  EXPECT_EQ(r.u8("port hi"), 6001 >> 8);
  EXPECT_EQ(r.u8("port lo"), 6001 & 0xFF);
  // Floor 5: IP, the address in network order.
  EXPECT_EQ(r.u16("lhs5"), 1);
  EXPECT_EQ(r.u8("id5"), 0x09);
  EXPECT_EQ(r.u16("rhs5"), 4);
  EXPECT_EQ(r.u32("ip"), 0x0100007Fu);
  EXPECT_TRUE(r.empty());
  EXPECT_EQ(parse_tcp_tower(decode_tower(b)), t);
}

TEST(EndpointMapperCodec, MapAnswersOurPortForServedInterfacesOnly) {
  EndpointMapper m = sample_mapper();
  EptMap::Response ok = m.map(map_request(query_for(kEmsmdb, 0, 81)));
  EXPECT_EQ(ok.status, kStatusOk);
  ASSERT_EQ(ok.towers.size(), 1u);
  ASSERT_TRUE(ok.towers[0].has_value());
  auto answer = parse_tcp_tower(decode_tower(*ok.towers[0]));
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->port, 40001);
  EXPECT_EQ(answer->address, (std::array<uint8_t, 4>{127, 0, 0, 1}));
  EXPECT_TRUE(ok.entry_handle.is_null());

  // A lower minor version is compatible; another major, a higher minor or another UUID is not.
  EXPECT_EQ(m.map(map_request(query_for(kEmsmdb, 0, 1))).status, kStatusOk);
  for (const TcpTower& t : {query_for(kEmsmdb, 1, 81), query_for(kEmsmdb, 0, 82),
                            query_for("e1af8308-5d1f-11c9-91a4-08002b14a0fa", 3, 0)}) {
    EptMap::Response no = m.map(map_request(t));
    EXPECT_EQ(no.status, kStatusNotRegistered);
    EXPECT_TRUE(no.towers.empty());
  }
  // Another transfer syntax (NDR64) is not served either.
  TcpTower ndr64 = query_for(kEmsmdb, 0, 81);
  ndr64.transfer_syntax = *Guid::parse("71710533-beba-4937-8319-b5dbef9ccc36");
  ndr64.transfer_major = 1;
  EXPECT_EQ(m.map(map_request(ndr64)).status, kStatusNotRegistered);
  // max_towers 0 leaves no room for an answer.
  EXPECT_EQ(m.map(map_request(query_for(kEmsmdb, 0, 81), 0)).status, kStatusNotRegistered);
}

TEST(EndpointMapperCodec, TheStubRoundTripsAndHostileInputFaults) {
  EndpointMapper m = sample_mapper();
  Bytes out = m.call(EptMap::kOpnum, ndr::encode_stub(map_request(query_for(kEmsmdb, 0, 81), 4)));
  auto r = ndr::decode_stub<EptMap::Response>(out);
  EXPECT_EQ(r.max_towers, 4u);
  ASSERT_EQ(r.towers.size(), 1u);
  EXPECT_EQ(r.status, kStatusOk);
  // ept_lookup and the rest are not served: op range fault.
  try {
    m.call(2, {});
    ADD_FAILURE() << "ept_lookup answered";
  } catch (const RpcFault& f) {
    EXPECT_EQ(f.code(), kFaultOpRangeError);
  }
  // Every truncation of a valid request, and garbage towers, fault with bad stub data, never crash.
  Bytes in = ndr::encode_stub(map_request(query_for(kEmsmdb, 0, 81)));
  for (size_t n = 0; n < in.size(); ++n) {
    try {
      m.call(EptMap::kOpnum, ByteView(in.data(), n));
      ADD_FAILURE() << "a request cut at " << n << " was answered";
    } catch (const RpcFault& f) {
      EXPECT_EQ(f.code(), kFaultNdr);
    }
  }
  EptMap::Request bad = map_request(query_for(kEmsmdb, 0, 81));
  for (Bytes tower : {Bytes{}, Bytes{0x05, 0x00}, Bytes{0x01, 0x00, 0xFF, 0xFF, 0x0D}, Bytes{0xFF, 0xFF}}) {
    bad.map_tower = tower;
    EXPECT_THROW(m.call(EptMap::kOpnum, ndr::encode_stub(bad)), RpcFault);
  }
}

// ---- exmapi-server --epm, the client given no port ----------------------------------------------

// Why port 135 of `address` cannot be ours, or empty when it can.
std::string port_135_unavailable(const char* address) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(135);
  inet_pton(AF_INET, address, &sa.sin_addr);
  std::string why;
  if (bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0)
    why = std::string("cannot bind ") + address + ":135 (" + std::strerror(errno) +
          (errno == EACCES ? ": binding a port below 1024 needs root or CAP_NET_BIND_SERVICE)"
                           : errno == EADDRINUSE ? ": another endpoint mapper runs there)" : ")");
  close(fd);
  return why;
}

bool something_listens(const char* address, uint16_t port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(port);
  inet_pton(AF_INET, address, &sa.sin_addr);
  bool up = connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0;
  close(fd);
  return up;
}

std::string password_of(std::string_view account) {
  for (const auto& u : sample::kUsers)
    if (u.account == account) return std::string(u.password);
  throw std::logic_error("no sample user " + std::string(account));
}

// One test, one server: port 135 is one per address, so parallel test processes would collide.
TEST(ServerEndpointMapper, AClientGivenNoPortFindsTheServerOverSealedNtlm) {
  if (std::string why = port_135_unavailable("127.0.0.1"); !why.empty()) GTEST_SKIP() << why;
  test::ServerProcess server(std::vector<std::string>{"--epm", "--require-auth"});
  ASSERT_EQ(server.epm_port(), 135);
  ASSERT_NE(server.port(), 135);

  mapi::ConnectSpec spec;
  spec.server = "127.0.0.1";
  spec.port = 0;  // ask the endpoint mapper
  spec.user = "alice";
  spec.password = password_of("alice");
  spec.auth = mapi::Auth::Ntlm;
  spec.protection = mapi::Protection::Seal;
  auto c = mapi::connect_rpc(spec);
  EXPECT_EQ(c->mailbox_display_name(), "Alice Martin");
  EXPECT_FALSE(c->session().folder_tree().empty());
  std::string binding = c->emsmdb_endpoint();
  EXPECT_NE(binding.find("127.0.0.1[" + std::to_string(server.port())), std::string::npos) << binding;
  EXPECT_NE(binding.find("seal"), std::string::npos) << binding;

  // Each interface the server serves is found; one it does not serve is named in the error.
  rpc::ConnectOptions o;
  o.host = "127.0.0.1";
  o.credentials.method = rpc::AuthMethod::ntlm;
  o.credentials.user = "alice";
  o.credentials.password = password_of("alice");
  for (const rpc::RpcInterface* iface : {&rpc::kEmsmdb, &rpc::kAsyncEmsmdb, &rpc::kNspi, &rpc::kRfr}) {
    rpc::Connection pipe(*iface, o);
    EXPECT_NE(pipe.binding().find("[" + std::to_string(server.port())), std::string::npos)
        << iface->name << ": " << pipe.binding();
  }
  // impacket's ept_map, an independent client, reads the same answer.
  test::CommandResult peer = test::run_command(
      "/usr/bin/python3 -c \"from impacket.dcerpc.v5 import epm; from impacket.uuid import uuidtup_to_bin as u\n"
      "print(epm.hept_map('127.0.0.1', u(('A4F1DB00-CA47-1067-B31F-00DD010662DA', '0.81')), protocol='ncacn_ip_tcp'))\n"
      "try:\n  epm.hept_map('127.0.0.1', u(('12345678-1234-abcd-ef00-0123456789ab', '1.0')), protocol='ncacn_ip_tcp')\n"
      "except Exception as e: print(e)\"",
      "");
  EXPECT_EQ(peer.exit_code, 0) << peer.out << peer.err;
  EXPECT_NE(peer.out.find("ncacn_ip_tcp:127.0.0.1[" + std::to_string(server.port()) + "]"), std::string::npos)
      << peer.out << peer.err;
  EXPECT_NE(peer.out.find("ept_s_not_registered"), std::string::npos) << peer.out << peer.err;

  constexpr rpc::RpcInterface kUnserved{"Unserved", "12345678-1234-abcd-ef00-0123456789ab", 1, 0, "host", 0};
  try {
    rpc::Connection pipe(kUnserved, o);
    ADD_FAILURE() << "bound to an interface nobody serves: " << pipe.binding();
  } catch (const Error& e) {
    std::string msg = e.what();
    EXPECT_NE(msg.find("endpoint mapper"), std::string::npos) << msg;
    EXPECT_NE(msg.find("12345678-1234-abcd-ef00-0123456789ab"), std::string::npos) << msg;
  }
}

// No endpoint mapper on 127.0.0.2 (any loopback address reaches this host; nothing of ours binds it).
TEST(ServerEndpointMapper, NoEndpointMapperIsNamedAsTheCause) {
  if (something_listens("127.0.0.2", 135)) GTEST_SKIP() << "something listens on 127.0.0.2:135";
  mapi::ConnectSpec spec;
  spec.server = "127.0.0.2";
  spec.port = 0;
  spec.user = "alice";
  spec.password = "unused";
  try {
    mapi::connect_rpc(spec);
    FAIL() << "connected without an endpoint mapper";
  } catch (const Error& e) {
    EXPECT_EQ(e.status(), EXMAPI_E_TRANSPORT) << e.what();
    std::string msg = e.what();
    EXPECT_NE(msg.find("endpoint mapper"), std::string::npos) << msg;
    EXPECT_NE(msg.find("135"), std::string::npos) << msg;
  }
}

}  // namespace
}  // namespace exmapi::server::epm
