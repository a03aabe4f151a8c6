// The address book value structures of MS-OXCMAPIHTTP 2.2.1: AddressBookPropertyValue and the
// structures built on it, as the NSPI request types of section 2.2.5 carry them. Values are the
// MS-OXCDATA PropertyValue of rop/property_value.hpp with 4-byte COUNTs (CountWidth::Wide).
//
// Decisions:
// - HasValue (2.2.1.1) precedes the value for PtypString, PtypString8, PtypBinary and every
//   PtypMultiple* type. It "MUST contain either TRUE (0xFF) or FALSE (0x00)"; any other byte is a
//   DecodeError. FALSE means no value: `value` is nullopt.
// - Inside PtypMultipleString, PtypMultipleString8 and PtypMultipleBinary each element is preceded
//   by its own HasValue byte. The spec text does not say so, but Microsoft's own parser
//   (MAPIInspector: PtypString/PtypString8/PtypBinary read with isAddressBook inside the multi-valued
//   readers) and gromox (EXT_FLAG_ABK in ext_buffer.cpp, talking to real Outlook) both read it, so
//   we do. An element whose byte is FALSE is kept as an empty string/binary and its index is marked
//   in `absent_elements`, so the value re-encodes byte for byte.
// - A row's Flags byte (2.2.1.7) must be 0x00 or 0x01, a flagged value's Flag 0x00, 0x01 or 0x0A
//   (2.2.1.5); anything else is a DecodeError.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/bytes.hpp"
#include "rop/property_value.hpp"

namespace exmapi::rop {
class Sampler;
}

namespace exmapi::mapihttp {

using rop::PropertyValue;
using rop::PropTag;
using rop::PropType;
using rop::ValueFlag;

inline constexpr uint8_t kTrue = 0xFF;  // the Boolean TRUE of 2.2.1.1, also written for every HasX byte
// LargePropertyTagArray, ExplicitTable: "The number is limited to 100,000" (2.2.1.8, 2.2.5.12.1).
inline constexpr size_t kMaxLargeCount = 100000;

// Whether an AddressBookPropertyValue of this type starts with HasValue.
bool has_value_byte(PropType type) noexcept;

// AddressBookPropertyValue (2.2.1.1), its type given by the context.
struct AbValue {
  std::optional<PropertyValue> value;  // nullopt: HasValue FALSE
  std::vector<size_t> absent_elements;  // multi-valued strings/binaries: elements whose HasValue was FALSE
  friend bool operator==(const AbValue&, const AbValue&) = default;
};
AbValue decode_ab_value(ByteReader& r, PropType type);
void encode_ab_value(ByteWriter& w, const AbValue& v, PropType type);

// AddressBookTaggedPropertyValue (2.2.1.2): PropertyType, PropertyId, value.
struct AbTaggedValue {
  PropTag tag = 0;
  AbValue value;
  friend bool operator==(const AbTaggedValue&, const AbTaggedValue&) = default;
};
AbTaggedValue decode_ab_tagged_value(ByteReader& r);
void encode_ab_tagged_value(ByteWriter& w, const AbTaggedValue& v);

// AddressBookPropertyValueList (2.2.1.3): 4-byte PropertyValueCount, then the tagged values.
using AbValueList = std::vector<AbTaggedValue>;
AbValueList decode_ab_value_list(ByteReader& r);
void encode_ab_value_list(ByteWriter& w, const AbValueList& v);

// One cell of an AddressBookPropertyRow: AddressBookPropertyValue, AddressBookTypedPropertyValue
// (2.2.1.4), AddressBookFlaggedPropertyValue (2.2.1.5) or AddressBookFlaggedPropertyValueWithType
// (2.2.1.6), as the row's Flags and the column's type select.
struct AbCell {
  PropType type = rop::ptyp::Null;  // the column's type, or the PropertyType the wire carried for PtypUnspecified columns
  ValueFlag flag = ValueFlag::Present;  // always Present in a row whose Flags is 0x00
  AbValue value;  // Present: a value of `type`; Error: a PtypErrorCode value; Absent: nothing
  friend bool operator==(const AbCell&, const AbCell&) = default;
};
// AddressBookPropertyRow (2.2.1.7) against a column set known in advance.
struct AbRow {
  uint8_t flags = 0;  // 0x00 plain values, 0x01 flagged values
  std::vector<AbCell> cells;
  friend bool operator==(const AbRow&, const AbRow&) = default;
};
AbRow decode_ab_row(ByteReader& r, const std::vector<PropTag>& columns);
void encode_ab_row(ByteWriter& w, const AbRow& row, const std::vector<PropTag>& columns);

// JSON renderings for the printer.
std::string ab_value_json(const AbValue& v);
std::string ab_value_list_json(const AbValueList& v);
std::string ab_tagged_value_json(const AbTaggedValue& v);
std::string ab_row_json(const AbRow& row, const std::vector<PropTag>& columns);

// Plausible values for generated tests and fuzz seeds.
AbValue sample_ab_value(rop::Sampler& s, PropType type);
AbTaggedValue sample_ab_tagged_value(rop::Sampler& s);
AbValueList sample_ab_value_list(rop::Sampler& s);
AbRow sample_ab_row(rop::Sampler& s, const std::vector<PropTag>& columns);

// ---- plug-in codecs for the rop archives (rop/rop_codec.hpp a.value(name, v, Codec{})) -------------
struct AbTaggedValueCodec {
  static AbTaggedValue decode(ByteReader& r) { return decode_ab_tagged_value(r); }
  static void encode(ByteWriter& w, const AbTaggedValue& v) { encode_ab_tagged_value(w, v); }
  static std::string print_json(const AbTaggedValue& v) { return ab_tagged_value_json(v); }
  static void sample(rop::Sampler& s, AbTaggedValue& v) { v = sample_ab_tagged_value(s); }
};
struct AbValueListCodec {
  static AbValueList decode(ByteReader& r) { return decode_ab_value_list(r); }
  static void encode(ByteWriter& w, const AbValueList& v) { encode_ab_value_list(w, v); }
  static std::string print_json(const AbValueList& v) { return ab_value_list_json(v); }
  static void sample(rop::Sampler& s, AbValueList& v) { v = sample_ab_value_list(s); }
};
struct AbRowCodec {
  const std::vector<PropTag>* columns;
  AbRow decode(ByteReader& r) const { return decode_ab_row(r, *columns); }
  void encode(ByteWriter& w, const AbRow& v) const { encode_ab_row(w, v, *columns); }
  std::string print_json(const AbRow& v) const { return ab_row_json(v, *columns); }
  void sample(rop::Sampler& s, AbRow& v) const { v = sample_ab_row(s, *columns); }
};

}  // namespace exmapi::mapihttp
