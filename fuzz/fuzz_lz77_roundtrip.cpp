// Compresses arbitrary bytes and checks that decompression gives them back, with and without the
// size, and that the stream stays within compress_bound.
#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "wire/lz77.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace exmapi;
  ByteView in(data, size);
  Bytes c = lz77::compress(in);
  if (c.size() > lz77::compress_bound(size)) __builtin_trap();
  Bytes out = lz77::decompress(c, size);
  if (out.size() != size || !std::equal(out.begin(), out.end(), in.begin())) __builtin_trap();
  Bytes unsized = lz77::decompress(c);
  if (unsized != out) __builtin_trap();
  return 0;
}
