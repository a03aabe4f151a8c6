// The RPC over HTTP v2 proxy (MS-RPCH 3.2.3 and, since the backend is a plain ncacn_ip_tcp server,
// the RTS side of 3.2.5 too): RPC_IN_DATA and RPC_OUT_DATA on /rpc/rpcproxy.dll?HOST:PORT pair into
// one virtual connection by their cookie, whose RPC PDUs go to and come from a TCP connection to
// this server's own RPC listener.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "server/http/http_server.hpp"

namespace exmapi::server::rpch {

struct ProxyOptions {
  std::string backend_address = "127.0.0.1";  // our ncacn_ip_tcp listener
  uint16_t backend_port = 0;
  // The IN channel window this proxy announces in CONN/C2 (MS-RPCH 3.2.3.3: at least 8 KiB).
  uint32_t receive_window = 0x10000;
  // Announced in CONN/A3 and CONN/C2; how long a channel waits for its partner.
  uint32_t connection_timeout_ms = 120000;
};

class RpcProxy {
 public:
  explicit RpcProxy(ProxyOptions options);
  ~RpcProxy();
  RpcProxy(const RpcProxy&) = delete;
  RpcProxy& operator=(const RpcProxy&) = delete;

  // Serves /rpc/rpcproxy.dll on `server`, behind HTTP authentication.
  void attach(http::HttpServer& server);

  // The RPC server ports a client may name: ours, and Exchange's well-known 6001, 6002 and 6004,
  // which all lead to ours. nullopt: refused.
  std::optional<uint16_t> backend_port_for(uint16_t requested) const;

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace exmapi::server::rpch
