// Text and small fixed structures of the wire: UTF-16LE strings, GUIDs, FILETIMEs.
//
// Rule for invalid UTF-16: an unpaired surrogate (a high surrogate not followed by a low one, or a
// lone low surrogate) is carried into UTF-8 as its generalized 3-byte form (ED A0..BF xx, as WTF-8
// does). Every UTF-16 string a server sends therefore survives decode and re-encode byte for byte,
// which property values and entry IDs need. Text meant for display goes through
// utf8_for_display(), which turns those sequences into U+FFFD.
// From UTF-8, overlong forms, values above U+10FFFF, truncated sequences and stray continuation
// bytes are errors; the generalized surrogate form is accepted only unpaired, as produced above.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/bytes.hpp"

namespace exmapi {

// Appends the UTF-8 (generalized for lone surrogates) form of n UTF-16LE code units at p.
void utf16le_to_utf8(const uint8_t* p, size_t units, std::string& out);
std::string utf16le_to_utf8(ByteView utf16le);

// Appends UTF-16LE code units (no terminator) to w; throws EncodeError naming `field` on invalid UTF-8.
void utf8_to_utf16le(std::string_view utf8, ByteWriter& w, std::string_view field = "string");
Bytes utf8_to_utf16le(std::string_view utf8, std::string_view field = "string");
// Number of UTF-16 code units that utf8 becomes, or nullopt when it is invalid.
std::optional<size_t> utf16_length(std::string_view utf8) noexcept;

// Replaces generalized surrogate sequences with U+FFFD for display.
std::string utf8_for_display(std::string_view wtf8);

// Reads a NUL-terminated UTF-16LE string (the terminator is consumed, not returned).
std::string read_utf16z(ByteReader& r, std::string_view field);
// The same string left in place: its UTF-16LE units without the terminator (zero-copy readers).
ByteView read_utf16z_units(ByteReader& r, std::string_view field);
void write_utf16z(ByteWriter& w, std::string_view utf8, std::string_view field = "string");
// Reads a NUL-terminated 8-bit string as raw bytes (code page is the caller's business).
std::string read_str8z(ByteReader& r, std::string_view field);
// The same string left in place, without its NUL.
ByteView read_str8z_bytes(ByteReader& r, std::string_view field);
void write_str8z(ByteWriter& w, std::string_view bytes, std::string_view field = "string");

// GUID as on the wire (MS-DTYP 2.3.4.2): Data1..Data3 little-endian, Data4 as bytes.
struct Guid {
  std::array<uint8_t, 16> bytes{};  // wire order
  friend bool operator==(const Guid&, const Guid&) = default;
  friend auto operator<=>(const Guid&, const Guid&) = default;

  static Guid read(ByteReader& r, std::string_view field);
  void write(ByteWriter& w) const;
  // "{00062008-0000-0000-C000-000000000046}" (upper case, braces).
  std::string to_string() const;
  // Accepts the form above with or without braces, either case.
  static std::optional<Guid> parse(std::string_view text);
};

// FILETIME: 100-ns intervals since 1601-01-01 UTC.
constexpr int64_t kFiletimeUnixEpoch = 116444736000000000LL;  // 1970-01-01 as FILETIME
constexpr int64_t kFiletimeTicksPerSecond = 10000000LL;
// Unix seconds of a FILETIME, rounded toward negative infinity, plus the remaining 100-ns ticks.
struct UnixTime {
  int64_t seconds;
  uint32_t ticks;  // 0..9999999
  friend bool operator==(const UnixTime&, const UnixTime&) = default;
};
UnixTime filetime_to_unix(uint64_t filetime) noexcept;
// Throws EncodeError if the time is before 1601 or past the FILETIME range.
uint64_t unix_to_filetime(int64_t seconds, uint32_t ticks = 0);
// ISO 8601 UTC, e.g. "2026-11-26T21:51:23.1234567Z" (fraction omitted when zero).
std::string filetime_to_iso8601(uint64_t filetime);

}  // namespace exmapi
