// Message, recipient and attachment ROPs (MS-OXCROPS 2.2.6) on bytes assembled field by field from the
// spec's tables (MS-OXCMSG section 4 has no example bytes in the stored copy of the spec): decoded
// values, byte-exact re-encoding, the context some of them need, and hostile input.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "rop/rop_buffer.hpp"
#include "test_support.hpp"

namespace exmapi::rop {
namespace {

using test::from_hex;

constexpr PropTag kRecipientType = 0x0C150003;         // PidTagRecipientType
constexpr PropTag kRecipientDisplayName = 0x5FF6001F;  // PidTagRecipientDisplayName

ResponseContext no_context() { return {}; }

template <class T>
T decode_response_as(const Bytes& bytes, const ResponseContext& context) {
  ByteReader r(bytes);
  RopResponse rop = decode_response(r, &context);
  EXPECT_TRUE(r.empty());
  ByteWriter w;
  encode_response(w, rop);
  EXPECT_EQ(test::to_hex(w.view()), test::to_hex(bytes));
  EXPECT_FALSE(nlohmann::json::parse(to_json(rop), nullptr, false).is_discarded()) << to_json(rop);
  return get<T>(rop);
}

template <class T>
T decode_request_as(const Bytes& bytes, const ResponseContext& context) {
  ByteReader r(bytes);
  RopRequest rop = decode_request(r, &context);
  EXPECT_TRUE(r.empty());
  ByteWriter w;
  encode_request(w, rop);
  EXPECT_EQ(test::to_hex(w.view()), test::to_hex(bytes));
  EXPECT_FALSE(nlohmann::json::parse(to_json(rop), nullptr, false).is_discarded()) << to_json(rop);
  return get<T>(rop);
}

DecodeError response_error(const Bytes& bytes, const ResponseContext& context) {
  ByteReader r(bytes);
  try {
    decode_response(r, &context);
  } catch (const DecodeError& e) {
    return e;
  }
  ADD_FAILURE() << "decoded: " << test::to_hex(bytes);
  return DecodeError(0, "", "");
}

DecodeError request_error(const Bytes& bytes, const ResponseContext& context) {
  ByteReader r(bytes);
  try {
    decode_request(r, &context);
  } catch (const DecodeError& e) {
    return e;
  }
  ADD_FAILURE() << "decoded: " << test::to_hex(bytes);
  return DecodeError(0, "", "");
}

// RecipientRow (MS-OXCDATA 2.8.3.2) of an SMTP recipient with UTF-16 EmailAddress and DisplayName and
// a value for the first of the recipient columns (PidTagRecipientType = 1): 23 bytes.
const char* kSmtpUnicodeRow =
    "1B02"              // RecipientFlags: Type SMTP (3) | E | D | U
    "6100 4000 6200 0000"  // EmailAddress "a@b"
    "4100 6C00 0000"    // DisplayName "Al"
    "0100"              // RecipientColumnCount: the first column only
    "00 01000000";      // StandardPropertyRow: PtypInteger32 1

// RopOpenMessage success response (MS-OXCROPS 2.2.6.1.2) carrying that row.
Bytes open_message_response() {
  return from_hex(std::string("03 01 00000000"     // RopId, OutputHandleIndex, ReturnValue
                              "00"                 // HasNamedProperties
                              "04 5200 6500 3A00 2000 0000"  // SubjectPrefix: Unicode "Re: "
                              "02 486900"          // NormalizedSubject: 8-bit "Hi"
                              "0100"               // RecipientCount
                              "0200 0300150C 1F00F65F"  // ColumnCount, RecipientColumns
                              "01"                 // RowCount
                              "01 E404 0000 1700") // RecipientType To, CodePageId 1252, Reserved, RecipientRowSize 23
                  + kSmtpUnicodeRow);
}

TEST(RopMessage, OpenMessageResponseWithARecipient) {
  auto v = decode_response_as<RopOpenMessage::Response>(open_message_response(), no_context());
  EXPECT_EQ(v.output_handle_index, 1);
  EXPECT_EQ(v.message.subject_prefix.string_type, string_type::Unicode);
  EXPECT_EQ(v.message.subject_prefix.value, "Re: ");
  EXPECT_EQ(v.message.normalized_subject.string_type, string_type::String8);
  EXPECT_EQ(v.message.normalized_subject.value, "Hi");
  EXPECT_EQ(v.message.recipient_count, 1);
  EXPECT_EQ(v.message.recipient_columns, (std::vector<PropTag>{kRecipientType, kRecipientDisplayName}));
  ASSERT_EQ(v.message.recipient_rows.size(), 1u);
  const OpenRecipientRow& open = v.message.recipient_rows[0];
  EXPECT_EQ(open.recipient_type, recipient_type::Primary);
  EXPECT_EQ(open.code_page_id, 1252);
  const RecipientRow& row = open.recipient_row;
  EXPECT_EQ(row.type(), recipient_address_type::Smtp);
  EXPECT_TRUE(row.unicode());
  EXPECT_EQ(row.email_address, "a@b");
  EXPECT_EQ(row.display_name, "Al");
  EXPECT_TRUE(row.simple_display_name.empty());
  ASSERT_EQ(row.recipient_properties.cells.size(), 1u);
  EXPECT_EQ(row.recipient_properties.cells[0].value, PropertyValue::int32(1));
}

TEST(RopMessage, RecipientRowStringsFollowTheUnicodeFlag) {
  // The same recipient with U clear: the strings are 8-bit with one NUL; I and T add SimpleDisplayName
  // and TransmittableDisplayName after DisplayName.
  ResponseContext context;
  context.recipient_columns = std::make_shared<const std::vector<PropTag>>(std::vector<PropTag>{kRecipientType});
  Bytes b = from_hex(
      "0F 02 00000000 01"       // RopReadRecipients, InputHandleIndex, ReturnValue, RowCount
      "05000000 02 E404 0000 1100"  // RowId 5, Cc, CodePageId, Reserved, RecipientRowSize 17
      "3B04"                    // RecipientFlags: SMTP | E | D | T | I, U clear
      "614062 00"               // EmailAddress "a@b"
      "416C 00"                 // DisplayName "Al"
      "41 00"                   // SimpleDisplayName "A"
      "416C 00"                 // TransmittableDisplayName "Al"
      "0000 00");               // RecipientColumnCount 0, empty StandardPropertyRow
  auto v = decode_response_as<RopReadRecipients::Response>(b, context);
  ASSERT_EQ(v.recipient_rows.size(), 1u);
  const ReadRecipientRow& read = v.recipient_rows[0];
  EXPECT_EQ(read.row_id, 5u);
  EXPECT_EQ(read.recipient_type, recipient_type::Cc);
  const RecipientRow& row = read.recipient_row;
  EXPECT_FALSE(row.unicode());
  EXPECT_EQ(row.email_address, "a@b");
  EXPECT_EQ(row.display_name, "Al");
  EXPECT_EQ(row.simple_display_name, "A");
  EXPECT_EQ(row.transmittable_display_name, "Al");
  EXPECT_TRUE(row.recipient_properties.cells.empty());

  // Read as UTF-16, the same bytes no longer fit their size: the flag decides, never a guess.
  Bytes unicode = b;
  unicode[6 + 1 + 11 + 1] |= 0x02;  // the high byte of RecipientFlags
  DecodeError e = response_error(unicode, context);
  EXPECT_EQ(e.path().rfind("RopReadRecipients.RecipientRows[0]", 0), 0u) << e.path();
}

TEST(RopMessage, RecipientRowAddressTypes) {
  auto columns = std::make_shared<const std::vector<PropTag>>(std::vector<PropTag>{kRecipientType});
  ResponseContext context;
  context.recipient_columns = columns;
  auto one_row = [](const std::string& row_hex) {
    Bytes row = from_hex(row_hex);
    ByteWriter w;
    w.bytes(from_hex("0F 00 00000000 01 00000000 01 0000 0000"));
    w.u16(static_cast<uint16_t>(row.size()));
    w.bytes(row);
    return w.take();
  };
  // X500DN (Type 1): AddressPrefixUsed, DisplayType, then the DN as 8-bit text whatever U says.
  auto x500 = decode_response_as<RopReadRecipients::Response>(
      one_row("1102 07 00 2F6F3D4F726700 4100 0000 0000 00"), context);
  const RecipientRow& r1 = x500.recipient_rows[0].recipient_row;
  EXPECT_EQ(r1.type(), recipient_address_type::X500DN);
  EXPECT_EQ(r1.address_prefix_used, 7);
  EXPECT_EQ(r1.display_type, 0);
  EXPECT_EQ(r1.x500_dn, "/o=Org");
  EXPECT_EQ(r1.display_name, "A");
  // PersonalDistributionList1 (Type 6): sized EntryID and SearchKey.
  auto pdl = decode_response_as<RopReadRecipients::Response>(
      one_row("0600 0300 AABBCC 0200 0102 0000 00"), context);
  const RecipientRow& r2 = pdl.recipient_rows[0].recipient_row;
  EXPECT_EQ(r2.entry_id, (Bytes{0xAA, 0xBB, 0xCC}));
  EXPECT_EQ(r2.search_key, (Bytes{0x01, 0x02}));
  // NoType with O: a non-standard AddressType, 8-bit.
  auto custom = decode_response_as<RopReadRecipients::Response>(one_row("0080 46415800 0000 00"), context);
  EXPECT_EQ(custom.recipient_rows[0].recipient_row.address_type, "FAX");
  // O with a standard Type carries no AddressType: the bytes after the flags are the column count.
  auto smtp_o = decode_response_as<RopReadRecipients::Response>(one_row("0380 0100 00 02000000"), context);
  EXPECT_EQ(smtp_o.recipient_rows[0].recipient_row.address_type, "");
  EXPECT_EQ(smtp_o.recipient_rows[0].recipient_row.recipient_properties.cells[0].value, PropertyValue::int32(2));
}

TEST(RopMessage, TypedStringForms) {
  // None, Empty and reduced Unicode (one byte per UTF-16 unit below U+0100, one NUL).
  Bytes b = from_hex("10 00 00000000 00 00 03 E9746500 0000 0000 00");
  auto v = decode_response_as<RopReloadCachedInformation::Response>(b, no_context());
  EXPECT_EQ(v.message.subject_prefix.string_type, string_type::None);
  EXPECT_EQ(v.message.normalized_subject.string_type, string_type::ReducedUnicode);
  EXPECT_EQ(v.message.normalized_subject.value, "\xC3\xA9te");  // "éte"
  Bytes empty = from_hex("10 00 00000000 00 01 01 0000 0000 00");
  auto e = decode_response_as<RopReloadCachedInformation::Response>(empty, no_context());
  EXPECT_EQ(e.message.subject_prefix.string_type, string_type::Empty);

  DecodeError bad = response_error(from_hex("10 00 00000000 00 05"), no_context());
  EXPECT_EQ(bad.path(), "RopReloadCachedInformation.SubjectPrefix.StringType");
  EXPECT_EQ(bad.offset(), 7u);

  // A reduced Unicode string cannot hold characters from U+0100 on, and None/Empty hold no text.
  RopReloadCachedInformation::Response r;
  r.message.normalized_subject = {string_type::ReducedUnicode, "日本"};
  ByteWriter w;
  EXPECT_THROW(encode_response(w, r), EncodeError);
  r.message.normalized_subject = {string_type::Empty, "x"};
  ByteWriter w2;
  EXPECT_THROW(encode_response(w2, r), EncodeError);
}

TEST(RopMessage, ModifyRecipientsRowsFollowTheRequestColumnsAndSizeZeroDeletes) {
  Bytes b = from_hex(std::string("0E 00 01"  // RopId, LogonId, InputHandleIndex
                                 "0200 0300150C 1F00F65F"  // ColumnCount, RecipientColumns
                                 "0200"                       // RowCount
                                 "00000000 01 1700") +        // RowId 0, To, RecipientRowSize 23
                     kSmtpUnicodeRow +
                     "03000000 03 0000");  // RowId 3, Bcc, RecipientRowSize 0: delete
  auto v = decode_request_as<RopModifyRecipients::Request>(b, no_context());
  ASSERT_EQ(v.recipient_rows.size(), 2u);
  ASSERT_TRUE(v.recipient_rows[0].recipient_row);
  EXPECT_EQ(v.recipient_rows[0].recipient_row->email_address, "a@b");
  EXPECT_EQ(v.recipient_rows[0].recipient_row->recipient_properties.cells[0].value, PropertyValue::int32(1));
  EXPECT_EQ(v.recipient_rows[1].row_id, 3u);
  EXPECT_EQ(v.recipient_rows[1].recipient_type, recipient_type::Bcc);
  EXPECT_FALSE(v.recipient_rows[1].recipient_row);
}

TEST(RopMessage, ReadRecipientsNeedsTheMessageRecipientColumns) {
  Bytes b = from_hex("0F 00 00000000 01 00000000 01 0000 0000 0500 0300 0000 00");
  DecodeError e = response_error(b, no_context());
  EXPECT_EQ(e.path(), "RopReadRecipients.RecipientRows");
  EXPECT_NE(std::string(e.what()).find("RecipientColumns"), std::string::npos) << e.what();
  // Encoding a row without its column set fails the same way instead of reading through a null set.
  RopReadRecipients::Response r;
  r.recipient_rows.resize(1);
  ByteWriter w;
  EXPECT_THROW(encode_response(w, r), EncodeError);
}

TEST(RopMessage, SetMessageReadFlagRequestFollowsTheLogon) {
  ResponseContext pub, priv;
  pub.logon_flags = 0;
  priv.logon_flags = logon_flags::Private;
  Bytes client_data(24);
  for (size_t i = 0; i < client_data.size(); ++i) client_data[i] = static_cast<uint8_t>(i + 1);
  Bytes with = from_hex("11 00 01 02 01");
  with.insert(with.end(), client_data.begin(), client_data.end());
  auto v = decode_request_as<RopSetMessageReadFlag::Request>(with, pub);
  ASSERT_TRUE(v.client_data);
  EXPECT_EQ(Bytes(v.client_data->begin(), v.client_data->end()), client_data);
  EXPECT_EQ(v.read_flags, 0x01);
  auto p = decode_request_as<RopSetMessageReadFlag::Request>(from_hex("11 00 01 02 01"), priv);
  EXPECT_FALSE(p.client_data);
  // Without knowing the logon the decoder refuses rather than guessing.
  DecodeError e = request_error(with, no_context());
  EXPECT_EQ(e.path(), "RopSetMessageReadFlag.ClientData");
  EXPECT_NE(std::string(e.what()).find("LogonFlags"), std::string::npos) << e.what();

  // In a request buffer the LogonFlags come from the RopLogon earlier in it (LogonId 0, public).
  RopRequestBuffer buffer;
  RopLogon::Request logon;
  logon.logon_flags = 0;
  logon.essdn = "/o=Org/ou=Site/cn=Recipients/cn=User";
  buffer.rops.push_back(logon);
  buffer.rops.push_back(v);
  buffer.handles = {0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF};
  Bytes bytes = encode_request_buffer(buffer);
  EXPECT_EQ(decode_request_buffer(bytes), buffer);
  // A later buffer knows it through the session's LogonFlagsState.
  LogonFlagsState logons;
  decode_request_buffer(bytes, &logons);
  RopRequestBuffer later;
  later.rops.push_back(v);
  later.handles = buffer.handles;
  Bytes later_bytes = encode_request_buffer(later);
  EXPECT_EQ(decode_request_buffer(later_bytes, &logons), later);
  EXPECT_THROW(decode_request_buffer(later_bytes), DecodeError);
}

TEST(RopMessage, SetMessageReadFlagResponseEchoesOnlyWhenTheStatusChanged) {
  Bytes changed = from_hex("11 03 00000000 01 05");
  for (int i = 0; i < 24; ++i) changed.push_back(static_cast<uint8_t>(0xA0 + i));
  auto v = decode_response_as<RopSetMessageReadFlag::Response>(changed, no_context());
  EXPECT_EQ(v.response_handle_index, 3);
  EXPECT_EQ(v.logon_id, 5);
  EXPECT_EQ(v.client_data[23], 0xA0 + 23);
  auto same = decode_response_as<RopSetMessageReadFlag::Response>(from_hex("11 03 00000000 00"), no_context());
  EXPECT_EQ(same.read_status_changed, 0);
  // Failure: ResponseHandleIndex and ReturnValue only.
  decode_response_as<RopSetMessageReadFlag::Response>(from_hex("11 03 0F010480"), no_context());
}

TEST(RopMessage, GetMessageStatusIsAnsweredByASetMessageStatusResponse) {
  RopRequestBuffer request;
  RopGetMessageStatus::Request status_request;
  status_request.input_handle_index = 0;
  status_request.message_id = ObjectId{1, 0x1234}.to_wire_u64();
  request.rops.push_back(status_request);
  request.handles = {0x10};
  // RopId 0x20, InputHandleIndex, ReturnValue, MessageStatusFlags msInConflict.
  Bytes response = from_hex("0C00 20 00 00000000 00080000 10000000");
  RopResponseBuffer out = decode_response_buffer(response, request);
  ASSERT_EQ(out.rops.size(), 1u);
  EXPECT_EQ(get<RopSetMessageStatus::Response>(out.rops[0]).message_status_flags, 0x800u);
  EXPECT_EQ(encode_response_buffer(out), response);
  // A response carrying RopId 0x1F is not one the spec allows.
  Bytes wrong = from_hex("0C00 1F 00 00000000 00080000 10000000");
  EXPECT_THROW(decode_response_buffer(wrong, request), DecodeError);
}

TEST(RopMessage, ResponseBufferCarriesRecipientColumnsFromOpenMessageToReadRecipients) {
  RopRequestBuffer request;
  RopOpenMessage::Request open;
  open.output_handle_index = 1;
  request.rops.push_back(open);
  RopReadRecipients::Request read;
  read.input_handle_index = 1;
  request.rops.push_back(read);
  request.handles = {0x10, 0xFFFFFFFF};

  ByteWriter rops;
  rops.bytes(open_message_response());
  // RopReadRecipients with one row whose properties cover both announced columns.
  rops.bytes(from_hex(std::string("0F 01 00000000 01 00000000 01 E404 0000 1B00") +
                      "1B02 6100 4000 6200 0000 4100 6C00 0000 0200 00 01000000 4200 0000"));
  ByteWriter buffer;
  buffer.u16(static_cast<uint16_t>(rops.size() + 2));
  buffer.bytes(rops.view());
  buffer.u32(0x10);
  buffer.u32(0x20);
  TableColumnsState state;
  RopResponseBuffer out = decode_response_buffer(buffer.view(), request, &state);
  auto& rr = get<RopReadRecipients::Response>(out.rops[1]);
  ASSERT_EQ(rr.recipient_rows.size(), 1u);
  EXPECT_EQ(rr.recipient_rows[0].recipient_row.recipient_properties.cells[1].value, PropertyValue::string("B"));
  EXPECT_EQ(encode_response_buffer(out), Bytes(buffer.view().begin(), buffer.view().end()));
  // The message's server handle keeps its recipient columns for later buffers.
  ASSERT_TRUE(state.columns_by_handle.count(0x20));
  EXPECT_EQ(state.columns_by_handle[0x20]->size(), 2u);
}

TEST(RopMessage, ValidAttachmentsAndCreateMessageShapes) {
  auto v = decode_response_as<RopGetValidAttachments::Response>(from_hex("52 00 00000000 0200 00000000 03000000"),
                                                                no_context());
  EXPECT_EQ(v.attachment_ids, (std::vector<uint32_t>{0, 3}));
  auto created = decode_response_as<RopCreateMessage::Response>(from_hex("06 01 00000000 00"), no_context());
  EXPECT_EQ(created.has_message_id, 0);
  auto with_id = decode_response_as<RopCreateMessage::Response>(from_hex("06 01 00000000 01 0001 000000001234"),
                                                                no_context());
  EXPECT_EQ(with_id.message_id, 0x3412000000000100ull);
  auto saved = decode_response_as<RopSaveChangesMessage::Response>(
      from_hex("0C 02 00000000 01 0001000000001234"), no_context());
  EXPECT_EQ(saved.response_handle_index, 2);
  EXPECT_EQ(saved.input_handle_index, 1);
  auto read_flags = decode_response_as<RopSetReadFlags::Response>(from_hex("66 00 05000780 01"), no_context());
  EXPECT_EQ(read_flags.partial_completion, 1);
}

// ---- hostile input -------------------------------------------------------------------------------

TEST(RopMessageMalformed, RecipientRowSizeBeyondTheBytes) {
  Bytes b = open_message_response();
  b.resize(b.size() - 10);  // RecipientRowSize says 23, 13 are left
  DecodeError e = response_error(b, no_context());
  EXPECT_EQ(e.path(), "RopOpenMessage.RecipientRows[0].RecipientRowSize");
  EXPECT_EQ(e.offset(), 42u);
}

TEST(RopMessageMalformed, RecipientRowSizeDisagreesWithTheRow) {
  Bytes b = open_message_response();
  const size_t size_at = 40;
  ASSERT_EQ(b[size_at], 0x17);
  // One byte short: the row's last value runs out inside its size.
  b[size_at] = 0x16;
  b.push_back(0);
  DecodeError shorter = response_error(b, no_context());
  EXPECT_EQ(shorter.path().rfind("RopOpenMessage.RecipientRows[0].RecipientRow.RecipientProperties", 0), 0u)
      << shorter.path();
  // One byte long: a trailing byte inside the size is refused.
  b[size_at] = 0x18;
  DecodeError longer = response_error(b, no_context());
  EXPECT_EQ(longer.path(), "RopOpenMessage.RecipientRows[0].RecipientRowSize");
  EXPECT_NE(std::string(longer.what()).find("trailing"), std::string::npos) << longer.what();
}

TEST(RopMessageMalformed, RowCountBeyondTheBytes) {
  Bytes b = open_message_response();
  b[34] = 0x09;  // RowCount 9 with one row present
  DecodeError e = response_error(b, no_context());
  EXPECT_EQ(e.path(), "RopOpenMessage.RecipientRows");
  EXPECT_NE(std::string(e.what()).find("count 9"), std::string::npos) << e.what();
}

TEST(RopMessageMalformed, RecipientColumnCountBeyondTheColumns) {
  Bytes b = open_message_response();
  b[42 + 2 + 8 + 6] = 0x03;  // RecipientColumnCount 3 of 2 RecipientColumns
  DecodeError e = response_error(b, no_context());
  EXPECT_EQ(e.path(), "RopOpenMessage.RecipientRows[0].RecipientRow.RecipientColumnCount");
  EXPECT_EQ(e.offset(), 58u);
}

TEST(RopMessageMalformed, UnterminatedRecipientString) {
  // DisplayName (D set, U clear) runs to the end of its RecipientRowSize without a NUL.
  ResponseContext context;
  context.recipient_columns = std::make_shared<const std::vector<PropTag>>();
  Bytes b = from_hex("0F 00 00000000 01 00000000 01 0000 0000 0600 1000 41424344");
  DecodeError e = response_error(b, context);
  EXPECT_EQ(e.path(), "RopReadRecipients.RecipientRows[0].RecipientRow.DisplayName");
}

TEST(RopMessageMalformed, AttachmentIdCountBeyondTheBytes) {
  DecodeError e = response_error(from_hex("52 00 00000000 FFFF 01000000"), no_context());
  EXPECT_EQ(e.path(), "RopGetValidAttachments.AttachmentIdArray");
  EXPECT_EQ(e.offset(), 8u);
}

}  // namespace
}  // namespace exmapi::rop
