// FastTransfer and ICS ROPs (MS-OXCROPS 2.2.12, 2.2.13) from bytes laid out field by field as the
// spec's tables give them, and their malformed forms.
#include <gtest/gtest.h>

#include "rop/rop_buffer.hpp"
#include "test_support.hpp"

namespace exmapi::rop {
namespace {

using test::from_hex;
using test::to_hex;

template <class T>
T request_of(const Bytes& b) {
  ByteReader r(b);
  RopRequest rop = decode_request(r);
  EXPECT_TRUE(r.empty()) << r.remaining() << " bytes left";
  ByteWriter w;
  encode_request(w, rop);
  EXPECT_EQ(to_hex(w.view()), to_hex(b));
  return get<T>(rop);
}

template <class T>
T response_of(const Bytes& b) {
  ByteReader r(b);
  RopResponse rop = decode_response(r, nullptr);
  EXPECT_TRUE(r.empty()) << r.remaining() << " bytes left";
  ByteWriter w;
  encode_response(w, rop);
  EXPECT_EQ(to_hex(w.view()), to_hex(b));
  return get<T>(rop);
}

DecodeError request_error(const Bytes& b) {
  ByteReader r(b);
  try {
    decode_request(r);
  } catch (const DecodeError& e) {
    return e;
  }
  ADD_FAILURE() << "decoded: " << to_hex(b);
  return DecodeError(0, "", "");
}

DecodeError response_error(const Bytes& b) {
  ByteReader r(b);
  try {
    decode_response(r, nullptr);
  } catch (const DecodeError& e) {
    return e;
  }
  ADD_FAILURE() << "decoded: " << to_hex(b);
  return DecodeError(0, "", "");
}

TEST(RopFastTransfer, GetBufferRequestMaximumOnlyBehindBabe) {
  // RopId, LogonId, InputHandleIndex, BufferSize 0xBABE, MaximumBufferSize 0x8000.
  auto babe = request_of<RopFastTransferSourceGetBuffer::Request>(from_hex("4E 00 02 BEBA 0080"));
  EXPECT_EQ(babe.input_handle_index, 2);
  EXPECT_EQ(babe.buffer_size, kGetBufferUseMaximum);
  EXPECT_EQ(babe.maximum_buffer_size, 0x8000);
  // Any other BufferSize ends the request.
  auto plain = request_of<RopFastTransferSourceGetBuffer::Request>(from_hex("4E 00 02 783C"));
  EXPECT_EQ(plain.buffer_size, 15480);
  EXPECT_EQ(request_error(from_hex("4E 00 02 BEBA 00")).path(), "RopFastTransferSourceGetBuffer.MaximumBufferSize");
}

TEST(RopFastTransfer, GetBufferResponseShapes) {
  // Success: TransferStatus Partial, InProgressCount 1, TotalStepCount 2, Reserved, 3 bytes.
  auto ok = response_of<RopFastTransferSourceGetBuffer::Response>(
      from_hex("4E 01 00000000 0100 0100 0200 00 0300 030009"));
  EXPECT_EQ(ok.transfer_status, transfer_status::Partial);
  EXPECT_EQ(ok.in_progress_count, 1);
  EXPECT_EQ(ok.total_step_count, 2);
  EXPECT_EQ(to_hex(ok.transfer_buffer), to_hex(from_hex("030009")));
  // ecServerBusy: TransferBufferSize is there, TransferBuffer is not, BackoffTime (ms) follows.
  auto busy = response_of<RopFastTransferSourceGetBuffer::Response>(
      from_hex("4E 01 80040000 0000 0000 0000 00 0000 E8030000"));
  EXPECT_EQ(busy.return_value, ec::ServerBusy);
  EXPECT_EQ(busy.backoff_time, 1000u);
  EXPECT_TRUE(busy.transfer_buffer.empty());
  // Any other failure keeps the success layout (TransferStatus Error, an empty buffer).
  auto failed = response_of<RopFastTransferSourceGetBuffer::Response>(
      from_hex("4E 01 05400080 0000 0000 0000 00 0000"));
  EXPECT_EQ(failed.transfer_status, transfer_status::Error);
  EXPECT_EQ(failed.backoff_time, 0u);
  // TransferBufferSize claiming more than is there.
  DecodeError e = response_error(from_hex("4E 01 00000000 0300 0000 0000 00 0500 0102"));
  EXPECT_EQ(e.path(), "RopFastTransferSourceGetBuffer.TransferBuffer");
  EXPECT_EQ(e.offset(), 15u);
  // ecServerBusy without its BackoffTime.
  EXPECT_EQ(response_error(from_hex("4E 01 80040000 0000 0000 0000 00 0000 E803")).path(),
            "RopFastTransferSourceGetBuffer.BackoffTime");
}

TEST(RopFastTransfer, PutBufferResponsesCounterWidths) {
  auto put = response_of<RopFastTransferDestinationPutBuffer::Response>(
      from_hex("54 00 00000000 0300 0500 0600 00 1000"));
  EXPECT_EQ(put.transfer_status, transfer_status::Done);
  EXPECT_EQ(put.in_progress_count, 5);
  EXPECT_EQ(put.total_step_count, 6);
  EXPECT_EQ(put.buffer_used_size, 16);
  auto ext = response_of<RopFastTransferDestinationPutBufferExtended::Response>(
      from_hex("9D 00 0F010480 0000 05000100 06000100 00 0800"));
  EXPECT_EQ(ext.return_value, 0x8004010Fu);
  EXPECT_EQ(ext.in_progress_count, 0x00010005u);
  EXPECT_EQ(ext.total_step_count, 0x00010006u);
  EXPECT_EQ(ext.buffer_used_size, 8);
  auto req = request_of<RopFastTransferDestinationPutBufferExtended::Request>(from_hex("9D 00 01 0300 03000C"));
  EXPECT_EQ(to_hex(req.transfer_data), to_hex(from_hex("03000C")));
}

TEST(RopFastTransfer, SourceRequests) {
  auto copy_to = request_of<RopFastTransferSourceCopyTo::Request>(
      from_hex("4D 00 00 01 00 10000000 01 0200 1F003700 0300070E"));
  EXPECT_EQ(copy_to.copy_flags, 0x10u);  // BestBody, in a 4-byte CopyFlags
  EXPECT_EQ(copy_to.send_options, 1);
  EXPECT_EQ(copy_to.property_tags, (std::vector<PropTag>{0x0037001F, 0x0E070003}));
  auto props = request_of<RopFastTransferSourceCopyProperties::Request>(
      from_hex("69 00 00 01 01 01 03 0100 1F003700"));
  EXPECT_EQ(props.level, 1);
  EXPECT_EQ(props.copy_flags, 1);  // a 1-byte CopyFlags
  EXPECT_EQ(props.send_options, 3);
  auto messages = request_of<RopFastTransferSourceCopyMessages::Request>(
      from_hex("4B 00 00 01 0200 0100000000000A00 0100000000000B00 10 01"));
  EXPECT_EQ(messages.message_ids.size(), 2u);
  EXPECT_EQ(messages.copy_flags, 0x10);
  auto folder = request_of<RopFastTransferSourceCopyFolder::Request>(from_hex("4C 00 00 01 10 04"));
  EXPECT_EQ(folder.copy_flags, 0x10);
  EXPECT_EQ(folder.send_options, 4);
  auto configure = request_of<RopFastTransferDestinationConfigure::Request>(from_hex("53 00 00 01 03 01"));
  EXPECT_EQ(configure.source_operation, fast_transfer_source_operation::CopyMessages);
  auto version = request_of<RopTellVersion::Request>(from_hex("86 00 01 0F00 0000 4E02"));
  EXPECT_EQ(version.version, (std::array<uint16_t, 3>{15, 0, 590}));
  EXPECT_EQ(response_of<RopFastTransferSourceCopyTo::Response>(from_hex("4D 01 00000000")).handle_index, 1);
}

TEST(RopSync, ConfigureWithRestrictionAndTags) {
  // Contents, Unicode send option, flags 0x0001, an ExistRestriction on PidTagSubject (5 bytes),
  // extra flags Eid|CN, one tag.
  auto c = request_of<RopSynchronizationConfigure::Request>(
      from_hex("70 00 00 01 01 01 0100 0500 08 1F003700 05000000 0100 0300070E"));
  EXPECT_EQ(c.synchronization_type, synchronization_type::Contents);
  ASSERT_TRUE(c.restriction.has_value());
  EXPECT_EQ(c.synchronization_extra_flags, 5u);
  EXPECT_EQ(c.property_tags, (std::vector<PropTag>{0x0E070003}));
  auto none = request_of<RopSynchronizationConfigure::Request>(from_hex("70 00 00 01 02 00 0000 0000 00000000 0000"));
  EXPECT_FALSE(none.restriction.has_value());
  EXPECT_EQ(request_error(from_hex("70 00 00 01 01 01 0100 0600 08 1F003700 00")).path(),
            "RopSynchronizationConfigure.RestrictionDataSize");
}

TEST(RopSync, ImportChangesCarryTaggedValues) {
  auto msg = request_of<RopSynchronizationImportMessageChange::Request>(
      from_hex("72 00 00 01 10 0100 0300070E 2A000000"));
  EXPECT_EQ(msg.import_flag, 0x10);
  ASSERT_EQ(msg.property_values.size(), 1u);
  EXPECT_EQ(msg.property_values[0].value.as_int32(), 42);
  auto ok = response_of<RopSynchronizationImportMessageChange::Response>(from_hex("72 01 00000000 0000000000000000"));
  EXPECT_EQ(ok.message_id, 0u);
  EXPECT_EQ(response_of<RopSynchronizationImportMessageChange::Response>(from_hex("72 01 05400080")).return_value,
            0x80004005u);

  auto hier = request_of<RopSynchronizationImportHierarchyChange::Request>(
      from_hex("73 00 00 0100 0201D90E 0200 AABB 0100 1F000130 6100 0000"));
  ASSERT_EQ(hier.hierarchy_values.size(), 1u);
  EXPECT_EQ(hier.hierarchy_values[0].tag, 0x0ED90102u);
  ASSERT_EQ(hier.property_values.size(), 1u);
  EXPECT_EQ(hier.property_values[0].value.as_string(), "a");
  auto hier_ok = response_of<RopSynchronizationImportHierarchyChange::Response>(
      from_hex("73 00 00000000 0000000000000000"));
  EXPECT_EQ(hier_ok.folder_id, 0u);

  auto del = request_of<RopSynchronizationImportDeletes::Request>(
      from_hex("74 00 00 02 0100 0211FFFF 01000000 0200 0102"));
  EXPECT_EQ(del.import_delete_flags, 2);
  EXPECT_EQ(del.property_values[0].value.multiple_count(), 1u);
}

TEST(RopSync, ReadStatesFillTheirByteSize) {
  // Two MessageReadStates in 11 bytes: a 2-byte id marked read, a 3-byte id marked unread.
  auto r = request_of<RopSynchronizationImportReadStateChanges::Request>(
      from_hex("80 00 00 0B00 0200 AABB 01 0300 CCDDEE 00"));
  ASSERT_EQ(r.message_read_states.size(), 2u);
  EXPECT_EQ(r.message_read_states[0].mark_as_read, 1);
  EXPECT_EQ(to_hex(r.message_read_states[1].message_id), to_hex(from_hex("CCDDEE")));
  // The second state cut by the size: its MarkAsRead would lie outside MessageReadStatesSize.
  DecodeError e = request_error(from_hex("80 00 00 0A00 0200 AABB 01 0300 CCDDEE 00"));
  EXPECT_EQ(e.path(), "RopSynchronizationImportReadStateChanges.MessageReadStates[1].MarkAsRead");
  EXPECT_EQ(e.offset(), 15u);
  // A size larger than the request.
  EXPECT_EQ(request_error(from_hex("80 00 00 0B00 0200 AABB 01")).path(),
            "RopSynchronizationImportReadStateChanges.MessageReadStatesSize");
}

TEST(RopSync, MessageMoveFields) {
  auto m = request_of<RopSynchronizationImportMessageMove::Request>(from_hex(
      "78 00 00 01000000 11 02000000 2222 03000000 333333 01000000 44 02000000 5555"));
  EXPECT_EQ(to_hex(m.source_folder_id), "11");
  EXPECT_EQ(to_hex(m.predecessor_change_list), "333333");
  EXPECT_EQ(to_hex(m.change_number), "5555");
  // A 4-byte size far beyond the request fails before anything is allocated for it.
  DecodeError e = request_error(from_hex("78 00 00 FFFFFF7F 11"));
  EXPECT_EQ(e.path(), "RopSynchronizationImportMessageMove.SourceFolderId");
  EXPECT_EQ(e.offset(), 7u);
}

TEST(RopSync, UploadStateStream) {
  auto begin = request_of<RopSynchronizationUploadStateStreamBegin::Request>(from_hex("75 00 00 0201 9667 20000000"));
  EXPECT_EQ(begin.state_property, 0x67960102u);  // MetaTagCnsetSeen
  EXPECT_EQ(begin.transfer_buffer_size, 32u);
  auto cont = request_of<RopSynchronizationUploadStateStreamContinue::Request>(from_hex("76 00 00 03000000 010203"));
  EXPECT_EQ(cont.stream_data.size(), 3u);
  (void)request_of<RopSynchronizationUploadStateStreamEnd::Request>(from_hex("77 00 00"));
}

TEST(RopSync, LocalReplicaIds) {
  auto get = request_of<RopGetLocalReplicaIds::Request>(from_hex("7F 00 00 E8030000"));
  EXPECT_EQ(get.id_count, 1000u);
  auto ok = response_of<RopGetLocalReplicaIds::Response>(
      from_hex("7F 00 00000000 00112233445566778899AABBCCDDEEFF 000000001234"));
  EXPECT_EQ(ok.repl_guid.bytes[15], 0xFF);
  EXPECT_EQ(ok.global_count[5], 0x34);
  EXPECT_EQ(response_of<RopGetLocalReplicaIds::Response>(from_hex("7F 00 02010480")).return_value, 0x80040102u);

  // DataSize 52: LongTermIdRangeCount 1 and one range of two LongTermIds.
  Bytes ltid(24, 0x11);  // DatabaseGuid and GlobalCounter, then the zero Pad
  ltid[22] = ltid[23] = 0;
  Bytes set = from_hex("93 00 00 3400 01000000");
  set.insert(set.end(), ltid.begin(), ltid.end());
  set.insert(set.end(), ltid.begin(), ltid.end());
  auto del = request_of<RopSetLocalReplicaMidsetDeleted::Request>(set);
  ASSERT_EQ(del.long_term_id_ranges.size(), 1u);
  EXPECT_EQ(del.long_term_id_ranges[0].min_long_term_id, del.long_term_id_ranges[0].max_long_term_id);
  // A count of 2 with room for one range inside DataSize.
  Bytes two = set;
  two[5] = 2;
  DecodeError e = request_error(two);
  EXPECT_EQ(e.path(), "RopSetLocalReplicaMidsetDeleted.LongTermIdRanges");
  // DataSize one byte larger than its content.
  Bytes longer = set;
  longer[3] = 0x35;
  longer.push_back(0);
  EXPECT_EQ(request_error(longer).path(), "RopSetLocalReplicaMidsetDeleted.DataSize");
}

TEST(RopSync, OpenCollectorAndTransferState) {
  auto open = request_of<RopSynchronizationOpenCollector::Request>(from_hex("7E 00 00 01 01"));
  EXPECT_EQ(open.is_contents_collector, 1);
  auto state = request_of<RopSynchronizationGetTransferState::Request>(from_hex("82 00 00 01"));
  EXPECT_EQ(state.output_handle_index, 1);
  EXPECT_EQ(response_of<RopSynchronizationGetTransferState::Response>(from_hex("82 01 00000000")).return_value, 0u);
}

}  // namespace
}  // namespace exmapi::rop
