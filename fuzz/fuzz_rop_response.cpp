// Fuzzes ROP response decoding, as a client meets it. The first byte picks the context a client
// would hold (sample_context: a column set of every sample value type; private or public logon), the
// rest is responses back to back. Each decoded response must re-encode to exactly the bytes it was
// read from, decode again to the same value, and print.
#include <algorithm>
#include <cstdlib>

#include "rop/rop_buffer.hpp"

using namespace exmapi;
using namespace exmapi::rop;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  ResponseContext context = sample_context(data[0]);
  ByteReader r(ByteView(data + 1, size - 1));
  try {
    while (!r.empty()) {
      size_t start = r.position();
      RopResponse rop = decode_response(r, &context);
      ByteView consumed = r.consumed().subspan(start);
      ByteWriter w;
      encode_response(w, rop);
      if (w.size() != consumed.size() || !std::equal(consumed.begin(), consumed.end(), w.view().begin())) std::abort();
      ByteReader again(w.view());
      if (!(decode_response(again, &context) == rop) || !again.empty()) std::abort();
      if (to_json(rop).empty()) std::abort();
    }
  } catch (const DecodeError&) {
  }
  return 0;
}
