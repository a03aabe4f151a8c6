// C ABI of compressed RTF (include/exmapi/rtf.h).
#include <exmapi/rtf.h>

#include "capi/capi_guard.hpp"
#include "convert/compressed_rtf.hpp"

namespace {
exmapi::ByteView input_view(const void* in, size_t in_size) {
  if (in_size) exmapi::capi::require(in, "in");
  return {static_cast<const uint8_t*>(in), in_size};
}

exmapi_status compress_as(exmapi_buf* out, const void* in, size_t in_size, exmapi::rtf::Form form) {
  return exmapi::capi::guard([&] {
    exmapi::capi::require(out, "out");
    *out = {nullptr, 0};
    exmapi::capi::give(out, exmapi::rtf::compress(input_view(in, in_size), form));
  });
}
}  // namespace

extern "C" {

EXMAPI_EXTERN(exmapi_status) exmapi_rtf_decompress(exmapi_buf* out, const void* in, size_t in_size) {
  return exmapi::capi::guard([&] {
    exmapi::capi::require(out, "out");
    *out = {nullptr, 0};
    exmapi::capi::give(out, exmapi::rtf::decompress(input_view(in, in_size)));
  });
}

EXMAPI_EXTERN(exmapi_status) exmapi_rtf_compress(exmapi_buf* out, const void* in, size_t in_size) {
  return compress_as(out, in, in_size, exmapi::rtf::Form::compressed);
}

EXMAPI_EXTERN(exmapi_status) exmapi_rtf_wrap_uncompressed(exmapi_buf* out, const void* in, size_t in_size) {
  return compress_as(out, in, in_size, exmapi::rtf::Form::uncompressed);
}
}
