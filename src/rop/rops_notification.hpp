// Notification ROPs (MS-OXCROPS 2.2.14; semantics in MS-OXCNOTIF 2.2.1). RopPending, the third ROP
// of 2.2.14, belongs to the buffer (rop_buffer.hpp).
#pragma once

#include <tuple>

#include "rop/rop_codec.hpp"

namespace exmapi::rop {

// NotificationTypes of RopRegisterNotification (MS-OXCNOTIF 2.2.1.2.1.1) and the NotificationType
// enumeration in the low 12 bits of NotificationFlags (2.2.1.4.1.2) share their values.
namespace notification_type {
constexpr uint16_t NewMail = 0x0002;
constexpr uint16_t ObjectCreated = 0x0004;
constexpr uint16_t ObjectDeleted = 0x0008;
constexpr uint16_t ObjectModified = 0x0010;
constexpr uint16_t ObjectMoved = 0x0020;
constexpr uint16_t ObjectCopied = 0x0040;
constexpr uint16_t SearchComplete = 0x0080;
constexpr uint16_t TableModified = 0x0100;
constexpr uint16_t Extended = 0x0400;  // reserved in NotificationData: no field follows it
}  // namespace notification_type

// The four high bits of NotificationFlags (MS-OXCNOTIF 2.2.1.4.1.2).
namespace notification_flags {
constexpr uint16_t TypeMask = 0x0FFF;
constexpr uint16_t TotalMessageCount = 0x1000;   // T: TotalMessageCount follows; ObjectModified only
constexpr uint16_t UnreadMessageCount = 0x2000;  // U: UnreadMessageCount follows; ObjectModified only
constexpr uint16_t SearchFolder = 0x4000;        // S: the event is in a search folder; needs M
constexpr uint16_t Message = 0x8000;             // M: the event is on a message, not a folder
}  // namespace notification_flags

// TableEventType (MS-OXCNOTIF 2.2.1.4.1.2): the only values the structure defines.
namespace table_event {
constexpr uint16_t TableChanged = 0x0001;
constexpr uint16_t TableRowAdded = 0x0003;
constexpr uint16_t TableRowDeleted = 0x0004;
constexpr uint16_t TableRowModified = 0x0005;
constexpr uint16_t TableRestrictionChanged = 0x0007;
}  // namespace table_event

constexpr std::string_view kNotifyTableColumnsNeed =
    "the columns of the table NotificationHandle names (its last RopSetColumns, kept in the TableColumnsState)";

// NotificationFlags: every field after it depends on the type and the bits, so a type the structure
// does not define, or a bit combination it forbids (T or U without ObjectModified, S without M),
// leaves the shape unknown and is refused both ways.
struct NotificationFlagsCodec {
  static uint16_t decode(ByteReader& r);
  static void encode(ByteWriter& w, uint16_t v);
  static std::string print(uint16_t v);
  static void sample(Sampler& s, uint16_t& v);
  // Why `v` is not a NotificationFlags value the structure defines, or nullptr.
  static const char* invalid_reason(uint16_t v) noexcept;
};
struct TableEventTypeCodec {
  static uint16_t decode(ByteReader& r);
  static void encode(ByteWriter& w, uint16_t v);
  static std::string print(uint16_t v);
  static void sample(Sampler& s, uint16_t& v);
};

// MS-OXCNOTIF 2.2.1.4.1.2, fields in wire order; each is present only under the condition the
// section gives for it, spelled out in describe().
struct NotificationData {
  uint16_t notification_flags = notification_type::NewMail;
  // TableModified
  uint16_t table_event_type = 0;
  uint64_t table_row_folder_id = 0, table_row_message_id = 0;
  uint32_t table_row_instance = 0;
  uint64_t insert_after_table_row_folder_id = 0, insert_after_table_row_id = 0;
  uint32_t insert_after_table_row_instance = 0;
  Columns columns;  // not on the wire: the table's columns, for TableRowData
  PropertyRow table_row_data;
  // object events and NewMail
  uint64_t folder_id = 0, message_id = 0, parent_folder_id = 0;
  uint64_t old_folder_id = 0, old_message_id = 0, old_parent_folder_id = 0;
  // TagCount 0xFFFF: no tag list follows (nullopt); otherwise the changed properties' tags.
  std::optional<std::vector<PropTag>> tags = std::vector<PropTag>{};
  uint32_t total_message_count = 0, unread_message_count = 0;
  uint32_t message_flags = 0;
  uint8_t unicode_flag = 0;
  std::string message_class;

  static constexpr size_t kNoTagList = 0xFFFF;

  uint16_t type() const noexcept { return notification_flags & notification_flags::TypeMask; }
  bool on_message() const noexcept { return notification_flags & notification_flags::Message; }
  bool in_search_folder() const noexcept { return notification_flags & notification_flags::SearchFolder; }

  friend bool operator==(const NotificationData& x, const NotificationData& y) {
    auto key = [](const NotificationData& d) {
      return std::tie(d.notification_flags, d.table_event_type, d.table_row_folder_id, d.table_row_message_id,
                      d.table_row_instance, d.insert_after_table_row_folder_id, d.insert_after_table_row_id,
                      d.insert_after_table_row_instance, d.table_row_data, d.folder_id, d.message_id,
                      d.parent_folder_id, d.old_folder_id, d.old_message_id, d.old_parent_folder_id, d.tags,
                      d.total_message_count, d.unread_message_count, d.message_flags, d.unicode_flag,
                      d.message_class);
    };
    return key(x) == key(y);
  }

  template <class A>
  void describe(A& a) {
    namespace nt = notification_type;
    a.value("NotificationFlags", notification_flags, NotificationFlagsCodec{});
    const uint16_t t = type();
    const bool message = on_message();
    if (t == nt::TableModified) {
      a.value("TableEventType", table_event_type, TableEventTypeCodec{});
      const uint16_t e = table_event_type;
      const bool row_event = e == table_event::TableRowAdded || e == table_event::TableRowDeleted ||
                             e == table_event::TableRowModified;
      const bool row_data = e == table_event::TableRowAdded || e == table_event::TableRowModified;
      if (row_event) {
        a.object_id("TableRowFolderID", table_row_folder_id);
        if (message) {
          a.object_id("TableRowMessageID", table_row_message_id);
          a.u32("TableRowInstance", table_row_instance);
        }
      }
      if (row_data) {
        a.object_id("InsertAfterTableRowFolderID", insert_after_table_row_folder_id);
        if (message) {
          a.object_id("InsertAfterTableRowID", insert_after_table_row_id);
          a.u32("InsertAfterTableRowInstance", insert_after_table_row_instance);
        }
        a.from_context("TableRowData", columns, &ResponseContext::columns, kNotifyTableColumnsNeed);
        a.sized16("TableRowDataSize",
                  [&](auto& a) { a.value("TableRowData", table_row_data, RowCodec{columns.get()}); });
      }
    }
    if (t != nt::TableModified && t != nt::Extended) {
      a.object_id("FolderId", folder_id);
      if (message) a.object_id("MessageId", message_id);
    }
    // ParentFolderId: for a message in a search folder (S and M) or for a folder (neither).
    const bool parent_event =
        t == nt::ObjectCreated || t == nt::ObjectDeleted || t == nt::ObjectMoved || t == nt::ObjectCopied;
    if (parent_event && in_search_folder() == message) a.object_id("ParentFolderId", parent_folder_id);
    if (t == nt::ObjectMoved || t == nt::ObjectCopied) {
      a.object_id("OldFolderId", old_folder_id);
      if (message)
        a.object_id("OldMessageId", old_message_id);
      else
        a.object_id("OldParentFolderId", old_parent_folder_id);
    }
    if (t == nt::ObjectCreated || t == nt::ObjectModified) {
      if constexpr (!A::kDecoding)
        if (tags && tags->size() == kNoTagList) throw EncodeError("Tags", "65535 tags cannot be sent: TagCount 0xFFFF means no list");
      size_t n = a.count16("TagCount", tags ? tags->size() : kNoTagList);
      if (n == kNoTagList) {
        if constexpr (A::kDecoding) tags.reset();
      } else {
        a.list("Tags", ensure(tags), n, 4, [](auto& a, PropTag& tag) { a.prop_tag("", tag); });
      }
    }
    if (notification_flags & notification_flags::TotalMessageCount) a.u32("TotalMessageCount", total_message_count);
    if (notification_flags & notification_flags::UnreadMessageCount) a.u32("UnreadMessageCount", unread_message_count);
    if (t == nt::NewMail) {
      a.u32("MessageFlags", message_flags);
      a.choice8("UnicodeFlag", unicode_flag, {0, 1});
      a.text("MessageClass", message_class, unicode_flag != 0);
    }
  }
};

// MS-OXCROPS 2.2.14.1 (semantics MS-OXCNOTIF 2.2.1.2.1). Reserved follows only when NotificationTypes
// has the Extended bit; FolderId and MessageId only when WantWholeStore is zero.
struct RopRegisterNotification {
  static constexpr RopId kId = RopId::RegisterNotification;
  struct Request {
    static constexpr RopId kId = RopId::RegisterNotification;
    uint8_t logon_id = 0, input_handle_index = 0, output_handle_index = 0;
    uint16_t notification_types = 0;
    uint8_t reserved = 0;
    uint8_t want_whole_store = 1;
    uint64_t folder_id = 0, message_id = 0;
    friend bool operator==(const Request&, const Request&) = default;
    template <class A>
    void describe(A& a) {
      a.u8("LogonId", logon_id);
      a.u8("InputHandleIndex", input_handle_index);
      a.u8("OutputHandleIndex", output_handle_index);
      a.u16("NotificationTypes", notification_types);
      if (notification_types & notification_type::Extended) a.u8("Reserved", reserved);
      a.u8("WantWholeStore", want_whole_store);
      if (want_whole_store) return;
      a.object_id("FolderId", folder_id);
      a.object_id("MessageId", message_id);
    }
  };
  EXMAPI_ROP_PLAIN_RESPONSE(RegisterNotification, "OutputHandleIndex");
};

// MS-OXCROPS 2.2.14.2 (semantics MS-OXCNOTIF 2.2.1.4.1): response only, with no ReturnValue. A row
// notification carries a row against the columns of the table NotificationHandle names, which the
// buffer decoder finds by that server handle and passes in the ResponseContext.
struct RopNotify {
  static constexpr RopId kId = RopId::Notify;
  struct Response {
    static constexpr RopId kId = RopId::Notify;
    uint32_t notification_handle = 0;
    uint8_t logon_id = 0;
    NotificationData notification_data;
    friend bool operator==(const Response&, const Response&) = default;
    template <class A>
    void describe(A& a) {
      a.u32("NotificationHandle", notification_handle);
      a.u8("LogonId", logon_id);
      a.object("NotificationData", notification_data);
    }
  };
};

using NotificationRops = RopList<RopRegisterNotification, RopNotify>;

}  // namespace exmapi::rop
