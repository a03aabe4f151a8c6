// Unframes arbitrary bytes as an extended buffer (RPC_HEADER_EXT pairs). Only DecodeError may come
// out. Whatever decodes is packed again with the flags each header had and must unpack to the same
// payloads; the concatenated and list forms must agree.
#include <cstddef>
#include <cstdint>

#include "wire/extended_buffer.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace exmapi;
  using namespace exmapi::wire;
  ByteView in(data, size);
  std::vector<ExtendedBuffer> buffers;
  try {
    buffers = unpack(in);
  } catch (const DecodeError&) {
    try {
      unpack_concatenated(in);
      __builtin_trap();  // the two forms must agree on rejection
    } catch (const DecodeError&) {
    }
    return 0;
  }
  Bytes all = unpack_concatenated(in);
  size_t total = 0;
  for (const auto& b : buffers) {
    if (b.payload.size() != b.header.size_actual || b.payload.size() > kMaxExtendedPayload) __builtin_trap();
    total += b.payload.size();
  }
  if (all.size() != total || buffers.empty() || !(buffers.back().header.flags & kRpcExtLast)) __builtin_trap();

  for (const auto& b : buffers) {
    PackOptions o;
    o.compress = b.header.flags & kRpcExtCompressed;
    o.obfuscate = b.header.flags & kRpcExtXorMagic;
    Bytes again = pack(b.payload, o);
    auto back = unpack(again);
    if (back.size() != 1 || back[0].payload != b.payload) __builtin_trap();
    if (bool(back[0].header.flags & kRpcExtXorMagic) != o.obfuscate) __builtin_trap();
  }
  return 0;
}
