// Fuzzes entry ID decoding (MS-OXCDATA 2.2). Whatever decodes must re-encode to exactly the input
// and decode again to the same value; describe() must not fail. The same bytes also go through the
// fixed-size ID readers (ObjectId, LongTermID, XID) and the property-name parser.
#include <algorithm>
#include <cstdlib>
#include <string_view>

#include "rop/entry_id.hpp"
#include "rop/property_names.hpp"

using namespace exmapi;
using namespace exmapi::rop;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ByteView input(data, size);
  try {
    EntryId id = decode_entry_id(input);
    Bytes again = encode_entry_id(id);
    if (again.size() != size || !std::equal(again.begin(), again.end(), input.begin())) std::abort();
    if (!(decode_entry_id(again) == id)) std::abort();
    if (describe(id).empty()) std::abort();
  } catch (const DecodeError&) {
  }
  try {
    ByteReader r(input);
    LongTermId l = LongTermId::read(r);
    ByteWriter w;
    l.write(w);
    if (!std::equal(w.view().begin(), w.view().end(), input.begin())) std::abort();
  } catch (const DecodeError&) {
  }
  if (size >= 8) {
    ByteReader r(input);
    ObjectId o = ObjectId::read(r);
    if (ObjectId::from_wire_u64(o.to_wire_u64()) != o) std::abort();
  }
  if (size >= 17 && size <= 24) {
    ByteReader r(input);
    Xid x = Xid::read(r, size);
    ByteWriter w;
    x.write(w);
    if (!std::equal(w.view().begin(), w.view().end(), input.begin())) std::abort();
  }
  // Text from the CLI: whatever parses as a tag must print and parse back to the same tag.
  std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto tag = property_tag_from_name(text)) {
    if (property_tag_from_name(format_property_tag(*tag)) != tag) std::abort();
  }
  return 0;
}
