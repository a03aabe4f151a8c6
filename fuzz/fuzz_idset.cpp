// Fuzzes IDSET / GLOBSET decoding (MS-OXCFXICS 2.2.2.4-2.2.2.6). Byte 0 bit 0 picks the REPLID or the
// REPLGUID form. A decoded IDSET re-encodes to bytes that decode to the same IDSET, and the decoded
// GLOBSETs are canonical (sorted, disjoint, non-adjacent) so the encoder accepts them.
#include <cstdlib>

#include "rop/idset.hpp"

using namespace exmapi;
using namespace exmapi::rop;

template <class Decode>
static void check(ByteView b, Decode&& decode) {
  auto idset = decode(b);
  Bytes again;
  try {
    again = encode_idset(std::span<const typename decltype(idset)::value_type>(idset));
  } catch (const EncodeError&) {
    // A replica given twice in the input: the encoder refuses duplicates, which decoding keeps.
    return;
  }
  auto back = decode(again);
  if (back.size() != idset.size()) std::abort();
  for (const auto& p : idset) {
    bool found = false;
    for (const auto& q : back) found = found || q == p;
    if (!found) std::abort();
  }
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  ByteView b(data + 1, size - 1);
  try {
    if (data[0] & 1)
      check(b, [](ByteView v) { return decode_idset_replguid(v); });
    else
      check(b, [](ByteView v) { return decode_idset_replid(v); });
  } catch (const DecodeError&) {
  }
  return 0;
}
