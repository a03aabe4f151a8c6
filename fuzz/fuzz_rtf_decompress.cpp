// Decodes arbitrary bytes as a PidTagRtfCompressed value. The CRC would reject nearly every mutation
// before the LZFu decoder runs, so the input is also decoded a second time with its CRC field set to
// the checksum of its contents. Whatever is accepted must be exactly RAWSIZE bytes, and the
// allocation-free entry point must agree with the allocating one.
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "convert/compressed_rtf.hpp"

namespace {
void check(exmapi::ByteView in) {
  using namespace exmapi;
  Bytes out;
  try {
    out = rtf::decompress(in);
  } catch (const Error&) {
    return;
  }
  if (out.size() != rtf::read_header(in).raw_size) __builtin_trap();
  Bytes into(out.size());
  if (rtf::decompress_into(in, into) != out.size() || into != out) __builtin_trap();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace exmapi;
  check(ByteView(data, size));
  if (size >= rtf::kHeaderSize) {
    Bytes fixed(data, data + size);
    detail::store_le<uint32_t>(fixed.data() + 12, rtf::crc32(ByteView(fixed).subspan(rtf::kHeaderSize)));
    check(fixed);
  }
  return 0;
}
