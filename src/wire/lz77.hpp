// LZ77 with DIRECT2 encoding (MS-XCA 2.3/2.4 "Plain LZ77"), the compression of MS-OXCRPC 3.1.4.1.1.1
// RPC_HEADER_EXT payloads and of MAPI/HTTP.
#pragma once

#include <cstdint>
#include <span>

#include "base/bytes.hpp"

namespace exmapi::lz77 {

// Compresses `in` into a fresh buffer. Output may be larger than input for incompressible data;
// callers that frame it (RPC_HEADER_EXT) send the uncompressed form in that case.
// Match-finder tables live in thread-local storage and are reused from call to call.
Bytes compress(ByteView in);

// The largest output compress() can produce for `in_size` input bytes: every token a literal,
// one flag word per 32 of them, plus the final (padding) flag word.
constexpr size_t compress_bound(size_t in_size) noexcept { return in_size + (in_size / 32 + 1) * 4; }

// Decompresses `in`, appending to `out`. With expected_size != kUnknownSize the output must come to
// exactly that many bytes (as RPC_HEADER_EXT's SizeActual says) and never grows past it; without it,
// output is capped at max_output bytes. Throws DecodeError naming the input offset on corrupt data.
// Memory grows with what the stream actually produces, never with what expected_size claims.
constexpr size_t kUnknownSize = SIZE_MAX;
void decompress(ByteView in, Bytes& out, size_t expected_size = kUnknownSize, size_t max_output = 1u << 30);
Bytes decompress(ByteView in, size_t expected_size = kUnknownSize);

// Decompresses into caller-owned memory without any allocation; returns the number of bytes
// written. With exact, the stream must fill `dst` completely; otherwise dst.size() is the cap.
// Throws DecodeError like decompress().
size_t decompress_into(ByteView in, std::span<uint8_t> dst, bool exact);

}  // namespace exmapi::lz77
