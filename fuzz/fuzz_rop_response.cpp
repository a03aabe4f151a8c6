// Fuzzes ROP response decoding, as a client meets it. The first byte picks the context a client
// would hold (sample_context: a column set of every sample value type; private or public logon), the
// rest is responses back to back. Each decoded response must re-encode to exactly the bytes it was
// read from, decode again to the same value, and print. A RopQueryRows response must read the same
// through the zero-copy view (RopQueryRows::ResponseView), and fail at the same place when it fails.
#include <algorithm>
#include <cstdlib>

#include "rop/rop_buffer.hpp"

using namespace exmapi;
using namespace exmapi::rop;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  ResponseContext context = sample_context(data[0]);
  ByteReader r(ByteView(data + 1, size - 1));
  size_t start = 0;
  try {
    while (!r.empty()) {
      start = r.position();
      RopResponse rop = decode_response(r, &context);
      ByteView consumed = r.consumed().subspan(start);
      ByteWriter w;
      encode_response(w, rop);
      if (w.size() != consumed.size() || !std::equal(consumed.begin(), consumed.end(), w.view().begin())) std::abort();
      ByteReader again(w.view());
      if (!(decode_response(again, &context) == rop) || !again.empty()) std::abort();
      if (to_json(rop).empty()) std::abort();
      if (auto* rows = get_if<RopQueryRows::Response>(&rop)) {
        ByteReader vr(consumed);
        RopQueryRows::ResponseView view;
        decode_query_rows_view(vr, context, view);
        if (!vr.empty() || view.rows.size() != rows->rows.size()) std::abort();
        for (size_t i = 0; i < view.rows.size(); ++i)
          if (!(view.rows.to_row(i) == rows->rows[i])) std::abort();
      }
    }
  } catch (const DecodeError& owned) {
    // Where the owned decoder failed on a RopQueryRows response, the view fails at the same offset
    // and field path.
    ByteView rest = ByteView(data + 1, size - 1).subspan(start);
    if (!rest.empty() && rest[0] == static_cast<uint8_t>(RopId::QueryRows)) {
      ByteReader vr(rest, start);
      RopQueryRows::ResponseView view;
      try {
        decode_query_rows_view(vr, context, view);
        std::abort();
      } catch (const DecodeError& e) {
        if (e.path() != owned.path() || e.offset() != owned.offset()) std::abort();
      }
    }
  }
  return 0;
}
