// Property values of MS-OXCDATA 2.11: the value layer under every ROP that carries properties.
//
// Decisions (see also the comments at each function):
// - A PropertyValue is its property type plus a std::variant. Every fixed-size value (integers,
//   floats, booleans, times, error codes) is kept as its raw little-endian bits in a uint64_t, so
//   decoding costs no allocation, NaN payloads and negative zero survive untouched, and
//   re-encoding is byte-identical by construction. Typed accessors (as_int32(), as_double() ...)
//   convert on the way out.
// - PtypBoolean is 1 byte on the ROP wire and MS-OXCDATA 2.11.1 says "restricted to 1 or 0". We
//   accept any byte on decode (a server that sends 0x02 should not make a whole row set
//   unreadable), keep the byte as it came so it re-encodes byte for byte, and read any non-zero
//   byte as true. Values we build ourselves are always 0x00 or 0x01.
// - PtypString arrives as UTF-16LE and is decoded once to UTF-8 (lone surrogates in their
//   generalized form, see base/text.hpp, so they re-encode exactly). PtypString8 is kept as the raw
//   bytes: its code page belongs to the session, which converts when it needs text.
// - PtypObject/PtypEmbeddedTable (0x000D) have no inline value: MS-OXCDATA 2.11.1.5 says a message
//   store never returns them through RopGetPropertiesSpecific/All (the client opens them with
//   RopOpenStream or RopOpenEmbeddedMessage) and an address book exposes them as a table. A server
//   reports such a column through a FlaggedPropertyRow error instead, so decoding a value of type
//   0x000D is a DecodeError rather than a guess at its size.
// - PtypUnspecified (0x0000) is a type only requests carry (it asks the server to name the type);
//   it is never a value. Columns of that type make the row carry a TypedPropertyValue, see
//   property_row.hpp.
// - COUNT widths (MS-OXCDATA 2.11.1.1) are an explicit CountWidth parameter everywhere, never
//   guessed: ROP buffers use 2-byte binary counts (and 2-byte restriction/rule counts), extended
//   rules and MAPI/HTTP 4-byte ones. Multi-value counts are 4 bytes in both.
// - PtypRestriction and PtypRuleAction values hold a full restriction / action list. Those can
//   again contain property values, so all three decoders share one nesting-depth budget
//   (kMaxNestingDepth).
// - No JSON here: describe() gives a one-line debugging form, and the typed accessors let a caller
//   (the exmapi CLI) build whatever output format it wants without this library depending on a
//   JSON package.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "base/bytes.hpp"
#include "base/text.hpp"

namespace exmapi::rop {

// A property tag (MS-OXCDATA 2.9): property ID in the high 16 bits, property type in the low 16.
using PropTag = uint32_t;
using PropType = uint16_t;

constexpr PropType prop_type(PropTag tag) noexcept { return static_cast<PropType>(tag & 0xFFFF); }
constexpr uint16_t prop_id(PropTag tag) noexcept { return static_cast<uint16_t>(tag >> 16); }
constexpr PropTag make_prop_tag(uint16_t id, PropType type) noexcept { return (PropTag{id} << 16) | type; }

// Property types, MS-OXCDATA 2.11.1 (values checked against /work/shared/protocol/proptypes.tsv).
namespace ptyp {
constexpr PropType Unspecified = 0x0000;
constexpr PropType Null = 0x0001;
constexpr PropType Integer16 = 0x0002;
constexpr PropType Integer32 = 0x0003;
constexpr PropType Floating32 = 0x0004;
constexpr PropType Floating64 = 0x0005;
constexpr PropType Currency = 0x0006;
constexpr PropType FloatingTime = 0x0007;
constexpr PropType ErrorCode = 0x000A;
constexpr PropType Boolean = 0x000B;
constexpr PropType Object = 0x000D;  // also PtypEmbeddedTable
constexpr PropType Integer64 = 0x0014;
constexpr PropType String8 = 0x001E;
constexpr PropType String = 0x001F;
constexpr PropType Time = 0x0040;
constexpr PropType Guid = 0x0048;
constexpr PropType ServerId = 0x00FB;
constexpr PropType Restriction = 0x00FD;
constexpr PropType RuleAction = 0x00FE;
constexpr PropType Binary = 0x0102;
constexpr PropType MultipleFlag = 0x1000;
constexpr PropType MultivalueInstanceFlag = 0x2000;
constexpr PropType MultipleInteger16 = 0x1002;
constexpr PropType MultipleInteger32 = 0x1003;
constexpr PropType MultipleFloating32 = 0x1004;
constexpr PropType MultipleFloating64 = 0x1005;
constexpr PropType MultipleCurrency = 0x1006;
constexpr PropType MultipleFloatingTime = 0x1007;
constexpr PropType MultipleInteger64 = 0x1014;
constexpr PropType MultipleString8 = 0x101E;
constexpr PropType MultipleString = 0x101F;
constexpr PropType MultipleTime = 0x1040;
constexpr PropType MultipleGuid = 0x1048;
constexpr PropType MultipleBinary = 0x1102;
}  // namespace ptyp

// Every type that has a value form on the wire (so excluding Unspecified and Object).
std::span<const PropType> value_types() noexcept;
// "PtypInteger32", "PtypMultipleString", ... or nullptr for a number that is no property type.
const char* prop_type_name(PropType type) noexcept;
// True when `type` has a value form we can decode (see value_types()).
bool is_value_type(PropType type) noexcept;

// The type of the value a column or tag carries. A multi-valued column with the MultivalueInstance
// bit (0x2000, MS-OXCDATA 2.11.1.3) expands into one row per value, each row carrying a single value
// of the base type; every other tag carries a value of its own type.
constexpr PropType value_type_of(PropTag tag) noexcept {
  PropType t = prop_type(tag);
  if (t & ptyp::MultivalueInstanceFlag) return static_cast<PropType>(t & ~(ptyp::MultivalueInstanceFlag | ptyp::MultipleFlag));
  return t;
}

// Width of COUNT fields (MS-OXCDATA 2.11.1.1, MS-OXORULE 2.2.4/2.2.5).
enum class CountWidth : uint8_t {
  // ROP buffers (RopSetProperties, RopQueryRows, standard rules via RopModifyRules): PtypBinary byte
  // counts, RestrictCount, NoOfActions, ActionLength, RecipientCount and NoOfProperties are 2 bytes.
  Narrow = 2,
  // Extended rules (PidTagExtendedRuleMessageCondition/Actions) and MAPI/HTTP: all of those 4 bytes.
  Wide = 4,
};
// Multi-value counts are 32 bits in every context.
constexpr unsigned kMultiValueCountSize = 4;
constexpr unsigned count_size(CountWidth w) noexcept { return static_cast<unsigned>(w); }

// Restrictions, rule actions and the property values inside them can nest each other; decoding
// and encoding refuse more than this many levels. Conditions that Outlook and Exchange build nest
// a handful of levels, so 64 is far above any real rule, while it bounds the recursion that
// hostile bytes could otherwise drive (a 64 KB ROP buffer holds ~32000 two-byte Not restrictions)
// to a stack use of a few kilobytes per thread.
constexpr unsigned kMaxNestingDepth = 64;

// PtypServerId (MS-OXCDATA 2.11.1.4): after its COUNT, an Ours byte; 0x01 means a folder ID, a
// message ID and an instance number follow, anything else means client-defined bytes.
struct ServerId {
  uint8_t ours = 1;
  uint64_t folder_id = 0;   // FID as its 8 wire bytes, little-endian (ReplicaId then GlobalCounter)
  uint64_t message_id = 0;  // MID likewise
  uint32_t instance = 0;
  Bytes client_data;  // only when ours != 1
  friend bool operator==(const ServerId&, const ServerId&) = default;
};

struct Restriction;
struct RuleActions;

class PropertyValue {
 public:
  PropertyValue() = default;  // PtypNull

  // ---- construction, one factory per type -----------------------------------------------------
  static PropertyValue null() { return {}; }
  static PropertyValue int16(int16_t v) { return fixed(ptyp::Integer16, static_cast<uint16_t>(v)); }
  static PropertyValue int32(int32_t v) { return fixed(ptyp::Integer32, static_cast<uint32_t>(v)); }
  static PropertyValue int64(int64_t v) { return fixed(ptyp::Integer64, static_cast<uint64_t>(v)); }
  static PropertyValue float32(float v);
  static PropertyValue float64(double v);
  static PropertyValue currency(int64_t scaled_by_10000) { return fixed(ptyp::Currency, static_cast<uint64_t>(scaled_by_10000)); }
  static PropertyValue floating_time(double days_since_1899_12_30);
  static PropertyValue error_code(uint32_t code) { return fixed(ptyp::ErrorCode, code); }
  static PropertyValue boolean(bool v) { return fixed(ptyp::Boolean, v ? 1u : 0u); }
  static PropertyValue time(uint64_t filetime) { return fixed(ptyp::Time, filetime); }
  // Any fixed-size type from its raw wire bits (the low 2/4/8 bytes count): keeps NaN payloads,
  // non-0/1 booleans. Throws Error(EXMAPI_E_INVALID_ARGUMENT) for a type that is not fixed-size.
  static PropertyValue from_bits(PropType type, uint64_t bits);
  static PropertyValue guid(const Guid& g);
  static PropertyValue string8(std::string bytes_in_session_code_page);
  static PropertyValue string(std::string utf8);
  static PropertyValue binary(Bytes bytes);
  static PropertyValue server_id(ServerId id);
  static PropertyValue restriction(Restriction r);
  static PropertyValue rule_actions(RuleActions a);
  static PropertyValue multiple_int16(std::vector<int16_t> v);
  static PropertyValue multiple_int32(std::vector<int32_t> v);
  static PropertyValue multiple_int64(std::vector<int64_t> v);
  static PropertyValue multiple_float32(const std::vector<float>& v);
  static PropertyValue multiple_float64(const std::vector<double>& v);
  static PropertyValue multiple_currency(std::vector<int64_t> v);
  static PropertyValue multiple_floating_time(const std::vector<double>& v);
  static PropertyValue multiple_time(std::vector<uint64_t> filetimes);
  static PropertyValue multiple_guid(std::vector<Guid> v);
  static PropertyValue multiple_string8(std::vector<std::string> v);
  static PropertyValue multiple_string(std::vector<std::string> utf8);
  static PropertyValue multiple_binary(std::vector<Bytes> v);
  // Multi-valued fixed-size types from raw element bits (2, 4 or 8 bytes per element, by type).
  static PropertyValue multiple_from_bits(PropType type, const std::vector<uint64_t>& bits);

  // ---- inspection -------------------------------------------------------------------------------
  PropType type() const noexcept { return type_; }
  bool is_multiple() const noexcept { return (type_ & ptyp::MultipleFlag) != 0; }

  // Each accessor throws Error(EXMAPI_E_INVALID_ARGUMENT) when the value has another type.
  int16_t as_int16() const;
  int32_t as_int32() const;
  int64_t as_int64() const;
  float as_float() const;
  double as_double() const;
  int64_t as_currency() const;
  double as_floating_time() const;
  uint32_t as_error_code() const;
  bool as_bool() const;
  uint64_t as_time() const;
  // The raw wire bits of any fixed-size scalar type.
  uint64_t bits() const;
  const Guid& as_guid() const;
  // PtypString: UTF-8. PtypString8: the raw bytes in the session's code page.
  const std::string& as_string() const;
  const Bytes& as_binary() const;
  const ServerId& as_server_id() const;
  const Restriction& as_restriction() const;
  const RuleActions& as_rule_actions() const;

  // Number of values of a multi-valued property.
  size_t multiple_count() const;
  // Element i of a multi-valued fixed-size property as raw bits (sign-extend yourself for Integer16/32).
  uint64_t multiple_bits(size_t i) const;
  const std::vector<Guid>& as_multiple_guid() const;
  const std::vector<std::string>& as_multiple_string() const;  // MultipleString (UTF-8) or MultipleString8 (bytes)
  const std::vector<Bytes>& as_multiple_binary() const;

  // Structural equality; fixed-size values compare by their bits (so NaN == the same NaN).
  friend bool operator==(const PropertyValue& a, const PropertyValue& b);

  // Internal storage, public for the codecs in this directory.
  // ServerId is rare and the largest member, so it lives behind a pointer to keep every value small.
  using Storage = std::variant<std::monostate, uint64_t, Guid, std::string, Bytes, std::shared_ptr<const ServerId>,
                               std::vector<uint16_t>,
                               std::vector<uint32_t>, std::vector<uint64_t>, std::vector<Guid>,
                               std::vector<std::string>, std::vector<Bytes>, std::shared_ptr<const Restriction>,
                               std::shared_ptr<const RuleActions>>;
  PropertyValue(PropType type, Storage storage) : type_(type), storage_(std::move(storage)) {}
  const Storage& storage() const noexcept { return storage_; }
  // Replaces the content in place, so a decoder fills a row cell without a temporary value.
  template <class T, class... Args>
  T& emplace(PropType type, Args&&... args) {
    type_ = type;
    return storage_.template emplace<T>(std::forward<Args>(args)...);
  }

 private:
  static PropertyValue fixed(PropType type, uint64_t bits) { return PropertyValue(type, Storage(bits)); }
  template <class T>
  const T& get(PropType expected) const;
  template <class T>
  const T& get_multi() const;

  PropType type_ = ptyp::Null;
  Storage storage_;
};

// ---- the value structures of MS-OXCDATA 2.11 ------------------------------------------------------

// TaggedPropertyValue (2.11.4): PropertyTag, then a value of the tag's type.
struct TaggedPropertyValue {
  PropTag tag = 0;
  PropertyValue value;
  friend bool operator==(const TaggedPropertyValue&, const TaggedPropertyValue&) = default;
};

// FlaggedPropertyValue (2.11.5): Flag 0x00 value follows, 0x01 not present, 0x0A PtypErrorCode follows.
enum class ValueFlag : uint8_t { Present = 0x00, Absent = 0x01, Error = 0x0A };
struct FlaggedPropertyValue {
  ValueFlag flag = ValueFlag::Present;
  // Present: the value. Error: a PtypErrorCode value. Absent: PtypNull, nothing on the wire.
  PropertyValue value;
  friend bool operator==(const FlaggedPropertyValue&, const FlaggedPropertyValue&) = default;
};

// Decodes one value of `type` (a value type: see value_type_of() for table columns).
PropertyValue decode_property_value(ByteReader& r, PropType type, CountWidth width);
// Encodes the value in its own type. Throws EncodeError when a count does not fit its field.
void encode_property_value(ByteWriter& w, const PropertyValue& value, CountWidth width);

// TypedPropertyValue (2.11.3): 2-byte PropertyType, then the value.
PropertyValue decode_typed_property_value(ByteReader& r, CountWidth width);
void encode_typed_property_value(ByteWriter& w, const PropertyValue& value, CountWidth width);

TaggedPropertyValue decode_tagged_property_value(ByteReader& r, CountWidth width);
void encode_tagged_property_value(ByteWriter& w, const TaggedPropertyValue& v, CountWidth width);
// `count` TaggedPropertyValues back to back (the count field belongs to the enclosing structure).
std::vector<TaggedPropertyValue> decode_tagged_property_values(ByteReader& r, size_t count, CountWidth width);
void encode_tagged_property_values(ByteWriter& w, std::span<const TaggedPropertyValue> values, CountWidth width);

// FlaggedPropertyValue for a column whose type is known (value_type), and
// FlaggedPropertyValueWithType (2.11.6: PropertyType, Flag, value) for PtypUnspecified columns.
FlaggedPropertyValue decode_flagged_property_value(ByteReader& r, PropType value_type, CountWidth width);
void encode_flagged_property_value(ByteWriter& w, const FlaggedPropertyValue& v, CountWidth width);
// With type: for Present the type is the value's; for Absent/Error the wire still carries a
// PropertyType, kept in `declared_type` so it re-encodes as it came.
struct FlaggedPropertyValueWithType {
  PropType declared_type = ptyp::Null;
  FlaggedPropertyValue flagged;
  friend bool operator==(const FlaggedPropertyValueWithType&, const FlaggedPropertyValueWithType&) = default;
};
FlaggedPropertyValueWithType decode_flagged_property_value_with_type(ByteReader& r, CountWidth width);
void encode_flagged_property_value_with_type(ByteWriter& w, const FlaggedPropertyValueWithType& v, CountWidth width);

// PropertyTag array with its count (2 bytes in ROP buffers such as RopSetColumns, 4 bytes in
// MAPI/HTTP LargePropertyTagArray): the count width is the caller's.
std::vector<PropTag> decode_property_tag_array(ByteReader& r, CountWidth count_width);
void encode_property_tag_array(ByteWriter& w, std::span<const PropTag> tags, CountWidth count_width);

// One-line debugging form, e.g. `PtypString "Hello"` or `PtypInteger32 42`.
std::string describe(const PropertyValue& v);
std::string describe(const TaggedPropertyValue& v);
std::string describe_tag(PropTag tag);  // "0x0037001F"

namespace detail {
// The nesting-aware entry points shared by the value, restriction and rule-action codecs.
PropertyValue decode_value(ByteReader& r, PropType type, CountWidth width, unsigned depth);
// The same, writing into `out` (the row decoder's hot path).
void decode_value_into(ByteReader& r, PropType type, CountWidth width, unsigned depth, PropertyValue& out);
void encode_value(ByteWriter& w, const PropertyValue& v, CountWidth width, unsigned depth);
TaggedPropertyValue decode_tagged(ByteReader& r, CountWidth width, unsigned depth);
void encode_tagged(ByteWriter& w, const TaggedPropertyValue& v, CountWidth width, unsigned depth);
// Reads or writes a count field of 1, 2 or 4 bytes.
size_t read_count(ByteReader& r, unsigned size, std::string_view field);
void write_count(ByteWriter& w, unsigned size, size_t n, std::string_view field);

// The two directions of one field description. A structure states its layout once, as
// `template <class IO, class S> void fields(IO& io, S& s)`, and that template decodes through
// FieldDecoder (S non-const) and encodes through FieldEncoder (S const), so the two cannot drift
// apart. `depth` is the nesting level of the structure being described; values inside it are one
// level deeper.
struct FieldDecoder {
  static constexpr bool decoding = true;
  ByteReader& r;
  CountWidth width;
  unsigned depth;

  void u8(uint8_t& v, std::string_view field) { v = r.u8(field); }
  void u16(uint16_t& v, std::string_view field) { v = r.u16(field); }
  void u32(uint32_t& v, std::string_view field) { v = r.u32(field); }
  void u64(uint64_t& v, std::string_view field) { v = r.u64(field); }
  void guid(Guid& g, std::string_view field) { g = Guid::read(r, field); }
  // A count of `count_size` bytes, then that many bytes.
  void sized_bytes(Bytes& b, unsigned count_size, std::string_view count_field, std::string_view field) {
    size_t n = read_count(r, count_size, count_field);
    ByteView v = r.bytes(n, field);
    b.assign(v.begin(), v.end());
  }
  // Everything left in the enclosing region (a length-delimited block).
  void rest_bytes(Bytes& b, std::string_view field) {
    ByteView v = r.bytes(r.remaining(), field);
    b.assign(v.begin(), v.end());
  }
  void tagged(TaggedPropertyValue& v, std::string_view field) {
    v = in_field(field, [&] { return decode_tagged(r, width, depth + 1); });
  }
  // A count of `count_size` bytes, then that many elements of at least `min_element_size` bytes.
  template <class T, class Each>
  void array(std::vector<T>& v, unsigned count_size, size_t min_element_size, std::string_view count_field,
             std::string_view field, Each&& each) {
    size_t n = r.count(read_count(r, count_size, count_field), min_element_size, count_field);
    v.clear();
    v.reserve(n);
    for (size_t i = 0; i < n; ++i) {
      try {
        each(v.emplace_back());
      } catch (DecodeError& e) {
        e.prepend("[" + std::to_string(i) + "]");
        e.prepend(field);
        throw;
      }
    }
  }
};

struct FieldEncoder {
  static constexpr bool decoding = false;
  ByteWriter& w;
  CountWidth width;
  unsigned depth;

  void u8(uint8_t v, std::string_view) { w.u8(v); }
  void u16(uint16_t v, std::string_view) { w.u16(v); }
  void u32(uint32_t v, std::string_view) { w.u32(v); }
  void u64(uint64_t v, std::string_view) { w.u64(v); }
  void guid(const Guid& g, std::string_view) { g.write(w); }
  void sized_bytes(const Bytes& b, unsigned count_size, std::string_view count_field, std::string_view) {
    write_count(w, count_size, b.size(), count_field);
    w.bytes(b);
  }
  void rest_bytes(const Bytes& b, std::string_view) { w.bytes(b); }
  void tagged(const TaggedPropertyValue& v, std::string_view) { encode_tagged(w, v, width, depth + 1); }
  template <class T, class Each>
  void array(const std::vector<T>& v, unsigned count_size, size_t, std::string_view count_field, std::string_view,
             Each&& each) {
    write_count(w, count_size, v.size(), count_field);
    for (const T& e : v) each(e);
  }
};
void append_quoted(std::string& out, std::string_view bytes);
void append_hex(std::string& out, ByteView bytes);
std::string hex32(uint32_t v);
}  // namespace detail

}  // namespace exmapi::rop
