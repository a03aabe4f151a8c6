// PropertyProblem (MS-OXCDATA 2.7) and PropertyProblemCount-prefixed arrays.
#include "rop/property_problem.hpp"

#include <exmapi/mapi_errors.h>

#include "test_support.hpp"

namespace exmapi::rop {
namespace {

using test::from_hex;
using test::to_hex;

TEST(PropertyProblem, MatchesTheFieldTable) {
  std::vector<PropertyProblem> problems = {
      {1, 0x0037001F, EXMAPI_MAPI_NotFound},
      {3, 0x0E1B000B, 0x80040102},
  };
  Bytes expected = from_hex(
      "0200"                               // PropertyProblemCount
      "0100" "1f003700" "0f010480"         // Index 1, PidTagSubject, NotFound 0x8004010F
      "0300" "0b001b0e" "02010480");       // Index 3, PidTagHasAttachments, 0x80040102
  ByteWriter w;
  encode_property_problems(w, problems);
  EXPECT_EQ(to_hex(w.view()), to_hex(expected));
  ByteReader r(expected);
  EXPECT_EQ(decode_property_problems(r), problems);
  EXPECT_TRUE(r.empty());
  EXPECT_EQ(describe(problems[0]), "[1] PidTagSubject: NotFound (0x8004010F)");
}

TEST(PropertyProblem, SpecExampleRopSetPropertiesResponseHasNone) {
  // MS-OXCPRPT 4.2.2: RopId, InputHandleIndex, ReturnValue, then PropertyProblemCount = 0.
  auto v = test::load_vector("MS-OXCPRPT/4_2_2_ropsetproperties_response.json");
  Bytes bytes = from_hex(v["hex"].get<std::string>());
  ByteReader r(ByteView(bytes).subspan(6), 6);
  auto problems = decode_property_problems(r);
  EXPECT_EQ(problems.size(), v["decoded"]["PropertyProblemCount"].get<size_t>());
  EXPECT_TRUE(r.empty());
  ByteWriter w;
  encode_property_problems(w, problems);
  EXPECT_EQ(to_hex(w.view()), to_hex(ByteView(bytes).subspan(6)));
}

TEST(PropertyProblem, HostileCountsAndTruncation) {
  Bytes huge = from_hex("ffff" "0100" "1f003700" "0f010480");
  ByteReader r(huge);
  try {
    decode_property_problems(r);
    ADD_FAILURE();
  } catch (const DecodeError& e) {
    EXPECT_EQ(e.offset(), 2u);
    EXPECT_NE(std::string(e.what()).find("PropertyProblems"), std::string::npos) << e.what();
  }
  Bytes cut = from_hex("0100" "0100" "1f003700" "0f01");
  ByteReader r2(cut);
  try {
    decode_property_problems(r2);
    ADD_FAILURE();
  } catch (const DecodeError& e) {
    EXPECT_EQ(e.offset(), 2u);  // count() sees 8 bytes where one problem needs 10
  }
  std::vector<PropertyProblem> too_many(0x10000);
  ByteWriter w;
  EXPECT_THROW(encode_property_problems(w, too_many), EncodeError);
}

}  // namespace
}  // namespace exmapi::rop
