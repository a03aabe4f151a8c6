// Compressed RTF, MS-OXRTFCP 2.1.3 (format), 2.1.3.2 (CRC), 2.3.3.2 (compression).
//
// The dictionary is a 4096-byte ring whose first 207 bytes hold a preset string and whose write
// offset starts at 207; every output byte is also written to the ring. A 16-bit big-endian reference
// names an absolute ring offset (12 bits) and a length minus 2 (4 bits); the reference whose offset
// equals the current write offset ends the stream.
//
// Both directions work on flat buffers instead of the ring: output byte i sits at ring offset
// (207 + i) mod 4096, so a reference to ring offset o at output position p reads from p - d with
// d = (207 + p - o) mod 4096 (d = 0 is the end marker). Only while fewer than 4096 bytes exist can
// p - d fall before the output, into the initial ring (the preset, then zeros), which is handled
// on a separate path.
#include "convert/compressed_rtf.hpp"

#include <array>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

namespace exmapi::rtf {

namespace {

// MS-OXRTFCP 2.1.3.1.2: the initial dictionary.
constexpr char kPresetText[] =
    "{\\rtf1\\ansi\\mac\\deff0\\deftab720{\\fonttbl;}{\\f0\\fnil \\froman \\fswiss \\fmodern \\fscript "
    "\\fdecor MS Sans SerifSymbolArialTimes New RomanCourier{\\colortbl\\red0\\green0\\blue0\r\n\\par "
    "\\pard\\plain\\f0\\fs20\\b\\i\\u\\tab\\tx";
constexpr size_t kPresetSize = sizeof(kPresetText) - 1;
static_assert(kPresetSize == 207);

constexpr size_t kRingSize = 4096;
constexpr size_t kRingMask = kRingSize - 1;
constexpr size_t kMinMatch = 2;
constexpr size_t kMaxMatch = 17;
constexpr size_t kMaxDistance = kRingSize - 1;  // distance 0 would be the end marker

constexpr std::string_view kCompSizeField = "CompressedRtf.COMPSIZE";
constexpr std::string_view kRawSizeField = "CompressedRtf.RAWSIZE";
constexpr std::string_view kCompTypeField = "CompressedRtf.COMPTYPE";
constexpr std::string_view kCrcField = "CompressedRtf.CRC";
constexpr std::string_view kContentsField = "CompressedRtf.CONTENTS";
constexpr std::string_view kLiteralField = "CompressedRtf.CONTENTS.LITERAL";
constexpr std::string_view kReferenceField = "CompressedRtf.CONTENTS.REFERENCE";

inline const uint8_t* preset() noexcept { return reinterpret_cast<const uint8_t*>(kPresetText); }

std::string hex32(uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%08X", v);
  return buf;
}

// ---- CRC (2.1.3.2), slicing by 8 ---------------------------------------------------------------

using CrcTables = std::array<std::array<uint32_t, 256>, 8>;

constexpr CrcTables make_crc_tables() {
  CrcTables t{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    t[0][i] = c;
  }
  for (size_t k = 1; k < 8; ++k)
    for (size_t i = 0; i < 256; ++i) t[k][i] = (t[k - 1][i] >> 8) ^ t[0][t[k - 1][i] & 0xFF];
  return t;
}
constexpr CrcTables kCrc = make_crc_tables();

// ---- decompression -----------------------------------------------------------------------------

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

[[noreturn, gnu::cold, gnu::noinline]] void fail(size_t offset, std::string_view field, std::string reason) {
  throw DecodeError(offset, field, std::move(reason));
}

// A reference reaching before the output start reads the initial ring: preset bytes, then zeros
// (the ring positions never written yet). Byte by byte, since the source may run into the output.
[[gnu::noinline]] void copy_from_initial_ring(uint8_t* out, size_t pos, size_t distance, size_t length) noexcept {
  for (size_t k = 0; k < length; ++k) {
    size_t at = pos + k;
    if (at >= distance) {
      out[at] = out[at - distance];
    } else {
      size_t ring = (kPresetSize + at - distance) & kRingMask;  // wraps like the ring does
      out[at] = ring < kPresetSize ? preset()[ring] : 0;
    }
  }
}

// Copies a reference whose 17-byte footprint fits the output with room to spare. The source
// overlaps the destination when distance < length; copying in steps no wider than the distance
// reads only bytes already written.
inline void copy_reference_wide(uint8_t* op, size_t distance, size_t length) noexcept {
  const uint8_t* src = op - distance;
  if (distance >= 16) {
    copy16(op, src);
    op[16] = src[16];
  } else if (distance >= 8) {
    copy8(op, src);
    copy8(op + 8, src + 8);
    op[16] = src[16];
  } else {
    for (size_t k = 0; k < length; ++k) op[k] = src[k];
  }
}

inline void copy_reference_exact(uint8_t* op, size_t distance, size_t length) noexcept {
  const uint8_t* src = op - distance;
  if (distance >= length) {
    std::memcpy(op, src, length);
  } else {
    for (size_t k = 0; k < length; ++k) op[k] = src[k];
  }
}

// Decodes LZFu contents into out[0, raw_size). Input offsets in messages are absolute in the whole
// stream (contents start after the 16-byte header).
void decode_lzfu(ByteView contents, uint8_t* const out, const size_t raw_size) {
  const uint8_t* const ibeg = contents.data();
  const uint8_t* const iend = ibeg + contents.size();
  const uint8_t* ip = ibeg;
  uint8_t* const oend = out + raw_size;
  uint8_t* op = out;
  auto offset_of = [&](const uint8_t* p) { return kHeaderSize + static_cast<size_t>(p - ibeg); };
  auto produced = [&] { return static_cast<size_t>(op - out); };

  // With this much input and output left, a whole run stays inside both buffers unchecked: a
  // control byte and 8 tokens (references read 2 bytes and write up to 17), and one 8-byte literal
  // copy after any token, including the empty one that follows the eighth.
  constexpr size_t kInputMargin = 1 + 8 * 2 + 8;
  constexpr size_t kOutputMargin = 8 * kMaxMatch + 8;
  const uint8_t* end_marker = nullptr;

  for (;;) {
    if (static_cast<size_t>(iend - ip) >= kInputMargin && static_cast<size_t>(oend - op) >= kOutputMargin) {
      // Control bits are read least significant first; a 1 above bit 7 marks the end of the run, so
      // countr_zero gives the literals before the next reference without counting tokens.
      unsigned flags = *ip++ | 0x100u;
      for (;;) {
        unsigned literals = static_cast<unsigned>(__builtin_ctz(flags));
        copy8(op, ip);
        op += literals;
        ip += literals;
        flags >>= literals;
        if (flags == 1) break;
        flags >>= 1;
        const unsigned word = static_cast<unsigned>(ip[0]) << 8 | ip[1];
        ip += 2;
        const size_t pos = produced();
        const size_t distance = (kPresetSize + pos - (word >> 4)) & kRingMask;
        const size_t length = (word & 15) + kMinMatch;
        if (distance == 0) [[unlikely]] {
          end_marker = ip - 2;
          goto finished;
        }
        if (distance > pos) [[unlikely]]
          copy_from_initial_ring(out, pos, distance, length);
        else
          copy_reference_wide(op, distance, length);
        op += length;
      }
      continue;
    }

    // Checked path near either end: one token at a time.
    if (ip == iend) goto finished;
    const unsigned control = *ip++;
    for (unsigned bit = 0; bit < 8; ++bit) {
      if (ip == iend) goto finished;  // an ENDRUN may hold fewer than 8 tokens
      if (!(control >> bit & 1)) {
        if (op == oend)
          fail(offset_of(ip), kLiteralField,
               "a literal would write past RAWSIZE (" + std::to_string(raw_size) + " bytes)");
        *op++ = *ip++;
        continue;
      }
      if (iend - ip < 2)
        fail(offset_of(ip), kReferenceField, "needs 2 bytes, only " + std::to_string(iend - ip) + " left");
      const unsigned word = static_cast<unsigned>(ip[0]) << 8 | ip[1];
      const size_t pos = produced();
      const size_t distance = (kPresetSize + pos - (word >> 4)) & kRingMask;
      const size_t length = (word & 15) + kMinMatch;
      if (distance == 0) {
        end_marker = ip;
        ip += 2;
        goto finished;
      }
      if (length > static_cast<size_t>(oend - op))
        fail(offset_of(ip), kReferenceField,
             "a reference of " + std::to_string(length) + " bytes at output position " + std::to_string(pos) +
                 " would write past RAWSIZE (" + std::to_string(raw_size) + " bytes)");
      ip += 2;
      if (distance > pos)
        copy_from_initial_ring(out, pos, distance, length);
      else
        copy_reference_exact(op, distance, length);
      op += length;
    }
  }

finished:
  if (produced() == raw_size) return;
  if (end_marker)
    fail(offset_of(end_marker), kReferenceField,
         "end marker after " + std::to_string(produced()) + " bytes of output, but RAWSIZE is " +
             std::to_string(raw_size));
  fail(offset_of(ip), kContentsField,
       "stream ends without the end marker after " + std::to_string(produced()) + " of RAWSIZE " +
           std::to_string(raw_size) + " bytes");
}

// Validates everything the header promises and returns RAWSIZE; the contents then decode into any
// buffer of that size.
size_t check_stream(ByteView stream, const Header& h) {
  ByteView contents = stream.subspan(kHeaderSize);
  if (h.comp_type == kCompTypeUncompressed) {
    if (h.raw_size > contents.size())
      fail(kHeaderSize + contents.size(), kContentsField,
           "RAWSIZE is " + std::to_string(h.raw_size) + " but only " + std::to_string(contents.size()) +
               " uncompressed bytes follow");
    return h.raw_size;
  }
  uint32_t actual = crc32(contents);
  if (actual != h.crc)
    throw Error(EXMAPI_E_CHECKSUM, "CRC mismatch at offset 12 in " + std::string(kCrcField) + ": header says " +
                                       hex32(h.crc) + ", the " + std::to_string(contents.size()) +
                                       " content bytes give " + hex32(actual));
  if (h.raw_size > max_raw_size(contents.size()))
    fail(4, kRawSizeField,
         std::to_string(h.raw_size) + " bytes cannot come from " + std::to_string(contents.size()) +
             " compressed bytes (at most 8 per byte)");
  return h.raw_size;
}

void decode_checked(ByteView stream, const Header& h, uint8_t* out) {
  ByteView contents = stream.subspan(kHeaderSize);
  if (h.comp_type == kCompTypeUncompressed) {
    if (h.raw_size) std::memcpy(out, contents.data(), h.raw_size);
    return;
  }
  decode_lzfu(contents, out, h.raw_size);
}

// ---- compression -------------------------------------------------------------------------------

// Finds, for each position, the longest earlier match of 2 to 17 bytes within the last 4095 bytes,
// and among equally long ones the oldest, which is what the exhaustive scan of 2.3.3.2.1 picks.
// Two sets of chains, newest first: one per exact 2-byte prefix, one per hash of 3 bytes. Every
// candidate of 3 or more bytes is on the 3-byte chain, so when that chain yields one, the 2-byte
// chain cannot hold anything longer; when it does not, every candidate is exactly 2 bytes long and
// the oldest entry of the 2-byte chain is the answer.
class MatchFinder {
 public:
  MatchFinder(const uint8_t* window, size_t end)
      : window_(window), end_(end), head2_(1u << 16, -1), prev2_(kRingSize, -1), head3_(1u << kHash3Bits, -1),
        prev3_(kRingSize, -1) {}

  // Positions must be inserted in increasing order; pos + 1 < end.
  void insert(size_t pos) noexcept {
    const unsigned key2 = key2_at(pos);
    prev2_[pos & kRingMask] = head2_[key2];
    head2_[key2] = static_cast<int32_t>(pos);
    if (pos + 2 < end_) {
      const unsigned key3 = key3_at(pos);
      prev3_[pos & kRingMask] = head3_[key3];
      head3_[key3] = static_cast<int32_t>(pos);
    }
  }

  struct Match {
    size_t length = 0;
    size_t pos = 0;
  };

  // Longest match for the bytes at pos, at most max_length (>= 2) long.
  Match longest(size_t pos, size_t max_length) const noexcept {
    Match best;
    const uint8_t* here = window_ + pos;
    const int64_t oldest = pos > kMaxDistance ? static_cast<int64_t>(pos - kMaxDistance) : 0;
    if (max_length >= 3) {
      for (int32_t c = head3_[key3_at(pos)]; c >= oldest; c = prev3_[c & kRingMask]) {
        size_t length = common_length(window_ + c, here, max_length);
        if (length >= 3 && length >= best.length) best = {length, static_cast<size_t>(c)};
      }
      if (best.length) return best;
    }
    for (int32_t c = head2_[key2_at(pos)]; c >= oldest; c = prev2_[c & kRingMask]) best = {2, static_cast<size_t>(c)};
    return best;
  }

 private:
  static constexpr unsigned kHash3Bits = 15;
  unsigned key2_at(size_t pos) const noexcept { return window_[pos] | unsigned{window_[pos + 1]} << 8; }
  unsigned key3_at(size_t pos) const noexcept {
    uint32_t v = window_[pos] | uint32_t{window_[pos + 1]} << 8 | uint32_t{window_[pos + 2]} << 16;
    return (v * 2654435761u) >> (32 - kHash3Bits);
  }

  // The window carries 24 bytes of zero padding, so the wide loads never leave it; max_length
  // clamps whatever the padding seems to match.
  static size_t common_length(const uint8_t* a, const uint8_t* b, size_t max_length) noexcept {
    for (size_t k = 0; k < kMaxMatch; k += 8) {
      uint64_t x, y;
      std::memcpy(&x, a + k, 8);
      std::memcpy(&y, b + k, 8);
      if (uint64_t diff = x ^ y) {
        size_t n = k + static_cast<size_t>(__builtin_ctzll(diff)) / 8;
        return n < max_length ? n : max_length;
      }
    }
    return max_length;
  }

  const uint8_t* window_;
  size_t end_;
  std::vector<int32_t> head2_, prev2_, head3_, prev3_;
};

constexpr size_t kWindowPadding = 24;

void put_header(uint8_t* at, const Header& h) {
  detail::store_le(at, h.comp_size);
  detail::store_le(at + 4, h.raw_size);
  detail::store_le(at + 8, h.comp_type);
  detail::store_le(at + 12, h.crc);
}

Bytes compress_lzfu(ByteView rtf) {
  const size_t n = rtf.size();
  // The preset followed by the input: match candidates and the bytes to match live in one buffer.
  std::vector<uint8_t> window(kPresetSize + n + kWindowPadding, 0);
  std::memcpy(window.data(), preset(), kPresetSize);
  if (n) std::memcpy(window.data() + kPresetSize, rtf.data(), n);
  const size_t end = kPresetSize + n;

  MatchFinder finder(window.data(), end);
  for (size_t i = 0; i + 1 < kPresetSize; ++i) finder.insert(i);
  auto insert_upto = [&](size_t from, size_t to) {  // positions with a second byte to form a key
    for (size_t i = from; i < to && i + 1 < end; ++i) finder.insert(i);
  };
  // The preset's last byte pairs with the first input byte.
  if (n) finder.insert(kPresetSize - 1);

  // Worst case: all literals, a control byte per 8, then the end marker in a run of its own.
  Bytes out(kHeaderSize + n + n / 8 + 4);
  uint8_t* const obeg = out.data();
  uint8_t* op = obeg + kHeaderSize;
  uint8_t* control = op++;
  unsigned control_bits = 0;
  unsigned token = 0;
  auto next_token = [&] {
    if (++token == 8) {
      *control = static_cast<uint8_t>(control_bits);
      control = op++;
      control_bits = 0;
      token = 0;
    }
  };

  size_t pos = kPresetSize;
  while (pos < end) {
    const size_t max_length = std::min(kMaxMatch, end - pos);
    MatchFinder::Match m;
    if (max_length >= kMinMatch) m = finder.longest(pos, max_length);
    if (m.length >= kMinMatch) {
      const unsigned word = static_cast<unsigned>((m.pos & kRingMask) << 4 | (m.length - kMinMatch));
      *op++ = static_cast<uint8_t>(word >> 8);
      *op++ = static_cast<uint8_t>(word);
      control_bits |= 1u << token;
      insert_upto(pos, pos + m.length);
      pos += m.length;
    } else {
      *op++ = window[pos];
      insert_upto(pos, pos + 1);
      ++pos;
    }
    next_token();
  }
  // The end marker: a reference to the write offset itself, length field 0 (2.1.3.1.5).
  const unsigned word = static_cast<unsigned>((end & kRingMask) << 4);
  *op++ = static_cast<uint8_t>(word >> 8);
  *op++ = static_cast<uint8_t>(word);
  control_bits |= 1u << token;
  *control = static_cast<uint8_t>(control_bits);

  out.resize(static_cast<size_t>(op - obeg));
  const size_t contents = out.size() - kHeaderSize;
  if (contents > UINT32_MAX - 12) throw EncodeError(kCompSizeField, "compressed RTF exceeds 4 GiB");
  Header h{static_cast<uint32_t>(contents + 12), static_cast<uint32_t>(n), kCompTypeCompressed,
           crc32(ByteView(out).subspan(kHeaderSize))};
  put_header(obeg, h);
  return out;
}

}  // namespace

uint32_t crc32(ByteView data, uint32_t crc) noexcept {
  const uint8_t* p = data.data();
  size_t n = data.size();
  while (n >= 8) {
    uint32_t lo = crc ^ detail::load_le<uint32_t>(p);
    uint32_t hi = detail::load_le<uint32_t>(p + 4);
    crc = kCrc[7][lo & 0xFF] ^ kCrc[6][lo >> 8 & 0xFF] ^ kCrc[5][lo >> 16 & 0xFF] ^ kCrc[4][lo >> 24] ^
          kCrc[3][hi & 0xFF] ^ kCrc[2][hi >> 8 & 0xFF] ^ kCrc[1][hi >> 16 & 0xFF] ^ kCrc[0][hi >> 24];
    p += 8;
    n -= 8;
  }
  while (n--) crc = kCrc[0][(crc ^ *p++) & 0xFF] ^ (crc >> 8);
  return crc;
}

Header read_header(ByteView stream) {
  ByteReader r(stream);
  Header h;
  h.comp_size = r.u32(kCompSizeField);
  h.raw_size = r.u32(kRawSizeField);
  h.comp_type = r.u32(kCompTypeField);
  h.crc = r.u32(kCrcField);
  if (h.comp_type != kCompTypeCompressed && h.comp_type != kCompTypeUncompressed)
    fail(8, kCompTypeField, hex32(h.comp_type) + " is neither LZFu (0x75465A4C) nor MELA (0x414C454D)");
  const size_t contents = r.remaining();
  if (h.comp_size < 12 || h.comp_size - 12 != contents)
    fail(0, kCompSizeField,
         std::to_string(h.comp_size) + " announces " +
             (h.comp_size < 12 ? std::string("less than the 12 header bytes it counts")
                               : std::to_string(h.comp_size - 12) + " content bytes") +
             ", but " + std::to_string(contents) + " follow the header");
  return h;
}

Bytes decompress(ByteView stream) {
  const Header h = read_header(stream);
  const size_t raw = check_stream(stream, h);
  Bytes out(raw);
  decode_checked(stream, h, out.data());
  return out;
}

size_t decompress_into(ByteView stream, std::span<uint8_t> out) {
  const Header h = read_header(stream);
  const size_t raw = check_stream(stream, h);
  if (out.size() < raw)
    throw Error(EXMAPI_E_INVALID_ARGUMENT, "output buffer of " + std::to_string(out.size()) +
                                               " bytes is smaller than RAWSIZE " + std::to_string(raw));
  decode_checked(stream, h, out.data());
  return raw;
}

Bytes compress(ByteView rtf, Form form) {
  if (rtf.size() > UINT32_MAX - 12) throw EncodeError(kRawSizeField, "RTF of more than 4 GiB");
  if (form == Form::compressed) return compress_lzfu(rtf);
  Bytes out(kHeaderSize + rtf.size());
  put_header(out.data(), {static_cast<uint32_t>(rtf.size() + 12), static_cast<uint32_t>(rtf.size()),
                          kCompTypeUncompressed, 0});
  if (!rtf.empty()) std::memcpy(out.data() + kHeaderSize, rtf.data(), rtf.size());
  return out;
}

}  // namespace exmapi::rtf
