#include "base/text.hpp"

#include <chrono>
#include <cstdio>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace exmapi {

namespace {
inline uint16_t unit_at(const uint8_t* p, size_t i) noexcept {
  return static_cast<uint16_t>(p[2 * i] | (p[2 * i + 1] << 8));
}

// Decodes one UTF-8 (or generalized-surrogate) scalar at s[i]; returns false when invalid.
bool next_code_point(std::string_view s, size_t& i, uint32_t& cp) noexcept {
  auto b0 = static_cast<uint8_t>(s[i]);
  if (b0 < 0x80) {
    cp = b0;
    i += 1;
    return true;
  }
  size_t n;
  uint32_t min;
  if ((b0 & 0xE0) == 0xC0) {
    n = 2, cp = b0 & 0x1F, min = 0x80;
  } else if ((b0 & 0xF0) == 0xE0) {
    n = 3, cp = b0 & 0x0F, min = 0x800;
  } else if ((b0 & 0xF8) == 0xF0) {
    n = 4, cp = b0 & 0x07, min = 0x10000;
  } else {
    return false;
  }
  if (s.size() - i < n) return false;
  for (size_t k = 1; k < n; ++k) {
    auto b = static_cast<uint8_t>(s[i + k]);
    if ((b & 0xC0) != 0x80) return false;
    cp = (cp << 6) | (b & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF) return false;
  i += n;
  return true;
}

inline bool is_high(uint32_t u) { return u >= 0xD800 && u <= 0xDBFF; }
inline bool is_low(uint32_t u) { return u >= 0xDC00 && u <= 0xDFFF; }

// The UTF-8 size of units [from, units) as utf16le_to_utf8 writes them.
size_t utf8_size(const uint8_t* p, size_t from, size_t units) noexcept {
  size_t n = 0;
  for (size_t i = from; i < units; ++i) {
    uint32_t u = unit_at(p, i);
    if (u < 0x80) {
      n += 1;
    } else if (u < 0x800) {
      n += 2;
    } else if (is_high(u) && i + 1 < units && is_low(unit_at(p, i + 1))) {
      n += 4;
      ++i;
    } else {
      n += 3;
    }
  }
  return n;
}
}  // namespace

// Table rows carry several strings per row and most of their text is ASCII, so the conversion is on
// the hot path of RopQueryRows: the output is sized for all-ASCII text (so short strings stay in the
// string's inline buffer), widened once to the exact size at the first non-ASCII unit, and written through a pointer; runs of four
// ASCII units are recognised with one 64-bit test.
void utf16le_to_utf8(const uint8_t* p, size_t units, std::string& out) {
  size_t start = out.size();
  out.resize(start + units);
  char* o = out.data() + start;
  bool widened = false;
  size_t i = 0;
  while (i < units) {
#if defined(__SSE2__)
    // Eight ASCII units at a time: test that no unit has a bit above 0x7F, then narrow them.
    if (i + 8 <= units) {
      __m128i eight = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 2 * i));
      __m128i high = _mm_and_si128(eight, _mm_set1_epi16(static_cast<short>(0xFF80)));
      if (_mm_movemask_epi8(_mm_cmpeq_epi16(high, _mm_setzero_si128())) == 0xFFFF) {
        _mm_storel_epi64(reinterpret_cast<__m128i*>(o), _mm_packus_epi16(eight, eight));
        o += 8;
        i += 8;
        continue;
      }
    }
#endif
    if (i + 4 <= units) {
      uint64_t four = detail::load_le<uint64_t>(p + 2 * i);
      if ((four & 0xFF80FF80FF80FF80ull) == 0) {
        o[0] = static_cast<char>(four);
        o[1] = static_cast<char>(four >> 16);
        o[2] = static_cast<char>(four >> 32);
        o[3] = static_cast<char>(four >> 48);
        o += 4;
        i += 4;
        continue;
      }
    }
    uint32_t cp = unit_at(p, i);
    ++i;
    if (cp < 0x80) {
      *o++ = static_cast<char>(cp);
      continue;
    }
    if (!widened) {
      size_t done = static_cast<size_t>(o - out.data());
      out.resize(done + utf8_size(p, i - 1, units));
      o = out.data() + done;
      widened = true;
    }
    if (is_high(cp) && i < units && is_low(unit_at(p, i))) {
      cp = 0x10000 + ((cp - 0xD800) << 10) + (unit_at(p, i) - 0xDC00u);
      ++i;
    }
    // A BMP scalar, a supplementary one, or a lone surrogate in its generalized 3-byte form.
    if (cp < 0x800) {
      o[0] = static_cast<char>(0xC0 | (cp >> 6));
      o[1] = static_cast<char>(0x80 | (cp & 0x3F));
      o += 2;
    } else if (cp < 0x10000) {
      o[0] = static_cast<char>(0xE0 | (cp >> 12));
      o[1] = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      o[2] = static_cast<char>(0x80 | (cp & 0x3F));
      o += 3;
    } else {
      o[0] = static_cast<char>(0xF0 | (cp >> 18));
      o[1] = static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      o[2] = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      o[3] = static_cast<char>(0x80 | (cp & 0x3F));
      o += 4;
    }
  }
  out.resize(static_cast<size_t>(o - out.data()));
}

std::string utf16le_to_utf8(ByteView utf16le) {
  std::string out;
  utf16le_to_utf8(utf16le.data(), utf16le.size() / 2, out);
  return out;
}

std::optional<size_t> utf16_length(std::string_view s) noexcept {
  size_t units = 0;
  size_t i = 0;
  bool prev_high = false;
  while (i < s.size()) {
    uint32_t cp;
    if (!next_code_point(s, i, cp)) return std::nullopt;
    // A generalized high surrogate followed by a low one would be a pair in disguise: the UTF-16 it
    // produces would re-read as one scalar, so it is not a faithful encoding.
    if (prev_high && is_low(cp)) return std::nullopt;
    prev_high = is_high(cp);
    units += cp >= 0x10000 ? 2 : 1;
  }
  return units;
}

void utf8_to_utf16le(std::string_view s, ByteWriter& w, std::string_view field) {
  size_t i = 0;
  bool prev_high = false;
  while (i < s.size()) {
    size_t at = i;
    uint32_t cp;
    if (!next_code_point(s, i, cp) || (prev_high && is_low(cp)))
      throw EncodeError(field, "invalid UTF-8 at byte " + std::to_string(at));
    prev_high = is_high(cp);
    if (cp >= 0x10000) {
      cp -= 0x10000;
      w.u16(static_cast<uint16_t>(0xD800 + (cp >> 10)));
      w.u16(static_cast<uint16_t>(0xDC00 + (cp & 0x3FF)));
    } else {
      w.u16(static_cast<uint16_t>(cp));
    }
  }
}

Bytes utf8_to_utf16le(std::string_view utf8, std::string_view field) {
  ByteWriter w;
  w.reserve_capacity(utf8.size() * 2);
  utf8_to_utf16le(utf8, w, field);
  return w.take();
}

std::string utf8_for_display(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    size_t at = i;
    uint32_t cp;
    if (!next_code_point(s, i, cp)) {
      out += "\xEF\xBF\xBD";
      i = at + 1;
      continue;
    }
    if (is_high(cp) || is_low(cp))
      out += "\xEF\xBF\xBD";
    else
      out.append(s.substr(at, i - at));
  }
  return out;
}

ByteView read_utf16z_units(ByteReader& r, std::string_view field) {
  ByteView rest = r.rest();
  size_t units = rest.size() / 2;
  const uint8_t* p = rest.data();
  size_t n = 0;
  // Four units per step: a 16-bit lane is zero when subtracting 1 borrows out of it.
  while (n + 4 <= units) {
    uint64_t four = detail::load_le<uint64_t>(p + 2 * n);
    if ((four - 0x0001000100010001ull) & ~four & 0x8000800080008000ull) break;
    n += 4;
  }
  while (n < units && (p[2 * n] | p[2 * n + 1]) != 0) ++n;
  if (n == units) r.fail(field, "UTF-16 string has no terminating NUL");
  r.skip(2 * (n + 1), field);
  return rest.first(2 * n);
}

std::string read_utf16z(ByteReader& r, std::string_view field) {
  ByteView units = read_utf16z_units(r, field);
  std::string out;
  utf16le_to_utf8(units.data(), units.size() / 2, out);
  return out;
}

void write_utf16z(ByteWriter& w, std::string_view utf8, std::string_view field) {
  if (utf8.find('\0') != std::string_view::npos) throw EncodeError(field, "string contains NUL");
  utf8_to_utf16le(utf8, w, field);
  w.u16(0);
}

ByteView read_str8z_bytes(ByteReader& r, std::string_view field) {
  ByteView rest = r.rest();
  const void* nul = std::memchr(rest.data(), 0, rest.size());
  if (!nul) r.fail(field, "8-bit string has no terminating NUL");
  size_t n = static_cast<size_t>(static_cast<const uint8_t*>(nul) - rest.data());
  r.skip(n + 1, field);
  return rest.first(n);
}

std::string read_str8z(ByteReader& r, std::string_view field) {
  ByteView b = read_str8z_bytes(r, field);
  return std::string(reinterpret_cast<const char*>(b.data()), b.size());
}

void write_str8z(ByteWriter& w, std::string_view bytes, std::string_view field) {
  if (bytes.find('\0') != std::string_view::npos) throw EncodeError(field, "string contains NUL");
  w.bytes({reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()});
  w.u8(0);
}

Guid Guid::read(ByteReader& r, std::string_view field) {
  Guid g;
  ByteView b = r.bytes(16, field);
  std::memcpy(g.bytes.data(), b.data(), 16);
  return g;
}

void Guid::write(ByteWriter& w) const { w.bytes(bytes); }

std::string Guid::to_string() const {
  const uint8_t* b = bytes.data();
  char s[40];
  std::snprintf(s, sizeof s, "{%08X-%04X-%04X-%02X%02X-%02X%02X%02X%02X%02X%02X}",
                detail::load_le<uint32_t>(b), detail::load_le<uint16_t>(b + 4), detail::load_le<uint16_t>(b + 6),
                b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
  return s;
}

std::optional<Guid> Guid::parse(std::string_view t) {
  if (t.size() == 38 && t.front() == '{' && t.back() == '}') t = t.substr(1, 36);
  if (t.size() != 36 || t[8] != '-' || t[13] != '-' || t[18] != '-' || t[23] != '-') return std::nullopt;
  uint8_t raw[16];
  size_t k = 0;
  for (size_t i = 0; i < t.size();) {
    if (t[i] == '-') {
      ++i;
      continue;
    }
    auto hex = [](char c) -> int {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      if (c >= 'A' && c <= 'F') return c - 'A' + 10;
      return -1;
    };
    int hi = hex(t[i]), lo = hex(t[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    raw[k++] = static_cast<uint8_t>(hi << 4 | lo);
    i += 2;
  }
  // Text order is big-endian for Data1..Data3; the wire stores them little-endian.
  Guid g;
  uint8_t* b = g.bytes.data();
  b[0] = raw[3], b[1] = raw[2], b[2] = raw[1], b[3] = raw[0];
  b[4] = raw[5], b[5] = raw[4], b[6] = raw[7], b[7] = raw[6];
  std::memcpy(b + 8, raw + 8, 8);
  return g;
}

UnixTime filetime_to_unix(uint64_t filetime) noexcept {
  // Work in signed 128 bits: FILETIMEs above INT64_MAX exist on the wire (e.g. "never" = 0x7FFF...).
  __int128 ticks = static_cast<__int128>(filetime) - kFiletimeUnixEpoch;
  __int128 sec = ticks / kFiletimeTicksPerSecond;
  __int128 rem = ticks % kFiletimeTicksPerSecond;
  if (rem < 0) rem += kFiletimeTicksPerSecond, sec -= 1;
  return {static_cast<int64_t>(sec), static_cast<uint32_t>(rem)};
}

uint64_t unix_to_filetime(int64_t seconds, uint32_t ticks) {
  if (ticks >= kFiletimeTicksPerSecond) throw EncodeError("FILETIME", "sub-second ticks out of range");
  __int128 ft = static_cast<__int128>(seconds) * kFiletimeTicksPerSecond + ticks + kFiletimeUnixEpoch;
  if (ft < 0 || ft > static_cast<__int128>(UINT64_MAX))
    throw EncodeError("FILETIME", "time " + std::to_string(seconds) + " is outside the FILETIME range");
  return static_cast<uint64_t>(ft);
}

std::string filetime_to_iso8601(uint64_t filetime) {
  UnixTime t = filetime_to_unix(filetime);
  // Civil-from-days (Howard Hinnant's algorithm) handles the whole FILETIME range, unlike gmtime on 32-bit time_t.
  int64_t days = t.seconds / 86400, secs = t.seconds % 86400;
  if (secs < 0) secs += 86400, days -= 1;
  int64_t z = days + 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t y = yoe + era * 400;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  int64_t d = doy - (153 * mp + 2) / 5 + 1;
  int64_t m = mp < 10 ? mp + 3 : mp - 9;
  if (m <= 2) ++y;
  char buf[64];
  int n = std::snprintf(buf, sizeof buf, "%04lld-%02lld-%02lldT%02lld:%02lld:%02lld", static_cast<long long>(y),
                        static_cast<long long>(m), static_cast<long long>(d), static_cast<long long>(secs / 3600),
                        static_cast<long long>(secs / 60 % 60), static_cast<long long>(secs % 60));
  std::string out(buf, static_cast<size_t>(n));
  if (t.ticks) {
    std::snprintf(buf, sizeof buf, ".%07u", t.ticks);
    out += buf;
  }
  out += 'Z';
  return out;
}

}  // namespace exmapi
