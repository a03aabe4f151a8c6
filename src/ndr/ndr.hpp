// NDR20 stub-data marshalling (C706 chapter 14, little-endian, 32-bit transfer syntax as MS-RPCE 2.2.5
// restricts it): the bytes a method's [in] or [out] parameters become, without PDU headers (Samba's
// dcerpc_binding_handle_raw_call frames them).
//
// As in rop/rop_codec.hpp, every structure and every method's parameter list is described ONCE by
//
//   template <class A> void describe(A& a) {
//     uint32_t max = a.conformance("aulPropTag", values.size() + 1);   // hoisted max_count
//     size_t n = a.count32("cValues", values.size(), 100001);           // [range(0, 100001)]
//     a.same_size("aulPropTag", max, n + 1);                            // size_is(cValues + 1)
//     a.variance("aulPropTag", n);                                      // length_is(cValues)
//     a.elements("aulPropTag", values, n, 4, [](auto& a, uint32_t& v) { a.u32("", v); });
//   }
//
// and the two archives below walk it: Encoder (values -> bytes) and Decoder (bytes -> values). The
// description states the wire order itself (a conformant structure's max_count comes first, C706
// 14.3.7.1), so there is no hidden reordering to get wrong.
//
// Pointers: an embedded pointer writes its referent ID where it stands and its referent later
// (C706 14.3.12.3). The archive keeps a queue of deferred referents per "unit": a top-level parameter
// or one referent being marshalled. A unit's queue is drained in FIFO order when the unit ends, and
// each referent drained is itself a unit, so a referent's own embedded referents follow it directly,
// before its later siblings. This is the order MIDL and pidl produce: scalars of a construct first,
// then the referents of its pointers in the order the pointers appeared, each depth-first.
// Top-level pointers are not deferred: a [ref] parameter is its referent inline; a [unique] parameter
// is its referent ID followed at once by the referent.
//
// Hostile input: every count is checked against the bytes left before anything is allocated, every
// conformance / variance relation the IDL states is checked (strict NDR consistency, as MS-OXNSPI
// 3.1.4 asks the runtime to do), [range] limits are enforced, and pointer nesting is limited so a
// chain of referents cannot exhaust the stack.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <stdexcept>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <typeindex>
#include <utility>
#include <vector>

#include "base/bytes.hpp"
#include "base/error.hpp"
#include "base/text.hpp"

namespace exmapi::ndr {

// Referents nested deeper than this fail (Restriction_r trees, rows of values of arrays...). The
// deepest legitimate NSPI shape (a row set's row's value's string array's string) nests 5 deep.
constexpr size_t kMaxNesting = 64;

// An RPC context handle on the wire: 4-byte attributes, then a UUID (20 bytes, 4-aligned).
struct ContextHandle {
  uint32_t attributes = 0;
  Guid uuid;
  bool is_null() const noexcept { return attributes == 0 && uuid == Guid{}; }
  friend bool operator==(const ContextHandle&, const ContextHandle&) = default;
};

// FILETIME as NDR sees it: a structure of two DWORDs (MS-DTYP 2.3.3), 4-aligned.
struct FileTime {
  uint32_t low = 0, high = 0;
  uint64_t value() const noexcept { return uint64_t{high} << 32 | low; }
  static FileTime from(uint64_t v) noexcept { return {static_cast<uint32_t>(v), static_cast<uint32_t>(v >> 32)}; }
  friend bool operator==(const FileTime&, const FileTime&) = default;
};

namespace detail {
[[noreturn]] void throw_range_encode(std::string_view field, uint64_t n, uint64_t max);
[[noreturn]] void throw_range_decode(size_t offset, std::string_view field, uint64_t n, uint64_t max);
[[noreturn]] void throw_size_mismatch(size_t offset, std::string_view field, uint64_t wire, uint64_t expected);
[[noreturn]] void throw_list_size_mismatch(std::string_view field, size_t have, size_t count);
[[noreturn]] void throw_nesting(size_t offset, std::string_view field);
[[noreturn]] void throw_nesting_encode(std::string_view field);
[[noreturn]] void rethrow_with_index(DecodeError& e, size_t index, std::string_view list_name);
// Reads a [string] conformant varying array of n-byte characters: max_count, offset, actual_count,
// the characters with their terminator. Canonical form only: offset 0, max_count == actual_count
// (or == the given size_is), the terminator last and nowhere before it.
ByteView read_string_units(ByteReader& r, size_t unit, std::optional<uint32_t> size_is, std::string_view field);
void write_string8(ByteWriter& w, std::string_view bytes, std::optional<uint32_t> size_is, std::string_view field);
void write_string16(ByteWriter& w, std::string_view utf8, std::optional<uint32_t> size_is, std::string_view field);
}  // namespace detail

// Pads the writer / skips the reader to a multiple of n counted from the start of the stub
// (C706 14.2.2: alignment is relative to the start of the octet stream).
inline void pad_to(ByteWriter& w, size_t n) { w.zeros((n - w.size() % n) % n); }
inline void skip_to(ByteReader& r, size_t n, std::string_view field) { r.skip((n - r.position() % n) % n, field); }

// Counts the units open (a unit's drain runs inside it, so nested referents nest here).
struct DepthGuard {
  explicit DepthGuard(size_t& d) : d_(d) { ++d_; }
  ~DepthGuard() { --d_; }
  DepthGuard(const DepthGuard&) = delete;
  DepthGuard& operator=(const DepthGuard&) = delete;
  size_t& d_;
};

// ---- Encoder ------------------------------------------------------------------------------------
class Encoder {
 public:
  explicit Encoder(ByteWriter& w) : w_(w) {}
  static constexpr bool kDecoding = false;

  void align(size_t n) { pad_to(w_, n); }
  void u8(std::string_view, const uint8_t& v) { w_.u8(v); }
  void u16(std::string_view, const uint16_t& v) { align(2), w_.u16(v); }
  void i16(std::string_view, const int16_t& v) { align(2), w_.i16(v); }
  void u32(std::string_view, const uint32_t& v) { align(4), w_.u32(v); }
  void i32(std::string_view, const int32_t& v) { align(4), w_.i32(v); }
  void filetime(std::string_view, const FileTime& v) { align(4), w_.u32(v.low), w_.u32(v.high); }
  // FlatUID_r / GUID as 16 bytes (a structure of bytes: 1-aligned).
  void flat_uid(std::string_view, const Guid& g) { g.write(w_); }
  // MS-DTYP GUID {Data1 u32, Data2 u16, Data3 u16, Data4[8]}: 4-aligned.
  void guid(std::string_view, const Guid& g) { align(4), g.write(w_); }
  void context_handle(std::string_view, const ContextHandle& h) { align(4), w_.u32(h.attributes), h.uuid.write(w_); }
  template <size_t N>
  void fixed_u16s(std::string_view, const std::array<uint16_t, N>& v) {
    align(2);
    for (uint16_t x : v) w_.u16(x);
  }
  void raw_bytes(std::string_view, const Bytes& b) { w_.bytes(b); }

  // A u32 count with its [range(0, max)].
  size_t count32(std::string_view name, size_t n, uint64_t max) {
    if (n > max) detail::throw_range_encode(name, n, max);
    align(4), w_.u32(static_cast<uint32_t>(n));
    return n;
  }
  // A u32 value with its [range(0, max)] (pcbOut, pcbAuxOut...).
  void ranged_u32(std::string_view name, uint32_t& v, uint64_t max) { count32(name, v, max); }
  size_t count16(std::string_view name, size_t n) {
    if (n > 0xFFFF) detail::throw_range_encode(name, n, 0xFFFF);
    align(2), w_.u16(static_cast<uint16_t>(n));
    return n;
  }
  // A conformant array's max_count (C706 14.3.3.2), written where the description places it.
  uint32_t conformance(std::string_view name, size_t max) {
    if (max > 0xFFFFFFFFu) detail::throw_range_encode(name, max, 0xFFFFFFFFu);
    align(4), w_.u32(static_cast<uint32_t>(max));
    return static_cast<uint32_t>(max);
  }
  void same_size(std::string_view, uint64_t, uint64_t) {}
  // A varying array's offset (always 0 here) and actual_count (C706 14.3.3.3).
  void variance(std::string_view, size_t actual) { align(4), w_.u32(0), w_.u32(static_cast<uint32_t>(actual)); }

  template <class T, class Fn>
  void elements(std::string_view name, std::vector<T>& v, size_t n, size_t /*min_size*/, Fn&& each) {
    if (v.size() != n) detail::throw_list_size_mismatch(name, v.size(), n);
    for (T& e : v) each(*this, e);
  }
  void byte_elements(std::string_view name, Bytes& v, size_t n) {
    if (v.size() != n) detail::throw_list_size_mismatch(name, v.size(), n);
    w_.bytes(v);
  }

  // [string] char / wchar_t arrays, inline (the pointee of a string pointer). size_is, when the IDL
  // gives one, is the max_count; otherwise max_count equals actual_count.
  void string8(std::string_view name, const std::string& s, std::optional<uint32_t> size_is = {}) {
    detail::write_string8(w_, s, size_is, name);
  }
  void string16(std::string_view name, const std::string& s, std::optional<uint32_t> size_is = {}) {
    detail::write_string16(w_, s, size_is, name);
  }

  // An embedded [unique] pointer: referent ID now, referent deferred. Null iff !v.
  template <class T, class Fn>
  void unique(std::string_view name, std::optional<T>& v, Fn&& body) {
    if (!v) return referent_id(0);
    referent_id(next_id());
    defer(name, [this, &v, body] { body(*this, *v); });
  }
  // An embedded pointer to a sized array whose null form is the empty array (lpProps, lpb, lpi...).
  template <class T, class Fn>
  bool unique_array(std::string_view name, std::vector<T>& v, Fn&& body) {
    if (v.empty()) return referent_id(0), false;
    referent_id(next_id());
    defer(name, [this, &v, body] { body(*this, v); });
    return true;
  }
  // An embedded pointer whose referent is required by the description (a string in a value union).
  template <class T, class Fn>
  void unique_required(std::string_view name, T& v, Fn&& body) {
    referent_id(next_id());
    defer(name, [this, &v, body] { body(*this, v); });
  }
  // An embedded full ([ptr]) pointer: objects shared through one shared_ptr get one referent ID and
  // are marshalled once (C706 14.3.12.2).
  template <class T, class Fn>
  void full(std::string_view name, std::shared_ptr<T>& v, Fn&& body) {
    if (!v) return referent_id(0);
    auto [it, fresh] = full_ids_.try_emplace(v.get(), 0);
    if (!fresh) return referent_id(it->second);
    it->second = next_id();
    referent_id(it->second);
    defer(name, [this, &v, body] { body(*this, *v); });
  }

  // A top-level parameter: its fields, then every referent it deferred.
  template <class Fn>
  void param(std::string_view name, Fn&& body) {
    unit(name, [&] { body(*this); });
  }
  // A top-level [unique] pointer parameter: referent ID, then the referent at once.
  template <class T, class Fn>
  void param_unique(std::string_view name, std::optional<T>& v, Fn&& body) {
    unit(name, [&] {
      if (!v) return referent_id(0);
      referent_id(next_id());
      body(*this, *v);
    });
  }
  // A value the description cannot represent (a union discriminant without an arm...).
  [[noreturn]] void fail(std::string_view name, std::string reason) { throw EncodeError(name, std::move(reason)); }

  ByteWriter& writer() { return w_; }

 private:
  void referent_id(uint32_t id) { align(4), w_.u32(id); }
  // MIDL numbers referents from 0x00020000 in steps of 4; peers accept any non-zero value.
  uint32_t next_id() { return id_ += 4; }
  template <class Fn>
  void unit(std::string_view name, Fn&& fn) {
    if (depth_ >= kMaxNesting) detail::throw_nesting_encode(name);
    DepthGuard guard(depth_);
    queues_.emplace_back();
    fn();
    // Draining may start nested units (which push more queues), so work on a moved-out copy.
    std::deque<std::function<void()>> mine = std::move(queues_.back());
    queues_.pop_back();
    for (auto& d : mine) d();
  }
  void defer(std::string_view name, std::function<void()> fn) {
    // A pointer met outside param() would have its referent dropped: a description error.
    if (queues_.empty()) throw std::logic_error("NDR pointer described outside a parameter");
    std::string n(name);
    queues_.back().push_back([this, n, fn = std::move(fn)] { unit(n, fn); });
  }

  ByteWriter& w_;
  size_t depth_ = 0;
  uint32_t id_ = 0x0001FFFC;
  std::vector<std::deque<std::function<void()>>> queues_;
  std::map<const void*, uint32_t> full_ids_;
};

// ---- Decoder ------------------------------------------------------------------------------------
class Decoder {
 public:
  explicit Decoder(ByteReader& r) : r_(r) {}
  static constexpr bool kDecoding = true;

  void align(size_t n) { skip_to(r_, n, "alignment padding"); }
  void u8(std::string_view name, uint8_t& v) { v = r_.u8(name); }
  void u16(std::string_view name, uint16_t& v) { align(2), v = r_.u16(name); }
  void i16(std::string_view name, int16_t& v) { align(2), v = r_.i16(name); }
  void u32(std::string_view name, uint32_t& v) { align(4), v = r_.u32(name); }
  void i32(std::string_view name, int32_t& v) { align(4), v = r_.i32(name); }
  void filetime(std::string_view name, FileTime& v) { align(4), v.low = r_.u32(name), v.high = r_.u32(name); }
  void flat_uid(std::string_view name, Guid& g) { g = Guid::read(r_, name); }
  void guid(std::string_view name, Guid& g) { align(4), g = Guid::read(r_, name); }
  void context_handle(std::string_view name, ContextHandle& h) {
    align(4);
    h.attributes = r_.u32(name);
    h.uuid = Guid::read(r_, name);
  }
  template <size_t N>
  void fixed_u16s(std::string_view name, std::array<uint16_t, N>& v) {
    align(2);
    for (uint16_t& x : v) x = r_.u16(name);
  }
  void raw_bytes(std::string_view name, Bytes& b) {
    ByteView v = r_.bytes(r_.remaining(), name);
    b.assign(v.begin(), v.end());
  }

  size_t count32(std::string_view name, size_t, uint64_t max) {
    align(4);
    size_t at = r_.offset();
    uint32_t n = r_.u32(name);
    if (n > max) detail::throw_range_decode(at, name, n, max);
    return n;
  }
  void ranged_u32(std::string_view name, uint32_t& v, uint64_t max) { v = static_cast<uint32_t>(count32(name, v, max)); }
  size_t count16(std::string_view name, size_t) { return align(2), r_.u16(name); }
  uint32_t conformance(std::string_view name, size_t) { return align(4), r_.u32(name); }
  void same_size(std::string_view name, uint64_t wire, uint64_t expected) {
    if (wire != expected) detail::throw_size_mismatch(r_.offset(), name, wire, expected);
  }
  void variance(std::string_view name, size_t actual) {
    align(4);
    size_t at = r_.offset();
    uint32_t offset = r_.u32(name);
    if (offset != 0) detail::throw_size_mismatch(at, name, offset, 0);
    at = r_.offset();
    uint32_t count = r_.u32(name);
    if (count != actual) detail::throw_size_mismatch(at, name, count, actual);
  }

  template <class T, class Fn>
  void elements(std::string_view name, std::vector<T>& v, size_t n, size_t min_size, Fn&& each) {
    n = r_.count(n, min_size, name);
    v.clear();
    v.resize(n);
    for (size_t i = 0; i < n; ++i) {
      try {
        each(*this, v[i]);
      } catch (DecodeError& e) {
        detail::rethrow_with_index(e, i, name);
      }
    }
  }
  void byte_elements(std::string_view name, Bytes& v, size_t n) {
    ByteView b = r_.bytes(n, name);
    v.assign(b.begin(), b.end());
  }

  void string8(std::string_view name, std::string& s, std::optional<uint32_t> size_is = {}) {
    ByteView units = detail::read_string_units(r_, 1, size_is, name);
    s.assign(units.begin(), units.end());
  }
  void string16(std::string_view name, std::string& s, std::optional<uint32_t> size_is = {}) {
    ByteView units = detail::read_string_units(r_, 2, size_is, name);
    s.clear();
    utf16le_to_utf8(units.data(), units.size() / 2, s);
  }

  template <class T, class Fn>
  void unique(std::string_view name, std::optional<T>& v, Fn&& body) {
    if (!referent_id(name)) return v.reset();
    v.emplace();
    defer(name, [this, &v, body] { body(*this, *v); });
  }
  template <class T, class Fn>
  bool unique_array(std::string_view name, std::vector<T>& v, Fn&& body) {
    v.clear();
    if (!referent_id(name)) return false;
    defer(name, [this, &v, body] { body(*this, v); });
    return true;
  }
  template <class T, class Fn>
  void unique_required(std::string_view name, T& v, Fn&& body) {
    if (!referent_id(name)) r_.fail(name, "null pointer where the value needs a referent");
    defer(name, [this, &v, body] { body(*this, v); });
  }
  // A repeated referent ID shares the first object; an ID met again inside its own referent (a
  // cycle) fails, as does one whose earlier use had another type.
  template <class T, class Fn>
  void full(std::string_view name, std::shared_ptr<T>& v, Fn&& body) {
    size_t at = r_.offset();
    uint32_t id = referent_id(name);
    if (!id) return v.reset();
    auto it = full_.find(id);
    if (it != full_.end()) {
      if (it->second.type != std::type_index(typeid(T)))
        throw DecodeError(at, name, "full pointer ID reused for another type");
      if (it->second.in_progress) throw DecodeError(at, name, "full pointer refers to an enclosing referent (cycle)");
      v = std::static_pointer_cast<T>(it->second.object);
      return;
    }
    v = std::make_shared<T>();
    full_.emplace(id, FullReferent{v, std::type_index(typeid(T)), false});
    defer(name, [this, id, &v, body] {
      FullReferent& referent = full_.find(id)->second;  // std::map: stable while others are added
      referent.in_progress = true;
      body(*this, *v);
      referent.in_progress = false;
    });
  }

  template <class Fn>
  void param(std::string_view name, Fn&& body) {
    unit(name, [&] { body(*this); });
  }
  template <class T, class Fn>
  void param_unique(std::string_view name, std::optional<T>& v, Fn&& body) {
    unit(name, [&] {
      if (!referent_id(name)) return v.reset();
      v.emplace();
      body(*this, *v);
    });
  }
  [[noreturn]] void fail(std::string_view name, std::string reason) { r_.fail(name, std::move(reason)); }

  ByteReader& reader() { return r_; }

 private:
  struct FullReferent {
    std::shared_ptr<void> object;
    std::type_index type;
    bool in_progress;
  };
  uint32_t referent_id(std::string_view name) { return align(4), r_.u32(name); }
  template <class Fn>
  void unit(std::string_view name, Fn&& fn) {
    if (depth_ >= kMaxNesting) detail::throw_nesting(r_.offset(), name);
    DepthGuard guard(depth_);
    queues_.emplace_back();
    in_field(name, [&] {
      fn();
      std::deque<std::function<void()>> mine = std::move(queues_.back());
      queues_.pop_back();
      for (auto& d : mine) d();
    });
  }
  void defer(std::string_view name, std::function<void()> fn) {
    if (queues_.empty()) throw std::logic_error("NDR pointer described outside a parameter");
    std::string n(name);
    queues_.back().push_back([this, n, fn = std::move(fn)] { unit(n, fn); });
  }

  ByteReader& r_;
  size_t depth_ = 0;
  std::vector<std::deque<std::function<void()>>> queues_;
  std::map<uint32_t, FullReferent> full_;
};

// ---- whole stubs --------------------------------------------------------------------------------
// Encodes one method's [in] (a Request) or [out] (a Response) parameters.
template <class T>
Bytes encode_stub(const T& v) {
  ByteWriter w;
  Encoder e(w);
  const_cast<T&>(v).describe(e);  // describe() only reads when encoding
  return w.take();
}

// Decodes a whole stub. Only zero padding up to the next multiple of 4 may follow the parameters:
// with sign/seal Samba hands a server 0-3 pad bytes after the request stub (SAMBA_NOTES.md).
void expect_stub_end(ByteReader& r, std::string_view what);
template <class T>
T decode_stub(ByteView bytes) {
  static_assert(!T::kName.empty());
  ByteReader r(bytes);
  Decoder d(r);
  T v;
  in_field(T::kName, [&] { v.describe(d); });
  expect_stub_end(r, T::kName);
  return v;
}

// One structure on its own (tests, fuzzing, vectors): walked as a single parameter.
template <class T>
Bytes encode_value(const T& v) {
  ByteWriter w;
  Encoder e(w);
  e.param("", [&](auto& a) { const_cast<T&>(v).describe(a); });
  return w.take();
}
template <class T>
T decode_value(ByteView bytes, std::string_view name) {
  ByteReader r(bytes);
  Decoder d(r);
  T v;
  d.param(name, [&](auto& a) { v.describe(a); });
  r.expect_end(name);
  return v;
}

}  // namespace exmapi::ndr
