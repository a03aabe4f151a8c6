// LZ77 with DIRECT2 encoding (MS-XCA 2.3/2.4 "Plain LZ77"), the compression of MS-OXCRPC 3.1.4.1.1.1
// RPC_HEADER_EXT payloads and of MAPI/HTTP.
#pragma once

#include "base/bytes.hpp"

namespace exmapi::lz77 {

// Compresses `in` into a fresh buffer. Output may be larger than input for incompressible data;
// callers that frame it (RPC_HEADER_EXT) send the uncompressed form in that case.
Bytes compress(ByteView in);

// Decompresses `in`, appending to `out`. With expected_size != kUnknownSize the output must come to
// exactly that many bytes (as RPC_HEADER_EXT's SizeActual says) and never grows past it; without it,
// output is capped at max_output bytes. Throws DecodeError naming the input offset on corrupt data.
constexpr size_t kUnknownSize = SIZE_MAX;
void decompress(ByteView in, Bytes& out, size_t expected_size = kUnknownSize, size_t max_output = 1u << 30);
Bytes decompress(ByteView in, size_t expected_size = kUnknownSize);

}  // namespace exmapi::lz77
