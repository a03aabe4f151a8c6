// Decodes arbitrary bytes as AUX blocks, and (from the second byte on) as a framed auxiliary buffer.
// Only DecodeError may come out; whatever decodes must re-encode to blocks that decode equal.
#include <cstddef>
#include <cstdint>

#include "wire/aux_blocks.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace exmapi;
  using namespace exmapi::wire;
  ByteView in(data, size);
  try {
    auto blocks = decode_aux_blocks(in);
    try {
      Bytes again = encode_aux_blocks(blocks);
      if (decode_aux_blocks(again) != blocks) __builtin_trap();
    } catch (const EncodeError&) {
      // Several offsets may share one string; laid out once each, a block can outgrow its u16 Size.
    }
  } catch (const DecodeError&) {
  }
  if (size >= 1) {
    try {
      auto blocks = decode_aux_buffer(in.subspan(1));
      PackOptions o;
      o.compress = data[0] & 1;
      o.obfuscate = data[0] & 2;
      try {
        Bytes framed = encode_aux_buffer(blocks, o);
        if (decode_aux_buffer(framed) != blocks) __builtin_trap();
      } catch (const Error& e) {
        // Re-encoding may outgrow the 0x1008 limit (compressed input, shared strings).
        if (e.status() != EXMAPI_E_LIMIT && e.status() != EXMAPI_E_ENCODE) __builtin_trap();
      }
    } catch (const DecodeError&) {
    } catch (const Error& e) {
      if (e.status() != EXMAPI_E_LIMIT) __builtin_trap();
    }
  }
  return 0;
}
