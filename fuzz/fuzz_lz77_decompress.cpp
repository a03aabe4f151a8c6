// Decodes arbitrary bytes as an LZ77 stream, with and without an expected size. Only DecodeError
// may come out; the sanitizers catch any read or write out of bounds.
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "wire/lz77.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace exmapi;
  ByteView in(data, size);
  constexpr size_t kCap = size_t{1} << 18;  // above the first 64 KiB window, so growth is exercised
  Bytes out;
  size_t produced = SIZE_MAX;
  try {
    lz77::decompress(in, out, lz77::kUnknownSize, kCap);
    produced = out.size();
    if (produced > kCap) __builtin_trap();
  } catch (const DecodeError&) {
  }
  // The first two bytes, when present, pick an expected size, so the exact-size paths get exercised
  // too; the stream then starts after them.
  if (size >= 2) {
    size_t expected = size_t{data[0]} | size_t{data[1]} << 8;
    ByteView rest = in.subspan(2);
    try {
      Bytes exact = lz77::decompress(rest, expected);
      if (exact.size() != expected) __builtin_trap();
    } catch (const DecodeError&) {
    }
    // Into caller memory, with a guard region that must stay untouched.
    Bytes buf(expected + 64, 0xA5);
    try {
      size_t n = lz77::decompress_into(rest, std::span<uint8_t>(buf.data(), expected), false);
      if (n > expected) __builtin_trap();
    } catch (const DecodeError&) {
    }
    for (size_t i = expected; i < buf.size(); ++i)
      if (buf[i] != 0xA5) __builtin_trap();
  }
  // A stream that decoded without a size decodes the same with its size.
  if (produced != SIZE_MAX) {
    Bytes again = lz77::decompress(in, produced);
    if (again != out) __builtin_trap();
  }
  return 0;
}
