// RopRegisterNotification and RopNotify (MS-OXCROPS 2.2.14; MS-OXCNOTIF 2.2.1.2.1, 2.2.1.4.1.2): every
// NotificationType and TableEventType, with bytes assembled from the NotificationData field table,
// decodes to the stated values and re-encodes; the flag rules and missing table columns fail with
// the offset and field path; RopNotify and RopPending decode in a response buffer without requests.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>

#include "rop/rop_buffer.hpp"
#include "test_support.hpp"

namespace exmapi::rop {
namespace {

using test::from_hex;

// The 8 ID bytes as the little-endian uint64 ROPs carry them.
uint64_t wire_id(std::string_view hex) {
  Bytes b = from_hex(hex);
  uint64_t v = 0;
  for (size_t i = 8; i-- > 0;) v = v << 8 | b.at(i);
  return v;
}

constexpr std::string_view kFid = "0100 112233000000";
constexpr std::string_view kMid = "0100 445566000000";
constexpr std::string_view kParent = "0100 778899000000";
constexpr std::string_view kOldFid = "0100 AABBCC000000";
constexpr std::string_view kOldMid = "0100 DDEEFF000000";
// RopId, NotificationHandle 0x00000123, LogonId 0.
constexpr std::string_view kHead = "2A 23010000 00 ";

std::string join(std::initializer_list<std::string_view> parts) {
  std::string s;
  for (std::string_view p : parts) (s += p) += ' ';
  return s;
}

// Columns of the table in the row notifications: PidTagSubject, PidTagMessageSize.
Columns table_columns() { return std::make_shared<const std::vector<PropTag>>(std::vector<PropTag>{0x0037001F, 0x0E080003}); }
// A StandardPropertyRow against them: "Hi", 42.
constexpr std::string_view kRow = "0B00 00 480069000000 2A000000";

NotificationData notify(const std::string& data_hex, const ResponseContext* context = nullptr) {
  Bytes bytes = from_hex(std::string(kHead) + data_hex);
  ByteReader r(bytes);
  RopResponse rop = decode_response(r, context);
  EXPECT_TRUE(r.empty()) << to_json(rop);
  ByteWriter w;
  encode_response(w, rop);
  EXPECT_EQ(test::to_hex(w.view()), test::to_hex(bytes));
  EXPECT_FALSE(nlohmann::json::parse(to_json(rop), nullptr, false).is_discarded()) << to_json(rop);
  auto& n = get<RopNotify::Response>(rop);
  EXPECT_EQ(n.notification_handle, 0x123u);
  EXPECT_EQ(n.logon_id, 0);
  return n.notification_data;
}

DecodeError notify_error(const std::string& data_hex, const ResponseContext* context = nullptr) {
  Bytes bytes = from_hex(std::string(kHead) + data_hex);
  ByteReader r(bytes);
  try {
    RopResponse rop = decode_response(r, context);
    ADD_FAILURE() << "decoded: " << to_json(rop);
  } catch (const DecodeError& e) {
    return e;
  }
  return DecodeError(0, "", "");
}

TEST(RopNotification, RegisterNotificationScope) {
  // NewMail|TableModified on the whole store: no FolderId/MessageId.
  Bytes whole = from_hex("29 00 01 02 0201 01");
  ByteReader r(whole);
  auto a = get<RopRegisterNotification::Request>(decode_request(r));
  EXPECT_TRUE(r.empty());
  EXPECT_EQ(a.notification_types, notification_type::NewMail | notification_type::TableModified);
  EXPECT_EQ(a.want_whole_store, 1);
  // Extended adds Reserved; WantWholeStore 0 adds FolderId and MessageId.
  Bytes scoped = from_hex(join({"29 00 01 02 0404 00 00", kFid, "0000000000000000"}));
  ByteReader r2(scoped);
  auto b = get<RopRegisterNotification::Request>(decode_request(r2));
  EXPECT_TRUE(r2.empty());
  EXPECT_EQ(b.notification_types, notification_type::ObjectCreated | notification_type::Extended);
  EXPECT_EQ(b.want_whole_store, 0);
  EXPECT_EQ(b.folder_id, wire_id(kFid));
  EXPECT_EQ(b.message_id, 0u);
  ByteWriter w;
  encode_request(w, b);
  EXPECT_EQ(test::to_hex(w.view()), test::to_hex(scoped));
  // Scoped to a folder but cut inside MessageId.
  Bytes cut = from_hex(join({"29 00 01 02 0400 00", kFid, "00000000"}));
  ByteReader r3(cut);
  try {
    decode_request(r3);
    FAIL();
  } catch (const DecodeError& e) {
    EXPECT_EQ(e.path(), "RopRegisterNotification.MessageId");
    EXPECT_EQ(e.offset(), 15u);
  }
}

TEST(RopNotification, NewMailUnicodeAndAnsiMessageClass) {
  NotificationData d = notify(join({"0280", kFid, kMid, "04000000 01 490050004D002E004E006F0074006500 0000"}));
  EXPECT_EQ(d.type(), notification_type::NewMail);
  EXPECT_TRUE(d.on_message());
  EXPECT_EQ(d.folder_id, wire_id(kFid));
  EXPECT_EQ(d.message_id, wire_id(kMid));
  EXPECT_EQ(d.message_flags, 4u);
  EXPECT_EQ(d.unicode_flag, 1);
  EXPECT_EQ(d.message_class, "IPM.Note");
  NotificationData ansi = notify(join({"0280", kFid, kMid, "00000000 00 49504D2E4E6F746500"}));
  EXPECT_EQ(ansi.message_class, "IPM.Note");
  DecodeError e = notify_error(join({"0280", kFid, kMid, "00000000 02 00"}));
  EXPECT_EQ(e.path(), "RopNotify.NotificationData.UnicodeFlag") << e.what();
  EXPECT_EQ(e.offset(), 6u + 2 + 16 + 4);
}

TEST(RopNotification, ObjectCreatedForAFolderAndForAMessage) {
  // A folder: FolderId, ParentFolderId, TagCount 2, Tags.
  NotificationData folder = notify(join({"0400", kFid, kParent, "0200 1F003700 0300080E"}));
  EXPECT_EQ(folder.type(), notification_type::ObjectCreated);
  EXPECT_EQ(folder.parent_folder_id, wire_id(kParent));
  ASSERT_TRUE(folder.tags);
  EXPECT_EQ(*folder.tags, (std::vector<PropTag>{0x0037001F, 0x0E080003}));
  // A message in an ordinary folder: FolderId, MessageId, no ParentFolderId; TagCount 0, no Tags.
  NotificationData message = notify(join({"0480", kFid, kMid, "0000"}));
  EXPECT_EQ(message.message_id, wire_id(kMid));
  EXPECT_EQ(message.parent_folder_id, 0u);
  ASSERT_TRUE(message.tags);
  EXPECT_TRUE(message.tags->empty());
}

TEST(RopNotification, ObjectModifiedCountsAndNoTagList) {
  // T and U: TotalMessageCount and UnreadMessageCount follow; TagCount 0xFFFF has no Tags.
  NotificationData d = notify(join({"1030", kFid, "FFFF 0A000000 03000000"}));
  EXPECT_EQ(d.type(), notification_type::ObjectModified);
  EXPECT_FALSE(d.tags.has_value());
  EXPECT_EQ(d.total_message_count, 10u);
  EXPECT_EQ(d.unread_message_count, 3u);
  NotificationData u_only = notify(join({"1020", kFid, "0100 1F003700 05000000"}));
  EXPECT_EQ(u_only.unread_message_count, 5u);
  EXPECT_EQ(u_only.total_message_count, 0u);
}

TEST(RopNotification, ObjectDeletedMovedCopied) {
  // Deleted message in an ordinary folder: FolderId, MessageId only.
  NotificationData deleted = notify(join({"0880", kFid, kMid}));
  EXPECT_EQ(deleted.type(), notification_type::ObjectDeleted);
  // Deleted folder: FolderId, ParentFolderId.
  EXPECT_EQ(notify(join({"0800", kFid, kParent})).parent_folder_id, wire_id(kParent));
  // Moved message in a search folder (S and M): ParentFolderId, then OldFolderId, OldMessageId.
  NotificationData moved = notify(join({"20C0", kFid, kMid, kParent, kOldFid, kOldMid}));
  EXPECT_EQ(moved.type(), notification_type::ObjectMoved);
  EXPECT_TRUE(moved.in_search_folder());
  EXPECT_EQ(moved.parent_folder_id, wire_id(kParent));
  EXPECT_EQ(moved.old_folder_id, wire_id(kOldFid));
  EXPECT_EQ(moved.old_message_id, wire_id(kOldMid));
  // Moved message in an ordinary folder: no ParentFolderId.
  NotificationData moved_plain = notify(join({"2080", kFid, kMid, kOldFid, kOldMid}));
  EXPECT_EQ(moved_plain.parent_folder_id, 0u);
  // Copied folder: ParentFolderId, OldFolderId, OldParentFolderId.
  NotificationData copied = notify(join({"4000", kFid, kParent, kOldFid, "0100 010203000000"}));
  EXPECT_EQ(copied.type(), notification_type::ObjectCopied);
  EXPECT_EQ(copied.old_parent_folder_id, wire_id("0100 010203000000"));
}

TEST(RopNotification, SearchCompleteAndExtended) {
  NotificationData done = notify(join({"8000", kFid}));
  EXPECT_EQ(done.type(), notification_type::SearchComplete);
  EXPECT_EQ(done.folder_id, wire_id(kFid));
  // Extended (reserved): no field follows the flags.
  EXPECT_EQ(notify("0004").type(), notification_type::Extended);
}

TEST(RopNotification, TableEventsWithoutRows) {
  EXPECT_EQ(notify("0001 0100").table_event_type, table_event::TableChanged);
  EXPECT_EQ(notify("0001 0700").table_event_type, table_event::TableRestrictionChanged);
  // Row deleted from a contents table (M): TableRowFolderID, TableRowMessageID, TableRowInstance.
  NotificationData deleted = notify(join({"0081 0400", kFid, kMid, "07000000"}));
  EXPECT_EQ(deleted.table_event_type, table_event::TableRowDeleted);
  EXPECT_EQ(deleted.table_row_folder_id, wire_id(kFid));
  EXPECT_EQ(deleted.table_row_message_id, wire_id(kMid));
  EXPECT_EQ(deleted.table_row_instance, 7u);
  // The same from a hierarchy table (no M): only TableRowFolderID.
  EXPECT_EQ(notify(join({"0001 0400", kFid})).table_row_message_id, 0u);
}

TEST(RopNotification, TableRowAddedAndModifiedCarryTheRowAgainstTheTableColumns) {
  ResponseContext context;
  context.columns = table_columns();
  NotificationData added =
      notify(join({"0081 0300", kFid, kMid, "01000000", kParent, kOldMid, "02000000", kRow}), &context);
  EXPECT_EQ(added.table_event_type, table_event::TableRowAdded);
  EXPECT_EQ(added.table_row_instance, 1u);
  EXPECT_EQ(added.insert_after_table_row_folder_id, wire_id(kParent));
  EXPECT_EQ(added.insert_after_table_row_id, wire_id(kOldMid));
  EXPECT_EQ(added.insert_after_table_row_instance, 2u);
  ASSERT_EQ(added.table_row_data.cells.size(), 2u);
  EXPECT_FALSE(added.table_row_data.flagged);
  EXPECT_EQ(added.table_row_data.cells[0].value.as_string(), "Hi");
  EXPECT_EQ(added.table_row_data.cells[1].value.as_int32(), 42);
  // Modified row of a hierarchy table (no M): TableRowFolderID, InsertAfterTableRowFolderID, row.
  NotificationData modified = notify(join({"0001 0500", kFid, kParent, kRow}), &context);
  EXPECT_EQ(modified.table_event_type, table_event::TableRowModified);
  EXPECT_EQ(modified.insert_after_table_row_folder_id, wire_id(kParent));
  EXPECT_EQ(modified.table_row_data.cells[1].value.as_int32(), 42);

  // Without the columns the decoder says what it needs.
  DecodeError e = notify_error(join({"0001 0500", kFid, kParent, kRow}));
  EXPECT_EQ(e.path(), "RopNotify.NotificationData.TableRowData") << e.what();
  EXPECT_EQ(e.offset(), 6u + 4 + 16);
  EXPECT_NE(std::string(e.what()).find("RopSetColumns"), std::string::npos) << e.what();
  // TableRowDataSize must be exactly the row.
  DecodeError e2 = notify_error(join({"0001 0500", kFid, kParent, "0C00 00 480069000000 2A000000 00"}), &context);
  EXPECT_EQ(e2.path(), "RopNotify.NotificationData.TableRowDataSize") << e2.what();
}

TEST(RopNotification, FlagRulesAndEnumerationsAreEnforced) {
  struct Case {
    std::string hex;
    std::string path;
    size_t offset;
  } cases[] = {
      {"0100", "RopNotify.NotificationData.NotificationFlags", 6},     // type 0x0001 is not defined
      {"0210", "RopNotify.NotificationData.NotificationFlags", 6},     // T with NewMail
      {"0440", "RopNotify.NotificationData.NotificationFlags", 6},     // S without M
      {"0001 0200", "RopNotify.NotificationData.TableEventType", 8},   // TableEventType 2
      {"0001 0900", "RopNotify.NotificationData.TableEventType", 8},   // TableEventType 9
      {join({"0400", kFid}), "RopNotify.NotificationData.ParentFolderId", 16},
  };
  for (const Case& c : cases) {
    DecodeError e = notify_error(c.hex);
    EXPECT_EQ(e.path(), c.path) << c.hex << ": " << e.what();
    EXPECT_EQ(e.offset(), c.offset) << c.hex;
  }
  // The encoder refuses the same values rather than writing an unreadable notification.
  RopNotify::Response bad;
  bad.notification_data.notification_flags = notification_type::NewMail | notification_flags::TotalMessageCount;
  ByteWriter w;
  EXPECT_THROW(encode_response(w, bad), EncodeError);
}

TEST(RopNotification, SamplesCoverEveryTypeAndTableEvent) {
  std::set<uint16_t> types, events;
  for (uint64_t seed = 0; seed < 200; ++seed) {
    ResponseContext context = sample_context(seed);
    auto n = get<RopNotify::Response>(sample_response(RopId::Notify, seed, ec::Success, context));
    EXPECT_EQ(NotificationFlagsCodec::invalid_reason(n.notification_data.notification_flags), nullptr);
    types.insert(n.notification_data.type());
    if (n.notification_data.type() == notification_type::TableModified) events.insert(n.notification_data.table_event_type);
  }
  EXPECT_EQ(types.size(), 9u);
  EXPECT_EQ(events.size(), 5u);
}

// RopNotify and RopPending answer no request; the row notification's columns come from the caller's
// TableColumnsState (by NotificationHandle) or from a RopSetColumns earlier in the same buffer.
TEST(RopNotification, ResponseBuffersWithoutRequests) {
  Bytes rops = from_hex(join({"2A 56040000 00 0081 0300", kFid, kMid, "01000000", kParent, kOldMid, "02000000", kRow,
                              "6E 0300"}));
  ByteWriter w;
  w.u16(static_cast<uint16_t>(rops.size() + 2));
  w.bytes(rops);
  Bytes buffer = w.take();
  TableColumnsState tables;
  tables.columns_by_handle[0x456] = table_columns();
  RopResponseBuffer out = decode_response_buffer(buffer, RopRequestBuffer{}, &tables);
  ASSERT_EQ(out.rops.size(), 2u);
  EXPECT_EQ(get<RopNotify::Response>(out.rops[0]).notification_data.table_row_data.cells[0].value.as_string(), "Hi");
  EXPECT_EQ(get<RopPending::Response>(out.rops[1]).session_index, 3);
  EXPECT_EQ(encode_response_buffer(out), buffer);

  try {
    decode_response_buffer(buffer, RopRequestBuffer{}, nullptr);
    FAIL();
  } catch (const DecodeError& e) {
    EXPECT_EQ(e.path(), "RopsList[0].RopNotify.NotificationData.TableRowData") << e.what();
    EXPECT_EQ(e.offset(), 2u + 6 + 4 + 16 + 4 + 16 + 4);
  }

  // A table whose columns are set in this buffer (slot 1 = server handle 0x456), then notified.
  RopRequestBuffer request;
  RopSetColumns::Request set;
  set.input_handle_index = 1;
  set.property_tags = *table_columns();
  request.rops.push_back(set);
  request.handles = {0x12, 0x456};
  Bytes rops2 = from_hex("12 01 00000000 00");
  rops2.insert(rops2.end(), rops.begin(), rops.end());
  ByteWriter w2;
  w2.u16(static_cast<uint16_t>(rops2.size() + 2));
  w2.bytes(rops2);
  w2.u32(0x12);
  w2.u32(0x456);
  RopResponseBuffer out2 = decode_response_buffer(w2.view(), request, nullptr);
  ASSERT_EQ(out2.rops.size(), 3u);
  EXPECT_EQ(get<RopNotify::Response>(out2.rops[1]).notification_data.table_row_data.cells[1].value.as_int32(), 42);
}

}  // namespace
}  // namespace exmapi::rop
