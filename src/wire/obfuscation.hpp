// The XorMagic obfuscation of extended buffers (MS-OXCRPC 3.1.4.1.1.3): every payload byte is XORed
// with 0xA5. It hides readable text from casual inspection and is no security measure; the operation
// is its own inverse, so one function serves sender and receiver.
#pragma once

#include <cstdint>
#include <span>

namespace exmapi::wire {

inline constexpr uint8_t kXorMagicByte = 0xA5;

// XORs every byte of `data` with 0xA5 in place.
void xor_magic(std::span<uint8_t> data) noexcept;

}  // namespace exmapi::wire
