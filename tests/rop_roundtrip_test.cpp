// Generated round trips: for every described ROP, requests and responses (success and every
// ReturnValue that selects another shape) filled by the Sampler from the one description, encoded,
// decoded with the context the response needs, compared, and re-encoded to the same bytes.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>

#include "rop/rop_buffer.hpp"
#include "test_support.hpp"

namespace exmapi::rop {
namespace {

constexpr uint64_t kSeeds = 24;

std::string label(RopId id) { return rop_name(id); }

TEST(RopRoundTrip, EveryDescribedRequest) {
  size_t n = 0;
  for (const DescribedRop& d : described_rops()) {
    if (!d.request) continue;
    for (uint64_t seed = 0; seed < kSeeds; ++seed) {
      RopRequest rop = sample_request(d.id, seed);
      ByteWriter w;
      encode_request(w, rop);
      ByteReader r(w.view());
      ResponseContext context = sample_context(seed);  // what the sample was made against
      RopRequest back = decode_request(r, &context);
      ASSERT_TRUE(r.empty()) << label(d.id) << " seed " << seed;
      ASSERT_EQ(back, rop) << label(d.id) << " seed " << seed << ": " << to_json(rop) << " vs " << to_json(back);
      ByteWriter again;
      encode_request(again, back);
      ASSERT_EQ(test::to_hex(again.view()), test::to_hex(w.view())) << label(d.id);
      auto json = nlohmann::json::parse(to_json(back), nullptr, false);
      ASSERT_FALSE(json.is_discarded()) << to_json(back);
      EXPECT_EQ(json.at("RopId").get<std::string>(), label(d.id));
      ++n;
    }
  }
  EXPECT_GT(n, 0u);
}

TEST(RopRoundTrip, EveryDescribedResponseInEveryShape) {
  for (const DescribedRop& d : described_rops()) {
    if (!d.response) continue;
    for (uint32_t rv : sample_return_values()) {
      for (uint64_t seed = 0; seed < kSeeds; ++seed) {
        ResponseContext context = sample_context(seed);
        RopResponse rop = sample_response(d.id, seed, rv, context);
        ByteWriter w;
        encode_response(w, rop);
        ByteReader r(w.view());
        RopResponse back = decode_response(r, &context);
        ASSERT_TRUE(r.empty()) << label(d.id) << " rv " << rv << " seed " << seed;
        ASSERT_EQ(back, rop) << label(d.id) << " rv " << rv << " seed " << seed << ": " << to_json(rop) << " vs "
                             << to_json(back);
        ByteWriter again;
        encode_response(again, back);
        ASSERT_EQ(test::to_hex(again.view()), test::to_hex(w.view())) << label(d.id);
        ASSERT_FALSE(nlohmann::json::parse(to_json(back), nullptr, false).is_discarded()) << to_json(back);
      }
    }
  }
}

// Failure responses carry RopId, handle index and ReturnValue only, unless the ROP's description says
// otherwise; this pins the ROPs with extra failure fields so a change to either list is deliberate.
TEST(RopRoundTrip, FailureShapes) {
  std::set<RopId> with_extras = {
      RopId::DeleteFolder,      RopId::DeleteMessages,     RopId::HardDeleteMessages,
      RopId::EmptyFolder,       RopId::HardDeleteMessagesAndSubfolders,
      RopId::MoveCopyMessages,  RopId::MoveFolder,         RopId::CopyFolder,
      RopId::ReadStream,        RopId::WriteStream,        RopId::WriteStreamExtended,
      RopId::WriteAndCommitStream, RopId::CopyToStream,    RopId::Notify,            RopId::Pending,
      RopId::SetReadFlags,
      RopId::Backoff,           RopId::BufferTooSmall,
      RopId::FastTransferSourceGetBuffer, RopId::FastTransferDestinationPutBuffer,
      RopId::FastTransferDestinationPutBufferExtended};
  ResponseContext context = sample_context(1);
  for (const DescribedRop& d : described_rops()) {
    if (!d.response) continue;
    ByteWriter w;
    encode_response(w, sample_response(d.id, 3, ec::NotSupported, context));
    bool plain = w.size() == 6;  // RopId, handle index, ReturnValue
    EXPECT_EQ(plain, !with_extras.count(d.id)) << label(d.id) << " failure is " << w.size() << " bytes";
  }
}

TEST(RopRoundTrip, LogonResponseShapes) {
  ResponseContext priv;
  priv.logon_flags = logon_flags::Private;
  ResponseContext pub;
  pub.logon_flags = 0;
  ByteWriter a, b, c;
  encode_response(a, sample_response(RopId::Logon, 1, ec::Success, priv));
  encode_response(b, sample_response(RopId::Logon, 1, ec::Success, pub));
  RopResponse redirect = sample_response(RopId::Logon, 1, ec::WrongServer, pub);
  get<RopLogon::Response>(redirect).server_name = "mail.example.com";
  encode_response(c, redirect);
  // RopId, OutputHandleIndex, ReturnValue, LogonFlags, 13 FolderIds, then the form's own fields.
  EXPECT_EQ(a.size(), 6u + 1 + 104 + 1 + 16 + 2 + 16 + 8 + 8 + 4);
  EXPECT_EQ(b.size(), 6u + 1 + 104 + 2 + 16 + 16);
  EXPECT_EQ(c.size(), 6u + 1 + 1 + 17);
  // The private form cannot be decoded as the public one: the context decides, never the bytes.
  ByteReader r(a.view());
  (void)decode_response(r, &pub);
  EXPECT_FALSE(r.empty());
  ByteReader r2(c.view());
  EXPECT_EQ(get<RopLogon::Response>(decode_response(r2, nullptr)).server_name, "mail.example.com");
}

RopRequestBuffer sample_request_buffer() {
  RopRequestBuffer req;
  RopGetContentsTable::Request open;
  open.input_handle_index = 0;
  open.output_handle_index = 1;
  req.rops.push_back(open);
  RopSetColumns::Request cols;
  cols.input_handle_index = 1;
  cols.property_tags = {0x67480014, 0x0037001F, 0x0E080003};
  req.rops.push_back(cols);
  RopQueryRows::Request query;
  query.input_handle_index = 1;
  query.row_count = 2;
  req.rops.push_back(query);
  RopRelease::Request release;
  release.input_handle_index = 1;
  req.rops.push_back(release);
  RopGetPropertiesSpecific::Request props;
  props.input_handle_index = 0;
  props.property_tags = {0x0E080003, 0x0037001F};
  req.rops.push_back(props);
  req.handles = {0x00000123, 0xFFFFFFFF};
  return req;
}

TEST(RopBuffers, RequestBufferRoundTrip) {
  RopRequestBuffer req = sample_request_buffer();
  Bytes bytes = encode_request_buffer(req);
  EXPECT_EQ(bytes[0] | bytes[1] << 8, bytes.size() - 8);  // RopSize counts itself and the RopsList
  EXPECT_EQ(decode_request_buffer(bytes), req);
  EXPECT_EQ(encode_request_buffer(decode_request_buffer(bytes)), bytes);
}

TEST(RopBuffers, ResponseBufferUsesColumnsFromSetColumnsAndRequestTags) {
  RopRequestBuffer req = sample_request_buffer();
  RopResponseBuffer resp;
  RopGetContentsTable::Response opened;
  opened.output_handle_index = 1;
  opened.row_count = 2;
  resp.rops.push_back(opened);
  RopSetColumns::Response set;
  set.input_handle_index = 1;
  resp.rops.push_back(set);
  RopQueryRows::Response rows;
  rows.input_handle_index = 1;
  rows.columns = std::make_shared<const std::vector<PropTag>>(get<RopSetColumns::Request>(req.rops[1]).property_tags);
  rows.origin = 1;
  for (int i = 0; i < 2; ++i) {
    PropertyRow row;
    row.cells.push_back({ValueFlag::Present, 0, PropertyValue::int64(1000 + i)});
    row.cells.push_back({ValueFlag::Present, 0, PropertyValue::string("Subject " + std::to_string(i))});
    row.cells.push_back({ValueFlag::Present, 0, PropertyValue::int32(42 * i)});
    rows.rows.push_back(row);
  }
  resp.rops.push_back(rows);
  RopGetPropertiesSpecific::Response props;
  props.columns = std::make_shared<const std::vector<PropTag>>(std::vector<PropTag>{0x0E080003, 0x0037001F});
  props.row_data.flagged = true;
  props.row_data.cells.push_back({ValueFlag::Error, 0, PropertyValue::error_code(ec::NotFound)});
  props.row_data.cells.push_back({ValueFlag::Present, 0, PropertyValue::string("Inbox")});
  resp.rops.push_back(props);
  RopPending::Response pending;
  pending.session_index = 3;
  resp.rops.push_back(pending);
  resp.handles = {0x00000123, 0x00000456};

  Bytes bytes = encode_response_buffer(resp);
  TableColumnsState tables;
  RopResponseBuffer back = decode_response_buffer(bytes, req, &tables);
  EXPECT_EQ(back, resp);
  EXPECT_EQ(encode_response_buffer(back), bytes);
  // The table opened in this buffer now has real handle 0x456 and keeps its columns for later buffers.
  ASSERT_TRUE(tables.columns_by_handle.count(0x456));
  EXPECT_EQ(*tables.columns_by_handle[0x456], get<RopSetColumns::Request>(req.rops[1]).property_tags);

  // A later buffer querying the same table by its server handle decodes with the remembered columns.
  RopRequestBuffer later;
  later.rops.push_back(req.rops[2]);
  later.handles = {0x00000123, 0x00000456};
  RopResponseBuffer later_resp;
  later_resp.rops.push_back(rows);
  later_resp.handles = later.handles;
  EXPECT_EQ(decode_response_buffer(encode_response_buffer(later_resp), later, &tables), later_resp);
  // Without that state the decoder refuses rather than guessing.
  try {
    decode_response_buffer(encode_response_buffer(later_resp), later, nullptr);
    FAIL();
  } catch (const DecodeError& e) {
    EXPECT_EQ(e.path(), "RopsList[0].RopQueryRows.RowData") << e.what();
    EXPECT_NE(std::string(e.what()).find("RopSetColumns"), std::string::npos);
  }
}

TEST(RopBuffers, BackoffAndBufferTooSmall) {
  RopRequestBuffer req = sample_request_buffer();
  RopResponseBuffer resp;
  RopBackoff::Response backoff;
  backoff.logon_id = 0;
  backoff.duration = 2000;
  backoff.backoff_rops = {{0x15, 500}, {0x07, 250}};
  backoff.additional_data = {1, 2, 3};
  resp.rops.push_back(backoff);
  RopBufferTooSmall::Response small;
  small.size_needed = 0x1000;
  ByteWriter unprocessed;
  encode_request(unprocessed, req.rops[0]);
  small.request_buffers = unprocessed.take();
  resp.rops.push_back(small);
  resp.handles = {0x123};
  Bytes bytes = encode_response_buffer(resp);
  EXPECT_EQ(decode_response_buffer(bytes, req), resp);
}

}  // namespace
}  // namespace exmapi::rop
