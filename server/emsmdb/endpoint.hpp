// The EMSMDB and AsyncEMSMDB interfaces of the reference server (MS-OXCRPC 3.1.4 and 3.3.4), independent
// of the transport. The RPC host hands over each call's opnum and request stub with the authenticated
// account and sends back the response stub, or a fault when call() throws RpcFault; MAPI over HTTP
// (server/mapihttp) maps its Connect, Execute, Disconnect and NotificationWait bodies onto the typed
// methods below, which both transports share.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "base/bytes.hpp"
#include "base/text.hpp"
#include "deferred_reply.hpp"
#include "ndr/emsmdb_methods.hpp"
#include "rpc_fault.hpp"

namespace exmapi::server {

class MailboxStore;
namespace emsmdb {
class RopProcessor;
class NotificationHub;
}  // namespace emsmdb

class EmsmdbEndpoint {
 public:
  // Opens the mailbox store in `store_path` (the SQLite file of `exmapi-server --store`).
  explicit EmsmdbEndpoint(std::string store_path);
  ~EmsmdbEndpoint();
  EmsmdbEndpoint(const EmsmdbEndpoint&) = delete;
  EmsmdbEndpoint& operator=(const EmsmdbEndpoint&) = delete;

  // One EMSMDB call (interface a4f1db00-ca47-1067-b31f-00dd010662da). `authenticated_account` is
  // the account the bind authenticated (empty for an anonymous bind). Throws RpcFault for an opnum
  // the interface does not define on the wire, a stub that does not decode, or a context handle this
  // endpoint never issued.
  Bytes call(uint16_t opnum, ByteView request_stub, std::string_view authenticated_account);
  // One AsyncEMSMDB call (interface 5261574a-4572-206e-b268-6b199213b4e4): EcDoAsyncWaitEx
  // (MS-OXCRPC 3.3.4.1). It answers through `reply`: NotificationPending at once when the session
  // has notifications queued, else as soon as one is queued, or nothing pending once the wait
  // timeout passes or the session ends. Throws RpcFault as call() does (before any answer).
  void call_async(uint16_t opnum, ByteView request_stub, std::string_view authenticated_account,
                  std::shared_ptr<DeferredReply> reply);
  // The methods on decoded requests. A session is named by the CXH that connect() returned; a CXH
  // this endpoint never issued, or one of another account's session, throws RpcFault
  // (kContextMismatch). A non-empty `account` is the authenticated caller.
  ndr::emsmdb::EcDoConnectEx::Response connect(const ndr::emsmdb::EcDoConnectEx::Request&, std::string_view account);
  ndr::emsmdb::EcDoRpcExt2::Response execute(const ndr::emsmdb::EcDoRpcExt2::Request&, std::string_view account);
  ndr::emsmdb::EcDoDisconnect::Response disconnect(const ndr::emsmdb::EcDoDisconnect::Request&,
                                                   std::string_view account);
  // EcDoAsyncWaitEx on the session `session` (a CXH: MAPI over HTTP's NotificationWait has no ACXH).
  // `reply` receives the encoded EcDoAsyncWaitEx response: NotificationPending at once when the
  // session has notifications queued, else as soon as one is queued, or nothing pending once the
  // wait timeout passes or the wait is cancelled.
  void async_wait(const Guid& session, std::string_view account, std::shared_ptr<DeferredReply> reply);
  // Whether `session` is open and `account`'s (any account's when empty).
  bool has_session(const Guid& session, std::string_view account) const;

  // How long an EcDoAsyncWaitEx waits for a notification (the protocol's bound: 5 minutes).
  void set_async_wait_timeout(std::chrono::milliseconds timeout);
  static constexpr std::chrono::milliseconds kMaxAsyncWait{5 * 60 * 1000};

  // The notification hub of the store this endpoint serves (MAPI over HTTP shares it).
  const std::shared_ptr<emsmdb::NotificationHub>& notification_hub() const { return hub_; }

  // The EMSMDB sessions open (EcDoConnectEx minus EcDoDisconnect).
  size_t session_count() const;

 private:
  struct Session;
  ndr::emsmdb::EcDoConnectEx::Response connect_locked(const ndr::emsmdb::EcDoConnectEx::Request&,
                                                      std::string_view account);
  ndr::emsmdb::EcDoRpcExt2::Response execute_locked(const ndr::emsmdb::EcDoRpcExt2::Request&, std::string_view account);
  ndr::emsmdb::EcDoDisconnect::Response disconnect_locked(const ndr::emsmdb::EcDoDisconnect::Request&,
                                                          std::string_view account);
  Bytes async_connect(ByteView stub, std::string_view account);
  Bytes register_push(ByteView stub, std::string_view account);
  Session& session_for(const Guid& handle, std::string_view account);
  const Session* find_session(const Guid& handle, std::string_view account) const;

  mutable std::mutex mutex_;  // one call at a time: the store's transactions share its connection
  std::shared_ptr<MailboxStore> store_;
  std::shared_ptr<emsmdb::NotificationHub> hub_;
  std::chrono::milliseconds async_wait_timeout_ = kMaxAsyncWait;
  std::map<Guid, std::unique_ptr<Session>> sessions_;
  std::map<Guid, Guid> async_handles_;  // ACXH -> its session's CXH
  uint16_t next_session_index_ = 1;
};

}  // namespace exmapi::server
