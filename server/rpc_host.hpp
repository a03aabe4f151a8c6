// A standalone DCE/RPC server on Samba's libdcerpc-server-core (SAMBA_NOTES.md section B): our own
// listening socket and tevent loop, Samba's PDU engine (bind, fragmentation, faults, auth), and
// interfaces whose stubs stay raw bytes so that one NDR codec (src/ndr) serves client and server.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>

#include "base/bytes.hpp"
#include "server/rpc_fault.hpp"

namespace exmapi::server {

// Who made a call, as the RPC layer authenticated it.
struct CallerIdentity {
  std::string account;      // the authenticated account name; empty for an anonymous bind
  uint8_t auth_type = 0;    // DCERPC_AUTH_TYPE_* (0 none, 9 SPNEGO, 10 NTLMSSP, 16 Kerberos)
  uint8_t auth_level = 0;   // DCERPC_AUTH_LEVEL_* (1 none ... 6 privacy)
  uint64_t connection = 0;  // identifies the transport connection; context handles are scoped to it
  bool authenticated() const noexcept { return !account.empty(); }
};

// Answers one call: the request stub in, the response stub out. It runs on the server's loop
// thread; exceptions other than RpcFault become a fault too (decode errors: kFaultNdr).
using RpcHandler = std::function<Bytes(uint16_t opnum, ByteView stub, const CallerIdentity& caller)>;

class RpcHost {
 public:
  RpcHost();
  ~RpcHost();
  RpcHost(const RpcHost&) = delete;
  RpcHost& operator=(const RpcHost&) = delete;

  // Registers an interface (before listen()). uuid in text form, version major.minor.
  void add_interface(const std::string& name, const std::string& uuid, uint16_t major, uint16_t minor,
                     RpcHandler handler);
  // Called when a connection closes, with its CallerIdentity::connection (context handle rundown).
  void on_disconnect(std::function<void(uint64_t connection)> fn);

  // Binds and listens on address:port (port 0: a free one); returns the port.
  uint16_t listen(const std::string& address, uint16_t port);
  // Serves until SIGTERM or SIGINT arrives, or stop() is called from a handler.
  void run();
  void stop();

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace exmapi::server
