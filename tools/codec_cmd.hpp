#pragma once

#include <exmapi/exmapi.h>

namespace exmapi::cli {

// A codec reachable as `exmapi codec NAME compress|decompress`; both functions come from the C ABI.
struct Codec {
  const char* name;
  const char* summary;
  exmapi_status (*compress)(exmapi_buf* out, const uint8_t* in, size_t in_size);
  exmapi_status (*decompress)(exmapi_buf* out, const uint8_t* in, size_t in_size);
};

struct CodecRegistrar {
  explicit CodecRegistrar(const Codec& codec);
};

}  // namespace exmapi::cli
