// Fuzzes ROP request decoding, as the reference server meets it: a whole ROP input buffer (RopSize,
// RopsList, ServerObjectHandleTable) and the same bytes as a bare list of requests. Whatever decodes
// must re-encode to the bytes it came from, decode again to the same value, and print.
#include <algorithm>
#include <cstdlib>

#include "rop/rop_buffer.hpp"

using namespace exmapi;
using namespace exmapi::rop;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ByteView input(data, size);
  try {
    RopRequestBuffer buffer = decode_request_buffer(input);
    Bytes again = encode_request_buffer(buffer);
    if (again.size() != input.size() || !std::equal(again.begin(), again.end(), input.begin())) std::abort();
    if (!(decode_request_buffer(again) == buffer)) std::abort();
    for (const RopRequest& rop : buffer.rops)
      if (to_json(rop).empty()) std::abort();
  } catch (const DecodeError&) {
  }
  try {
    std::vector<RopRequest> rops = decode_requests(input);
    ByteWriter w;
    for (const RopRequest& rop : rops) encode_request(w, rop);
    if (w.size() != input.size() || !std::equal(w.view().begin(), w.view().end(), input.begin())) std::abort();
  } catch (const DecodeError&) {
  }
  return 0;
}
