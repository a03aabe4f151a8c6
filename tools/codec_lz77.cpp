// `exmapi codec lz77 compress|decompress`: raw MS-XCA Plain LZ77 streams, through the C ABI.
#include <exmapi/compression.h>

#include "codec_cmd.hpp"

namespace {

exmapi_status lz77_compress(exmapi_buf* out, const uint8_t* in, size_t in_size) {
  return exmapi_lz77_compress(out, in, in_size);
}

// A raw stream carries no size, so the decoder runs until the stream ends (capped at 1 GiB).
exmapi_status lz77_decompress(exmapi_buf* out, const uint8_t* in, size_t in_size) {
  return exmapi_lz77_decompress(out, in, in_size, EXMAPI_LZ77_UNKNOWN_SIZE);
}

exmapi::cli::CodecRegistrar lz77_codec{
    {"lz77", "MS-XCA Plain LZ77 (DIRECT2), as in RPC_HEADER_EXT", lz77_compress, lz77_decompress}};

}  // namespace
