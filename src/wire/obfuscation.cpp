#include "wire/obfuscation.hpp"

#include <cstring>

namespace exmapi::wire {

void xor_magic(std::span<uint8_t> data) noexcept {
  // Eight bytes at a time: payloads reach 32 KB and are obfuscated on every call.
  constexpr uint64_t kWide = 0x0101010101010101ULL * kXorMagicByte;
  uint8_t* p = data.data();
  size_t n = data.size();
  for (; n >= 8; p += 8, n -= 8) {
    uint64_t v;
    std::memcpy(&v, p, 8);
    v ^= kWide;
    std::memcpy(p, &v, 8);
  }
  for (; n; ++p, --n) *p ^= kXorMagicByte;
}

}  // namespace exmapi::wire
