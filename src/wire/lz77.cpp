// Plain LZ77 (MS-XCA 2.3 compression, 2.4 decompression).
//
// Stream: a 32-bit little-endian flag word, read most significant bit first, announces the next 32
// tokens: 0 = one literal byte, 1 = a match. A match is a 16-bit word, (offset-1) << 3 | (length-3)
// for lengths up to 9; longer lengths put 7 in the low bits and continue in a half byte shared by
// two consecutive long matches (low nibble for the first, high nibble for the second), then a byte,
// then a 16-bit and finally a 32-bit value holding the whole length minus 3. The compressor pads
// the last flag word with 1 bits; the decoder stops at a match flag with no input left.
#include "wire/lz77.hpp"

#include <algorithm>
#include <bit>
#include <cstring>
#include <string>

namespace exmapi::lz77 {

namespace {

constexpr size_t kMaxOffset = 8192;  // 13 bits of offset-1
constexpr size_t kMinMatch = 3;

constexpr std::string_view kStreamField = "LZ77";
constexpr std::string_view kFlagsField = "LZ77.Flags";
constexpr std::string_view kLiteralField = "LZ77.Literal";
constexpr std::string_view kMatchField = "LZ77.Match";
constexpr std::string_view kNibbleField = "LZ77.Match.LengthNibble";
constexpr std::string_view kLengthByteField = "LZ77.Match.LengthByte";
constexpr std::string_view kLength16Field = "LZ77.Match.Length16";
constexpr std::string_view kLength32Field = "LZ77.Match.Length32";

inline uint16_t load16(const uint8_t* p) noexcept { return detail::load_le<uint16_t>(p); }
inline uint32_t load32(const uint8_t* p) noexcept { return detail::load_le<uint32_t>(p); }
inline uint64_t load64(const uint8_t* p) noexcept { return detail::load_le<uint64_t>(p); }

inline void copy8(uint8_t* dst, const uint8_t* src) noexcept {
  uint64_t v;
  std::memcpy(&v, src, 8);
  std::memcpy(dst, &v, 8);
}
inline void copy16(uint8_t* dst, const uint8_t* src) noexcept {
  uint8_t v[16];
  std::memcpy(v, src, 16);
  std::memcpy(dst, v, 16);
}

// ---- decompression ---------------------------------------------------------------------------

// Where a decode stands between two calls of decode_stream (the caller grows the output in between).
// Pending flags live in the top bits of a 64-bit word with a 1 bit right behind the last of them:
// countl_zero then gives the literal run without a separate count, and the word equals kNoFlags
// once all 32 are used.
constexpr uint64_t kNoFlags = uint64_t{1} << 63;
inline uint64_t load_flags(uint32_t word) noexcept { return uint64_t{word} << 32 | uint64_t{1} << 31; }

// The number of 0 (literal) flags before the next 1; the sentinel bit keeps `flags` non-zero, so
// the builtin needs no zero check.
inline unsigned leading_literals(uint64_t flags) noexcept { return static_cast<unsigned>(__builtin_clzll(flags)); }

struct DecodeState {
  size_t in_pos = 0;
  size_t out_pos = 0;
  uint64_t flags = kNoFlags;
  size_t nibble_pos = 0;  // input offset of a half-used length byte; 0 = none (offset 0 is a flag word)
};

struct OutputWindow {
  uint8_t* base;
  size_t limit;     // bytes the stream may produce within this window
  size_t writable;  // bytes that may be touched: limit plus scratch room for wide copies
  bool can_grow;    // true: running past limit asks for a bigger window instead of failing
  size_t exact;     // the size the stream must come to, or kUnknownSize
  size_t cap;       // the caller's overall cap, for messages
};

enum class Outcome { finished, needs_room };

// Bytes a wide match copy may write past its end; a match takes the fast path only with this much
// writable room behind it.
constexpr size_t kCopySlop = 32;

[[noreturn, gnu::cold, gnu::noinline]] void fail_truncated(size_t offset, std::string_view field, size_t needed,
                                                          size_t left) {
  throw DecodeError(offset, field,
                    "needs " + std::to_string(needed) + " bytes, only " + std::to_string(left) + " left");
}

[[noreturn, gnu::cold, gnu::noinline]] void fail_output_full(size_t offset, std::string_view field,
                                                            const OutputWindow& w, uint64_t wanted) {
  std::string why = "would produce " + std::to_string(wanted) + " bytes of output, more than ";
  why += w.exact != kUnknownSize ? "the expected size of " + std::to_string(w.exact)
                                 : "the limit of " + std::to_string(w.cap);
  throw DecodeError(offset, field, why);
}

[[noreturn, gnu::cold, gnu::noinline]] void fail_distance(size_t offset, size_t distance, size_t produced) {
  throw DecodeError(offset, kMatchField,
                    "offset " + std::to_string(distance) + " reaches before the start of the output (" +
                        std::to_string(produced) + " bytes so far)");
}

[[noreturn, gnu::cold, gnu::noinline]] void fail_literals_missing(size_t offset, unsigned run) {
  throw DecodeError(offset, kLiteralField, "stream ends inside a run of " + std::to_string(run) + " literals");
}

[[noreturn, gnu::cold, gnu::noinline]] void fail_size_mismatch(size_t offset, size_t produced, size_t expected) {
  throw DecodeError(offset, kStreamField,
                    "stream ends after " + std::to_string(produced) + " bytes of output, expected " +
                        std::to_string(expected));
}

[[noreturn, gnu::cold, gnu::noinline]] void fail_length(size_t offset, std::string_view field, uint64_t value) {
  throw DecodeError(offset, field, "length value " + std::to_string(value) + " is below 22");
}

struct MatchHeader {
  uint64_t length;
  size_t distance;
};

// Reads one match (word and length escapes). kChecked=false when at least 16 input bytes remain,
// which covers the longest form (2+1+1+2+4), so the bounds checks are done once for the whole match.
template <bool kChecked>
inline MatchHeader read_match(const uint8_t*& ip, const uint8_t* ibeg, const uint8_t* iend, const uint8_t*& nibble) {
  auto need = [&](size_t n, std::string_view field) {
    if constexpr (kChecked) {
      if (static_cast<size_t>(iend - ip) < n) fail_truncated(ip - ibeg, field, n, iend - ip);
    }
  };
  need(2, kMatchField);
  uint32_t word = load16(ip);
  ip += 2;
  MatchHeader m{word & 7u, (word >> 3) + 1};
  if (m.length == 7) {
    uint64_t extra;
    if (!nibble) {
      need(1, kNibbleField);
      extra = *ip & 15u;
      nibble = ip++;
    } else {
      extra = *nibble >> 4;
      nibble = nullptr;
    }
    if (extra == 15) {
      need(1, kLengthByteField);
      extra = *ip++;
      if (extra == 255) {
        need(2, kLength16Field);
        const uint8_t* at = ip;
        std::string_view field = kLength16Field;
        extra = load16(ip);
        ip += 2;
        if (extra == 0) {
          need(4, kLength32Field);
          at = ip;
          field = kLength32Field;
          extra = load32(ip);
          ip += 4;
        }
        // This form holds the whole length minus 3, which is at least 7 + 15 + 255 here.
        if (extra < 15 + 7) fail_length(static_cast<size_t>(at - ibeg), field, extra);
        extra -= 15 + 7;
      }
      extra += 15;
    }
    m.length = extra + 7;
  }
  m.length += kMinMatch;
  return m;
}

// For a match distance below 8: the smallest multiple of it that is at least 8.
constexpr uint8_t kPatternPeriod[8] = {0, 8, 8, 9, 8, 10, 12, 14};

// Multiplying d bytes (d < 8) by kSplat[d] repeats them across 8 bytes; the terms never overlap.
constexpr uint64_t kSplat[8] = {0,
                                0x0101010101010101ull,
                                0x0001000100010001ull,
                                0x0001000001000001ull,
                                0x0000000100000001ull,
                                0x0000010000000001ull,
                                0x0001000000000001ull,
                                0x0100000000000001ull};

// Copies a match whose bytes all fit below w.writable with kCopySlop to spare.
inline void copy_match_fast(uint8_t* op, size_t distance, size_t length) {
  const uint8_t* src = op - distance;
  uint8_t* const end = op + length;
  if (distance >= 16) {
    do {
      copy16(op, src);
      op += 16;
      src += 16;
    } while (op < end);
  } else if (distance >= 8) {
    do {
      copy8(op, src);
      op += 8;
      src += 8;
    } while (op < end);
  } else {
    // The output repeats with period `distance`, hence also with the first multiple of it that is
    // at least 8. Once 8 bytes exist (a fixed 8-step byte copy, overlap-safe), 8-byte copies from
    // that far back never read what they write.
    for (size_t i = 0; i < 8; ++i) op[i] = src[i];
    const size_t period = kPatternPeriod[distance];
    for (uint8_t* p = op + 8; p < end; p += 8) copy8(p, p - period);
  }
}

inline void copy_match_careful(uint8_t* op, size_t distance, size_t length) {
  const uint8_t* src = op - distance;
  if (distance >= length) {
    std::memcpy(op, src, length);
  } else {
    for (size_t i = 0; i < length; ++i) op[i] = src[i];
  }
}

Outcome decode_stream(ByteView in, const OutputWindow& w, DecodeState& s) {
  const uint8_t* const ibeg = in.data();
  const uint8_t* const iend = ibeg + in.size();
  const uint8_t* ip = ibeg + s.in_pos;
  uint8_t* const obeg = w.base;
  uint8_t* const olimit = obeg + w.limit;
  uint8_t* const owritable = obeg + w.writable;
  uint8_t* op = obeg + s.out_pos;
  uint64_t flags = s.flags;
  const uint8_t* nibble = s.nibble_pos ? ibeg + s.nibble_pos : nullptr;

  Outcome outcome = Outcome::finished;
  // With the size known and reached, input that simply runs out is a clean end as well (a peer
  // that leaves out the padding flag word, or pads with 0 bits, lost nothing).
  auto complete_at_input_end = [&] {
    return ip == iend && w.exact != kUnknownSize && static_cast<size_t>(op - obeg) == w.exact;
  };

  // Fast path: with this much input and output room left, a flag word, a 32-byte literal copy and
  // the longest match header all fit, so one comparison per token replaces the per-field checks.
  constexpr size_t kInputMargin = 4 + 32 + 16;
  constexpr size_t kOutputMargin = 32 + kCopySlop;

  // The fast path runs while ip < ifast and op < ofast (both stay inside their buffers).
  const uint8_t* const ifast = ibeg + (in.size() > kInputMargin ? in.size() - kInputMargin : 0);
  uint8_t* const ofast = obeg + (w.limit > kOutputMargin ? w.limit - kOutputMargin : 0);

  for (;;) {
    if (ip < ifast && op < ofast) {
      if (flags == kNoFlags) {
        flags = load_flags(load32(ip));
        ip += 4;
      }
      // Copy 32 bytes whatever the run (0 to 32): cheaper than a branch that mispredicts.
      unsigned run = leading_literals(flags);
      copy16(op, ip);
      copy16(op + 16, ip + 16);
      ip += run;
      op += run;
      flags <<= run;
      if (flags == kNoFlags) continue;
      // The top flag is a match. Most are 3 to 24 bytes long (the length in the word or, for 10 to
      // 24, in a half byte); op is at least 32 bytes before the end of the window here (see ofast),
      // so such a match is one fixed-size wide copy whatever its length.
      const uint8_t* token = ip;
      uint32_t word = load16(ip);
      size_t distance = (word >> 3) + 1;
      size_t produced = static_cast<size_t>(op - obeg);
      if (distance > produced) [[unlikely]]
        fail_distance(static_cast<size_t>(token - ibeg), distance, produced);
      const uint8_t* src = op - distance;
      if ((word & 7) != 7) {
        ip += 2;
        flags <<= 1;
        if (distance >= 8) {
          copy8(op, src);
          copy8(op + 8, src + 8);
        } else if (produced >= 8) {
          // Repeat the last `distance` bytes in a register: no chain of overlapping stores and loads.
          uint64_t pattern = (load64(op - 8) >> (64 - 8 * distance)) * kSplat[distance];
          detail::store_le<uint64_t>(op, pattern);
          op[8] = static_cast<uint8_t>(pattern >> (8 * (8 % distance)));
        } else {
          for (size_t i = 0; i < 9; ++i) op[i] = src[i];
        }
        op += (word & 7) + kMinMatch;
        continue;
      }
      unsigned half = nibble ? *nibble >> 4 : ip[2] & 15u;
      if (half != 15 && distance >= 16) {
        nibble = nibble ? nullptr : ip + 2;
        ip = nibble ? ip + 3 : ip + 2;
        flags <<= 1;
        copy16(op, src);
        copy16(op + 16, src + 16);
        op += half + 10;
        continue;
      }
      const uint8_t* nibble_before = nibble;
      MatchHeader m = read_match<false>(ip, ibeg, iend, nibble);
      if (m.length <= static_cast<uint64_t>(ofast - op) + (kOutputMargin - kCopySlop)) {
        flags <<= 1;
        copy_match_fast(op, m.distance, static_cast<size_t>(m.length));
        op += m.length;
        continue;
      }
      // Near the end of the output: leave this match to the checked path below.
      ip = token;
      nibble = nibble_before;
    }

    // Checked path: one token at a time, every read bounds-checked.
    if (flags == kNoFlags) {
      if (iend - ip < 4) {
        if (complete_at_input_end()) goto stop;
        fail_truncated(static_cast<size_t>(ip - ibeg), kFlagsField, 4, static_cast<size_t>(iend - ip));
      }
      flags = load_flags(load32(ip));
      ip += 4;
    }
    if (unsigned run = leading_literals(flags)) {
      size_t in_left = static_cast<size_t>(iend - ip);
      if (in_left < run) {
        if (complete_at_input_end()) goto stop;
        fail_literals_missing(in.size(), run);
      }
      size_t out_left = static_cast<size_t>(olimit - op);
      if (out_left < run) {
        if (w.can_grow) {
          outcome = Outcome::needs_room;
          goto stop;
        }
        fail_output_full(static_cast<size_t>(ip - ibeg) + out_left, kLiteralField, w,
                         static_cast<uint64_t>(op - obeg) + run);
      }
      std::memcpy(op, ip, run);
      ip += run;
      op += run;
      flags <<= run;
      continue;
    }
    // A match flag; with no input behind it, the stream is complete (the rest is padding).
    if (ip == iend) {
      flags <<= 1;
      goto stop;
    }
    const uint8_t* token = ip;
    const uint8_t* nibble_before = nibble;
    MatchHeader m = read_match<true>(ip, ibeg, iend, nibble);
    size_t produced = static_cast<size_t>(op - obeg);
    if (m.distance > produced) fail_distance(static_cast<size_t>(token - ibeg), m.distance, produced);
    if (m.length > static_cast<uint64_t>(olimit - op)) {
      if (w.can_grow) {
        ip = token;
        nibble = nibble_before;
        outcome = Outcome::needs_room;
        goto stop;
      }
      fail_output_full(static_cast<size_t>(token - ibeg), kMatchField, w, produced + m.length);
    }
    flags <<= 1;
    size_t length = static_cast<size_t>(m.length);
    if (static_cast<size_t>(owritable - op) >= length + kCopySlop)
      copy_match_fast(op, m.distance, length);
    else
      copy_match_careful(op, m.distance, length);
    op += length;
  }

stop:
  // Leaving the loop only here keeps ip, op and flags out of memory while it runs.
  s.in_pos = static_cast<size_t>(ip - ibeg);
  s.out_pos = static_cast<size_t>(op - obeg);
  s.flags = flags;
  s.nibble_pos = nibble ? static_cast<size_t>(nibble - ibeg) : 0;
  if (outcome == Outcome::finished && w.exact != kUnknownSize && s.out_pos != w.exact)
    fail_size_mismatch(in.size(), s.out_pos, w.exact);
  return outcome;
}

}  // namespace

void decompress(ByteView in, Bytes& out, size_t expected_size, size_t max_output) {
  size_t limit = expected_size != kUnknownSize ? expected_size : max_output;
  if (expected_size != kUnknownSize && expected_size > max_output)
    throw DecodeError(0, kStreamField,
                      "expected size " + std::to_string(expected_size) + " exceeds the limit of " +
                          std::to_string(max_output) + " bytes");
  const size_t base = out.size();
  // Start from what the input can plausibly expand to and grow only when the stream has filled
  // the window: a hostile expected_size cannot make us allocate what the stream never produces.
  size_t window = std::min(limit, std::max<size_t>(size_t{64} << 10, in.size() * 8));
  DecodeState state;
  try {
    for (;;) {
      out.resize(base + window + kCopySlop);
      OutputWindow w{out.data() + base, window, window + kCopySlop, window < limit, expected_size, max_output};
      if (decode_stream(in, w, state) == Outcome::finished) break;
      window = window > limit / 2 ? limit : window * 2;
    }
  } catch (...) {
    out.resize(base);
    throw;
  }
  out.resize(base + state.out_pos);
}

Bytes decompress(ByteView in, size_t expected_size) {
  Bytes out;
  decompress(in, out, expected_size);
  return out;
}

size_t decompress_into(ByteView in, std::span<uint8_t> dst, bool exact) {
  DecodeState state;
  OutputWindow w{dst.data(), dst.size(), dst.size(), false, exact ? dst.size() : kUnknownSize, dst.size()};
  decode_stream(in, w, state);
  return state.out_pos;
}

// ---- compression -----------------------------------------------------------------------------

namespace {

// Hash-chain match finder over 4-byte prefixes, kept per thread and reused across calls. Positions
// are stored with a per-call base that moves past the previous call's range by more than the
// window, so entries left from earlier calls read as too far away and need no clearing.
class MatchFinder {
 public:
  static constexpr unsigned kHashBits = 14;
  static constexpr unsigned kHash3Bits = 12;
  // Candidates examined per position: on the bench corpus 16 gave ratio 2.575, 64 gives 2.588 for
  // about 15% of the speed, and 256 only 2.590 (an exhaustive optimal parse reaches 2.621).
  static constexpr unsigned kMaxChain = 64;
  static constexpr size_t kGoodEnough = 128;  // stop searching once a match is this long

  // Makes room for positions [0, size) of a new input; returns the base to add to them.
  uint32_t begin(size_t size) {
    if (size >= UINT32_MAX / 2 || uint64_t{next_base_} + size + kMaxOffset + 1 >= UINT32_MAX) {
      std::memset(head_, 0, sizeof head_);
      std::memset(head3_, 0, sizeof head3_);
      next_base_ = kMaxOffset + 1;
    }
    uint32_t base = next_base_;
    next_base_ = static_cast<uint32_t>(base + std::min<size_t>(size, UINT32_MAX / 2) + kMaxOffset + 1);
    return base;
  }

  static uint32_t hash(uint32_t four) noexcept { return (four * 2654435761u) >> (32 - kHashBits); }
  static uint32_t hash3(uint32_t four) noexcept { return ((four << 8) * 2246822519u) >> (32 - kHash3Bits); }

  // Records position `pos` (absolute, base included) and returns the previous head of its chain.
  // `three` receives the last position with the same 3-byte prefix hash: every distance costs the
  // same 2 bytes here, so a 3-byte match anywhere in the window beats three literals.
  uint32_t insert(const uint8_t* p, uint32_t pos, uint32_t& three) noexcept {
    uint32_t four = load32(p);
    uint32_t h = hash(four), h3 = hash3(four);
    uint32_t prev = head_[h];
    head_[h] = pos;
    chain_[pos & (kMaxOffset - 1)] = prev;
    three = head3_[h3];
    head3_[h3] = pos;
    return prev;
  }
  void insert(const uint8_t* p, uint32_t pos) noexcept {
    uint32_t ignored;
    insert(p, pos, ignored);
  }
  uint32_t next(uint32_t pos) const noexcept { return chain_[pos & (kMaxOffset - 1)]; }

 private:
  uint32_t head_[1u << kHashBits] = {};
  uint32_t head3_[1u << kHash3Bits] = {};
  uint32_t chain_[kMaxOffset] = {};
  uint32_t next_base_ = kMaxOffset + 1;
};

inline size_t common_length(const uint8_t* a, const uint8_t* b, const uint8_t* b_end) noexcept {
  const uint8_t* start = b;
  while (b_end - b >= 8) {
    uint64_t diff = load64(a) ^ load64(b);
    if (diff) return static_cast<size_t>(b - start) + (std::countr_zero(diff) >> 3);
    a += 8;
    b += 8;
  }
  while (b < b_end && *a == *b) ++a, ++b;
  return static_cast<size_t>(b - start);
}

// Writes the DIRECT2 token stream; the caller sized `out` with compress_bound.
class TokenWriter {
 public:
  explicit TokenWriter(uint8_t* out) : start_(out), flag_pos_(out), op_(out + 4) {}

  void literal(uint8_t b) {
    *op_++ = b;
    flags_ <<= 1;
    count_flag();
  }

  void match(size_t distance, size_t length) {
    uint32_t word = static_cast<uint32_t>(distance - 1) << 3;
    size_t rest = length - kMinMatch;
    if (rest < 7) {
      detail::store_le<uint16_t>(op_, static_cast<uint16_t>(word | rest));
      op_ += 2;
    } else {
      detail::store_le<uint16_t>(op_, static_cast<uint16_t>(word | 7));
      op_ += 2;
      rest -= 7;
      uint8_t nib = static_cast<uint8_t>(std::min<size_t>(rest, 15));
      if (!nibble_) {
        nibble_ = op_;
        *op_++ = nib;
      } else {
        *nibble_ |= static_cast<uint8_t>(nib << 4);
        nibble_ = nullptr;
      }
      if (rest >= 15) {
        rest -= 15;
        if (rest < 255) {
          *op_++ = static_cast<uint8_t>(rest);
        } else {
          *op_++ = 255;
          rest += 15 + 7;  // the 16/32-bit forms hold the whole length minus 3
          if (rest < (1u << 16)) {
            detail::store_le<uint16_t>(op_, static_cast<uint16_t>(rest));
            op_ += 2;
          } else {
            detail::store_le<uint16_t>(op_, 0);
            detail::store_le<uint32_t>(op_ + 2, static_cast<uint32_t>(rest));
            op_ += 6;
          }
        }
      }
    }
    flags_ = flags_ << 1 | 1;
    count_flag();
  }

  // Pads the last flag word with 1 bits (MS-XCA 2.3.4) and returns the stream size.
  size_t finish() {
    uint32_t pad = 32 - flag_count_;
    uint32_t flags = pad == 32 ? 0xFFFFFFFFu : (flags_ << pad) | ((1u << pad) - 1);
    detail::store_le<uint32_t>(flag_pos_, flags);
    return static_cast<size_t>(op_ - start_);
  }

 private:
  void count_flag() {
    if (++flag_count_ == 32) {
      detail::store_le<uint32_t>(flag_pos_, flags_);
      flag_count_ = 0;
      flags_ = 0;
      flag_pos_ = op_;
      op_ += 4;
    }
  }

  uint8_t* start_;
  uint8_t* flag_pos_;
  uint8_t* op_;
  uint8_t* nibble_ = nullptr;
  uint32_t flags_ = 0;
  unsigned flag_count_ = 0;
};

thread_local MatchFinder t_finder;

// The 32-bit length form caps a match at 2^32 - 1 + 3 bytes; keep well inside it.
constexpr size_t kMaxMatch = size_t{UINT32_MAX} - 8;

}  // namespace

Bytes compress(ByteView in) {
  Bytes out(compress_bound(in.size()));
  TokenWriter tw(out.data());
  const uint8_t* const p = in.data();
  const size_t n = in.size();
  MatchFinder& mf = t_finder;
  const uint32_t base = mf.begin(n);

  struct Found {
    size_t length = 0;
    size_t distance = 0;
  };
  size_t inserted = 0;  // positions below this are in the tables (or deliberately skipped)
  // Inserts position i and returns the longest match there among the chain's first candidates.
  auto search = [&](size_t i) {
    Found best;
    uint32_t pos = base + static_cast<uint32_t>(i);
    uint32_t cand3;
    uint32_t cand = mf.insert(p + i, pos, cand3);
    const uint8_t* cur = p + i;
    const uint8_t* end = p + std::min(n, i + kMaxMatch);
    size_t max_len = static_cast<size_t>(end - cur);
    uint32_t first = load32(cur);
    inserted = i + 1;
    // pos - cand - 1 wraps for cand == pos, so a candidate must lie 1..8192 bytes back.
    for (unsigned depth = MatchFinder::kMaxChain; depth && pos - cand - 1 < kMaxOffset; --depth) {
      const uint8_t* ref = p + (cand - base);
      if (ref[best.length] == cur[best.length] && load32(ref) == first) {
        size_t len = 4 + common_length(ref + 4, cur + 4, end);
        if (len > best.length) {
          best.length = len;
          best.distance = pos - cand;
          if (len >= MatchFinder::kGoodEnough || len == max_len) break;
        }
      }
      cand = mf.next(cand);
    }
    if (best.length == 0 && pos - cand3 - 1 < kMaxOffset) {
      const uint8_t* ref = p + (cand3 - base);
      if (ref[0] == cur[0] && ref[1] == cur[1] && ref[2] == cur[2]) best = {kMinMatch, pos - cand3};
    }
    return best;
  };

  size_t i = 0;
  size_t misses = 0;  // positions in a row without a match: data that does not compress
  const size_t last_match_start = n >= 4 ? n - 4 : 0;  // a 4-byte hash needs 4 bytes
  while (i < n) {
    if (n < 4 || i > last_match_start) {
      tw.literal(p[i++]);
      continue;
    }
    Found m = search(i);
    if (m.length < kMinMatch) {
      // Skip faster through incompressible stretches (base64, already compressed attachments).
      size_t step = 1 + (misses++ >> 6);
      for (size_t k = 0; k < step && i < n; ++k) tw.literal(p[i++]);
      continue;
    }
    misses = 0;
    // Lazy evaluation: a longer match starting one byte later is worth a literal.
    while (m.length < MatchFinder::kGoodEnough && i + 1 <= last_match_start) {
      Found next = search(i + 1);
      if (next.length <= m.length) break;
      tw.literal(p[i++]);
      m = next;
    }
    tw.match(m.distance, m.length);
    size_t end = i + m.length;
    // The positions inside the match feed later searches.
    size_t insert_end = std::min(end, last_match_start + 1);
    size_t j = std::max(i + 1, inserted);
    for (; j < insert_end; ++j) mf.insert(p + j, base + static_cast<uint32_t>(j));
    inserted = end;
    i = end;
  }
  out.resize(tw.finish());
  return out;
}

}  // namespace exmapi::lz77
