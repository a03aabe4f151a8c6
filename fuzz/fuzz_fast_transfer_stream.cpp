// Fuzzes the incremental FastTransfer stream decoder (MS-OXCFXICS 2.2.4). Byte 0 seeds the split
// points: the rest is fed in buffers of pseudo-random sizes, and the elements must equal those of one
// whole-stream decode (or both must fail). Whatever decodes must re-encode and decode to the same
// elements.
#include <algorithm>
#include <cstdlib>
#include <optional>

#include "rop/fast_transfer_stream.hpp"

using namespace exmapi;
using namespace exmapi::rop;

namespace {
std::optional<std::vector<FxElement>> decode_whole(ByteView b, FastTransferStreamDecoder::Limits limits) {
  try {
    return decode_fast_transfer_stream(b, limits);
  } catch (const DecodeError&) {
    return std::nullopt;
  }
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  uint32_t split_state = data[0] * 2654435761u + 1;
  ByteView stream(data + 1, size - 1);
  // A small limit so the length checks are reached with short inputs.
  FastTransferStreamDecoder::Limits limits{4096};
  std::optional<std::vector<FxElement>> whole = decode_whole(stream, limits);

  FastTransferStreamDecoder d(limits);
  std::vector<FxElement> parts;
  bool failed = false;
  try {
    size_t at = 0;
    while (at < stream.size()) {
      split_state = split_state * 1103515245u + 12345u;
      size_t n = std::min<size_t>(stream.size() - at, (split_state >> 16) % 17);
      for (FxElement& e : d.feed(stream.subspan(at, n))) parts.push_back(std::move(e));
      at += n;
    }
    d.finish();
  } catch (const DecodeError&) {
    failed = true;
  }
  if (failed != !whole.has_value()) std::abort();
  if (!whole) return 0;
  if (parts != *whole) std::abort();
  for (size_t i = 0; i < parts.size(); ++i)
    if (parts[i].offset != (*whole)[i].offset || describe(parts[i]).empty()) std::abort();
  try {
    Bytes again = encode_fast_transfer_stream(*whole);
    if (decode_fast_transfer_stream(again, FastTransferStreamDecoder::Limits{1u << 20}) != *whole) std::abort();
  } catch (const EncodeError&) {
    std::abort();  // every decoded element has a stream form
  }
  return 0;
}
