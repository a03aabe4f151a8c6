// The description machinery for ROP buffers (MS-OXCROPS 2.2).
//
// Every wire structure is described ONCE by a member template
//
//   template <class Archive> void describe(Archive& a) {
//     a.u8("LogonId", logon_id);
//     a.u64("FolderId", folder_id);
//     size_t n = a.count16("PropertyTagCount", tags.size());
//     a.list("PropertyTags", tags, n, 4, [](auto& a, PropTag& t) { a.prop_tag("", t); });
//     if (is_ghosted) { ... }   // conditions are plain C++ on fields already visited
//   }
//
// and four archives walk that description: Encoder (struct -> bytes), Decoder (bytes -> struct),
// Printer (struct -> JSON text for people and the CLI) and Sampler (fills a struct with plausible
// values, so tests and fuzz seeds exist for every described ROP without hand-written samples).
// Because a condition runs after the fields it reads, the same `if` chooses the shape in all four.
//
// The archives are concrete classes with inline members and describe() is a template, so the
// compiler sees straight-line reads/writes per ROP: there is no virtual call per field.
//
// Counts: the wire count comes first and may be separated from its list by other fields (RopSortTable
// has three counts before its SortOrders), so a count is its own step: count16() writes the given
// size when encoding and returns the wire value when decoding; list() then takes that number, and
// the decoder validates it against the bytes left before it allocates anything.
//
// Context: some responses cannot be decoded from their own bytes (RopQueryRows rows follow the
// table's RopSetColumns; RopGetPropertiesSpecific follows its request's tags; RopLogon's private or
// public shape follows the request's LogonFlags). Those take a ResponseContext the caller supplies;
// the description names what it needs with a.from_context(...), the decoder fails with a clear
// message when the caller did not provide it, and the decoded struct keeps a copy so it re-encodes
// and prints by itself.
#pragma once

#include <array>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "base/bytes.hpp"
#include "base/error.hpp"
#include "base/text.hpp"
#include "rop/entry_id.hpp"
#include "rop/property_json.hpp"
#include "rop/property_problem.hpp"
#include "rop/property_row.hpp"
#include "rop/property_value.hpp"
#include "rop/rop_ids.hpp"
#include "rop/restriction.hpp"
#include "rop/sort_order.hpp"

namespace exmapi::rop {

// Return values that change the shape of a response (MS-OXCDATA 2.4, MS-OXCROPS 2.2.x).
namespace ec {
constexpr uint32_t Success = 0x00000000;
constexpr uint32_t WrongServer = 0x00000478;            // RopLogon redirect response
constexpr uint32_t ServerBusy = 0x00000480;             // RopFastTransferSourceGetBuffer: BackoffTime follows
constexpr uint32_t NullDestinationObject = 0x00000503;  // copy/move ROPs: DestHandleIndex follows
constexpr uint32_t WarnWithErrors = 0x00040380;         // RopGetPropertyIdsFromNames: IDs still follow
constexpr uint32_t NotSupported = 0x80040102;
constexpr uint32_t NotFound = 0x8004010F;
}  // namespace ec

using Columns = std::shared_ptr<const std::vector<PropTag>>;

// What a response decoder may need from outside its own bytes. Built by the buffer decoder from the
// matching request and the session's table state, or filled in by a caller decoding one response.
struct ResponseContext {
  // RopQueryRows / RopFindRow / RopExpandRow: the table's columns (its last RopSetColumns).
  // RopNotify: the columns of the table its NotificationHandle names.
  // RopGetPropertiesSpecific: the request's PropertyTags.
  Columns columns;
  // RopLogon: the request's LogonFlags; bit 0x01 (Private) selects the private-mailbox response.
  // RopWritePerUserInformation and RopSetMessageReadFlag requests: the LogonFlags of the logon their
  // LogonId names (ReplGuid follows for a private logon; ClientData follows without Private).
  std::optional<uint8_t> logon_flags;
  // RopReadRecipients: the message's RecipientColumns (its RopOpenMessage, RopOpenEmbeddedMessage or
  // RopReloadCachedInformation response).
  Columns recipient_columns;
};

// Which member of ResponseContext a response could not do without: a caller decoding responses on
// their own (`exmapi decode --response`) uses it to say which option supplies it.
enum class ContextNeed : uint8_t { Columns, LogonFlags };
const char* context_need_name(ContextNeed need) noexcept;  // "columns", "logon_flags"

template <class Member>
constexpr ContextNeed context_need_of(Member) {
  if constexpr (std::is_same_v<Member, decltype(&ResponseContext::columns)>)
    return ContextNeed::Columns;
  else if constexpr (std::is_same_v<Member, decltype(&ResponseContext::logon_flags)>)
    return ContextNeed::LogonFlags;
  else
    static_assert(sizeof(Member) == 0, "a new ResponseContext member needs its ContextNeed");
}

// The DecodeError of a response decoded without the context it needs.
class MissingContextError : public DecodeError {
 public:
  MissingContextError(size_t offset, std::string_view field, std::string reason, ContextNeed need)
      : DecodeError(offset, field, std::move(reason)), need_(need) {}
  ContextNeed need() const noexcept { return need_; }

 private:
  ContextNeed need_;
};

// ---- plug-in codecs for the MS-OXCDATA structures (owned by the property layer) --------------------
// An archive reaches them through a.value(name, v, Codec{}): decode/encode in ROP-buffer widths, and
// a rendering for the printer: print_json() (a JSON value, see property_json.hpp) when the codec
// has one, else print() (a one-line description the printer quotes as a string).
struct TaggedValueCodec {
  static TaggedPropertyValue decode(ByteReader& r) { return decode_tagged_property_value(r, CountWidth::Narrow); }
  static void encode(ByteWriter& w, const TaggedPropertyValue& v) { encode_tagged_property_value(w, v, CountWidth::Narrow); }
  static std::string print(const TaggedPropertyValue& v) { return describe(v); }
  static std::string print_json(const TaggedPropertyValue& v) { return tagged_value_json(v); }
  static constexpr size_t kMinSize = 4;
};
struct RestrictionCodec {
  static Restriction decode(ByteReader& r) { return decode_restriction(r, CountWidth::Narrow); }
  static void encode(ByteWriter& w, const Restriction& v) { encode_restriction(w, v, CountWidth::Narrow); }
  static std::string print(const Restriction& v) { return describe(v); }
  static std::string print_json(const Restriction& v) { return restriction_json(v); }
  static constexpr size_t kMinSize = 1;
};
struct LongTermIdCodec {
  static LongTermId decode(ByteReader& r) { return LongTermId::read(r); }
  static void encode(ByteWriter& w, const LongTermId& v) { v.write(w); }
  static std::string print(const LongTermId& v);
  static constexpr size_t kMinSize = LongTermId::kSize;
};
// SortOrderCount, CategorizedCount, ExpandedCount, then the SortOrders (MS-OXCDATA 2.13.2).
struct SortOrderSetCodec {
  static SortOrderSet decode(ByteReader& r) { return decode_sort_order_set(r); }
  static void encode(ByteWriter& w, const SortOrderSet& v) { encode_sort_order_set(w, v); }
  static std::string print(const SortOrderSet& v);
  static std::string print_json(const SortOrderSet& v) { return sort_order_set_json(v); }
};
// PropertyProblemCount (2 bytes), then the PropertyProblems (MS-OXCDATA 2.7).
struct PropertyProblemsCodec {
  static std::vector<PropertyProblem> decode(ByteReader& r) { return decode_property_problems(r); }
  static void encode(ByteWriter& w, const std::vector<PropertyProblem>& v) { encode_property_problems(w, v); }
  static std::string print(const std::vector<PropertyProblem>& v);
  static std::string print_json(const std::vector<PropertyProblem>& v) { return property_problems_json(v); }
};
// A row against a column set the description provides.
struct RowCodec {
  const std::vector<PropTag>* columns;
  PropertyRow decode(ByteReader& r) const { return decode_property_row(r, *columns, CountWidth::Narrow); }
  void encode(ByteWriter& w, const PropertyRow& v) const { encode_property_row(w, v, *columns, CountWidth::Narrow); }
  std::string print(const PropertyRow& v) const { return describe(v, *columns); }
  std::string print_json(const PropertyRow& v) const { return property_row_json(v, *columns); }
  static constexpr size_t kMinSize = 1;
};

// `count` rows left in the response bytes (PropertyRowsView); decoded in place so a view reused for
// the next buffer keeps its storage.
struct RowsViewCodec {
  const std::vector<PropTag>* columns;
  size_t count;
  void decode_into(ByteReader& r, PropertyRowsView& v) const { v.decode(r, count, *columns, CountWidth::Narrow, ""); }
  void encode(ByteWriter& w, const PropertyRowsView& v) const {
    for (size_t i = 0; i < v.size(); ++i) encode_property_row(w, v.to_row(i), *columns, CountWidth::Narrow);
  }
  std::string print(const PropertyRowsView& v) const {
    std::string out;
    for (size_t i = 0; i < v.size(); ++i) out += (i ? "; " : "") + describe(v.to_row(i), *columns);
    return out;
  }
};

namespace detail {
[[noreturn]] void throw_count_too_large(std::string_view field, size_t n, size_t max);
[[noreturn]] void throw_list_size_mismatch(std::string_view field, size_t have, size_t count);
[[noreturn]] void throw_bytes_size_mismatch(std::string_view field, size_t have, size_t want);
[[noreturn]] void throw_missing_context(size_t offset, std::string_view field, std::string_view what, ContextNeed need);
[[noreturn]] void rethrow_with_index(DecodeError& e, size_t index, std::string_view list_name = {});
[[noreturn]] void throw_bad_choice_encode(std::string_view field, uint8_t v);
[[noreturn]] void throw_bad_choice_decode(size_t offset, std::string_view field, uint8_t v);
inline bool contains(std::initializer_list<uint8_t> allowed, uint8_t v) {
  for (uint8_t a : allowed)
    if (a == v) return true;
  return false;
}
// 8-bit / UTF-16 strings whose byte size (terminator included) precedes them: n bytes must end in
// the terminator and hold no other NUL, so the string re-encodes to the same n.
std::string read_counted_str8(ByteReader& r, size_t n, std::string_view field);
std::string read_counted_utf16(ByteReader& r, size_t n, std::string_view field);
void write_counted_str8(ByteWriter& w, const std::string& s, size_t n, std::string_view field);
void write_counted_utf16(ByteWriter& w, const std::string& s, size_t n, std::string_view field);
size_t counted_utf16_size(const std::string& s);
std::string object_id_text(uint64_t wire);
void append_json_string(std::string& out, std::string_view s);
std::string hex_u32(uint32_t v);
std::string hex_bytes(ByteView b);
}  // namespace detail

// ---- Encoder ------------------------------------------------------------------------------------
class Encoder {
 public:
  explicit Encoder(ByteWriter& w) : w_(w) {}
  static constexpr bool kDecoding = false;

  void u8(std::string_view, const uint8_t& v) { w_.u8(v); }
  void u16(std::string_view, const uint16_t& v) { w_.u16(v); }
  void u32(std::string_view, const uint32_t& v) { w_.u32(v); }
  void u64(std::string_view, const uint64_t& v) { w_.u64(v); }
  void i32(std::string_view, const int32_t& v) { w_.i32(v); }
  void return_value(std::string_view, const uint32_t& v) { w_.u32(v); }
  void prop_tag(std::string_view, const PropTag& v) { w_.u32(v); }
  void guid(std::string_view, const Guid& g) { g.write(w_); }
  template <size_t N>
  void fixed_bytes(std::string_view, const std::array<uint8_t, N>& b) { w_.bytes(b); }
  void utf16z(std::string_view name, const std::string& s) { write_utf16z(w_, s, name); }
  void str8z(std::string_view name, const std::string& s) { write_str8z(w_, s, name); }
  void text(std::string_view name, const std::string& s, bool unicode) {
    unicode ? utf16z(name, s) : str8z(name, s);
  }
  void object_id(std::string_view, const uint64_t& v) { w_.u64(v); }
  // A byte that must be one of a few values (an enumeration the shape of what follows depends on).
  void choice8(std::string_view name, const uint8_t& v, std::initializer_list<uint8_t> allowed) {
    if (!detail::contains(allowed, v)) detail::throw_bad_choice_encode(name, v);
    w_.u8(v);
  }
  void str8_counted(std::string_view name, const std::string& s, size_t n) { detail::write_counted_str8(w_, s, n, name); }
  void utf16_counted(std::string_view name, const std::string& s, size_t n) { detail::write_counted_utf16(w_, s, n, name); }
  // Exactly n bytes, n coming from an earlier count field.
  void bytes(std::string_view name, const Bytes& b, size_t n) {
    if (b.size() != n) detail::throw_bytes_size_mismatch(name, b.size(), n);
    w_.bytes(b);
  }
  // All bytes up to the end of the enclosing region (RopBufferTooSmall's RequestBuffers).
  void rest(std::string_view, const Bytes& b) { w_.bytes(b); }

  size_t count8(std::string_view name, size_t n) { return put_count<uint8_t>(name, n); }
  size_t count16(std::string_view name, size_t n) { return put_count<uint16_t>(name, n); }
  size_t count32(std::string_view name, size_t n) { return put_count<uint32_t>(name, n); }

  template <class T, class Fn>
  void list(std::string_view name, std::vector<T>& v, size_t n, size_t /*min_size*/, Fn&& each) {
    if (v.size() != n) detail::throw_list_size_mismatch(name, v.size(), n);
    for (T& e : v) each(*this, e);
  }
  template <class T>
  void object(std::string_view, T& v) { v.describe(*this); }
  // A region whose byte length precedes it in 2 bytes (RestrictionDataSize, PropertyValueSize). When
  // the length also counts a field that opens the region, the description puts that field in the body.
  template <class Fn>
  void sized16(std::string_view name, Fn&& body) {
    size_t at = w_.placeholder_u16();
    size_t from = w_.size();
    body(*this);
    w_.patch_u16_length(at, from, name);
  }
  template <class T, class Codec>
  void value(std::string_view, const T& v, const Codec& codec) { codec.encode(w_, v); }
  template <class T, class Member>
  void from_context(std::string_view, T&, Member, std::string_view) {}

  ByteWriter& writer() { return w_; }

 private:
  template <class C>
  size_t put_count(std::string_view name, size_t n) {
    if (n > std::numeric_limits<C>::max()) detail::throw_count_too_large(name, n, std::numeric_limits<C>::max());
    if constexpr (sizeof(C) == 1) w_.u8(static_cast<uint8_t>(n));
    if constexpr (sizeof(C) == 2) w_.u16(static_cast<uint16_t>(n));
    if constexpr (sizeof(C) == 4) w_.u32(static_cast<uint32_t>(n));
    return n;
  }
  ByteWriter& w_;
};

// ---- Decoder ------------------------------------------------------------------------------------
class Decoder {
 public:
  explicit Decoder(ByteReader& r, const ResponseContext* context = nullptr) : r_(&r), context_(context) {}
  static constexpr bool kDecoding = true;

  void u8(std::string_view name, uint8_t& v) { v = r_->u8(name); }
  void u16(std::string_view name, uint16_t& v) { v = r_->u16(name); }
  void u32(std::string_view name, uint32_t& v) { v = r_->u32(name); }
  void u64(std::string_view name, uint64_t& v) { v = r_->u64(name); }
  void i32(std::string_view name, int32_t& v) { v = r_->i32(name); }
  void return_value(std::string_view name, uint32_t& v) { v = r_->u32(name); }
  void prop_tag(std::string_view name, PropTag& v) { v = r_->u32(name); }
  void guid(std::string_view name, Guid& g) { g = Guid::read(*r_, name); }
  template <size_t N>
  void fixed_bytes(std::string_view name, std::array<uint8_t, N>& b) {
    ByteView v = r_->bytes(N, name);
    std::copy(v.begin(), v.end(), b.begin());
  }
  void utf16z(std::string_view name, std::string& s) { s = read_utf16z(*r_, name); }
  void str8z(std::string_view name, std::string& s) { s = read_str8z(*r_, name); }
  void text(std::string_view name, std::string& s, bool unicode) { unicode ? utf16z(name, s) : str8z(name, s); }
  void object_id(std::string_view name, uint64_t& v) { v = r_->u64(name); }
  void choice8(std::string_view name, uint8_t& v, std::initializer_list<uint8_t> allowed) {
    size_t at = r_->offset();
    v = r_->u8(name);
    if (!detail::contains(allowed, v)) detail::throw_bad_choice_decode(at, name, v);
  }
  void str8_counted(std::string_view name, std::string& s, size_t n) { s = detail::read_counted_str8(*r_, n, name); }
  void utf16_counted(std::string_view name, std::string& s, size_t n) { s = detail::read_counted_utf16(*r_, n, name); }
  void bytes(std::string_view name, Bytes& b, size_t n) {
    ByteView v = r_->bytes(n, name);
    b.assign(v.begin(), v.end());
  }
  void rest(std::string_view name, Bytes& b) { bytes(name, b, r_->remaining()); }

  size_t count8(std::string_view name, size_t) { return r_->u8(name); }
  size_t count16(std::string_view name, size_t) { return r_->u16(name); }
  size_t count32(std::string_view name, size_t) { return r_->u32(name); }

  template <class T, class Fn>
  void list(std::string_view name, std::vector<T>& v, size_t n, size_t min_size, Fn&& each) {
    n = r_->count(n, min_size, name);
    v.clear();
    v.resize(n);
    for (size_t i = 0; i < n; ++i) {
      try {
        each(*this, v[i]);
      } catch (DecodeError& e) {
        detail::rethrow_with_index(e, i, name);  // builds "Name[i]" only on the failure path
      }
    }
  }
  template <class T>
  void object(std::string_view name, T& v) {
    in_field(name, [&] { v.describe(*this); });
  }
  template <class Fn>
  void sized16(std::string_view name, Fn&& body) {
    size_t n = r_->u16(name);
    ByteReader sub = r_->sub(n, name);
    ByteReader* outer = r_;
    r_ = &sub;
    try {
      body(*this);
      sub.expect_end(name);
    } catch (...) {
      r_ = outer;
      throw;
    }
    r_ = outer;
  }
  template <class T, class Codec>
  void value(std::string_view name, T& v, const Codec& codec) {
    if constexpr (requires { codec.decode_into(*r_, v); })
      in_field(name, [&] { codec.decode_into(*r_, v); });
    else
      in_field(name, [&] { v = codec.decode(*r_); });
  }
  // Copies a context member into the struct, or fails naming what the caller must supply.
  template <class T, class Member>
  void from_context(std::string_view name, T& out, Member member, std::string_view what) {
    if (!context_ || !(context_->*member)) detail::throw_missing_context(r_->offset(), name, what, context_need_of(member));
    if constexpr (std::is_same_v<T, Columns>)
      out = context_->*member;
    else
      out = *(context_->*member);
  }

  ByteReader& reader() { return *r_; }

 private:
  ByteReader* r_;
  const ResponseContext* context_;
};

// ---- Printer: JSON text ------------------------------------------------------------------------------
// Produces one JSON object per structure: fields in wire order, lists as arrays, property tags by
// name and plug-in values as typed JSON (property_json.hpp; a codec without print_json() prints its
// one-line description as a string). Strings that are not valid UTF-8 print with U+FFFD, so the
// output is always valid JSON. It is plain text so the library needs no JSON package.
class Printer {
 public:
  static constexpr bool kDecoding = false;
  Printer() { out_ += '{'; }
  std::string finish() {
    out_ += '}';
    return std::move(out_);
  }

  void u8(std::string_view n, const uint8_t& v) { number(n, v); }
  void u16(std::string_view n, const uint16_t& v) { number(n, v); }
  void u32(std::string_view n, const uint32_t& v) { number(n, v); }
  void u64(std::string_view n, const uint64_t& v) { number(n, v); }
  void i32(std::string_view n, const int32_t& v) { number(n, v); }
  void return_value(std::string_view n, const uint32_t& v);
  void prop_tag(std::string_view n, const PropTag& v) { raw(n, property_tag_json(v)); }
  void guid(std::string_view n, const Guid& g) { string(n, g.to_string()); }
  template <size_t N>
  void fixed_bytes(std::string_view n, const std::array<uint8_t, N>& b) { string(n, detail::hex_bytes(b)); }
  void utf16z(std::string_view n, const std::string& s) { string(n, utf8_for_display(s)); }
  void str8z(std::string_view n, const std::string& s) { string(n, utf8_for_display(s)); }
  void text(std::string_view n, const std::string& s, bool unicode) { unicode ? utf16z(n, s) : str8z(n, s); }
  void object_id(std::string_view n, const uint64_t& v) { string(n, detail::object_id_text(v)); }
  void choice8(std::string_view n, const uint8_t& v, std::initializer_list<uint8_t>) { number(n, v); }
  void str8_counted(std::string_view n, const std::string& s, size_t) { str8z(n, s); }
  void utf16_counted(std::string_view n, const std::string& s, size_t) { utf16z(n, s); }
  void bytes(std::string_view n, const Bytes& b, size_t) { string(n, detail::hex_bytes(b)); }
  void rest(std::string_view n, const Bytes& b) { string(n, detail::hex_bytes(b)); }

  size_t count8(std::string_view n, size_t v) { return number(n, v), v; }
  size_t count16(std::string_view n, size_t v) { return number(n, v), v; }
  size_t count32(std::string_view n, size_t v) { return number(n, v), v; }

  template <class T, class Fn>
  void list(std::string_view n, std::vector<T>& v, size_t, size_t, Fn&& each) {
    key(n);
    out_ += '[';
    bool first = true;
    for (T& e : v) {
      if (!first) out_ += ',';
      first = false;
      // Each element is printed as an object of its fields; a bare scalar element prints as {"": x},
      // which element() below unwraps.
      Printer p;
      each(p, e);
      out_ += p.element();
    }
    out_ += ']';
  }
  template <class T>
  void object(std::string_view n, T& v) {
    Printer p;
    v.describe(p);
    key(n);
    out_ += p.finish();
  }
  template <class Fn>
  void sized16(std::string_view, Fn&& body) { body(*this); }
  template <class T, class Codec>
  void value(std::string_view n, const T& v, const Codec& codec) {
    if constexpr (requires { codec.print_json(v); })
      raw(n, codec.print_json(v));
    else
      string(n, codec.print(v));
  }
  template <class T, class Member>
  void from_context(std::string_view, T&, Member, std::string_view) {}

 private:
  void key(std::string_view n) {
    if (!first_) out_ += ',';
    first_ = false;
    ++fields_;
    if (n.empty()) {
      unnamed_ = true;  // a scalar list element
    } else {
      detail::append_json_string(out_, n);
      out_ += ':';
    }
  }
  template <class N>
  void number(std::string_view n, N v) {
    key(n);
    out_ += std::to_string(v);
  }
  void string(std::string_view n, const std::string& s) {
    key(n);
    detail::append_json_string(out_, s);
  }
  void raw(std::string_view n, const std::string& json) {
    key(n);
    out_ += json;
  }
  // The text of a list element: a single unnamed field prints bare, anything else as an object.
  std::string element();

  std::string out_;
  bool first_ = true;
  size_t fields_ = 0;
  bool unnamed_ = false;
};

// ---- Sampler: plausible values for every field ---------------------------------------------------------
// Walks a description and fills each field from a seeded generator. Counts are small, strings are
// real words, the ReturnValue is the one the caller asks for (so success and every failure shape are
// reachable), and context-dependent responses get a sample column set that the caller passes on to
// the decoder. Used by the generated round-trip tests, the fuzz seeds and docs/rop-coverage.md.
class Sampler {
 public:
  static constexpr bool kDecoding = true;  // it writes into the struct, as a decoder does
  Sampler(uint64_t seed, uint32_t return_value, const ResponseContext* context)
      : state_(seed * 0x9E3779B97F4A7C15ull + 1), return_value_(return_value), context_(context) {}

  void u8(std::string_view n, uint8_t& v) { v = static_cast<uint8_t>(flag_like(n) ? next() % 2 : next()); }
  void u16(std::string_view n, uint16_t& v) { v = static_cast<uint16_t>(flag_like(n) ? next() % 2 : next()); }
  void u32(std::string_view, uint32_t& v) { v = static_cast<uint32_t>(next()); }
  void u64(std::string_view, uint64_t& v) { v = next(); }
  void i32(std::string_view, int32_t& v) { v = static_cast<int32_t>(next() % 2001) - 1000; }
  void return_value(std::string_view, uint32_t& v) { v = return_value_; }
  void prop_tag(std::string_view, PropTag& v);
  void guid(std::string_view, Guid& g) {
    for (auto& b : g.bytes) b = static_cast<uint8_t>(next());
  }
  template <size_t N>
  void fixed_bytes(std::string_view, std::array<uint8_t, N>& b) {
    for (auto& x : b) x = static_cast<uint8_t>(next());
  }
  void utf16z(std::string_view, std::string& s) { s = word(true); }
  void str8z(std::string_view, std::string& s) { s = word(false); }
  void text(std::string_view, std::string& s, bool unicode) { s = word(unicode); }
  void choice8(std::string_view, uint8_t& v, std::initializer_list<uint8_t> allowed) {
    v = allowed.begin()[next() % allowed.size()];
  }
  // IDs whose GlobalCounter is a plausible 48-bit number.
  void object_id(std::string_view, uint64_t& v) { v = ObjectId{1, next() & 0xFFFFFFFFFFull}.to_wire_u64(); }
  // Counted strings: the count was already chosen, so the string is one that fills it exactly.
  void str8_counted(std::string_view, std::string& s, size_t n) { s = std::string(n ? n - 1 : 0, 'x'); }
  void utf16_counted(std::string_view, std::string& s, size_t n) { s = std::string(n >= 2 ? n / 2 - 1 : 0, 'y'); }
  void bytes(std::string_view, Bytes& b, size_t n) {
    b.resize(n);
    for (auto& x : b) x = static_cast<uint8_t>(next());
  }
  void rest(std::string_view n, Bytes& b) { bytes(n, b, next() % 9); }

  // A count field visited before its list: the sampler picks it; the list then follows it.
  size_t count8(std::string_view, size_t) { return next() % 4; }
  size_t count16(std::string_view, size_t) { return next() % 4; }
  size_t count32(std::string_view, size_t) { return next() % 4; }

  template <class T, class Fn>
  void list(std::string_view, std::vector<T>& v, size_t n, size_t, Fn&& each) {
    v.clear();
    v.resize(n);
    for (T& e : v) each(*this, e);
  }
  template <class T>
  void object(std::string_view, T& v) { v.describe(*this); }
  template <class Fn>
  void sized16(std::string_view, Fn&& body) { body(*this); }
  void value(std::string_view, TaggedPropertyValue& v, const TaggedValueCodec&);
  void value(std::string_view, Restriction& v, const RestrictionCodec&);
  void value(std::string_view, PropertyRow& v, const RowCodec& codec);
  void value(std::string_view, LongTermId& v, const LongTermIdCodec&);
  void value(std::string_view, SortOrderSet& v, const SortOrderSetCodec&);
  void value(std::string_view, std::vector<PropertyProblem>& v, const PropertyProblemsCodec&);
  // Codecs of the ROP families bring their own sampling, so only valid values are produced.
  template <class T, class Codec>
  void value(std::string_view, T& v, const Codec& codec) { codec.sample(*this, v); }
  template <class T, class Member>
  void from_context(std::string_view name, T& out, Member member, std::string_view what) {
    if (!context_ || !(context_->*member)) detail::throw_missing_context(0, name, what, context_need_of(member));
    if constexpr (std::is_same_v<T, Columns>)
      out = context_->*member;
    else
      out = *(context_->*member);
  }

  uint64_t next() {
    state_ ^= state_ >> 12;
    state_ ^= state_ << 25;
    state_ ^= state_ >> 27;
    return state_ * 2685821657736338717ull;
  }

 private:
  static bool flag_like(std::string_view n);
  std::string word(bool unicode);
  uint64_t state_;
  uint32_t return_value_;
  const ResponseContext* context_;
};

// ---- helpers built on the primitives -------------------------------------------------------------------

// A PropertyTag array with its 2-byte count right before it.
template <class A>
void prop_tags16(A& a, std::string_view count_name, std::string_view name, std::vector<PropTag>& tags) {
  size_t n = a.count16(count_name, tags.size());
  a.list(name, tags, n, 4, [](auto& a, PropTag& t) { a.prop_tag("", t); });
}
// A list of 8-byte IDs (FIDs, MIDs) with its 2-byte count right before it.
template <class A>
void ids16(A& a, std::string_view count_name, std::string_view name, std::vector<uint64_t>& ids) {
  size_t n = a.count16(count_name, ids.size());
  a.list(name, ids, n, 8, [](auto& a, uint64_t& id) { a.u64("", id); });
}
// Bytes with a 2-byte size right before them (Bookmark, CollapseState, Data).
template <class A>
void bytes16(A& a, std::string_view size_name, std::string_view name, Bytes& b) {
  size_t n = a.count16(size_name, b.size());
  a.bytes(name, b, n);
}
// An optional restriction behind its 2-byte RestrictionDataSize; size 0 means none (MS-OXCROPS
// 2.2.5.3.1, 2.2.4.4.1).
template <class A>
void restriction16(A& a, std::string_view size_name, std::string_view name, std::optional<Restriction>& r) {
  a.sized16(size_name, [&](auto& a) {
    bool present;
    if constexpr (std::decay_t<decltype(a)>::kDecoding) {
      if constexpr (std::is_same_v<std::decay_t<decltype(a)>, Sampler>)
        present = a.next() % 2;
      else
        present = !a.reader().empty();
      if (present) r.emplace();
    } else {
      present = r.has_value();
    }
    if (present) a.value(name, *r, RestrictionCodec{});
  });
}
// Strings in the list of servers of RopOpenFolder, RopGetOwningServers, ...: ServerCount,
// CheapServerCount, then ServerCount NUL-terminated 8-bit strings.
struct ServerList {
  uint16_t cheap_server_count = 0;
  std::vector<std::string> servers;
  friend bool operator==(const ServerList&, const ServerList&) = default;
  template <class A>
  void describe(A& a, std::string_view count_name, std::string_view cheap_name, std::string_view list_name) {
    size_t n = a.count16(count_name, servers.size());
    a.u16(cheap_name, cheap_server_count);
    a.list(list_name, servers, n, 1, [](auto& a, std::string& s) { a.str8z("", s); });
  }
};

// The opening every response shares: its handle index, then ReturnValue. Returns whether the
// success-only fields follow: a failure response ends after ReturnValue (MS-OXCROPS 2.2.1) unless
// its section says otherwise, and those few describe their failure fields themselves.
template <class A>
bool response_header(A& a, std::string_view handle_field, uint8_t& handle_index, uint32_t& return_value) {
  a.u8(handle_field, handle_index);
  a.return_value("ReturnValue", return_value);
  return return_value == ec::Success;
}

// ---- ROP registration --------------------------------------------------------------------------------
// A ROP is a struct with `static constexpr RopId kId` and nested `Request` and/or `Response` structs
// (each with its own kId and describe()). Each family header lists its ROPs in a RopList; rop_buffer
// joins the lists, so adding a ROP is its struct plus one entry in its family's list.
template <class... Rops>
struct RopList {};

// Responses that carry only RopId, a handle index and ReturnValue (ReturnValue then decides nothing).
#define EXMAPI_ROP_PLAIN_RESPONSE(ROP, HANDLE_FIELD)                          \
  struct Response {                                                          \
    static constexpr RopId kId = RopId::ROP;                                 \
    uint8_t handle_index = 0;                                                \
    uint32_t return_value = 0;                                               \
    friend bool operator==(const Response&, const Response&) = default;      \
    template <class A>                                                       \
    void describe(A& a) {                                                    \
      a.u8(HANDLE_FIELD, handle_index);                                      \
      a.return_value("ReturnValue", return_value);                           \
    }                                                                        \
  }
// Requests that carry only RopId, LogonId and InputHandleIndex.
#define EXMAPI_ROP_PLAIN_REQUEST(ROP)                                         \
  struct Request {                                                           \
    static constexpr RopId kId = RopId::ROP;                                 \
    uint8_t logon_id = 0, input_handle_index = 0;                            \
    friend bool operator==(const Request&, const Request&) = default;        \
    template <class A>                                                       \
    void describe(A& a) {                                                    \
      a.u8("LogonId", logon_id);                                             \
      a.u8("InputHandleIndex", input_handle_index);                          \
    }                                                                        \
  }

// A request of LogonId, InputHandleIndex and one FolderId (RopGetOwningServers, RopPublicFolderIsGhosted).
#define EXMAPI_ROP_FOLDER_ID_REQUEST(ROP)                                     \
  struct Request {                                                           \
    static constexpr RopId kId = RopId::ROP;                                 \
    uint8_t logon_id = 0, input_handle_index = 0;                            \
    uint64_t folder_id = 0;                                                  \
    friend bool operator==(const Request&, const Request&) = default;        \
    template <class A>                                                       \
    void describe(A& a) {                                                    \
      a.u8("LogonId", logon_id);                                             \
      a.u8("InputHandleIndex", input_handle_index);                          \
      a.object_id("FolderId", folder_id);                                    \
    }                                                                        \
  }

// Ensures an optional exists before a description fills it (decoding), without touching it when it
// already holds the value being encoded.
template <class T>
T& ensure(std::optional<T>& o) {
  if (!o) o.emplace();
  return *o;
}

// ---- whole-structure entry points ----------------------------------------------------------------------
// describe() is one non-const member for all archives; the Encoder and Printer only read through
// the references it hands them, so the const_casts below never lead to a write.
template <class T>
void encode_described(ByteWriter& w, const T& v) {
  Encoder e(w);
  const_cast<T&>(v).describe(e);
}
template <class T>
void decode_described(ByteReader& r, T& v, const ResponseContext* context = nullptr) {
  Decoder d(r, context);
  v.describe(d);
}
template <class T>
std::string print_described(const T& v) {
  Printer p;
  const_cast<T&>(v).describe(p);
  return p.finish();
}

}  // namespace exmapi::rop
