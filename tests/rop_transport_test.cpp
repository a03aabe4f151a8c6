// Transport (MS-OXCROPS 2.2.7), RopWritePerUserInformation (2.2.3.13), permission (2.2.10) and rule
// (2.2.11) ROPs: bytes assembled from the spec's field tables, plus the rules-table response of
// MS-OXORULE 4.2.2, decode to the stated values and re-encode to the same bytes; broken bytes fail
// with the offset and field path.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "rop/rop_buffer.hpp"
#include "rop/rule_action.hpp"
#include "test_support.hpp"

namespace exmapi::rop {
namespace {

using test::from_hex;

// IDs carry the ReplicaId little-endian, then the GlobalCounter most significant byte first.
uint64_t id_of(uint16_t replica, uint64_t counter) { return ObjectId{replica, counter}.to_wire_u64(); }

// Decodes one request, checks it used every byte and re-encodes to them.
RopRequest request(std::string_view hex, const ResponseContext* context = nullptr) {
  Bytes bytes = from_hex(hex);
  ByteReader r(bytes);
  RopRequest rop = decode_request(r, context);
  EXPECT_TRUE(r.empty()) << to_json(rop);
  ByteWriter w;
  encode_request(w, rop);
  EXPECT_EQ(test::to_hex(w.view()), test::to_hex(bytes));
  EXPECT_FALSE(nlohmann::json::parse(to_json(rop), nullptr, false).is_discarded()) << to_json(rop);
  return rop;
}

RopResponse response(std::string_view hex, const ResponseContext* context = nullptr) {
  Bytes bytes = from_hex(hex);
  ByteReader r(bytes);
  RopResponse rop = decode_response(r, context);
  EXPECT_TRUE(r.empty()) << to_json(rop);
  ByteWriter w;
  encode_response(w, rop);
  EXPECT_EQ(test::to_hex(w.view()), test::to_hex(bytes));
  EXPECT_FALSE(nlohmann::json::parse(to_json(rop), nullptr, false).is_discarded()) << to_json(rop);
  return rop;
}

DecodeError request_error(std::string_view hex, const ResponseContext* context = nullptr) {
  Bytes bytes = from_hex(hex);
  ByteReader r(bytes);
  try {
    RopRequest rop = decode_request(r, context);
    ADD_FAILURE() << "decoded: " << to_json(rop);
  } catch (const DecodeError& e) {
    return e;
  }
  return DecodeError(0, "", "");
}

DecodeError response_error(std::string_view hex, const ResponseContext* context = nullptr) {
  Bytes bytes = from_hex(hex);
  ByteReader r(bytes);
  try {
    RopResponse rop = decode_response(r, context);
    ADD_FAILURE() << "decoded: " << to_json(rop);
  } catch (const DecodeError& e) {
    return e;
  }
  return DecodeError(0, "", "");
}

// ---- transport -------------------------------------------------------------------------------------

TEST(RopTransport, SubmitAbortSpoolerRequests) {
  auto submit = get<RopSubmitMessage::Request>(request("32 00 01 02"));
  EXPECT_EQ(submit.input_handle_index, 1);
  EXPECT_EQ(submit.submit_flags, 0x02);  // NeedsSpooler

  auto abort = get<RopAbortSubmit::Request>(request("34 00 01 0100 445566000000 0100 778899000000"));
  EXPECT_EQ(abort.folder_id, id_of(1, 0x445566000000));
  EXPECT_EQ(abort.message_id, id_of(1, 0x778899000000));

  auto set = get<RopSetSpooler::Request>(request("47 00 03"));
  EXPECT_EQ(set.input_handle_index, 3);
  auto lock = get<RopSpoolerLockMessage::Request>(request("48 00 01 0100 000000000A00 02"));
  EXPECT_EQ(lock.message_id, id_of(1, 0x0A00));
  EXPECT_EQ(lock.lock_state, 0x02);  // lstFinished

  auto plain = get<RopSubmitMessage::Response>(response("32 01 00000000"));
  EXPECT_EQ(plain.return_value, ec::Success);
  EXPECT_EQ(get<RopSpoolerLockMessage::Response>(response("48 01 02010480")).return_value, ec::NotSupported);
}

TEST(RopTransport, GetAddressTypesStringsFillTheirSize) {
  auto rop = get<RopGetAddressTypes::Response>(response("49 00 00000000 0200 0800 534D545000 455800"));
  EXPECT_EQ(rop.address_types, (std::vector<std::string>{"SMTP", "EX"}));
  EXPECT_EQ(get<RopGetAddressTypes::Response>(response("49 00 0F010480")).address_types.size(), 0u);

  // AddressTypeSize 9 over strings of 8 bytes and one more byte.
  DecodeError e = response_error("49 00 00000000 0200 0900 534D545000 455800 00");
  EXPECT_EQ(e.path(), "RopGetAddressTypes.AddressTypeSize") << e.what();
  // Three strings announced, two in the region: the third has no bytes left.
  DecodeError e2 = response_error("49 00 00000000 0300 0800 534D545000 455800");
  EXPECT_EQ(e2.path(), "RopGetAddressTypes.AddressTypes[2]") << e2.what();
  EXPECT_EQ(e2.offset(), 18u);
}

TEST(RopTransport, TransportSendPropertiesOnlyWhenReturned) {
  // NoPropertiesReturned 0: PropertyValueCount 1, PidTagSubject "Hi".
  auto with = get<RopTransportSend::Response>(response("4A 00 00000000 00 0100 1F003700 480069000000"));
  EXPECT_EQ(with.no_properties_returned, 0);
  ASSERT_EQ(with.property_values.size(), 1u);
  EXPECT_EQ(with.property_values[0].tag, 0x0037001Fu);
  EXPECT_EQ(with.property_values[0].value.as_string(), "Hi");
  auto without = get<RopTransportSend::Response>(response("4A 00 00000000 01"));
  EXPECT_EQ(without.no_properties_returned, 1);
  EXPECT_TRUE(without.property_values.empty());
  EXPECT_EQ(request_error("4A 00").path(), "RopTransportSend.InputHandleIndex");
  DecodeError e = response_error("4A 00 00000000 00 0200 1F003700 480069000000");
  EXPECT_EQ(e.path().rfind("RopTransportSend.PropertyValues[1]", 0), 0u) << e.path();
  EXPECT_EQ(e.offset(), 19u);
}

TEST(RopTransport, TransportNewMailAndTransportFolder) {
  auto mail = get<RopTransportNewMail::Request>(
      request("51 00 01 0100 112233000000 0100 445566000000 49504D2E4E6F746500 01000000"));
  EXPECT_EQ(mail.message_id, id_of(1, 0x112233000000));
  EXPECT_EQ(mail.folder_id, id_of(1, 0x445566000000));
  EXPECT_EQ(mail.message_class, "IPM.Note");
  EXPECT_EQ(mail.message_flags, 0x00000001u);  // mfRead
  DecodeError e = request_error("51 00 01 0100 112233000000 0100 445566000000 49504D2E");
  EXPECT_EQ(e.path(), "RopTransportNewMail.MessageClass") << e.what();

  auto folder = get<RopGetTransportFolder::Response>(response("6D 00 00000000 0100 0000000A0B0C"));
  EXPECT_EQ(folder.folder_id, id_of(1, 0x0A0B0C));
  EXPECT_EQ(get<RopGetTransportFolder::Response>(response("6D 00 02010480")).folder_id, 0u);
}

TEST(RopTransport, OptionsDataHelpFileNameFollowsANonEmptyHelpFile) {
  auto req = get<RopOptionsData::Request>(request("6F 00 01 534D545000 01"));
  EXPECT_EQ(req.address_type, "SMTP");
  EXPECT_EQ(req.want_win32, 1);
  auto help = get<RopOptionsData::Response>(response("6F 01 00000000 01 0000 0300 AABBCC 736D74702E686C7000"));
  EXPECT_EQ(help.reserved, 1);
  EXPECT_TRUE(help.options_info.empty());
  EXPECT_EQ(help.help_file, (Bytes{0xAA, 0xBB, 0xCC}));
  EXPECT_EQ(help.help_file_name, "smtp.hlp");
  auto none = get<RopOptionsData::Response>(response("6F 01 00000000 01 0200 0102 0000"));
  EXPECT_EQ(none.options_info, (Bytes{1, 2}));
  EXPECT_EQ(none.help_file_name, "");
  DecodeError e = response_error("6F 01 00000000 01 0000 0100 AA");
  EXPECT_EQ(e.path(), "RopOptionsData.HelpFileName") << e.what();
  EXPECT_EQ(e.offset(), 12u);
}

// ---- RopWritePerUserInformation: ReplGuid depends on the logon ---------------------------------------

constexpr std::string_view kWritePerUserHead =
    "64 00 01"
    " 000102030405060708090A0B0C0D0E0F 112233445566 0000"  // FolderId: LongTermID
    " 01";                                                    // HasFinished
constexpr std::string_view kReplGuid = "F0E0D0C0B0A090807060504030201000";

TEST(RopTransport, WritePerUserInformationReplGuidOnlyForPrivateLogonsAtOffsetZero) {
  std::string first = std::string(kWritePerUserHead) + " 00000000 0200 ABCD " + std::string(kReplGuid);
  ResponseContext priv;
  priv.logon_flags = logon_flags::Private;
  auto rop = get<RopWritePerUserInformation::Request>(request(first, &priv));
  EXPECT_EQ(rop.folder_id.gid.global_counter, 0x112233445566u);
  EXPECT_EQ(rop.has_finished, 1);
  EXPECT_EQ(rop.data, (Bytes{0xAB, 0xCD}));
  EXPECT_EQ(rop.logon_flags, logon_flags::Private);
  EXPECT_EQ(rop.repl_guid.bytes[0], 0xF0);

  // A public folders logon: no ReplGuid, so its 16 bytes are left over.
  ResponseContext pub;
  pub.logon_flags = 0;
  auto public_rop = get<RopWritePerUserInformation::Request>(
      request(std::string(kWritePerUserHead) + " 00000000 0200 ABCD", &pub));
  EXPECT_EQ(public_rop.repl_guid, Guid{});

  // DataOffset not 0: no ReplGuid whatever the logon, and no context needed.
  auto later = get<RopWritePerUserInformation::Request>(request(std::string(kWritePerUserHead) + " 00100000 0100 EE"));
  EXPECT_EQ(later.data_offset, 0x1000u);

  // At offset 0 without the logon's flags the decoder refuses rather than guessing.
  DecodeError e = request_error(std::string(kWritePerUserHead) + " 00000000 0200 ABCD " + std::string(kReplGuid));
  EXPECT_EQ(e.path(), "RopWritePerUserInformation.ReplGuid") << e.what();
  EXPECT_EQ(e.offset(), 36u);
  EXPECT_NE(std::string(e.what()).find("RopLogon"), std::string::npos) << e.what();
}

TEST(RopTransport, RequestBuffersTrackLogonFlagsByLogonId) {
  // RopLogon (LogonId 0, Private) then RopWritePerUserInformation on LogonId 0.
  std::string logon = "FE 00 00 01 00000000 00000000 0000";
  std::string write = std::string(kWritePerUserHead) + " 00000000 0100 AB " + std::string(kReplGuid);
  Bytes rops = from_hex(logon + write);
  ByteWriter w;
  w.u16(static_cast<uint16_t>(rops.size() + 2));
  w.bytes(rops);
  w.u32(0xFFFFFFFF);
  LogonFlagsState logons;
  RopRequestBuffer buffer = decode_request_buffer(w.view(), &logons);
  ASSERT_EQ(buffer.rops.size(), 2u);
  EXPECT_EQ(get<RopWritePerUserInformation::Request>(buffer.rops[1]).repl_guid.bytes[15], 0x00);
  EXPECT_EQ(encode_request_buffer(buffer), Bytes(w.view().begin(), w.view().end()));
  EXPECT_EQ(logons.flags_by_logon_id.at(0), logon_flags::Private);

  // A later buffer on the same logon decodes with the state; without it, it fails naming the field.
  Bytes alone_rops = from_hex(write);
  ByteWriter w2;
  w2.u16(static_cast<uint16_t>(alone_rops.size() + 2));
  w2.bytes(alone_rops);
  w2.u32(0x12);
  EXPECT_EQ(decode_request_buffer(w2.view(), &logons).rops.size(), 1u);
  try {
    decode_request_buffer(w2.view());
    FAIL();
  } catch (const DecodeError& e) {
    EXPECT_EQ(e.path(), "RopsList[0].RopWritePerUserInformation.ReplGuid") << e.what();
    EXPECT_EQ(e.offset(), 2u + 35);
  }
}

// ---- permissions ---------------------------------------------------------------------------------------

TEST(RopPermissionRule, GetPermissionsTable) {
  auto req = get<RopGetPermissionsTable::Request>(request("3E 00 01 02 02"));
  EXPECT_EQ(req.input_handle_index, 1);
  EXPECT_EQ(req.output_handle_index, 2);
  EXPECT_EQ(req.table_flags, 0x02);  // IncludeFreeBusy
  EXPECT_EQ(get<RopGetPermissionsTable::Response>(response("3E 02 00000000")).handle_index, 2);
}

TEST(RopPermissionRule, ModifyPermissionsAddsARow) {
  // ModifyFlags 0, one PermissionData: AddRow with PidTagEntryId (4 bytes) and PidTagMemberRights 0x47B.
  auto rop = get<RopModifyPermissions::Request>(
      request("40 00 01 00 0100  01 0200 0201FF0F 0400 00000000 03007366 7B040000"));
  ASSERT_EQ(rop.permissions_data.size(), 1u);
  const PermissionData& d = rop.permissions_data[0];
  EXPECT_EQ(d.flags, 0x01);  // AddRow
  ASSERT_EQ(d.property_values.size(), 2u);
  EXPECT_EQ(d.property_values[0].tag, 0x0FFF0102u);
  EXPECT_EQ(d.property_values[1].tag, 0x66730003u);
  EXPECT_EQ(d.property_values[1].value.as_int32(), 0x47B);
  EXPECT_NE(to_json(rop).find("\"PermissionDataFlags\":1"), std::string::npos) << to_json(rop);

  DecodeError e = request_error("40 00 01 00 0200  01 0200 0201FF0F 0400 00000000 03007366 7B040000");
  EXPECT_EQ(e.path(), "RopModifyPermissions.PermissionsData[1].PermissionDataFlags") << e.what();
  EXPECT_EQ(e.offset(), 27u);
}

// ---- rules ---------------------------------------------------------------------------------------------

TEST(RopPermissionRule, GetRulesTableResponseOfMsOxorule422) {
  // MS-OXORULE 4.2.2: "3f 01 00 00 00 00".
  auto rop = get<RopGetRulesTable::Response>(response("3f 01 00 00 00 00"));
  EXPECT_EQ(rop.handle_index, 1);
  EXPECT_EQ(rop.return_value, ec::Success);
  auto req = get<RopGetRulesTable::Request>(request("3F 00 00 01 40"));
  EXPECT_EQ(req.table_flags, 0x40);  // Unicode
}

TEST(RopPermissionRule, ModifyRulesCarriesRestrictionAndRuleActionValues) {
  // One ROW_ADD rule: PidTagRuleCondition = Exist(PidTagSubject), PidTagRuleActions = one OP_MARK_AS_READ,
  // PidTagRuleSequence = 10.
  auto rop = get<RopModifyRules::Request>(request(
      "41 00 01 00 0100"
      " 01 0300"
      " FD007966 08 1F003700"
      " FE008066 0100 0900 0B 00000000 00000000"
      " 03007666 0A000000"));
  ASSERT_EQ(rop.rules_data.size(), 1u);
  const RuleData& rule = rop.rules_data[0];
  EXPECT_EQ(rule.flags, 0x01);  // ROW_ADD
  ASSERT_EQ(rule.property_values.size(), 3u);
  const Restriction& condition = rule.property_values[0].value.as_restriction();
  ASSERT_TRUE(std::holds_alternative<ExistRestriction>(condition.node));
  EXPECT_EQ(std::get<ExistRestriction>(condition.node).tag, 0x0037001Fu);
  const RuleActions& actions = rule.property_values[1].value.as_rule_actions();
  ASSERT_EQ(actions.actions.size(), 1u);
  EXPECT_EQ(actions.actions[0].action_type, static_cast<uint8_t>(ActionType::MarkAsRead));
  EXPECT_EQ(rule.property_values[2].value.as_int32(), 10);

  // The ActionBlock claims 10 bytes but OP_MARK_AS_READ has no ActionData: the error names the value.
  DecodeError e = request_error(
      "41 00 01 00 0100 01 0200 FD007966 08 1F003700 FE008066 0100 0A00 0B 00000000 00000000 00");
  EXPECT_EQ(e.path().rfind("RopModifyRules.RulesData[0].PropertyValues[1]", 0), 0u) << e.path() << ": " << e.what();
}

TEST(RopPermissionRule, UpdateDeferredActionMessages) {
  auto rop = get<RopUpdateDeferredActionMessages::Request>(request("57 00 01 0300 AABBCC 0200 DDEE"));
  EXPECT_EQ(rop.server_entry_id, (Bytes{0xAA, 0xBB, 0xCC}));
  EXPECT_EQ(rop.client_entry_id, (Bytes{0xDD, 0xEE}));
  DecodeError e = request_error("57 00 01 0300 AABBCC 0300 DDEE");
  EXPECT_EQ(e.path(), "RopUpdateDeferredActionMessages.ClientEntryId") << e.what();
  EXPECT_EQ(e.offset(), 10u);
  EXPECT_EQ(get<RopUpdateDeferredActionMessages::Response>(response("57 01 00000000")).handle_index, 1);
}

}  // namespace
}  // namespace exmapi::rop
