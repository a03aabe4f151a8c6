// exmapi_rop_decode() through the public header only, as a C caller uses it.
#include <exmapi/exmapi.h>
#include <gtest/gtest.h>

#include <cstring>
#include <nlohmann/json.hpp>
#include <string>

#include "test_support.hpp"

namespace {

using Json = nlohmann::json;
using exmapi::Bytes;

std::string vector_hex(const std::string& file) { return exmapi::test::load_vector(file).at("hex").get<std::string>(); }

struct Decoded {
  exmapi_status status;
  Json json;
};

Decoded decode(const exmapi_rop_decode_options* options, const Bytes* request, const Bytes* response) {
  exmapi_buf out{nullptr, 0};
  exmapi_status st = exmapi_rop_decode(&out, options, request ? request->data() : nullptr, request ? request->size() : 0,
                                       response ? response->data() : nullptr, response ? response->size() : 0);
  Json j;
  if (out.data) {
    EXPECT_EQ(out.data[out.size], '\0') << "the text is NUL-terminated";
    EXPECT_EQ(std::strlen(reinterpret_cast<const char*>(out.data)), out.size);
    j = Json::parse(std::string(reinterpret_cast<const char*>(out.data), out.size));
  }
  exmapi_buf_dispose(&out);
  return {st, j};
}

TEST(CapiRopDecode, RequestsAndResponsesOfTheSpec) {
  Bytes request = exmapi::test::from_hex(vector_hex("MS-OXCFOLD/4_2_1_ropdeletefolder_request.json"));
  Bytes response = exmapi::test::from_hex(vector_hex("MS-OXCFOLD/4_2_2_ropdeletefolder_response.json"));
  Decoded d = decode(nullptr, &request, &response);
  ASSERT_EQ(d.status, EXMAPI_OK) << exmapi_error_last()->message;
  EXPECT_EQ(d.json["request"]["rops"][0]["RopId"], "RopDeleteFolder");
  EXPECT_EQ(d.json["request"]["rops"][0]["FolderId"], "0001-00000E8EDF36");
  EXPECT_EQ(d.json["response"]["rops"][0]["RopId"], "RopDeleteFolder");
  EXPECT_EQ(d.json["response"]["rops"][0]["PartialCompletion"], 0);
  EXPECT_FALSE(d.json.contains("error"));
  EXPECT_EQ(exmapi_error_last()->status, EXMAPI_OK);
}

TEST(CapiRopDecode, StoppedDecodingHandsOutJsonAndTheLastError) {
  Bytes response = exmapi::test::from_hex(vector_hex("MS-OXCTABL/4_5_3_2_ropqueryrows_response_prefix.json"));
  Decoded d = decode(nullptr, nullptr, &response);
  EXPECT_EQ(d.status, EXMAPI_E_DECODE);
  EXPECT_EQ(d.json["error"]["missing_context"], "columns");
  const exmapi_error* e = exmapi_error_last();
  EXPECT_EQ(e->status, EXMAPI_E_DECODE);
  EXPECT_EQ(e->offset, 6u);
  EXPECT_EQ(d.json["error"]["message"], e->message);

  // Supplying the columns gets past the first row (the spec's dump ends inside the second).
  const uint32_t columns[] = {0x67480014, 0x674A0014, 0x674D0014, 0x674E0003, 0x0037001F, 0x0E060040};
  exmapi_rop_decode_options o = EXMAPI_ROP_DECODE_OPTIONS_INIT;
  o.columns = columns;
  o.column_count = 6;
  d = decode(&o, nullptr, &response);
  EXPECT_EQ(d.status, EXMAPI_E_DECODE);
  EXPECT_EQ(exmapi_error_last()->offset, 53u);
  EXPECT_EQ(d.json["error"]["offset"], 53);
}

TEST(CapiRopDecode, BufferFramingWithHandleTable) {
  // RopSize 0x0007 (itself and a 5-byte RopGetContentsTable), then one handle.
  Bytes request = exmapi::test::from_hex("0700" + vector_hex("MS-OXCTABL/4_1_1_ropgetcontentstable_request.json") + "78563412");
  exmapi_rop_decode_options o = EXMAPI_ROP_DECODE_OPTIONS_INIT;
  o.framing = EXMAPI_ROP_FRAMING_BUFFER;
  Decoded d = decode(&o, &request, nullptr);
  ASSERT_EQ(d.status, EXMAPI_OK) << exmapi_error_last()->message;
  const Json& buffer = d.json["request"]["buffers"][0];
  EXPECT_EQ(buffer["RopSize"], 7);
  EXPECT_EQ(buffer["rops"][0]["RopId"], "RopGetContentsTable");
  EXPECT_EQ(buffer["ServerObjectHandleTable"], Json::parse("[305419896]"));

  request[0] = 0x20;  // RopSize beyond the bytes
  d = decode(&o, &request, nullptr);
  EXPECT_EQ(d.status, EXMAPI_E_DECODE);
  EXPECT_EQ(d.json["error"]["buffer"], 0);
  EXPECT_EQ(d.json["error"]["path"], "RopsList");
}

TEST(CapiRopDecode, InvalidArguments) {
  Bytes request = exmapi::test::from_hex("0500000100");
  exmapi_buf out{nullptr, 0};
  EXPECT_EQ(exmapi_rop_decode(nullptr, nullptr, request.data(), request.size(), nullptr, 0), EXMAPI_E_INVALID_ARGUMENT);
  EXPECT_EQ(exmapi_rop_decode(&out, nullptr, nullptr, 0, nullptr, 0), EXMAPI_E_INVALID_ARGUMENT);
  EXPECT_EQ(out.data, nullptr);
  exmapi_rop_decode_options o = EXMAPI_ROP_DECODE_OPTIONS_INIT;
  o.version = 2;
  EXPECT_EQ(exmapi_rop_decode(&out, &o, request.data(), request.size(), nullptr, 0), EXMAPI_E_INVALID_ARGUMENT);
  o = EXMAPI_ROP_DECODE_OPTIONS_INIT;
  o.framing = 7;
  EXPECT_EQ(exmapi_rop_decode(&out, &o, request.data(), request.size(), nullptr, 0), EXMAPI_E_INVALID_ARGUMENT);
  o = EXMAPI_ROP_DECODE_OPTIONS_INIT;
  o.logon_flags = 256;
  EXPECT_EQ(exmapi_rop_decode(&out, &o, request.data(), request.size(), nullptr, 0), EXMAPI_E_INVALID_ARGUMENT);
  o = EXMAPI_ROP_DECODE_OPTIONS_INIT;
  o.column_count = 1;  // with no columns pointer
  EXPECT_EQ(exmapi_rop_decode(&out, &o, request.data(), request.size(), nullptr, 0), EXMAPI_E_INVALID_ARGUMENT);
  EXPECT_EQ(out.data, nullptr);
  EXPECT_NE(std::strlen(exmapi_error_last()->message), 0u);
}

TEST(CapiRopDecode, EmptyInputsAreInputs) {
  static const uint8_t none = 0;
  exmapi_buf out{nullptr, 0};
  ASSERT_EQ(exmapi_rop_decode(&out, nullptr, &none, 0, nullptr, 0), EXMAPI_OK);
  EXPECT_EQ(Json::parse(std::string(reinterpret_cast<char*>(out.data), out.size)), Json::parse(R"({"request":{"rops":[]}})"));
  exmapi_buf_dispose(&out);
}

}  // namespace
