// Fuzzes restriction decoding (MS-OXCDATA 2.12). Byte 0 bit 0 picks the COUNT width (0: ROP
// buffers, 1: extended rules); the rest is one restriction. Whatever decodes must re-encode to the
// very bytes it came from and decode to the same restriction.
#include <algorithm>
#include <cstdlib>

#include "rop/restriction.hpp"

using namespace exmapi;
using namespace exmapi::rop;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  CountWidth width = (data[0] & 1) ? CountWidth::Wide : CountWidth::Narrow;
  ByteReader r(ByteView(data + 1, size - 1), 1);
  try {
    Restriction res = decode_restriction(r, width);
    ByteWriter w;
    encode_restriction(w, res, width);
    ByteView consumed = r.consumed();
    if (consumed.size() != w.size() || !std::equal(consumed.begin(), consumed.end(), w.view().begin())) std::abort();
    ByteReader again(w.view());
    if (!(decode_restriction(again, width) == res) || !again.empty()) std::abort();
    if (describe(res).empty()) std::abort();
  } catch (const DecodeError&) {
  }
  return 0;
}
