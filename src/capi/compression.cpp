// C ABI of the LZ77 codec (include/exmapi/compression.h).
#include <exmapi/compression.h>

#include "capi/capi_guard.hpp"
#include "wire/lz77.hpp"

namespace {
exmapi::ByteView input_view(const void* in, size_t in_size) {
  if (in_size) exmapi::capi::require(in, "in");
  return {static_cast<const uint8_t*>(in), in_size};
}
}  // namespace

extern "C" {

EXMAPI_EXTERN(exmapi_status) exmapi_lz77_compress(exmapi_buf* out, const void* in, size_t in_size) {
  return exmapi::capi::guard([&] {
    exmapi::capi::require(out, "out");
    *out = {nullptr, 0};
    exmapi::capi::give(out, exmapi::lz77::compress(input_view(in, in_size)));
  });
}

EXMAPI_EXTERN(exmapi_status) exmapi_lz77_decompress(exmapi_buf* out, const void* in, size_t in_size,
                                                    size_t expected_size) {
  static_assert(EXMAPI_LZ77_UNKNOWN_SIZE == exmapi::lz77::kUnknownSize);
  return exmapi::capi::guard([&] {
    exmapi::capi::require(out, "out");
    *out = {nullptr, 0};
    exmapi::Bytes bytes;
    exmapi::lz77::decompress(input_view(in, in_size), bytes, expected_size, EXMAPI_LZ77_MAX_OUTPUT);
    exmapi::capi::give(out, bytes);
  });
}
}
