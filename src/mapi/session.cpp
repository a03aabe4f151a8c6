#include "mapi/session.hpp"

#include <algorithm>
#include <cstdio>

#include "base/error.hpp"
#include "wire/extended_buffer.hpp"

namespace exmapi::mapi {

using namespace rop;

namespace {

// Column tags (MS-OXPROPS), Unicode strings.
constexpr PropTag kFolderId = 0x67480014, kParentFolderId = 0x67490014, kMid = 0x674A0014;
constexpr PropTag kDisplayName = 0x3001001F, kContainerClass = 0x3613001F, kDepth = 0x30050003;
constexpr PropTag kContentCount = 0x36020003, kContentUnreadCount = 0x36030003, kFolderChildCount = 0x66380003;
constexpr PropTag kSubject = 0x0037001F, kSenderName = 0x0C1A001F, kMessageClass = 0x001A001F;
constexpr PropTag kMessageDeliveryTime = 0x0E060040, kMessageSize = 0x0E080003, kHasAttachments = 0x0E1B000B;
constexpr PropTag kAttachNumber = 0x0E210003, kAttachLongFilename = 0x3707001F, kAttachMimeTag = 0x370E001F,
                  kAttachSize = 0x0E200003, kAttachMethod = 0x37050003, kAttachDataBinary = 0x37010102;

// MS-OXCROPS 2.2.4.13 TableFlags: Depth (the whole subtree); 2.2.5.4 QueryRowsFlags; 2.2.3.1.1 flags.
constexpr uint8_t kTableDepth = 0x04;
constexpr uint8_t kOriginEnd = 0x02;  // BOOKMARK_END
constexpr uint8_t kLogonPrivate = 0x01;
// MS-OXCSTOR 2.2.1.1.2: "For a private-mailbox logon, this flag SHOULD be set."
constexpr uint32_t kOpenUsePerMdbReplidMapping = 0x01000000;
constexpr uint16_t kCodePageUnicode = 0x0FFF;  // "the code page of the logon" (MS-OXCROPS 2.2.6.1.1)

const PropertyCell* cell(const PropertyRow& row, size_t column) {
  if (column >= row.cells.size()) return nullptr;
  const PropertyCell& c = row.cells[column];
  return c.flag == ValueFlag::Present ? &c : nullptr;
}
uint64_t u64_at(const PropertyRow& row, size_t column) {
  const PropertyCell* c = cell(row, column);
  return c ? c->value.bits() : 0;
}
uint32_t u32_at(const PropertyRow& row, size_t column) { return static_cast<uint32_t>(u64_at(row, column)); }
std::string string_at(const PropertyRow& row, size_t column) {
  const PropertyCell* c = cell(row, column);
  return c && c->value.type() == ptyp::String ? c->value.as_string() : std::string();
}

}  // namespace

// ---- batches ------------------------------------------------------------------------------------------

uint8_t RopBatch::new_slot(ServerHandle handle) {
  if (buffer_.handles.size() >= 255) throw Error(EXMAPI_E_LIMIT, "a ROP batch holds at most 255 handle slots");
  buffer_.handles.push_back(handle);
  return static_cast<uint8_t>(buffer_.handles.size() - 1);
}
uint8_t RopBatch::input(ServerHandle handle) { return new_slot(handle); }
uint8_t RopBatch::output() { return new_slot(kUnassignedHandle); }

size_t RopBatch::add(RopRequest rop) {
  buffer_.rops.push_back(std::move(rop));
  return buffer_.rops.size() - 1;
}

BatchResult::BatchResult(const RopRequestBuffer& request, RopResponseBuffer response) : response_(std::move(response)) {
  size_t next = 0;
  for (const RopRequest& r : request.rops) {
    RopId id = rop_id(r);
    request_ids_.push_back(id);
    bool answered = id != RopId::Release;
    response_index_.push_back(answered && next < response_.rops.size() ? next++ : RopBatch::kNoResponse);
  }
}

const RopResponse& BatchResult::response_at(size_t position) const {
  if (position >= response_index_.size() || response_index_[position] == RopBatch::kNoResponse)
    throw Error(EXMAPI_E_PROTOCOL, "the server sent no response to ROP " + std::to_string(position) + " of the batch");
  return response_.rops[response_index_[position]];
}

void BatchResult::throw_unexpected(size_t position) const {
  const char* got = rop_name(rop_id(response_at(position)));
  throw Error(EXMAPI_E_PROTOCOL, std::string("the server answered ") + rop_name(request_ids_[position]) + " with " +
                                     (got ? got : "an unknown ROP"));
}

void BatchResult::check_success(size_t position, uint32_t return_value) const {
  if (return_value == ec::Success) return;
  const char* name = status_name(return_value);
  char code[16];
  std::snprintf(code, sizeof code, "0x%08X", return_value);
  throw Error(return_value, std::string(rop_name(request_ids_[position])) + " failed: " + (name ? name : "error") + " (" +
                                code + ")");
}

ServerHandle BatchResult::handle(uint8_t slot) const {
  if (slot >= response_.handles.size())
    throw Error(EXMAPI_E_PROTOCOL, "the response's handle table has no slot " + std::to_string(slot));
  return response_.handles[slot];
}

// ---- the session --------------------------------------------------------------------------------------

size_t SessionOptions::wire_max_rop_buffer() noexcept { return wire::kMaxRopBuffer; }

Session::Session(RopTransport& transport, SessionOptions options) : transport_(transport), options_(options) {}

BatchResult Session::execute(const RopBatch& batch) {
  RopRequestBuffer pending = batch.buffer();
  RopResponseBuffer answered;
  wire::PackOptions pack;
  pack.compress = options_.compress;
  pack.obfuscate = options_.obfuscate;
  // Each resend carries fewer ROPs; the bound only guards against a server that never progresses.
  for (size_t attempt = 0; attempt < 64; ++attempt) {
    Bytes rop_in = wire::pack(encode_request_buffer(pending), pack);
    Bytes rop_out = transport_.execute(rop_in, options_.max_out);
    std::vector<Bytes> payloads = wire::unpack_payloads(rop_out);
    if (payloads.size() != 1)
      throw Error(EXMAPI_E_PROTOCOL, "the server packed " + std::to_string(payloads.size()) +
                                         " response buffers into rgbOut; this client asked for one");
    RopResponseBuffer part = decode_response_buffer(payloads[0], pending, &tables_);
    answered.handles = part.handles;
    const RopBufferTooSmall::Response* too_small = nullptr;
    for (RopResponse& r : part.rops) {
      // Notifications ride along after the answers (MS-OXCNOTIF 3.1.5.7); they answer no request.
      if (auto* n = get_if<RopNotify::Response>(&r)) {
        notifications_.push_back({n->notification_handle, std::move(n->notification_data)});
        continue;
      }
      if (get_if<RopPending::Response>(&r)) {
        server_has_more_ = true;
        continue;
      }
      if (const auto* t = get_if<RopBufferTooSmall::Response>(&r)) {
        too_small = t;
        break;
      }
      answered.rops.push_back(std::move(r));
    }
    if (!too_small) return BatchResult(batch.buffer(), std::move(answered));
    // The ROPs the server did not reach, as it quotes them; the handle table carries what it assigned.
    RopRequestBuffer rest{decode_requests(too_small->request_buffers), part.handles};
    if (rest.rops.empty() || rest.rops.size() >= pending.rops.size())
      throw Error(EXMAPI_E_PROTOCOL, "RopBufferTooSmall: the server needs " + std::to_string(too_small->size_needed) +
                                         " bytes for a response that does not fit in " + std::to_string(options_.max_out));
    pending = std::move(rest);
  }
  throw Error(EXMAPI_E_PROTOCOL, "the server kept answering RopBufferTooSmall");
}

bool RopTransport::wait_for_notifications(std::chrono::milliseconds) {
  throw Error(EXMAPI_E_PROTOCOL, "this transport cannot wait for notifications");
}

ServerHandle Session::subscribe(uint16_t types, std::optional<uint64_t> folder_id) {
  require_logon();
  RopBatch batch;
  RopRegisterNotification::Request r;
  r.logon_id = logon_id_;
  r.input_handle_index = batch.input(logon_handle_);
  r.output_handle_index = batch.output();
  r.notification_types = types;
  r.want_whole_store = folder_id ? 0 : 1;
  r.folder_id = folder_id.value_or(0);
  size_t at = batch.add(r);
  BatchResult result = execute(batch);
  result.get<RopRegisterNotification::Response>(at);
  return result.handle(r.output_handle_index);
}

std::vector<Notification> Session::collect_notifications() {
  // An empty ROP list only collects (MS-OXCNOTIF 3.1.5.6). Each round trip takes at least one
  // notification off the server, so a bound on them guards only against a broken server.
  for (size_t round = 0; server_has_more_ && round < 1024; ++round) {
    server_has_more_ = false;
    size_t before = notifications_.size();
    execute(RopBatch());
    if (notifications_.size() == before && server_has_more_)
      throw Error(EXMAPI_E_PROTOCOL, "the server keeps answering RopPending without sending a notification");
  }
  std::vector<Notification> out = std::move(notifications_);
  notifications_.clear();
  return out;
}

std::vector<Notification> Session::wait_for_notifications(std::chrono::milliseconds timeout) {
  if (notifications_.empty() && !server_has_more_) {
    // The queue may have filled between our last call and the wait: look first.
    server_has_more_ = true;
    auto now = collect_notifications();
    if (!now.empty()) return now;
    if (!transport_.wait_for_notifications(timeout)) return {};
    server_has_more_ = true;
  }
  return collect_notifications();
}

void Session::logon_private_mailbox(std::string_view mailbox_dn) {
  RopBatch batch;
  RopLogon::Request logon;
  logon.logon_id = logon_id_;
  logon.output_handle_index = batch.output();
  logon.logon_flags = kLogonPrivate;
  logon.open_flags = kOpenUsePerMdbReplidMapping;
  logon.essdn = std::string(mailbox_dn);
  size_t at = batch.add(logon);
  BatchResult result = execute(batch);
  const auto& r = result.get<RopLogon::Response>(at);
  const std::vector<uint64_t>& f = r.folder_ids;
  if (f.size() != 13) throw Error(EXMAPI_E_PROTOCOL, "RopLogon returned " + std::to_string(f.size()) + " folder ids, not 13");
  folders_ = {f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[8], f[9], f[10], f[11], f[12]};
  logon_handle_ = result.handle(logon.output_handle_index);
  mailbox_dn_ = std::string(mailbox_dn);
}

void Session::renew_logon() {
  // Every server object died with the old session context; the folder and message IDs stay valid.
  logon_handle_ = kUnassignedHandle;
  tables_ = {};
  logon_private_mailbox(std::string(mailbox_dn_));
  ++renewals_;
}

std::vector<FolderInfo> Session::folder_tree(std::optional<uint64_t> folder_id) {
  return renewing([&] { return folder_tree_once(folder_id); });
}
std::vector<ItemSummary> Session::folder_items(uint64_t folder_id, size_t limit) {
  return renewing([&] { return folder_items_once(folder_id, limit); });
}
std::vector<TaggedPropertyValue> Session::item_properties(uint64_t folder_id, uint64_t message_id) {
  return renewing([&] { return item_properties_once(folder_id, message_id); });
}
std::vector<AttachmentInfo> Session::attachments(uint64_t folder_id, uint64_t message_id) {
  return renewing([&] { return attachments_once(folder_id, message_id); });
}
Bytes Session::read_attachment(uint64_t folder_id, uint64_t message_id, uint32_t attachment_number) {
  return renewing([&] { return read_attachment_once(folder_id, message_id, attachment_number); });
}

const MailboxFolders& Session::folders() const {
  require_logon();
  return folders_;
}

void Session::require_logon() const {
  if (!logged_on()) throw Error(EXMAPI_E_INVALID_ARGUMENT, "the session has not logged on to a mailbox");
}

void Session::release(ServerHandle handle) {
  RopBatch batch;
  RopRelease::Request release;
  release.logon_id = logon_id_;
  release.input_handle_index = batch.input(handle);
  batch.add(release);
  execute(batch);
}

std::vector<PropertyRow> Session::read_table(uint64_t folder_id, RopId table_rop, uint8_t table_flags,
                                             const std::vector<PropTag>& columns, size_t limit) {
  require_logon();
  // One round trip: open the folder, open its table, set the columns, read the first page.
  RopBatch batch;
  uint8_t logon = batch.input(logon_handle_);
  uint8_t folder = batch.output();
  uint8_t table = batch.output();
  RopOpenFolder::Request open;
  open.logon_id = logon_id_;
  open.input_handle_index = logon;
  open.output_handle_index = folder;
  open.folder_id = folder_id;
  size_t open_at = batch.add(open);
  size_t table_at;
  if (table_rop == RopId::GetHierarchyTable) {
    RopGetHierarchyTable::Request t;
    t.logon_id = logon_id_, t.input_handle_index = folder, t.output_handle_index = table, t.table_flags = table_flags;
    table_at = batch.add(t);
  } else {
    RopGetContentsTable::Request t;
    t.logon_id = logon_id_, t.input_handle_index = folder, t.output_handle_index = table, t.table_flags = table_flags;
    table_at = batch.add(t);
  }
  RopSetColumns::Request set;
  set.logon_id = logon_id_;
  set.input_handle_index = table;
  set.property_tags = columns;
  size_t set_at = batch.add(set);
  size_t query_at = batch.add(query_rows(table, limit));
  BatchResult first = execute(batch);
  first.get<RopOpenFolder::Response>(open_at);
  first.get<RopSetColumns::Response>(set_at);
  if (table_rop == RopId::GetHierarchyTable)
    first.get<RopGetHierarchyTable::Response>(table_at);
  else
    first.get<RopGetContentsTable::Response>(table_at);
  ServerHandle folder_handle = first.handle(folder), table_handle = first.handle(table);
  std::vector<PropertyRow> rows = collect_rows(first.get<RopQueryRows::Response>(query_at), table_handle, limit);
  release_all({table_handle, folder_handle});
  return rows;
}

RopQueryRows::Request Session::query_rows(uint8_t table_slot, size_t limit) const {
  RopQueryRows::Request q;
  q.logon_id = logon_id_;
  q.input_handle_index = table_slot;
  q.forward_read = 1;
  q.row_count = static_cast<uint16_t>(std::min<size_t>(limit, options_.rows_per_query));
  return q;
}

std::vector<PropertyRow> Session::collect_rows(const RopQueryRows::Response& first, ServerHandle table, size_t limit) {
  std::vector<PropertyRow> rows;
  const RopQueryRows::Response* q = &first;
  std::optional<BatchResult> next;
  while (true) {
    for (const PropertyRow& row : q->rows) {
      if (rows.size() == limit) break;
      rows.push_back(row);
    }
    if (rows.size() >= limit || q->rows.empty() || q->origin == kOriginEnd) break;
    RopBatch more;
    uint8_t slot = more.input(table);
    size_t at = more.add(query_rows(slot, limit - rows.size()));
    // The decoder needs the table's columns; they were set in the first batch.
    next.emplace(execute(more));
    q = &next->get<RopQueryRows::Response>(at);
  }
  return rows;
}

void Session::release_all(std::initializer_list<ServerHandle> handles) {
  RopBatch batch;
  for (ServerHandle h : handles) {
    RopRelease::Request release;
    release.logon_id = logon_id_;
    release.input_handle_index = batch.input(h);
    batch.add(release);
  }
  execute(batch);
}

std::vector<FolderInfo> Session::folder_tree_once(std::optional<uint64_t> folder_id) {
  const std::vector<PropTag> columns{kFolderId,    kParentFolderId,     kDisplayName,       kContainerClass,
                                     kContentCount, kContentUnreadCount, kFolderChildCount, kDepth};
  std::vector<PropertyRow> rows =
      read_table(folder_id.value_or(folders().ipm_subtree), RopId::GetHierarchyTable, kTableDepth, columns, SIZE_MAX);
  std::vector<FolderInfo> out;
  out.reserve(rows.size());
  for (const PropertyRow& row : rows) {
    FolderInfo f;
    f.id = u64_at(row, 0);
    f.parent_id = u64_at(row, 1);
    f.name = string_at(row, 2);
    f.container_class = string_at(row, 3);
    f.item_count = u32_at(row, 4);
    f.unread_count = u32_at(row, 5);
    f.child_count = u32_at(row, 6);
    f.depth = u32_at(row, 7);
    out.push_back(std::move(f));
  }
  return out;
}

std::vector<ItemSummary> Session::folder_items_once(uint64_t folder_id, size_t limit) {
  const std::vector<PropTag> columns{kMid,          kSubject,        kSenderName,    kMessageClass,
                                     kMessageDeliveryTime, kMessageSize, kHasAttachments};
  std::vector<ItemSummary> out;
  for (const PropertyRow& row : read_table(folder_id, RopId::GetContentsTable, 0, columns, limit)) {
    ItemSummary item;
    item.id = u64_at(row, 0);
    item.subject = string_at(row, 1);
    item.sender = string_at(row, 2);
    item.message_class = string_at(row, 3);
    if (cell(row, 4)) item.delivery_time = static_cast<int64_t>(u64_at(row, 4));
    item.size = u32_at(row, 5);
    item.has_attachments = u64_at(row, 6) != 0;
    out.push_back(std::move(item));
  }
  return out;
}

std::vector<TaggedPropertyValue> Session::item_properties_once(uint64_t folder_id, uint64_t message_id) {
  require_logon();
  RopBatch batch;
  uint8_t logon = batch.input(logon_handle_);
  uint8_t message = batch.output();
  RopOpenMessage::Request open;
  open.logon_id = logon_id_;
  open.input_handle_index = logon;
  open.output_handle_index = message;
  open.code_page_id = kCodePageUnicode;
  open.folder_id = folder_id;
  open.message_id = message_id;
  size_t open_at = batch.add(open);
  RopGetPropertiesAll::Request all;
  all.logon_id = logon_id_;
  all.input_handle_index = message;
  all.want_unicode = 1;
  size_t all_at = batch.add(all);
  RopRelease::Request release;
  release.logon_id = logon_id_;
  release.input_handle_index = message;
  batch.add(release);
  BatchResult result = execute(batch);
  result.get<RopOpenMessage::Response>(open_at);
  return result.get<RopGetPropertiesAll::Response>(all_at).property_values;
}

std::vector<AttachmentInfo> Session::attachments_once(uint64_t folder_id, uint64_t message_id) {
  require_logon();
  const std::vector<PropTag> columns{kAttachNumber, kAttachLongFilename, kAttachMimeTag, kAttachSize, kAttachMethod};
  RopBatch batch;
  uint8_t logon = batch.input(logon_handle_);
  uint8_t message = batch.output();
  uint8_t table = batch.output();
  RopOpenMessage::Request open;
  open.logon_id = logon_id_;
  open.input_handle_index = logon;
  open.output_handle_index = message;
  open.code_page_id = kCodePageUnicode;
  open.folder_id = folder_id;
  open.message_id = message_id;
  size_t open_at = batch.add(open);
  RopGetAttachmentTable::Request get;
  get.logon_id = logon_id_, get.input_handle_index = message, get.output_handle_index = table;
  size_t table_at = batch.add(get);
  RopSetColumns::Request set;
  set.logon_id = logon_id_;
  set.input_handle_index = table;
  set.property_tags = columns;
  size_t set_at = batch.add(set);
  size_t query_at = batch.add(query_rows(table, SIZE_MAX));
  BatchResult first = execute(batch);
  first.get<RopOpenMessage::Response>(open_at);
  first.get<RopGetAttachmentTable::Response>(table_at);
  first.get<RopSetColumns::Response>(set_at);
  ServerHandle message_handle = first.handle(message), table_handle = first.handle(table);
  std::vector<PropertyRow> rows = collect_rows(first.get<RopQueryRows::Response>(query_at), table_handle, SIZE_MAX);
  release_all({table_handle, message_handle});
  std::vector<AttachmentInfo> out;
  for (const PropertyRow& row : rows) {
    AttachmentInfo a;
    a.number = u32_at(row, 0);
    a.file_name = string_at(row, 1);
    a.mime_type = string_at(row, 2);
    a.size = u32_at(row, 3);
    a.method = u32_at(row, 4);
    out.push_back(std::move(a));
  }
  return out;
}

Bytes Session::read_attachment_once(uint64_t folder_id, uint64_t message_id, uint32_t attachment_number) {
  require_logon();
  RopBatch batch;
  uint8_t logon = batch.input(logon_handle_);
  uint8_t message = batch.output();
  uint8_t attachment = batch.output();
  uint8_t stream = batch.output();
  RopOpenMessage::Request open;
  open.logon_id = logon_id_;
  open.input_handle_index = logon;
  open.output_handle_index = message;
  open.code_page_id = kCodePageUnicode;
  open.folder_id = folder_id;
  open.message_id = message_id;
  size_t open_at = batch.add(open);
  RopOpenAttachment::Request attach;
  attach.logon_id = logon_id_, attach.input_handle_index = message, attach.output_handle_index = attachment;
  attach.attachment_id = attachment_number;  // OpenAttachmentFlags 0: read-only
  size_t attach_at = batch.add(attach);
  RopOpenStream::Request open_stream;
  open_stream.logon_id = logon_id_, open_stream.input_handle_index = attachment, open_stream.output_handle_index = stream;
  open_stream.property_tag = kAttachDataBinary;  // OpenModeFlags 0: read-only
  size_t stream_at = batch.add(open_stream);
  BatchResult opened = execute(batch);
  opened.get<RopOpenMessage::Response>(open_at);
  opened.get<RopOpenAttachment::Response>(attach_at);
  uint32_t size = opened.get<RopOpenStream::Response>(stream_at).stream_size;
  ServerHandle handles[] = {opened.handle(message), opened.handle(attachment), opened.handle(stream)};

  // A ReadStream response is 7 bytes plus the data, inside an RPC_HEADER_EXT and the handle table.
  const size_t overhead = 64;
  uint32_t chunk = static_cast<uint32_t>(std::min<size_t>(
      options_.max_out > overhead ? options_.max_out - overhead : 1, wire::kMaxExtendedPayload - overhead));
  Bytes data;
  data.reserve(size);
  while (data.size() < size) {
    RopBatch read;
    RopReadStream::Request r;
    r.logon_id = logon_id_;
    r.input_handle_index = read.input(handles[2]);
    r.byte_count = kReadStreamUseMaximum;
    r.maximum_byte_count = std::min<uint32_t>(chunk, size - static_cast<uint32_t>(data.size()));
    size_t at = read.add(r);
    BatchResult got = execute(read);
    const Bytes& part = got.get<RopReadStream::Response>(at).data;
    // A read that returns nothing before the announced size is a server that lost the stream.
    if (part.empty())
      throw Error(EXMAPI_E_PROTOCOL, "the attachment stream ended after " + std::to_string(data.size()) + " of " +
                                         std::to_string(size) + " bytes");
    data.insert(data.end(), part.begin(), part.end());
  }
  release_all({handles[2], handles[1], handles[0]});
  return data;
}

}  // namespace exmapi::mapi
