// Compresses arbitrary bytes as RTF, in both forms, and checks that decompression gives them back,
// that the LZFu form never exceeds the all-literal size, and that its header is consistent.
#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "convert/compressed_rtf.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace exmapi;
  ByteView in(data, size);
  Bytes c = rtf::compress(in);
  // All literals: one control byte per 8, plus the end marker, which may need a run of its own.
  if (c.size() > rtf::kHeaderSize + size + size / 8 + 3) __builtin_trap();
  rtf::Header h = rtf::read_header(c);
  if (h.raw_size != size || h.comp_type != rtf::kCompTypeCompressed) __builtin_trap();
  Bytes out = rtf::decompress(c);
  if (out.size() != size || !std::equal(out.begin(), out.end(), in.begin())) __builtin_trap();
  Bytes mela = rtf::compress(in, rtf::Form::uncompressed);
  if (rtf::decompress(mela) != out) __builtin_trap();
  return 0;
}
