// The ROP processor of one EMSMDB session (MS-OXCROPS 3.2.5): it decodes a ROP input buffer with
// the shared codec (rop/rop_buffer.hpp), resolves InputHandleIndex / OutputHandleIndex through the
// buffer's Server object handle table, runs each ROP against the mailbox store and encodes the ROP
// output buffer. Server objects (logons, folders, messages, attachments, tables, streams) live in
// the session's object map until RopRelease or the end of the session.
//
// The ROPs it processes are the dispatch list of State::run() in rop_processor.cpp; every other ROP is answered with
// ecNotSupported in that ROP's own failure shape.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "base/bytes.hpp"
#include "store/mailbox.hpp"

namespace exmapi::server::emsmdb {

class NotificationHub;
class NotificationQueue;

// MS-OXCDATA 2.4 codes the processor and the endpoint answer with.
namespace ec {
constexpr uint32_t Success = 0x00000000;
constexpr uint32_t UnknownUser = 0x000003EB;
constexpr uint32_t BufferTooSmall = 0x0000047D;
constexpr uint32_t RpcFormat = 0x000004B6;
constexpr uint32_t NullObject = 0x000004B9;
constexpr uint32_t NullDestinationObject = 0x00000503;
constexpr uint32_t WarnWithErrors = 0x00040380;
constexpr uint32_t NotSupported = 0x80040102;
constexpr uint32_t InvalidObject = 0x80040108;
constexpr uint32_t NotFound = 0x8004010F;
constexpr uint32_t VersionMismatch = 0x80040110;
constexpr uint32_t LogonFailed = 0x80040111;
constexpr uint32_t DuplicateName = 0x80040604;
constexpr uint32_t AccessDenied = 0x80070005;
constexpr uint32_t NotEnoughMemory = 0x8007000E;
constexpr uint32_t InvalidParameter = 0x80070057;
constexpr uint32_t GeneralFailure = 0x80004005;
}  // namespace ec

// The ROP input buffer could not be parsed: the RPC answers ecRpcFormat (MS-OXCROPS 3.2.5.1).
class RopFormatError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class RopProcessor {
 public:
  // `account` is the session's user (the mailbox owner of EcDoConnectEx's DN). The store changes
  // its ROPs make are published to `hub`, and its subscriptions' notifications go out in its
  // output buffers; `session_index` is what RopPending names (the session's icxr). Without a hub
  // RopRegisterNotification is not supported.
  RopProcessor(std::shared_ptr<MailboxStore> store, std::string account,
               std::shared_ptr<NotificationHub> hub = nullptr, uint16_t session_index = 0);
  ~RopProcessor();
  RopProcessor(const RopProcessor&) = delete;
  RopProcessor& operator=(const RopProcessor&) = delete;

  // Processes one ROP input buffer (RopSize, RopsList, ServerObjectHandleTable) and returns the ROP
  // output buffer. The output never exceeds `max_output` bytes: the ROPs whose responses do not
  // fit are left unprocessed (their effects undone) and returned in a trailing RopBufferTooSmall.
  // Throws RopFormatError for an input buffer that does not decode. After the ROP responses come
  // as many pending notifications (RopNotify) as fit, then RopPending when some remain
  // (MS-OXCNOTIF 3.1.5.7); an input buffer without ROPs just collects them.
  Bytes process(ByteView input, size_t max_output);

  // The session's notification queue (null without a hub): what an asynchronous wait watches.
  std::shared_ptr<NotificationQueue> notifications() const;

  // Server objects currently open (tests; every RopRelease lowers it).
  size_t open_objects() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace exmapi::server::emsmdb
