// `exmapi decode`: the built CLI on the spec's ROP examples (shared/vectors) and on buffers our own
// encoder and extended-buffer packer build, checking the JSON it prints field by field.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "rop/rop_buffer.hpp"
#include "test_support.hpp"
#include "wire/extended_buffer.hpp"

namespace exmapi::rop {
namespace {

using Json = nlohmann::json;

std::string vector_hex(const std::string& file) { return test::load_vector(file).at("hex").get<std::string>(); }

test::CommandResult decode(const std::string& args, const std::string& input = "") {
  return test::run_command(test::cli_path() + " decode " + args, input);
}

Json parse(const test::CommandResult& r) {
  Json j = Json::parse(r.out, nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << r.out << r.err;
  return j;
}

// MS-OXCTABL 4.2.1's RopSetColumns sets six columns on handle slot 1; the rows a RopQueryRows on
// that slot returns follow them.
const std::vector<PropTag> kSpecColumns = {0x67480014, 0x674A0014, 0x674D0014, 0x674E0003, 0x0037001F, 0x0E060040};
constexpr uint64_t kDeliveryTime = 133444736000000000ull;  // 2023-11-14T22:13:20Z

// A RopQueryRows response on slot 1 with one flagged row: every value type the spec's columns use,
// and an error cell.
Bytes query_rows_response() {
  RopQueryRows::Response q;
  q.input_handle_index = 1;
  q.origin = 2;  // BOOKMARK_END
  q.columns = std::make_shared<const std::vector<PropTag>>(kSpecColumns);
  PropertyRow row;
  row.flagged = true;
  row.cells.resize(6);
  row.cells[0].value = PropertyValue::int64(0x1234);
  row.cells[1].flag = ValueFlag::Error;
  row.cells[1].value = PropertyValue::error_code(ec::NotFound);
  row.cells[2].value = PropertyValue::int64(42);
  row.cells[3].value = PropertyValue::int32(-7);
  row.cells[4].value = PropertyValue::string("Quarterly report");
  row.cells[5].value = PropertyValue::time(kDeliveryTime);
  q.rows.push_back(row);
  ByteWriter w;
  encode_response(w, q);
  return w.take();
}

// The spec's RopSetColumns and a RopQueryRows on the slot it set (the spec's own RopQueryRows
// example, 4.5.3.1, reads slot 0 of another exchange; byte 2 moves it to slot 1).
std::string table_requests_hex() {
  std::string query_rows = vector_hex("MS-OXCTABL/4_5_3_1_ropqueryrows_request.json");
  query_rows.replace(4, 2, "01");
  return vector_hex("MS-OXCTABL/4_2_1_ropsetcolumns_request.json") + query_rows;
}
std::string table_responses_hex() {
  return "12010000000000" + test::to_hex(query_rows_response());  // RopSetColumns: success, TBLSTAT_COMPLETE
}

TEST(DecodeCli, RequestsDecodeWithNamesAndTagsByName) {
  auto r = decode("--request '" + table_requests_hex() + "'");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Json j = parse(r);
  const Json& rops = j["request"]["rops"];
  ASSERT_EQ(rops.size(), 2u);
  EXPECT_EQ(rops[0]["RopId"], "RopSetColumns");
  EXPECT_EQ(rops[0]["InputHandleIndex"], 1);
  EXPECT_EQ(rops[0]["PropertyTags"], Json::parse(R"(["PidTagFolderId","PidTagMid","PidTagInstID","PidTagInstanceNum",
                                                      "PidTagSubject","PidTagMessageDeliveryTime"])"));
  EXPECT_EQ(rops[1]["RopId"], "RopQueryRows");
  EXPECT_EQ(rops[1]["RowCount"], 50);
  EXPECT_FALSE(j.contains("error"));
}

TEST(DecodeCli, ResponsesReadInTheContextOfTheirRequests) {
  auto r = decode("--request " + table_requests_hex() + " --response " + table_responses_hex());
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  Json j = parse(r);
  const Json& rops = j["response"]["rops"];
  ASSERT_EQ(rops.size(), 2u);
  EXPECT_EQ(rops[0]["RopId"], "RopSetColumns");
  EXPECT_EQ(rops[0]["ReturnValue"], "0x00000000 Success");
  const Json& q = rops[1];
  EXPECT_EQ(q["RopId"], "RopQueryRows");
  EXPECT_EQ(q["Origin"], 2);
  ASSERT_EQ(q["RowData"].size(), 1u);
  const Json& row = q["RowData"][0];
  EXPECT_EQ(row["Flagged"], true);
  const Json& v = row["Values"];
  ASSERT_EQ(v.size(), 6u);
  EXPECT_EQ(v[0], Json::parse(R"({"Tag":"PidTagFolderId","Flag":"Present","Type":"PtypInteger64","Value":4660})"));
  EXPECT_EQ(v[1], Json::parse(R"({"Tag":"PidTagMid","Flag":"Error","Type":"PtypErrorCode","Value":"NotFound"})"));
  EXPECT_EQ(v[3]["Value"], -7);
  EXPECT_EQ(v[4], Json::parse(R"({"Tag":"PidTagSubject","Flag":"Present","Type":"PtypString","Value":"Quarterly report"})"));
  EXPECT_EQ(v[5]["Tag"], "PidTagMessageDeliveryTime");
  EXPECT_EQ(v[5]["Type"], "PtypTime");
  EXPECT_EQ(v[5]["Value"], "2023-11-14T22:13:20Z");
}

TEST(DecodeCli, TextLayoutComesFromTheSameWalk) {
  auto r = decode("--text --request " + table_requests_hex() + " --response " + table_responses_hex());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("request\n  rops:\n    [0] RopSetColumns\n      LogonId: 0\n      InputHandleIndex: 1\n"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("      PropertyTags:\n        [0] PidTagFolderId\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("    [1] RopQueryRows\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("[4] PidTagSubject (PtypString) = \"Quarterly report\"\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("[1] PidTagMid (PtypErrorCode) Error = \"NotFound\"\n"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find('{'), std::string::npos) << "no JSON in the text layout:\n" << r.out;
}

TEST(DecodeCli, SpecQueryRowsPairNamesTheMissingColumns) {
  // MS-OXCTABL 4.5.3: the spec leaves out the RopSetColumns of this table, so the rows cannot be read.
  std::string request = vector_hex("MS-OXCTABL/4_5_3_1_ropqueryrows_request.json");
  std::string response = vector_hex("MS-OXCTABL/4_5_3_2_ropqueryrows_response_prefix.json");
  auto r = decode("--request " + request + " --response " + response);
  EXPECT_EQ(r.exit_code, 2);
  Json j = parse(r);
  EXPECT_EQ(j["request"]["rops"][0]["RopId"], "RopQueryRows");
  EXPECT_EQ(j["response"]["rops"].size(), 0u);
  EXPECT_EQ(j["error"]["input"], "response");
  EXPECT_EQ(j["error"]["offset"], 6);  // after RopId, InputHandleIndex and ReturnValue
  EXPECT_EQ(j["error"]["path"], "RopsList[0].RopQueryRows.RowData");
  EXPECT_EQ(j["error"]["missing_context"], "columns");
  EXPECT_NE(r.err.find("--columns"), std::string::npos) << r.err;

  // With the columns of 4.2.1 supplied, the first row reads; the spec's dump is cut short after it
  // (its notes say so), and the output says where and why decoding stopped.
  r = decode("--response " + response + " --columns PidTagFolderId,PidTagMid,0x674D0014,PidTagInstanceNum,PidTagSubject,"
             "PidTagMessageDeliveryTime");
  EXPECT_EQ(r.exit_code, 2);
  j = parse(r);
  EXPECT_EQ(j["error"]["offset"], 53);
  EXPECT_EQ(j["error"]["path"], "RopsList[0].RopQueryRows.RowData[1].Flag");
  EXPECT_FALSE(j["error"].contains("missing_context"));
  EXPECT_NE(j["error"]["message"].get<std::string>().find("offset 53"), std::string::npos);
}

TEST(DecodeCli, ColumnsOptionDecodesRowsWithoutTheRequests) {
  std::string columns = "--columns 'PidTagFolderId, PidTagMid,PidTagInstID,0x674E0003,PidTagSubject,PidTagMessageDeliveryTime'";
  auto r = decode("--response " + test::to_hex(query_rows_response()) + " " + columns);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Json j = parse(r);
  EXPECT_EQ(j["response"]["rops"][0]["RowData"][0]["Values"][4]["Value"], "Quarterly report");

  r = decode("--response 00 --columns PidTagNoSuchThing");
  EXPECT_EQ(r.exit_code, 64);
  EXPECT_NE(r.err.find("PidTagNoSuchThing"), std::string::npos) << r.err;
}

TEST(DecodeCli, MalformedInputKeepsWhatDecodedAndExitsTwo) {
  std::string responses = table_responses_hex();
  responses.resize(responses.size() - 6);  // the DeliveryTime loses its last 3 bytes
  auto r = decode("--request " + table_requests_hex() + " --response " + responses);
  EXPECT_EQ(r.exit_code, 2);
  Json j = parse(r);
  ASSERT_EQ(j["response"]["rops"].size(), 1u);
  EXPECT_EQ(j["response"]["rops"][0]["RopId"], "RopSetColumns");
  EXPECT_EQ(j["error"]["path"].get<std::string>().rfind("RopsList[1].RopQueryRows.RowData[0]", 0), 0u) << j["error"];
  size_t whole = table_responses_hex().size() / 2;
  EXPECT_EQ(j["error"]["offset"], whole - 8);  // where the 8-byte FILETIME starts
  EXPECT_NE(r.err.find("offset " + std::to_string(whole - 8)), std::string::npos) << r.err;

  // The text layout says the same.
  r = decode("--text --request " + table_requests_hex() + " --response " + responses);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.out.find("error: decode error at offset " + std::to_string(whole - 8)), std::string::npos) << r.out;
}

TEST(DecodeCli, HexInputForms) {
  std::string hex = vector_hex("MS-OXCFOLD/4_2_1_ropdeletefolder_request.json");
  // Whitespace, 0x prefixes and upper case, on standard input (value '-' or none).
  std::string spaced;
  for (size_t i = 0; i < hex.size(); i += 2) spaced += "0x" + hex.substr(i, 2) + (i % 8 ? " " : "\n");
  for (const char* args : {"--request -", "--request", "--request --text"}) {
    auto r = decode(args, spaced);
    ASSERT_EQ(r.exit_code, 0) << args << r.err;
    EXPECT_NE(r.out.find("RopDeleteFolder"), std::string::npos) << args;
  }
  auto r = decode("--request 0x" + hex);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(parse(r)["request"]["rops"][0]["FolderId"], "0001-00000E8EDF36");

  r = decode("--request 0C0z");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("'z' at position 3 is not a hex digit"), std::string::npos) << r.err;
  r = decode("--request 0C0");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("odd number of hex digits"), std::string::npos) << r.err;
  r = decode("--request - --response -");
  EXPECT_EQ(r.exit_code, 64);
  r = decode("");
  EXPECT_EQ(r.exit_code, 64);
}

TEST(DecodeCli, FolderVectorsAndResponsesThatNeedNoContext) {
  auto r = decode("--request " + vector_hex("MS-OXCFOLD/4_1_1_ropcreatefolder_request.json") + " --response " +
                  vector_hex("MS-OXCFOLD/4_1_2_ropcreatefolder_response.json"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Json j = parse(r);
  EXPECT_EQ(j["request"]["rops"][0]["RopId"], "RopCreateFolder");
  EXPECT_EQ(j["request"]["rops"][0]["DisplayName"], "Folder1");
  EXPECT_EQ(j["response"]["rops"][0]["FolderId"], "0001-00000E915212");

  // A response alone decodes when its shape needs nothing from the request.
  r = decode("--response " + vector_hex("MS-OXCFOLD/4_7_2_ropgethierarchytable_response.json"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(parse(r)["response"]["rops"][0]["RopId"], "RopGetHierarchyTable");

  // A response to another request than the one given is refused, naming both.
  r = decode("--request " + vector_hex("MS-OXCFOLD/4_2_1_ropdeletefolder_request.json") + " --response " +
             vector_hex("MS-OXCFOLD/4_1_2_ropcreatefolder_response.json"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(parse(r)["error"]["reason"].get<std::string>().find("RopDeleteFolder"), std::string::npos);
}

TEST(DecodeCli, LogonFlagsOption) {
  ResponseContext context;
  context.logon_flags = logon_flags::Private;
  RopResponse logon = sample_response(RopId::Logon, 3, ec::Success, context);
  ByteWriter w;
  encode_response(w, logon);
  std::string hex = test::to_hex(w.view());
  auto r = decode("--response " + hex);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(parse(r)["error"]["missing_context"], "logon_flags");
  EXPECT_NE(r.err.find("--logon-flags"), std::string::npos) << r.err;
  r = decode("--response " + hex + " --logon-flags 1");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(parse(r)["response"]["rops"][0]["RopId"], "RopLogon");
  EXPECT_EQ(decode("--response " + hex + " --logon-flags 300").exit_code, 64);
}

TEST(DecodeCli, ExtendedBufferDecodesLikeTheRopBuffer) {
  // ROP buffers with handle tables; a long subject makes the response worth compressing.
  RopRequestBuffer request;
  request.rops = decode_requests(test::from_hex(table_requests_hex()));
  request.handles = {0x00000021, 0x00000042};
  Bytes request_buffer = encode_request_buffer(request);
  RopResponseBuffer response;
  Bytes set_columns = test::from_hex("12010000000000");
  ByteReader sr(set_columns);
  response.rops.push_back(decode_response(sr));
  {
    Bytes q = query_rows_response();
    ByteReader qr(q);
    ResponseContext c;
    c.columns = std::make_shared<const std::vector<PropTag>>(kSpecColumns);
    RopResponse rop = decode_response(qr, &c);
    auto& rows = get<RopQueryRows::Response>(rop).rows;
    rows[0].cells[4].value = PropertyValue::string(std::string(300, 'a') + " report " + std::string(300, 'b'));
    response.rops.push_back(rop);
  }
  response.handles = {0x00000021, 0x00000042};
  Bytes response_buffer = encode_response_buffer(response);

  auto raw = decode("--buffer --request " + test::to_hex(request_buffer) + " --response " + test::to_hex(response_buffer));
  ASSERT_EQ(raw.exit_code, 0) << raw.err;
  Json plain = parse(raw);
  EXPECT_EQ(plain["response"]["buffers"][0]["ServerObjectHandleTable"], Json::parse("[33,66]"));
  EXPECT_EQ(plain["response"]["buffers"][0]["RopSize"], response_buffer[0] | response_buffer[1] << 8);

  wire::PackOptions options;
  options.compress = true;
  options.obfuscate = true;
  Bytes request_ext = wire::pack(request_buffer, options);
  Bytes response_ext = wire::pack(response_buffer, options);
  auto ext = decode("--extended --request " + test::to_hex(request_ext) + " --response " + test::to_hex(response_ext));
  ASSERT_EQ(ext.exit_code, 0) << ext.err;
  Json packed = parse(ext);
  EXPECT_EQ(packed["request"]["buffers"], plain["request"]["buffers"]);
  EXPECT_EQ(packed["response"]["buffers"], plain["response"]["buffers"]);
  EXPECT_EQ(packed["response"]["extended"][0]["Flags"], Json::parse(R"(["Compressed","XorMagic","Last"])"));
  EXPECT_EQ(packed["response"]["extended"][0]["SizeActual"], response_buffer.size());
  EXPECT_LT(packed["response"]["extended"][0]["Size"].get<size_t>(), response_buffer.size());

  // Response chaining (MS-OXCRPC 4.3): a second extended buffer holds one more response to the last
  // ROP of the request (RopQueryRows), read with the columns the first buffer's RopSetColumns set.
  RopResponseBuffer more;
  more.rops.push_back(response.rops.back());
  more.handles = response.handles;
  Bytes more_buffer = encode_response_buffer(more);
  std::vector<ByteView> chained_payloads = {ByteView(response_buffer), ByteView(more_buffer)};
  Bytes chained = wire::pack(std::span<const ByteView>(chained_payloads), options);
  auto chain = decode("--extended --request " + test::to_hex(request_ext) + " --response " + test::to_hex(chained));
  ASSERT_EQ(chain.exit_code, 0) << chain.err << chain.out;
  Json chained_json = parse(chain);
  ASSERT_EQ(chained_json["response"]["buffers"].size(), 2u);
  const Json& first_query_rows = plain.at("response").at("buffers").at(0).at("rops").at(1);
  EXPECT_EQ(first_query_rows.at("RopId"), "RopQueryRows");
  EXPECT_EQ(chained_json.at("response").at("buffers").at(1).at("rops").at(0), first_query_rows);

  // A broken frame stops before any ROP, with the offset inside the extended buffer.
  Bytes broken = response_ext;
  broken[0] = 1;  // Version must be 0
  auto bad = decode("--extended --request " + test::to_hex(request_ext) + " --response " + test::to_hex(broken));
  EXPECT_EQ(bad.exit_code, 2);
  Json j = parse(bad);
  EXPECT_EQ(j["error"]["input"], "response");
  EXPECT_EQ(j["error"]["offset"], 0);
  EXPECT_EQ(j["response"]["buffers"].size(), 0u);
}

TEST(DecodeCli, RestrictionsPrintAsJson) {
  // RopRestrict with And(Property(Equal, PidTagSubject, "Hi"), Exist(PidTagMessageSize)), 24 bytes.
  auto r = decode("--request '14 00 01 00 1800  000200  04 04 1F003700 1F003700 48006900 0000  08 0300080E'");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Json restriction = parse(r)["request"]["rops"][0]["RestrictionData"];
  EXPECT_EQ(restriction, Json::parse(R"({"RestrictType":"And","Restrictions":[
      {"RestrictType":"Property","RelOp":"Equal","Tag":"PidTagSubject",
       "TaggedValue":{"Tag":"PidTagSubject","Type":"PtypString","Value":"Hi"}},
      {"RestrictType":"Exist","Tag":"PidTagMessageSize"}]})"));
}

TEST(DecodeCli, HelpDescribesTheCommand) {
  auto r = decode("--help");
  EXPECT_EQ(r.exit_code, 0);
  for (const char* option : {"--request", "--response", "--buffer", "--extended", "--columns", "--logon-flags", "--text"})
    EXPECT_NE(r.out.find(option), std::string::npos) << option;
}

}  // namespace
}  // namespace exmapi::rop
