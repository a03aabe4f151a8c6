// Bounds-checked little-endian byte reader and writer: the only way any decoder reads the wire.
//
// Every read names the field it reads, so a failure reports "offset N in Field: needed 4 bytes, 2 left".
// Offsets are absolute within the outermost buffer, also inside sub-views, so a message points at the
// byte a person sees in a hex dump.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.hpp"

namespace exmapi {

using Bytes = std::vector<uint8_t>;
using ByteView = std::span<const uint8_t>;

static_assert(std::endian::native == std::endian::little || std::endian::native == std::endian::big);

namespace detail {
// std::byteswap is C++23; this covers the unsigned widths the wire uses.
inline uint16_t byte_swap(uint16_t v) noexcept { return __builtin_bswap16(v); }
inline uint32_t byte_swap(uint32_t v) noexcept { return __builtin_bswap32(v); }
inline uint64_t byte_swap(uint64_t v) noexcept { return __builtin_bswap64(v); }
inline uint8_t byte_swap(uint8_t v) noexcept { return v; }
template <class T>
inline T load_le(const uint8_t* p) noexcept {
  T v;
  std::memcpy(&v, p, sizeof v);
  if constexpr (std::endian::native == std::endian::big) v = byte_swap(v);
  return v;
}
template <class T>
inline void store_le(uint8_t* p, T v) noexcept {
  if constexpr (std::endian::native == std::endian::big) v = byte_swap(v);
  std::memcpy(p, &v, sizeof v);
}
[[noreturn]] void throw_short(size_t offset, std::string_view field, size_t needed, size_t left);
}  // namespace detail

// Overflow-checked size arithmetic: false on overflow, so the caller can fail naming its own field.
inline bool checked_add(size_t a, size_t b, size_t& out) noexcept { return !__builtin_add_overflow(a, b, &out); }
inline bool checked_mul(size_t a, size_t b, size_t& out) noexcept { return !__builtin_mul_overflow(a, b, &out); }

class ByteReader {
 public:
  ByteReader() = default;
  explicit ByteReader(ByteView data, size_t base_offset = 0) noexcept
      : data_(data.data()), size_(data.size()), base_(base_offset) {}

  size_t position() const noexcept { return pos_; }          // relative to this view
  size_t offset() const noexcept { return base_ + pos_; }    // absolute in the outer buffer
  size_t size() const noexcept { return size_; }
  size_t remaining() const noexcept { return size_ - pos_; }
  bool empty() const noexcept { return pos_ == size_; }
  ByteView rest() const noexcept { return {data_ + pos_, size_ - pos_}; }
  ByteView consumed() const noexcept { return {data_, pos_}; }

  // Fails with the field's name unless n more bytes are present.
  void need(size_t n, std::string_view field) const {
    if (n > size_ - pos_) [[unlikely]]
      detail::throw_short(offset(), field, n, size_ - pos_);
  }

  uint8_t u8(std::string_view field) {
    need(1, field);
    return data_[pos_++];
  }
  uint16_t u16(std::string_view field) { return fixed<uint16_t>(field); }
  uint32_t u32(std::string_view field) { return fixed<uint32_t>(field); }
  uint64_t u64(std::string_view field) { return fixed<uint64_t>(field); }
  int16_t i16(std::string_view field) { return static_cast<int16_t>(fixed<uint16_t>(field)); }
  int32_t i32(std::string_view field) { return static_cast<int32_t>(fixed<uint32_t>(field)); }
  int64_t i64(std::string_view field) { return static_cast<int64_t>(fixed<uint64_t>(field)); }
  float f32(std::string_view field) { return std::bit_cast<float>(fixed<uint32_t>(field)); }
  double f64(std::string_view field) { return std::bit_cast<double>(fixed<uint64_t>(field)); }

  ByteView bytes(size_t n, std::string_view field) {
    need(n, field);
    ByteView v{data_ + pos_, n};
    pos_ += n;
    return v;
  }
  void skip(size_t n, std::string_view field) {
    need(n, field);
    pos_ += n;
  }
  // A sub-view over the next n bytes (a length-prefixed region); this reader moves past them.
  ByteReader sub(size_t n, std::string_view field) {
    need(n, field);
    ByteReader r(ByteView{data_ + pos_, n}, base_ + pos_);
    pos_ += n;
    return r;
  }

  // Validates an element count read from the wire before anything is allocated for it: each element
  // takes at least min_element_size bytes, so more elements than remaining/min cannot be present.
  size_t count(uint64_t claimed, size_t min_element_size, std::string_view field) const;

  // Fails if bytes are left over where a structure must end exactly.
  void expect_end(std::string_view what) const;

  [[noreturn]] void fail(std::string_view field, std::string reason) const;

 private:
  template <class T>
  T fixed(std::string_view field) {
    need(sizeof(T), field);
    T v = detail::load_le<T>(data_ + pos_);
    pos_ += sizeof(T);
    return v;
  }

  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
  size_t pos_ = 0;
  size_t base_ = 0;
};

// Growable little-endian writer with an optional size limit (ROP buffers have hard maxima).
class ByteWriter {
 public:
  ByteWriter() = default;
  explicit ByteWriter(size_t limit) : limit_(limit) {}

  void u8(uint8_t v) { *grow(1) = v; }
  void u16(uint16_t v) { detail::store_le(grow(2), v); }
  void u32(uint32_t v) { detail::store_le(grow(4), v); }
  void u64(uint64_t v) { detail::store_le(grow(8), v); }
  void i16(int16_t v) { u16(static_cast<uint16_t>(v)); }
  void i32(int32_t v) { u32(static_cast<uint32_t>(v)); }
  void i64(int64_t v) { u64(static_cast<uint64_t>(v)); }
  void f32(float v) { u32(std::bit_cast<uint32_t>(v)); }
  void f64(double v) { u64(std::bit_cast<uint64_t>(v)); }
  void bytes(ByteView v) {
    if (!v.empty()) std::memcpy(grow(v.size()), v.data(), v.size());
  }
  void zeros(size_t n) {
    if (n) std::memset(grow(n), 0, n);
  }

  // Reserves a length field to be filled in once the region it measures is written.
  size_t placeholder_u16() { return reserve(2); }
  size_t placeholder_u32() { return reserve(4); }
  void patch_u16(size_t at, uint16_t v) { detail::store_le(buf_.data() + at, v); }
  void patch_u32(size_t at, uint32_t v) { detail::store_le(buf_.data() + at, v); }
  // Fills a u16 placeholder with the byte count written since `from`, failing if it does not fit.
  void patch_u16_length(size_t at, size_t from, std::string_view field);

  size_t size() const noexcept { return buf_.size(); }
  const Bytes& data() const noexcept { return buf_; }
  Bytes take() noexcept { return std::move(buf_); }
  ByteView view() const noexcept { return buf_; }
  void clear() noexcept { buf_.clear(); }
  void reserve_capacity(size_t n) { buf_.reserve(n); }
  size_t limit() const noexcept { return limit_; }

 private:
  uint8_t* grow(size_t n) {
    size_t old = buf_.size();
    if (n > limit_ - old) [[unlikely]]
      throw_limit(n);
    buf_.resize(old + n);
    return buf_.data() + old;
  }
  size_t reserve(size_t n) {
    size_t at = buf_.size();
    zeros(n);
    return at;
  }
  [[noreturn]] void throw_limit(size_t n) const;

  Bytes buf_;
  size_t limit_ = SIZE_MAX;
};

}  // namespace exmapi
