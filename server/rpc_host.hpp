// A standalone DCE/RPC server on Samba's libdcerpc-server-core (SAMBA_NOTES.md section B): our own
// listening socket and tevent loop, Samba's PDU engine (bind, fragmentation, faults, auth), and
// interfaces whose stubs stay raw bytes so that one NDR codec (src/ndr) serves client and server.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "base/bytes.hpp"
#include "server/deferred_reply.hpp"
#include "server/rpc_fault.hpp"

namespace exmapi::server {

class Authenticator;

// Who made a call, as the RPC layer authenticated it.
struct CallerIdentity {
  std::string account;      // the authenticated account name; empty for an anonymous bind
  uint8_t auth_type = 0;    // DCERPC_AUTH_TYPE_* (0 none, 9 SPNEGO, 10 NTLMSSP, 16 Kerberos)
  uint8_t auth_level = 0;   // DCERPC_AUTH_LEVEL_* (1 none ... 6 privacy)
  uint64_t connection = 0;  // identifies the transport connection; context handles are scoped to it
  bool authenticated() const noexcept { return !account.empty(); }
};

// An account that may bind with NTLM (or, with a keytab, Kerberos), as the store holds it.
struct StoredAccount {
  std::string account;   // the canonical logon name; it becomes CallerIdentity::account
  std::string password;  // NTLM checks the client's response against its NT hash (MD4 of UTF-16LE)
  uint32_t rid = 0;      // the last sub-authority of the account's SID in the server's own domain
};
// Finds an account by the logon name a client gave (case-insensitively); nullopt if there is none.
using AccountLookup = std::function<std::optional<StoredAccount>(std::string_view name)>;

// Answers one call: the request stub in, the response stub out. It runs on the server's loop
// thread; exceptions other than RpcFault become a fault too (decode errors: kFaultNdr).
using RpcHandler = std::function<Bytes(uint16_t opnum, ByteView stub, const CallerIdentity& caller)>;
// Answers one call now or later through `reply` (on the loop thread: from a timer of the reply's,
// or from another call's handler). The connection keeps reading other calls meanwhile. Throwing
// before answering faults the call as for RpcHandler.
using DeferredRpcHandler = std::function<void(uint16_t opnum, ByteView stub, const CallerIdentity& caller,
                                              std::shared_ptr<DeferredReply> reply)>;

class RpcHost {
 public:
  RpcHost();
  ~RpcHost();
  RpcHost(const RpcHost&) = delete;
  RpcHost& operator=(const RpcHost&) = delete;

  // Registers an interface (before listen()). uuid in text form, version major.minor.
  void add_interface(const std::string& name, const std::string& uuid, uint16_t major, uint16_t minor,
                     RpcHandler handler);
  // The same for an interface whose calls may be answered later (DCESRV_CALL_STATE_FLAG_ASYNC).
  void add_deferred_interface(const std::string& name, const std::string& uuid, uint16_t major, uint16_t minor,
                              DeferredRpcHandler handler);
  // Accepts NTLMSSP and SPNEGO binds checked against `lookup`; with a keytab ("FILE:/path") also
  // Kerberos, whose principals in `realm` map to accounts by their first component. Before listen().
  void accept_authentication(AccountLookup lookup, std::string keytab = {}, std::string realm = {});
  // Refuses unauthenticated calls to every registered interface with an access-denied fault.
  void require_authentication(bool on);
  // Called when a connection closes, with its CallerIdentity::connection (context handle rundown).
  void on_disconnect(std::function<void(uint64_t connection)> fn);

  // Binds and listens on address:port (port 0: a free one); returns the port.
  uint16_t listen(const std::string& address, uint16_t port);
  // Serves until SIGTERM or SIGINT arrives, or stop() is called from a handler.
  void run();
  void stop();

  // Runs fn on the loop thread and waits for it. Samba's libraries are single-threaded, and the HTTP
  // front's connections have threads of their own. Throws once the loop has ended.
  void run_on_loop(const std::function<void()>& fn);
  // The gensec side of accept_authentication(), for HTTP authentication (server/http/http_auth.hpp);
  // nullptr without it. Use it on the loop thread only.
  Authenticator* authenticator();
  const AccountLookup& account_lookup() const;

  struct Impl;

 private:
  void end_tasks();
  std::unique_ptr<Impl> impl_;
};

}  // namespace exmapi::server
