// Fuzzes SortOrderSet (MS-OXCDATA 2.13) and PropertyProblem array decoding. What decodes must obey
// the validity rules, re-encode to the bytes it came from and decode to the same value.
#include <algorithm>
#include <cstdlib>

#include "rop/property_problem.hpp"
#include "rop/sort_order.hpp"

using namespace exmapi;
using namespace exmapi::rop;

namespace {
template <class Decode, class Encode>
void round_trip(ByteView input, Decode decode, Encode encode) {
  ByteReader r(input);
  try {
    auto value = decode(r);
    ByteWriter w;
    encode(w, value);
    ByteView consumed = r.consumed();
    if (consumed.size() != w.size() || !std::equal(consumed.begin(), consumed.end(), w.view().begin())) std::abort();
    ByteReader again(w.view());
    if (!(decode(again) == value) || !again.empty()) std::abort();
  } catch (const DecodeError&) {
  }
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ByteView input(data, size);
  round_trip(input, [](ByteReader& r) { return decode_sort_order_set(r); },
             [](ByteWriter& w, const SortOrderSet& s) {
               if (!sort_order_set_problem(s).empty()) std::abort();
               encode_sort_order_set(w, s);
             });
  round_trip(input, [](ByteReader& r) { return decode_property_problems(r); },
             [](ByteWriter& w, const std::vector<PropertyProblem>& p) {
               for (const PropertyProblem& x : p)
                 if (describe(x).empty()) std::abort();
               encode_property_problems(w, p);
             });
  return 0;
}
