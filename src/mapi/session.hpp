// The MAPI session: ROP batches sent through one transport, server object handles, and the mailbox
// operations a client starts with (logon, folder tree, contents, one item's properties).
//
// The transport is whatever carries rgbIn/rgbOut: EcDoRpcExt2 over RPC (MS-OXCRPC 3.1.4.2) or
// Execute over MAPI/HTTP (MS-OXCMAPIHTTP 2.2.4.2). Both take the same extended buffers, so the ROP
// layer above them is shared.
#pragma once

#include <chrono>
#include <cstdint>
#include <exception>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.hpp"
#include "rop/rop_buffer.hpp"
#include "rop/rops_notification.hpp"

namespace exmapi::mapi {

using ServerHandle = uint32_t;
// "0xFFFFFFFF ... indicates that the server object handle is not yet assigned" (MS-OXCROPS 2.2.1).
inline constexpr ServerHandle kUnassignedHandle = 0xFFFFFFFF;

class RopTransport {
 public:
  virtual ~RopTransport() = default;
  // Sends one framed rgbIn and returns the framed rgbOut; max_out is the pcbOut offered.
  virtual Bytes execute(ByteView rop_in, uint32_t max_out) = 0;
  // Blocks until the server signals that notifications are pending on the session (true) or
  // `timeout` passes (false): EcDoAsyncWaitEx over RPC (MS-OXCRPC 3.3.4.1), NotificationWait over
  // MAPI/HTTP (MS-OXCMAPIHTTP 2.2.4.4). The details then come with the next execute(). A transport
  // that cannot wait throws Error(EXMAPI_E_PROTOCOL).
  virtual bool wait_for_notifications(std::chrono::milliseconds timeout);
  // Called with what execute() threw. True when the error means the server dropped the session
  // context (every server object handle with it) and the transport has just opened a new one, so
  // the caller may log on again and redo its work. MAPI/HTTP does this once per failure
  // (MS-OXCMAPIHTTP 3.1.5.1: an expired context needs a new Connect); RPC cannot (false).
  virtual bool renew_after(const std::exception& /*error*/) { return false; }
};

// The ROPs of one round trip and their handle table. Slots are handed out as ROPs are added.
class RopBatch {
 public:
  static constexpr size_t kNoResponse = SIZE_MAX;

  uint8_t input(ServerHandle handle);  // a slot holding an object opened earlier
  uint8_t output();                    // a slot the server fills with a new object's handle
  // Returns the ROP's position among the requests.
  size_t add(rop::RopRequest rop);

  const rop::RopRequestBuffer& buffer() const noexcept { return buffer_; }

 private:
  uint8_t new_slot(ServerHandle handle);
  rop::RopRequestBuffer buffer_;
};

// The answers of one batch, by request position.
class BatchResult {
 public:
  BatchResult(const rop::RopRequestBuffer& request, rop::RopResponseBuffer response);

  // The response to request `position`, checked: a ReturnValue other than Success throws an Error with
  // that MAPI code and the ROP's name.
  template <class Response>
  const Response& get(size_t position) const {
    const rop::RopResponse& r = response_at(position);
    const Response* typed = get_if<Response>(&r);
    if (!typed) throw_unexpected(position);
    check_success(position, typed->return_value);
    return *typed;
  }
  ServerHandle handle(uint8_t slot) const;

 private:
  const rop::RopResponse& response_at(size_t position) const;
  [[noreturn]] void throw_unexpected(size_t position) const;
  void check_success(size_t position, uint32_t return_value) const;

  std::vector<rop::RopId> request_ids_;
  std::vector<size_t> response_index_;  // per request: index into response_.rops, or kNoResponse
  rop::RopResponseBuffer response_;
};

// The FolderIds of a private-mailbox RopLogon response (MS-OXCROPS 2.2.3.1.2), by meaning.
struct MailboxFolders {
  uint64_t root = 0, deferred_action = 0, spooler_queue = 0, ipm_subtree = 0, inbox = 0, outbox = 0,
           sent_items = 0, deleted_items = 0, common_views = 0, schedule = 0, search = 0, views = 0,
           shortcuts = 0;
};

struct FolderInfo {
  uint64_t id = 0, parent_id = 0;
  std::string name, container_class;
  uint32_t depth = 0;  // 1 for the direct children of the folder the tree was read from
  uint32_t item_count = 0, unread_count = 0, child_count = 0;
};

struct ItemSummary {
  uint64_t id = 0;
  std::string subject, sender, message_class;
  std::optional<int64_t> delivery_time;  // FILETIME
  uint32_t size = 0;
  bool has_attachments = false;
};

struct AttachmentInfo {
  uint32_t number = 0;  // PidTagAttachNumber: what RopOpenAttachment takes
  std::string file_name, mime_type;
  uint32_t size = 0;    // PidTagAttachSize: the whole attachment object, not just its data
  uint32_t method = 0;  // PidTagAttachMethod (MS-OXCMSG 2.2.2.9): 1 by value, 5 embedded message, ...
};

// One RopNotify the server sent (MS-OXCNOTIF 2.2.1.4.1): the subscription it answers and its data.
struct Notification {
  ServerHandle subscription = 0;
  rop::NotificationData data;
};

struct SessionOptions {
  bool compress = true;    // RPC_HEADER_EXT Compressed on requests; servers answer likewise
  bool obfuscate = false;  // XorMagic
  uint32_t max_out = static_cast<uint32_t>(wire_max_rop_buffer());
  uint16_t rows_per_query = 256;

  static size_t wire_max_rop_buffer() noexcept;
};

class Session {
 public:
  explicit Session(RopTransport& transport, SessionOptions options = {});

  // Sends a batch; a RopBufferTooSmall answer makes it resend the ROPs the server did not reach,
  // with the handles it did assign (MS-OXCROPS 2.2.15.1).
  BatchResult execute(const RopBatch& batch);

  // Logs on to a private mailbox; `mailbox_dn` is the mailbox's ESSDN (its user's legacy DN).
  void logon_private_mailbox(std::string_view mailbox_dn);
  bool logged_on() const noexcept { return logon_handle_ != kUnassignedHandle; }
  // The logon's server object handle and LogonId, for callers that build their own batches.
  ServerHandle logon_handle() const noexcept { return logon_handle_; }
  uint8_t logon_id() const noexcept { return logon_id_; }
  const MailboxFolders& folders() const;

  // Every folder below `folder_id` (the IPM subtree by default), parents before children.
  std::vector<FolderInfo> folder_tree(std::optional<uint64_t> folder_id = std::nullopt);
  // The items of a folder in the server's default order, at most `limit` of them.
  std::vector<ItemSummary> folder_items(uint64_t folder_id, size_t limit = SIZE_MAX);
  // Every property of one message (RopGetPropertiesAll, Unicode strings).
  std::vector<rop::TaggedPropertyValue> item_properties(uint64_t folder_id, uint64_t message_id);

  // The attachments of one message, in the server's attachment-table order.
  std::vector<AttachmentInfo> attachments(uint64_t folder_id, uint64_t message_id);
  // The bytes of a by-value attachment (PidTagAttachDataBinary), read through a stream in chunks that
  // fit the session's output limit.
  Bytes read_attachment(uint64_t folder_id, uint64_t message_id, uint32_t attachment_number);

  // The pcbOut offered from the next round trip on (a smaller limit means more, smaller responses).
  void set_max_out(uint32_t max_out) noexcept { options_.max_out = max_out; }

  // Releases the server objects this session holds.
  void release(ServerHandle handle);

  // ---- notifications (MS-OXCNOTIF)
  // Subscribes to `types` (rop::notification_type bits) on a folder, or on the whole mailbox when
  // `folder_id` is empty (RopRegisterNotification); returns the subscription, which release() ends.
  ServerHandle subscribe(uint16_t types, std::optional<uint64_t> folder_id = std::nullopt);
  // The notifications received so far, and those the server still holds: round trips without ROPs
  // until no RopPending remains (MS-OXCNOTIF 3.2.5.7).
  std::vector<Notification> collect_notifications();
  // collect_notifications(), after waiting up to `timeout` for the server to have some when none
  // has arrived yet. Empty when the time passed with none.
  std::vector<Notification> wait_for_notifications(std::chrono::milliseconds timeout);
  // How often the transport replaced a lost session context and the session logged on again.
  uint64_t renewals() const noexcept { return renewals_; }

 private:
  // Runs one mailbox operation; when the transport lost and renewed its session context, logs on
  // again and runs it once more (the operations start from the logon and stable IDs, so a rerun
  // reads the same data).
  template <class Fn>
  auto renewing(Fn&& fn) -> decltype(fn()) {
    try {
      return fn();
    } catch (const std::exception& e) {
      if (mailbox_dn_.empty() || !transport_.renew_after(e)) throw;
    }
    renew_logon();
    return fn();
  }
  void renew_logon();
  std::vector<FolderInfo> folder_tree_once(std::optional<uint64_t> folder_id);
  std::vector<ItemSummary> folder_items_once(uint64_t folder_id, size_t limit);
  std::vector<rop::TaggedPropertyValue> item_properties_once(uint64_t folder_id, uint64_t message_id);
  std::vector<AttachmentInfo> attachments_once(uint64_t folder_id, uint64_t message_id);
  Bytes read_attachment_once(uint64_t folder_id, uint64_t message_id, uint32_t attachment_number);

  // Opens `folder_id` and one of its tables with `columns`, then reads every row (up to `limit`).
  std::vector<rop::PropertyRow> read_table(uint64_t folder_id, rop::RopId table_rop, uint8_t table_flags,
                                           const std::vector<rop::PropTag>& columns, size_t limit);
  // Reads `first`'s rows and then pages through the table until its end or `limit` rows.
  std::vector<rop::PropertyRow> collect_rows(const rop::RopQueryRows::Response& first, ServerHandle table, size_t limit);
  rop::RopQueryRows::Request query_rows(uint8_t table_slot, size_t limit) const;
  void release_all(std::initializer_list<ServerHandle> handles);
  void require_logon() const;

  RopTransport& transport_;
  SessionOptions options_;
  ServerHandle logon_handle_ = kUnassignedHandle;
  uint8_t logon_id_ = 0;
  MailboxFolders folders_;
  rop::TableColumnsState tables_;  // columns of the tables this session holds, for later RopQueryRows
  std::vector<Notification> notifications_;  // RopNotify responses that came with any batch
  bool server_has_more_ = false;             // a RopPending came after them
  std::string mailbox_dn_;  // what the logon opened, to open it again after a renewal
  uint64_t renewals_ = 0;
};

}  // namespace exmapi::mapi
