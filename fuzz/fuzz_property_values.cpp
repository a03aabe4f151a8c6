// Fuzzes the MS-OXCDATA value layer: a value of a fuzzer-chosen type, TypedPropertyValue,
// TaggedPropertyValue lists, FlaggedPropertyValueWithType lists, PropertyTag arrays and row sets
// against a fuzzer-chosen column set, in both COUNT widths.
//
// Input: byte 0 = mode (bits 1..3) and width (bit 0: 0 ROP/Narrow, 1 extended/Wide), then
//   mode 0: PropertyType (2 bytes) + one value
//   mode 1: TypedPropertyValues until the end
//   mode 2: TaggedPropertyValues until the end
//   mode 3: FlaggedPropertyValueWithType until the end
//   mode 4: column count (1 byte), that many PropertyTags (4 bytes each), then a PropertyRowSet
//   mode 5: a PropertyTag array
// Whatever decodes must re-encode to exactly the bytes it came from and decode to the same value.
#include <algorithm>
#include <cstdlib>

#include "rop/property_row.hpp"
#include "rop/property_value.hpp"

using namespace exmapi;
using namespace exmapi::rop;

namespace {

void check(bool ok) {
  if (!ok) std::abort();
}

void same_bytes(ByteView original, const ByteWriter& w) {
  check(original.size() == w.size() && std::equal(original.begin(), original.end(), w.view().begin()));
}

template <class Decode, class Encode>
void each_until_end(ByteReader& r, Decode decode, Encode encode) {
  while (!r.empty()) {
    size_t start = r.position();
    auto v = decode(r);
    ByteView consumed = r.consumed().subspan(start);
    ByteWriter w;
    encode(w, v);
    same_bytes(consumed, w);
    ByteReader again(w.view());
    check(decode(again) == v);
    check(again.empty());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  CountWidth width = (data[0] & 1) ? CountWidth::Wide : CountWidth::Narrow;
  unsigned mode = (data[0] >> 1) & 7;
  ByteReader r(ByteView(data + 1, size - 1), 1);
  try {
    switch (mode) {
      case 0: {
        PropType type = r.u16("PropertyType");
        size_t start = r.position();
        PropertyValue v = decode_property_value(r, type, width);
        ByteWriter w;
        encode_property_value(w, v, width);
        same_bytes(r.consumed().subspan(start), w);
        ByteReader again(w.view());
        check(decode_property_value(again, type, width) == v);
        check(!describe(v).empty());
        break;
      }
      case 1:
        each_until_end(
            r, [&](ByteReader& rr) { return decode_typed_property_value(rr, width); },
            [&](ByteWriter& w, const PropertyValue& v) { encode_typed_property_value(w, v, width); });
        break;
      case 2:
        each_until_end(
            r, [&](ByteReader& rr) { return decode_tagged_property_value(rr, width); },
            [&](ByteWriter& w, const TaggedPropertyValue& v) { encode_tagged_property_value(w, v, width); });
        break;
      case 3:
        each_until_end(
            r, [&](ByteReader& rr) { return decode_flagged_property_value_with_type(rr, width); },
            [&](ByteWriter& w, const FlaggedPropertyValueWithType& v) {
              encode_flagged_property_value_with_type(w, v, width);
            });
        break;
      case 4: {
        size_t ncol = r.u8("ColumnCount") % 16;
        std::vector<PropTag> columns(ncol);
        for (auto& c : columns) c = r.u32("Column");
        size_t start = r.position();
        auto rows = decode_property_row_set(r, columns, width);
        ByteWriter w;
        encode_property_row_set(w, rows, columns, width);
        same_bytes(r.consumed().subspan(start), w);
        ByteReader again(w.view());
        check(decode_property_row_set(again, columns, width) == rows);
        for (const auto& row : rows) check(!describe(row, columns).empty());
        break;
      }
      default: {
        size_t start = r.position();
        auto tags = decode_property_tag_array(r, width);
        ByteWriter w;
        encode_property_tag_array(w, tags, width);
        same_bytes(r.consumed().subspan(start), w);
        break;
      }
    }
  } catch (const DecodeError&) {
    // Hostile input is expected to be rejected; only crashes and mismatches are findings.
  }
  return 0;
}
