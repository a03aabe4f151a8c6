#include "rop/property_problem.hpp"

#include <cstdio>

#include "rop/property_names.hpp"

namespace exmapi::rop {

PropertyProblem decode_property_problem(ByteReader& r) {
  PropertyProblem p;
  p.index = r.u16("Index");
  p.tag = r.u32("PropertyTag");
  p.error_code = r.u32("ErrorCode");
  return p;
}

void encode_property_problem(ByteWriter& w, const PropertyProblem& p) {
  w.u16(p.index);
  w.u32(p.tag);
  w.u32(p.error_code);
}

std::vector<PropertyProblem> decode_property_problems(ByteReader& r) {
  uint16_t claimed = r.u16("PropertyProblemCount");
  size_t n = r.count(claimed, PropertyProblem::kSize, "PropertyProblems");
  std::vector<PropertyProblem> out;
  out.reserve(n);
  for (size_t i = 0; i < n; ++i)
    out.push_back(in_field("PropertyProblems[" + std::to_string(i) + "]", [&] { return decode_property_problem(r); }));
  return out;
}

void encode_property_problems(ByteWriter& w, const std::vector<PropertyProblem>& problems) {
  if (problems.size() > 0xFFFF)
    throw EncodeError("PropertyProblemCount", std::to_string(problems.size()) + " problems exceed 65535");
  w.u16(static_cast<uint16_t>(problems.size()));
  for (const PropertyProblem& p : problems) encode_property_problem(w, p);
}

std::string describe(const PropertyProblem& p) {
  char code[16];
  std::snprintf(code, sizeof code, "0x%08X", p.error_code);
  const char* name = status_name(p.error_code);
  std::string out = "[" + std::to_string(p.index) + "] " + format_property_tag(p.tag) + ": ";
  out += name ? std::string(name) + " (" + code + ")" : std::string(code);
  return out;
}

}  // namespace exmapi::rop
