// The ROP examples of MS-OXCFOLD, MS-OXCPRPT and MS-OXCTABL section 4 (shared/vectors): each decodes
// to the values its "decoded" states and re-encodes to the same bytes.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>

#include "rop/rop_buffer.hpp"
#include "test_support.hpp"

namespace exmapi::rop {
namespace {

using test::from_hex;
using test::load_vector;

RopRequest decode_request_vector(const std::string& file, Bytes& bytes) {
  auto j = load_vector(file);
  bytes = from_hex(j.at("hex").get<std::string>());
  EXPECT_EQ(bytes.size(), j.at("length").get<size_t>());
  ByteReader r(bytes);
  RopRequest rop = decode_request(r);
  EXPECT_TRUE(r.empty()) << file;
  ByteWriter w;
  encode_request(w, rop);
  EXPECT_EQ(test::to_hex(w.view()), test::to_hex(bytes)) << file;
  EXPECT_FALSE(nlohmann::json::parse(to_json(rop)).is_discarded());
  return rop;
}

RopResponse decode_response_vector(const std::string& file, Bytes& bytes, const ResponseContext* context = nullptr) {
  auto j = load_vector(file);
  bytes = from_hex(j.at("hex").get<std::string>());
  EXPECT_EQ(bytes.size(), j.at("length").get<size_t>());
  ByteReader r(bytes);
  RopResponse rop = decode_response(r, context);
  EXPECT_TRUE(r.empty()) << file;
  ByteWriter w;
  encode_response(w, rop);
  EXPECT_EQ(test::to_hex(w.view()), test::to_hex(bytes)) << file;
  EXPECT_FALSE(nlohmann::json::parse(to_json(rop)).is_discarded());
  return rop;
}

uint64_t folder_id(uint16_t replica, uint64_t counter) { return ObjectId{replica, counter}.to_wire_u64(); }

TEST(RopVectors, CreateFolderRequest) {
  Bytes b;
  auto rop = decode_request_vector("MS-OXCFOLD/4_1_1_ropcreatefolder_request.json", b);
  auto& v = get<RopCreateFolder::Request>(rop);
  EXPECT_EQ(v.logon_id, 0);
  EXPECT_EQ(v.input_handle_index, 0);
  EXPECT_EQ(v.output_handle_index, 1);
  EXPECT_EQ(v.folder_type, 1);
  EXPECT_EQ(v.use_unicode_strings, 1);
  EXPECT_EQ(v.open_existing, 0);
  EXPECT_EQ(v.reserved, 0);
  EXPECT_EQ(v.display_name, "Folder1");
  EXPECT_EQ(v.comment, "");
}

TEST(RopVectors, CreateFolderResponse) {
  Bytes b;
  auto rop = decode_response_vector("MS-OXCFOLD/4_1_2_ropcreatefolder_response.json", b);
  auto& v = get<RopCreateFolder::Response>(rop);
  EXPECT_EQ(v.output_handle_index, 1);
  EXPECT_EQ(v.return_value, 0u);
  EXPECT_EQ(v.folder_id, folder_id(1, 0x0E915212));
  EXPECT_EQ(ObjectId::from_wire_u64(v.folder_id).to_string(), "0001-00000E915212");
  EXPECT_EQ(v.is_existing_folder, 0);  // so HasRules/IsGhosted/Servers are absent
}

TEST(RopVectors, DeleteFolderRequest) {
  Bytes b;
  auto rop = decode_request_vector("MS-OXCFOLD/4_2_1_ropdeletefolder_request.json", b);
  auto& v = get<RopDeleteFolder::Request>(rop);
  EXPECT_EQ(v.logon_id, 0);
  EXPECT_EQ(v.input_handle_index, 1);
  EXPECT_EQ(v.delete_folder_flags, 0x05);
  EXPECT_EQ(ObjectId::from_wire_u64(v.folder_id).to_string(), "0001-00000E8EDF36");
}

TEST(RopVectors, DeleteFolderResponse) {
  Bytes b;
  auto rop = decode_response_vector("MS-OXCFOLD/4_2_2_ropdeletefolder_response.json", b);
  auto& v = get<RopDeleteFolder::Response>(rop);
  EXPECT_EQ(v.input_handle_index, 1);
  EXPECT_EQ(v.return_value, 0u);
  EXPECT_EQ(v.partial_completion, 0);
}

TEST(RopVectors, CopyFolderResponse) {
  Bytes b;
  auto rop = decode_response_vector("MS-OXCFOLD/4_6_2_ropcopyfolder_response.json", b);
  auto& v = get<RopCopyFolder::Response>(rop);
  EXPECT_EQ(v.source_handle_index, 0);
  EXPECT_EQ(v.return_value, 0u);
  EXPECT_EQ(v.partial_completion, 0);
}

TEST(RopVectors, GetHierarchyTableResponse) {
  Bytes b;
  auto rop = decode_response_vector("MS-OXCFOLD/4_7_2_ropgethierarchytable_response.json", b);
  auto& v = get<RopGetHierarchyTable::Response>(rop);
  EXPECT_EQ(v.output_handle_index, 2);
  EXPECT_EQ(v.return_value, 0u);
  EXPECT_EQ(v.row_count, 21u);
}

TEST(RopVectors, GetPropertyIdsFromNamesResponse) {
  Bytes b;
  auto rop = decode_response_vector("MS-OXCPRPT/4_1_2_ropgetpropertyidsfromnames_response.json", b);
  auto& v = get<RopGetPropertyIdsFromNames::Response>(rop);
  EXPECT_EQ(v.input_handle_index, 0);
  EXPECT_EQ(v.return_value, 0u);
  EXPECT_EQ(v.property_ids, (std::vector<uint16_t>{0x863E, 0x863F}));
}

TEST(RopVectors, SetPropertiesRequest) {
  Bytes b;
  auto rop = decode_request_vector("MS-OXCPRPT/4_2_1_ropsetproperties_request.json", b);
  auto& v = get<RopSetProperties::Request>(rop);
  EXPECT_EQ(v.logon_id, 0);
  EXPECT_EQ(v.input_handle_index, 0);
  ASSERT_EQ(v.property_values.size(), 2u);
  EXPECT_EQ(v.property_values[0].tag, 0x003D001Fu);
  EXPECT_EQ(v.property_values[0].value.as_string(), "");
  EXPECT_EQ(v.property_values[1].tag, 0x0E1D001Fu);
  EXPECT_EQ(v.property_values[1].value.as_string(), "Hello World");
  // PropertyValueSize (36) counts PropertyValueCount and both values.
  EXPECT_EQ(b[3] | b[4] << 8, 36);
}

TEST(RopVectors, SetPropertiesResponse) {
  Bytes b;
  auto rop = decode_response_vector("MS-OXCPRPT/4_2_2_ropsetproperties_response.json", b);
  auto& v = get<RopSetProperties::Response>(rop);
  EXPECT_EQ(v.input_handle_index, 0);
  EXPECT_EQ(v.return_value, 0u);
  EXPECT_TRUE(v.property_problems.empty());
}

TEST(RopVectors, GetPropertiesSpecificRequest) {
  Bytes b;
  auto rop = decode_request_vector("MS-OXCPRPT/4_3_1_ropgetpropertiesspecific_request.json", b);
  auto& v = get<RopGetPropertiesSpecific::Request>(rop);
  EXPECT_EQ(v.property_size_limit, 0);
  EXPECT_EQ(v.want_unicode, 1);
  EXPECT_EQ(v.property_tags, (std::vector<PropTag>{0x863E000B, 0x863F0003, 0x65E20102}));
}

TEST(RopVectors, OpenStreamRequest) {
  Bytes b;
  auto rop = decode_request_vector("MS-OXCPRPT/4_4_1_1_ropopenstream_request.json", b);
  auto& v = get<RopOpenStream::Request>(rop);
  EXPECT_EQ(v.logon_id, 1);
  EXPECT_EQ(v.input_handle_index, 0);
  EXPECT_EQ(v.output_handle_index, 1);
  EXPECT_EQ(v.property_tag, 0x0E9A0102u);
  EXPECT_EQ(v.open_mode_flags, 1);
}

TEST(RopVectors, GetContentsTableRequest) {
  Bytes b;
  auto rop = decode_request_vector("MS-OXCTABL/4_1_1_ropgetcontentstable_request.json", b);
  auto& v = get<RopGetContentsTable::Request>(rop);
  EXPECT_EQ(v.logon_id, 0);
  EXPECT_EQ(v.input_handle_index, 0);
  EXPECT_EQ(v.output_handle_index, 1);
  EXPECT_EQ(v.table_flags, 0);
}

TEST(RopVectors, SetColumnsRequest) {
  Bytes b;
  auto rop = decode_request_vector("MS-OXCTABL/4_2_1_ropsetcolumns_request.json", b);
  auto& v = get<RopSetColumns::Request>(rop);
  EXPECT_EQ(v.input_handle_index, 1);
  EXPECT_EQ(v.set_columns_flags, 0);
  EXPECT_EQ(v.property_tags,
            (std::vector<PropTag>{0x67480014, 0x674A0014, 0x674D0014, 0x674E0003, 0x0037001F, 0x0E060040}));
}

TEST(RopVectors, SortTableRequest) {
  Bytes b;
  auto rop = decode_request_vector("MS-OXCTABL/4_3_1_ropsorttable_request.json", b);
  auto& v = get<RopSortTable::Request>(rop);
  EXPECT_EQ(v.sort_table_flags, 0);
  EXPECT_EQ(v.sort_order_set.categorized_count, 1);
  EXPECT_EQ(v.sort_order_set.expanded_count, 1);
  ASSERT_EQ(v.sort_order_set.sort_orders.size(), 2u);
  EXPECT_EQ(v.sort_order_set.sort_orders[0].tag, 0x8008301Fu);
  EXPECT_EQ(v.sort_order_set.sort_orders[0].order, sort_order::Ascending);
  EXPECT_EQ(v.sort_order_set.sort_orders[1].tag, 0x0E060040u);
  EXPECT_EQ(v.sort_order_set.sort_orders[1].order, sort_order::Descending);
}

TEST(RopVectors, SortTableResponse) {
  Bytes b;
  auto rop = decode_response_vector("MS-OXCTABL/4_3_2_ropsorttable_response.json", b);
  auto& v = get<RopSortTable::Response>(rop);
  EXPECT_EQ(v.input_handle_index, 1);
  EXPECT_EQ(v.return_value, 0u);
  EXPECT_EQ(v.table_status, 0);
}

TEST(RopVectors, QueryRowsRequest) {
  Bytes b;
  auto rop = decode_request_vector("MS-OXCTABL/4_5_3_1_ropqueryrows_request.json", b);
  auto& v = get<RopQueryRows::Request>(rop);
  EXPECT_EQ(v.query_rows_flags, 0);
  EXPECT_EQ(v.forward_read, 1);
  EXPECT_EQ(v.row_count, 50);
}

// The spec truncates this dump and does not show the table's columns: only the header and the first
// FlaggedPropertyValue are known. With the first column as PidTagFolderId the first value decodes to
// the stated ID; the 9 rows the header announces are not all there, so the whole response must fail
// inside RowData, never read past the end.
TEST(RopVectors, QueryRowsResponsePrefix) {
  auto j = load_vector("MS-OXCTABL/4_5_3_2_ropqueryrows_response_prefix.json");
  Bytes b = from_hex(j.at("hex").get<std::string>());
  ResponseContext context;
  context.columns = std::make_shared<const std::vector<PropTag>>(std::vector<PropTag>{0x67480014});
  ByteReader r(b);
  try {
    decode_response(r, &context);
    FAIL() << "a truncated row set decoded";
  } catch (const DecodeError& e) {
    EXPECT_EQ(e.path().rfind("RopQueryRows.RowData[", 0), 0u) << e.what();
    EXPECT_LE(e.offset(), b.size());
  }
  // The zero-copy reader stops at the same place for the same reason.
  RopQueryRows::ResponseView view;
  ByteReader rv(b);
  std::string owned_path;
  try {
    ByteReader again(b);
    decode_response(again, &context);
  } catch (const DecodeError& e) {
    owned_path = e.path();
  }
  try {
    decode_query_rows_view(rv, context, view);
    FAIL() << "a truncated row set decoded into a view";
  } catch (const DecodeError& e) {
    EXPECT_EQ(e.path(), owned_path);
  }
  // Header: RopId, InputHandleIndex 0, ReturnValue 0, Origin 2 (BOOKMARK_END), RowCount 9.
  EXPECT_EQ(b[0], 0x15);
  EXPECT_EQ(b[1], 0x00);
  EXPECT_EQ(b[2] | b[3] | b[4] | b[5], 0);
  // Decoding the first row on its own gives the folder ID of the spec table.
  ByteReader row_reader(ByteView(b).subspan(9), 9);
  PropertyRow row = decode_property_row(row_reader, *context.columns, CountWidth::Narrow);
  EXPECT_TRUE(row.flagged);
  EXPECT_EQ(row.cells[0].value.as_int64(), static_cast<int64_t>(0x321FF10000000001ull));
  EXPECT_EQ(b[6], 0x02);
  EXPECT_EQ(b[7] | b[8] << 8, 9);
}

// Every rop_request/rop_response vector in shared/ is covered above: a new one must get its test.
TEST(RopVectors, AllVectorsHaveATest) {
  std::set<std::string> covered = {
      "MS-OXCFOLD/4_1_1_ropcreatefolder_request.json",     "MS-OXCFOLD/4_1_2_ropcreatefolder_response.json",
      "MS-OXCFOLD/4_2_1_ropdeletefolder_request.json",     "MS-OXCFOLD/4_2_2_ropdeletefolder_response.json",
      "MS-OXCFOLD/4_6_2_ropcopyfolder_response.json",      "MS-OXCFOLD/4_7_2_ropgethierarchytable_response.json",
      "MS-OXCPRPT/4_1_2_ropgetpropertyidsfromnames_response.json",
      "MS-OXCPRPT/4_2_1_ropsetproperties_request.json",    "MS-OXCPRPT/4_2_2_ropsetproperties_response.json",
      "MS-OXCPRPT/4_3_1_ropgetpropertiesspecific_request.json",
      "MS-OXCPRPT/4_4_1_1_ropopenstream_request.json",     "MS-OXCTABL/4_1_1_ropgetcontentstable_request.json",
      "MS-OXCTABL/4_2_1_ropsetcolumns_request.json",       "MS-OXCTABL/4_3_1_ropsorttable_request.json",
      "MS-OXCTABL/4_3_2_ropsorttable_response.json",       "MS-OXCTABL/4_5_3_1_ropqueryrows_request.json",
      "MS-OXCTABL/4_5_3_2_ropqueryrows_response_prefix.json"};
  for (const char* kind : {"rop_request", "rop_response", "rop_response_partial"})
    for (auto& [file, j] : test::vectors_of_kind(kind)) EXPECT_TRUE(covered.count(file)) << file << " has no test";
}

}  // namespace
}  // namespace exmapi::rop
