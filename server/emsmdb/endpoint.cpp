#include "emsmdb/endpoint.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <tuple>

#include "base/error.hpp"
#include "emsmdb/notifications.hpp"
#include "emsmdb/rop_processor.hpp"
#include "ndr/emsmdb_methods.hpp"
#include "store/mailbox.hpp"
#include "store/sample_org.hpp"
#include "wire/extended_buffer.hpp"

namespace exmapi::server {

namespace m = ndr::emsmdb;
using emsmdb::RopProcessor;
namespace ec = emsmdb::ec;

namespace {

// MS-OXCRPC 3.1.4.1: the three-WORD version forms. With the high bit of the second WORD set, the first
// WORD holds major and minor and the rest build and minor build; otherwise the first WORD is the major
// version, the minor is 0.
using Version = std::array<uint32_t, 4>;
Version normalize(const std::array<uint16_t, 3>& w) {
  if (w[1] & 0x8000) return {uint32_t{w[0]} >> 8, uint32_t{w[0]} & 0xFF, uint32_t{w[1]} & 0x7FFF, w[2]};
  return {w[0], 0, w[1], w[2]};
}
std::array<uint16_t, 3> words(const Version& v) {
  return {static_cast<uint16_t>(v[0] << 8 | v[1]), static_cast<uint16_t>(0x8000 | v[2]), static_cast<uint16_t>(v[3])};
}
// What this server answers as: Exchange 2013's numbering, the protocol level whose behaviour it follows.
constexpr Version kServerVersion{15, 0, 847, 4040};
// The oldest client the protocol supports (MS-OXCRPC 3.2.4.1.3.2: 11.0.0.0 is the minimum).
constexpr Version kMinimumClientVersion{11, 0, 0, 0};

// EcDoAsyncWaitEx's pulFlagsOut (MS-OXCRPC 3.3.4.1).
constexpr uint32_t kNotificationPending = 0x00000001;

// Client-side flags of EcDoRpcExt2's pulFlags (MS-OXCRPC 3.1.4.2).
constexpr uint32_t kNoCompression = 0x00000001, kNoXorMagic = 0x00000002;

Guid random_guid() {
  Guid g;
  sqlite3_randomness(static_cast<int>(g.bytes.size()), g.bytes.data());
  return g;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

template <class T>
T decode(ByteView stub) {
  try {
    return ndr::decode_stub<T>(stub);
  } catch (const std::exception& e) {
    throw RpcFault(RpcFault::kBadStubData, e.what());
  }
}

uint64_t elapsed_ms(std::chrono::steady_clock::time_point since) {
  return static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - since).count());
}

}  // namespace

struct EmsmdbEndpoint::Session {
  std::string account;
  uint16_t index = 0;
  std::unique_ptr<RopProcessor> processor;
};

EmsmdbEndpoint::EmsmdbEndpoint(std::string store_path)
    : store_(std::make_shared<MailboxStore>(store_path)), hub_(std::make_shared<emsmdb::NotificationHub>()) {}
EmsmdbEndpoint::~EmsmdbEndpoint() = default;

size_t EmsmdbEndpoint::session_count() const {
  std::lock_guard lock(mutex_);
  return sessions_.size();
}

const EmsmdbEndpoint::Session* EmsmdbEndpoint::find_session(const Guid& handle, std::string_view account) const {
  auto it = sessions_.find(handle);
  // A handle of another account's session is as unknown to this caller as a forged one.
  if (it == sessions_.end() || (!account.empty() && it->second->account != account)) return nullptr;
  return it->second.get();
}

EmsmdbEndpoint::Session& EmsmdbEndpoint::session_for(const Guid& handle, std::string_view account) {
  if (find_session(handle, account) == nullptr)
    throw RpcFault(RpcFault::kContextMismatch, "unknown EMSMDB context handle " + handle.to_string());
  return *sessions_.find(handle)->second;
}

bool EmsmdbEndpoint::has_session(const Guid& session, std::string_view account) const {
  std::lock_guard lock(mutex_);
  return find_session(session, account) != nullptr;
}

m::EcDoConnectEx::Response EmsmdbEndpoint::connect(const m::EcDoConnectEx::Request& request, std::string_view account) {
  std::lock_guard lock(mutex_);
  return connect_locked(request, account);
}

m::EcDoRpcExt2::Response EmsmdbEndpoint::execute(const m::EcDoRpcExt2::Request& request, std::string_view account) {
  std::lock_guard lock(mutex_);
  return execute_locked(request, account);
}

m::EcDoDisconnect::Response EmsmdbEndpoint::disconnect(const m::EcDoDisconnect::Request& request,
                                                       std::string_view account) {
  std::lock_guard lock(mutex_);
  return disconnect_locked(request, account);
}

Bytes EmsmdbEndpoint::call(uint16_t opnum, ByteView stub, std::string_view account) {
  std::lock_guard lock(mutex_);
  switch (opnum) {
    case m::EcDoDisconnect::kOpnum:
      return ndr::encode_stub(disconnect_locked(decode<m::EcDoDisconnect::Request>(stub), account));
    case m::EcRRegisterPushNotification::kOpnum: return register_push(stub, account);
    case m::EcDummyRpc::kOpnum: {
      decode<m::EcDummyRpc::Request>(stub);
      return ndr::encode_stub(m::EcDummyRpc::Response{});
    }
    case m::EcDoConnectEx::kOpnum:
      return ndr::encode_stub(connect_locked(decode<m::EcDoConnectEx::Request>(stub), account));
    case m::EcDoRpcExt2::kOpnum:
      return ndr::encode_stub(execute_locked(decode<m::EcDoRpcExt2::Request>(stub), account));
    case m::EcDoAsyncConnectEx::kOpnum: return async_connect(stub, account);
    default:
      // Opnums 0, 2, 3, 5, 7, 8, 9, 12 and 13 are reserved and never on the wire (MS-OXCRPC 3.1.4).
      throw RpcFault(RpcFault::kOpRangeError, "EMSMDB has no method " + std::to_string(opnum));
  }
}

void EmsmdbEndpoint::set_async_wait_timeout(std::chrono::milliseconds timeout) {
  std::lock_guard lock(mutex_);
  async_wait_timeout_ = std::clamp(timeout, std::chrono::milliseconds{1}, kMaxAsyncWait);
}

void EmsmdbEndpoint::call_async(uint16_t opnum, ByteView stub, std::string_view account,
                                std::shared_ptr<DeferredReply> reply) {
  Guid session;
  {
    std::lock_guard lock(mutex_);
    if (opnum != m::EcDoAsyncWaitEx::kOpnum)
      throw RpcFault(RpcFault::kOpRangeError, "AsyncEMSMDB has no method " + std::to_string(opnum));
    auto request = decode<m::EcDoAsyncWaitEx::Request>(stub);
    auto it = async_handles_.find(request.acxh.uuid);
    if (it == async_handles_.end()) throw RpcFault(RpcFault::kContextMismatch, "unknown AsyncEMSMDB context handle");
    session = it->second;
  }
  async_wait(session, account, std::move(reply));
}

void EmsmdbEndpoint::async_wait(const Guid& session, std::string_view account, std::shared_ptr<DeferredReply> reply) {
  std::shared_ptr<emsmdb::NotificationQueue> queue;
  std::chrono::milliseconds timeout;
  {
    std::lock_guard lock(mutex_);
    queue = session_for(session, account).processor->notifications();
    timeout = async_wait_timeout_;
  }
  // The queue runs the waiter outside this endpoint's lock, possibly from another session's call.
  auto answer = [reply](bool pending) {
    if (reply->answered()) return;
    m::EcDoAsyncWaitEx::Response out;
    out.flags_out = pending ? kNotificationPending : 0;
    reply->reply(ndr::encode_stub(out));
  };
  uint64_t ticket = queue->wait(answer);
  if (reply->answered()) return;
  std::weak_ptr<emsmdb::NotificationQueue> weak = queue;
  reply->set_timeout(timeout, [weak, ticket] {
    if (auto q = weak.lock()) q->cancel_wait(ticket);
  });
  reply->on_abandon([weak, ticket] {
    if (auto q = weak.lock()) q->abandon_wait(ticket);
  });
}

m::EcDoConnectEx::Response EmsmdbEndpoint::connect_locked(const m::EcDoConnectEx::Request& request,
                                                          std::string_view account) {
  m::EcDoConnectEx::Response out;
  out.server_version = words(kServerVersion);
  out.best_version = words(kMinimumClientVersion);
  out.timestamp = request.timestamp;
  auto fail = [&](uint32_t code) {
    out.result = code;
    return out;
  };
  if (normalize(request.client_version) < kMinimumClientVersion) return fail(ec::VersionMismatch);
  // The DN names a mailbox (MS-OXCRPC 3.1.4.1: ecUnknownUser when there is none) that must be the
  // authenticated user's own.
  std::string dn = lower(request.user_dn);
  size_t cn = dn.rfind("/cn=");
  std::string target = cn == std::string::npos ? std::string() : dn.substr(cn + 4);
  if (target.empty() || lower(sample::user_dn(target)) != dn || !store_->mailbox(target)) return fail(ec::UnknownUser);
  if (!account.empty() && lower(account) != target) return fail(ec::AccessDenied);

  auto session = std::make_unique<Session>();
  session->account = target;
  session->index = next_session_index_++;
  session->processor = std::make_unique<RopProcessor>(store_, target, hub_, session->index);
  Guid handle = random_guid();
  out.cxh.uuid = handle;
  out.polls_max = 60000;    // the client polls no more often than once a minute
  out.retry = 6;            // and retries a failed call six times,
  out.retry_delay = 10000;  // ten seconds apart
  out.icxr = session->index;
  out.dn_prefix = "/o=" + std::string(sample::kOrganization) + "/ou=" + std::string(sample::kAdministrativeGroup) +
                  "/cn=Recipients/";
  for (const auto& u : sample::kUsers)
    if (u.account == target) out.display_name = std::string(u.display_name);
  out.best_version = request.client_version;  // accepted as it is
  sessions_.emplace(handle, std::move(session));
  return out;
}

m::EcDoDisconnect::Response EmsmdbEndpoint::disconnect_locked(const m::EcDoDisconnect::Request& request,
                                                              std::string_view account) {
  session_for(request.cxh.uuid, account);
  sessions_.erase(request.cxh.uuid);
  std::erase_if(async_handles_, [&](const auto& kv) { return kv.second == request.cxh.uuid; });
  return m::EcDoDisconnect::Response{};  // a null handle: the context is closed
}

Bytes EmsmdbEndpoint::async_connect(ByteView stub, std::string_view account) {
  auto request = decode<m::EcDoAsyncConnectEx::Request>(stub);
  session_for(request.cxh.uuid, account);
  m::EcDoAsyncConnectEx::Response out;
  out.acxh.uuid = random_guid();
  async_handles_[out.acxh.uuid] = request.cxh.uuid;
  return ndr::encode_stub(out);
}

Bytes EmsmdbEndpoint::register_push(ByteView stub, std::string_view account) {
  auto request = decode<m::EcRRegisterPushNotification::Request>(stub);
  session_for(request.cxh.uuid, account);
  m::EcRRegisterPushNotification::Response out;
  out.cxh = request.cxh;
  out.result = ec::NotSupported;  // push notifications over UDP are optional (MS-OXCRPC 3.1.4.5)
  return ndr::encode_stub(out);
}

m::EcDoRpcExt2::Response EmsmdbEndpoint::execute_locked(const m::EcDoRpcExt2::Request& request,
                                                       std::string_view account) {
  auto started = std::chrono::steady_clock::now();
  Session& session = session_for(request.cxh.uuid, account);
  m::EcDoRpcExt2::Response out;
  out.cxh = request.cxh;
  auto finish = [&](uint32_t result) {
    out.result = result;
    out.trans_time = static_cast<uint32_t>(elapsed_ms(started));
    return out;
  };
  std::vector<wire::ExtendedBuffer> in;
  try {
    wire::UnpackOptions options;
    options.max_input = wire::kMaxRopBuffer;
    in = wire::unpack(request.in, options);
  } catch (const std::exception&) {
    return finish(ec::RpcFormat);
  }
  // The response is framed as the request was, unless the client's pulFlags forbid it.
  bool compressed = false, obfuscated = false;
  Bytes rop_in;
  for (const auto& b : in) {
    compressed |= (b.header.flags & wire::kRpcExtCompressed) != 0;
    obfuscated |= (b.header.flags & wire::kRpcExtXorMagic) != 0;
    rop_in.insert(rop_in.end(), b.payload.begin(), b.payload.end());
  }
  size_t out_limit = std::min<size_t>(request.out_size, wire::kMaxRopBuffer);
  if (out_limit <= wire::kRpcHeaderExtSize) return finish(ec::BufferTooSmall);
  // One payload, within the 32 KB a single RPC_HEADER_EXT may carry (MS-OXCRPC 3.1.4.2.1).
  size_t max_rop_out = std::min(out_limit - wire::kRpcHeaderExtSize, wire::kMaxExtendedPayload);
  Bytes rop_out;
  try {
    rop_out = session.processor->process(rop_in, max_rop_out);
  } catch (const emsmdb::RopFormatError&) {
    return finish(ec::RpcFormat);
  }
  wire::PackOptions options;
  options.compress = compressed && !(request.flags & kNoCompression);
  options.obfuscate = obfuscated && !(request.flags & kNoXorMagic);
  Bytes packed = wire::pack(rop_out, options);
  if (packed.size() > out_limit) return finish(ec::BufferTooSmall);
  out.out = std::move(packed);
  return finish(ec::Success);
}

}  // namespace exmapi::server
