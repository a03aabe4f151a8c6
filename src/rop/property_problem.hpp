// PropertyProblem (MS-OXCDATA 2.7) and the PropertyProblemCount(2) + PropertyProblems arrays that
// RopSetProperties, RopSetPropertiesNoReplicate, RopDeleteProperties(NoReplicate) and RopCopyTo /
// RopCopyProperties responses carry (MS-OXCROPS 2.2.8).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/bytes.hpp"

namespace exmapi::rop {

struct PropertyProblem {
  uint16_t index = 0;       // position of the property in the request's property array
  uint32_t tag = 0;         // PropertyTag of that property
  uint32_t error_code = 0;  // MS-OXCDATA 2.4 error for it
  friend bool operator==(const PropertyProblem&, const PropertyProblem&) = default;
  static constexpr size_t kSize = 10;
};

PropertyProblem decode_property_problem(ByteReader& r);
void encode_property_problem(ByteWriter& w, const PropertyProblem& p);

// PropertyProblemCount (2 bytes) followed by that many PropertyProblem structures.
std::vector<PropertyProblem> decode_property_problems(ByteReader& r);
void encode_property_problems(ByteWriter& w, const std::vector<PropertyProblem>& problems);

// "[1] 0x0037001F: NotFound (0x8004010F)" with status names where known.
std::string describe(const PropertyProblem& p);

}  // namespace exmapi::rop
