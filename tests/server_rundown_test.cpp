// Context handle rundown (MS-OXCRPC 3.1.4): an EMSMDB session whose client vanished without
// EcDoDisconnect is freed when its connection closes. The RPC host runs in this process, so the
// endpoint's session count can be watched; the client is a real Samba pipe on another thread.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <optional>
#include <string>
#include <thread>

#include "base/error.hpp"
#include "recorded_reply.hpp"
#include "emsmdb/endpoint.hpp"
#include "ndr/emsmdb_methods.hpp"
#include "rpc/emsmdb_client.hpp"
#include "server/rpc_fault.hpp"
#include "server/rpc_host.hpp"
#include "store/mailbox_seed.hpp"
#include "store/sample_org.hpp"

namespace exmapi::server {
namespace {

namespace m = ndr::emsmdb;

// Connects to and closes port `port`: a connection that ends wakes the host's loop.
void poke(uint16_t port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(port);
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  (void)connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa);
  close(fd);
}

TEST(ServerSessionRundown, ALostConnectionFreesItsSessionsAndAsyncHandles) {
  char pattern[] = "/tmp/exmapi-rundown-XXXXXX";
  std::filesystem::path dir = mkdtemp(pattern);
  std::string store = (dir / "store.sqlite").string();
  seed_mailboxes(store);
  {
    EmsmdbEndpoint emsmdb(store);
    RpcHost host;
    host.add_interface("EMSMDB", "a4f1db00-ca47-1067-b31f-00dd010662da", 0, 81,
                       [&](uint16_t op, ByteView in, const CallerIdentity& who) {
                         return emsmdb.call(op, in, who.account, who.connection);
                       });
    size_t sessions_before_rundown = 0;
    host.on_disconnect([&](uint64_t connection) {
      sessions_before_rundown = emsmdb.session_count();
      emsmdb.connection_closed(connection);
      host.stop();
    });
    uint16_t port = host.listen("127.0.0.1", 0);

    std::string client_error;
    std::optional<ndr::ContextHandle> async_handle;
    std::thread client([&] {
      try {
        rpc::ConnectOptions o;
        o.host = "127.0.0.1";
        o.port = port;
        rpc::EmsmdbClient c(o);
        m::EcDoConnectEx::Request req;
        req.user_dn = sample::user_dn("alice");
        req.cpid = 1252;
        req.lcid_string = req.lcid_sort = 0x0409;
        req.icxr_link = 0xFFFFFFFF;
        req.client_version = {0x000F, 0x0000, 0x0FA0};
        c.connect_ex(req);
        async_handle = c.async_connect_ex();
        // The client goes away here: its pipe closes, no EcDoDisconnect was sent.
      } catch (const std::exception& e) {
        client_error = e.what();
        poke(port);
      }
    });
    host.run();
    client.join();
    ASSERT_EQ(client_error, "");
    EXPECT_EQ(sessions_before_rundown, 1u);
    EXPECT_EQ(emsmdb.session_count(), 0u);
    // The session's AsyncEMSMDB handle went with it.
    ASSERT_TRUE(async_handle);
    m::EcDoAsyncWaitEx::Request wait;
    wait.acxh = *async_handle;
    EXPECT_THROW(emsmdb.call_async(m::EcDoAsyncWaitEx::kOpnum, ndr::encode_stub(wait), "",
                                   std::make_shared<test::RecordedReply>()),
                 RpcFault);
  }
  std::error_code ignored;
  std::filesystem::remove_all(dir, ignored);
}

// Sessions of other connections survive a rundown.
TEST(ServerSessionRundown, OnlyTheClosedConnectionsSessionsGo) {
  char pattern[] = "/tmp/exmapi-rundown-XXXXXX";
  std::filesystem::path dir = mkdtemp(pattern);
  std::string store = (dir / "store.sqlite").string();
  seed_mailboxes(store);
  {
    EmsmdbEndpoint emsmdb(store);
    auto connect = [&](uint64_t connection) {
      m::EcDoConnectEx::Request req;
      req.user_dn = sample::user_dn("bob");
      req.client_version = {0x000F, 0x0000, 0x0FA0};
      req.icxr_link = 0xFFFFFFFF;
      auto out = ndr::decode_stub<m::EcDoConnectEx::Response>(
          emsmdb.call(m::EcDoConnectEx::kOpnum, ndr::encode_stub(req), "bob", connection));
      EXPECT_EQ(out.result, 0u);
    };
    connect(7);
    connect(7);
    connect(8);
    EXPECT_EQ(emsmdb.session_count(), 3u);
    emsmdb.connection_closed(7);
    EXPECT_EQ(emsmdb.session_count(), 1u);
    emsmdb.connection_closed(9);
    EXPECT_EQ(emsmdb.session_count(), 1u);
    emsmdb.connection_closed(8);
    EXPECT_EQ(emsmdb.session_count(), 0u);
  }
  std::error_code ignored;
  std::filesystem::remove_all(dir, ignored);
}

}  // namespace
}  // namespace exmapi::server
