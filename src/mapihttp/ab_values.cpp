#include "mapihttp/ab_values.hpp"

#include <algorithm>

#include "base/error.hpp"
#include "base/text.hpp"
#include "rop/property_json.hpp"
#include "rop/rop_codec.hpp"

namespace exmapi::mapihttp {

namespace ptyp = rop::ptyp;

namespace {

bool elementwise(PropType type) noexcept {
  return type == ptyp::MultipleString || type == ptyp::MultipleString8 || type == ptyp::MultipleBinary;
}

// A HasValue byte: TRUE (0xFF) or FALSE (0x00), nothing else (2.2.1.1).
bool read_has_value(ByteReader& r, std::string_view field) {
  size_t at = r.offset();
  uint8_t b = r.u8(field);
  if (b != 0x00 && b != kTrue)
    throw DecodeError(at, field, "HasValue must be TRUE (0xFF) or FALSE (0x00), got " + std::to_string(b));
  return b == kTrue;
}

AbValue decode_elementwise(ByteReader& r, PropType type) {
  AbValue out;
  size_t n = r.count(r.u32("Count"), 1, "Count");
  std::vector<std::string> strings;
  std::vector<Bytes> binaries;
  for (size_t i = 0; i < n; ++i) {
    in_field("[" + std::to_string(i) + "]", [&] {
      bool present = read_has_value(r, "HasValue");
      if (!present) out.absent_elements.push_back(i);
      if (type == ptyp::MultipleBinary) {
        Bytes b;
        if (present) {
          size_t len = r.u32("Count");
          ByteView v = r.bytes(len, "Bytes");
          b.assign(v.begin(), v.end());
        }
        binaries.push_back(std::move(b));
      } else if (type == ptyp::MultipleString) {
        strings.push_back(present ? read_utf16z(r, "String") : std::string());
      } else {
        strings.push_back(present ? read_str8z(r, "String") : std::string());
      }
    });
  }
  if (type == ptyp::MultipleBinary)
    out.value = PropertyValue::multiple_binary(std::move(binaries));
  else if (type == ptyp::MultipleString)
    out.value = PropertyValue::multiple_string(std::move(strings));
  else
    out.value = PropertyValue::multiple_string8(std::move(strings));
  return out;
}

void encode_elementwise(ByteWriter& w, const AbValue& v, PropType type) {
  size_t n = v.value->multiple_count();
  if (n > 0xFFFFFFFFu) throw EncodeError("Count", "too many values");
  for (size_t i : v.absent_elements)
    if (i >= n) throw EncodeError("absent_elements", "index " + std::to_string(i) + " beyond the " + std::to_string(n) + " values");
  w.u32(static_cast<uint32_t>(n));
  for (size_t i = 0; i < n; ++i) {
    bool absent = std::find(v.absent_elements.begin(), v.absent_elements.end(), i) != v.absent_elements.end();
    w.u8(absent ? 0x00 : kTrue);
    if (absent) continue;
    if (type == ptyp::MultipleBinary) {
      const Bytes& b = v.value->as_multiple_binary()[i];
      if (b.size() > 0xFFFFFFFFu) throw EncodeError("Count", "binary value too large");
      w.u32(static_cast<uint32_t>(b.size()));
      w.bytes(b);
    } else if (type == ptyp::MultipleString) {
      write_utf16z(w, v.value->as_multiple_string()[i], "String");
    } else {
      write_str8z(w, v.value->as_multiple_string()[i], "String");
    }
  }
}

std::string type_text(PropType type) { return rop::describe_tag(type); }

}  // namespace

bool has_value_byte(PropType type) noexcept {
  return type == ptyp::String || type == ptyp::String8 || type == ptyp::Binary || (type & ptyp::MultipleFlag) != 0;
}

AbValue decode_ab_value(ByteReader& r, PropType type) {
  if (has_value_byte(type) && !read_has_value(r, "HasValue")) return {};
  if (elementwise(type)) return decode_elementwise(r, type);
  AbValue out;
  out.value = in_field("PropertyValue", [&] { return rop::decode_property_value(r, type, rop::CountWidth::Wide); });
  return out;
}

void encode_ab_value(ByteWriter& w, const AbValue& v, PropType type) {
  if (!v.value) {
    if (!has_value_byte(type))
      throw EncodeError("AddressBookPropertyValue", "a value of type " + type_text(type) + " cannot be absent (no HasValue byte)");
    w.u8(0x00);
    return;
  }
  if (v.value->type() != type)
    throw EncodeError("AddressBookPropertyValue", "value of type " + type_text(v.value->type()) + " where the context expects " + type_text(type));
  if (!v.absent_elements.empty() && !elementwise(type))
    throw EncodeError("AddressBookPropertyValue", "absent elements only exist in multi-valued strings and binaries");
  if (has_value_byte(type)) w.u8(kTrue);
  if (elementwise(type)) return encode_elementwise(w, v, type);
  rop::encode_property_value(w, *v.value, rop::CountWidth::Wide);
}

AbTaggedValue decode_ab_tagged_value(ByteReader& r) {
  AbTaggedValue out;
  out.tag = r.u32("PropertyTag");
  out.value = decode_ab_value(r, rop::prop_type(out.tag));
  return out;
}

void encode_ab_tagged_value(ByteWriter& w, const AbTaggedValue& v) {
  w.u32(v.tag);
  encode_ab_value(w, v.value, rop::prop_type(v.tag));
}

AbValueList decode_ab_value_list(ByteReader& r) {
  size_t n = r.count(r.u32("PropertyValueCount"), 4, "PropertyValues");
  AbValueList out;
  out.reserve(n);
  for (size_t i = 0; i < n; ++i)
    out.push_back(in_field("PropertyValues[" + std::to_string(i) + "]", [&] { return decode_ab_tagged_value(r); }));
  return out;
}

void encode_ab_value_list(ByteWriter& w, const AbValueList& v) {
  if (v.size() > 0xFFFFFFFFu) throw EncodeError("PropertyValueCount", "too many values");
  w.u32(static_cast<uint32_t>(v.size()));
  for (const AbTaggedValue& t : v) encode_ab_tagged_value(w, t);
}

AbRow decode_ab_row(ByteReader& r, const std::vector<PropTag>& columns) {
  AbRow row;
  size_t at = r.offset();
  row.flags = r.u8("Flags");
  if (row.flags > 1) throw DecodeError(at, "Flags", "AddressBookPropertyRow Flags must be 0x00 or 0x01, got " + std::to_string(row.flags));
  row.cells.reserve(columns.size());
  for (size_t i = 0; i < columns.size(); ++i) {
    row.cells.push_back(in_field("ValueArray[" + std::to_string(i) + "]", [&] {
      AbCell cell;
      PropType column_type = rop::prop_type(columns[i]);
      cell.type = column_type == ptyp::Unspecified ? r.u16("PropertyType") : column_type;
      if (row.flags == 0) {
        cell.value = decode_ab_value(r, cell.type);
        return cell;
      }
      size_t flag_at = r.offset();
      uint8_t flag = r.u8("Flag");
      if (flag == static_cast<uint8_t>(ValueFlag::Present)) {
        cell.value = decode_ab_value(r, cell.type);
      } else if (flag == static_cast<uint8_t>(ValueFlag::Absent)) {
        cell.flag = ValueFlag::Absent;
      } else if (flag == static_cast<uint8_t>(ValueFlag::Error)) {
        cell.flag = ValueFlag::Error;
        cell.value = decode_ab_value(r, ptyp::ErrorCode);
      } else {
        throw DecodeError(flag_at, "Flag", "flagged value Flag must be 0x00, 0x01 or 0x0A, got " + std::to_string(flag));
      }
      return cell;
    }));
  }
  return row;
}

void encode_ab_row(ByteWriter& w, const AbRow& row, const std::vector<PropTag>& columns) {
  if (row.flags > 1) throw EncodeError("Flags", "AddressBookPropertyRow Flags must be 0x00 or 0x01");
  if (row.cells.size() != columns.size())
    throw EncodeError("ValueArray", std::to_string(row.cells.size()) + " values for " + std::to_string(columns.size()) + " columns");
  w.u8(row.flags);
  for (size_t i = 0; i < columns.size(); ++i) {
    const AbCell& cell = row.cells[i];
    PropType column_type = rop::prop_type(columns[i]);
    PropType type = column_type;
    if (column_type == ptyp::Unspecified) {
      type = cell.type;
      w.u16(type);
    }
    if (row.flags == 0) {
      if (cell.flag != ValueFlag::Present) throw EncodeError("ValueArray", "a row with Flags 0x00 holds only present values");
      encode_ab_value(w, cell.value, type);
      continue;
    }
    w.u8(static_cast<uint8_t>(cell.flag));
    if (cell.flag == ValueFlag::Present) encode_ab_value(w, cell.value, type);
    if (cell.flag == ValueFlag::Error) encode_ab_value(w, cell.value, ptyp::ErrorCode);
  }
}

// ---- JSON ------------------------------------------------------------------------------------------

std::string ab_value_json(const AbValue& v) {
  if (!v.value) return "null";
  if (v.absent_elements.empty()) return rop::property_value_json(*v.value);
  std::string out = "{\"Value\":" + rop::property_value_json(*v.value) + ",\"AbsentElements\":[";
  for (size_t i = 0; i < v.absent_elements.size(); ++i) out += (i ? "," : "") + std::to_string(v.absent_elements[i]);
  return out + "]}";
}

std::string ab_tagged_value_json(const AbTaggedValue& v) {
  return "{\"Tag\":" + rop::property_tag_json(v.tag) + ",\"Value\":" + ab_value_json(v.value) + "}";
}

std::string ab_value_list_json(const AbValueList& v) {
  std::string out = "[";
  for (size_t i = 0; i < v.size(); ++i) out += (i ? "," : "") + ab_tagged_value_json(v[i]);
  return out + "]";
}

std::string ab_row_json(const AbRow& row, const std::vector<PropTag>& columns) {
  std::string out = std::string("{\"Flagged\":") + (row.flags ? "true" : "false") + ",\"Values\":[";
  for (size_t i = 0; i < row.cells.size(); ++i) {
    const AbCell& c = row.cells[i];
    out += i ? "," : "";
    out += "{\"Tag\":" + rop::property_tag_json(i < columns.size() ? columns[i] : 0);
    if (row.flags) out += std::string(",\"Flag\":\"") + (c.flag == ValueFlag::Present ? "Present" : c.flag == ValueFlag::Absent ? "Absent" : "Error") + "\"";
    if (c.flag != ValueFlag::Absent) out += ",\"Value\":" + ab_value_json(c.value);
    out += "}";
  }
  return out + "]}";
}

// ---- samples ---------------------------------------------------------------------------------------

namespace {
// Address book properties of every value shape the codec distinguishes.
constexpr PropTag kAbSampleTags[] = {
    0x3001001F,  // PidTagDisplayName
    0x39FE001F,  // PidTagSmtpAddress
    0x3003001E,  // PidTagEmailAddress as an 8-bit string
    0x39000003,  // PidTagDisplayType
    0x0FFF0102,  // PidTagEntryId
    0x800F101F,  // PidTagAddressBookProxyAddresses
    0x8CD8101E,  // multi-valued 8-bit strings
    0x8C6A1102,  // PidTagAddressBookX509Certificate (multi-valued binary)
    0x3A4C1003,  // multi-valued integers
    0x0FFE0003,  // PidTagObjectType
    0x8C9E0040,  // a PtypTime value
    0x3A40000B,  // PidTagSendRichInfo
};
constexpr const char* kAbWords[] = {"Alice Martin", "SMTP:alice@example.com", "", "Zoë Ångström", "東京 営業部"};
}  // namespace

AbValue sample_ab_value(rop::Sampler& s, PropType type) {
  AbValue v;
  if (has_value_byte(type) && s.next() % 5 == 0) return v;
  auto word = [&] { return std::string(kAbWords[s.next() % std::size(kAbWords)]); };
  auto ascii = [&] { return std::string(s.next() % 2 ? "/o=Example/ou=First/cn=Recipients/cn=alice" : ""); };
  auto bytes = [&] {
    Bytes b(s.next() % 20);
    for (auto& x : b) x = static_cast<uint8_t>(s.next());
    return b;
  };
  switch (type) {
    case ptyp::String: v.value = PropertyValue::string(word()); break;
    case ptyp::String8: v.value = PropertyValue::string8(ascii()); break;
    case ptyp::Binary: v.value = PropertyValue::binary(bytes()); break;
    case ptyp::Integer32: v.value = PropertyValue::int32(static_cast<int32_t>(s.next() % 100000)); break;
    case ptyp::Integer64: v.value = PropertyValue::int64(static_cast<int64_t>(s.next() >> 8)); break;
    case ptyp::Boolean: v.value = PropertyValue::boolean(s.next() % 2); break;
    case ptyp::Time: v.value = PropertyValue::time(133000000000000000ull + s.next() % 10000000000000ull); break;
    case ptyp::ErrorCode: v.value = PropertyValue::error_code(0x8004010F); break;
    case ptyp::MultipleInteger32: {
      std::vector<int32_t> xs(s.next() % 4);
      for (auto& x : xs) x = static_cast<int32_t>(s.next() % 1000);
      v.value = PropertyValue::multiple_int32(std::move(xs));
      break;
    }
    case ptyp::MultipleString:
    case ptyp::MultipleString8:
    case ptyp::MultipleBinary: {
      size_t n = s.next() % 4;
      std::vector<std::string> strings;
      std::vector<Bytes> binaries;
      for (size_t i = 0; i < n; ++i) {
        bool absent = s.next() % 4 == 0;
        if (absent) v.absent_elements.push_back(i);
        if (type == ptyp::MultipleBinary)
          binaries.push_back(absent ? Bytes{} : bytes());
        else
          strings.push_back(absent ? std::string() : type == ptyp::MultipleString ? word() : ascii());
      }
      v.value = type == ptyp::MultipleBinary   ? PropertyValue::multiple_binary(std::move(binaries))
                : type == ptyp::MultipleString ? PropertyValue::multiple_string(std::move(strings))
                                               : PropertyValue::multiple_string8(std::move(strings));
      break;
    }
    default: v.value = PropertyValue::from_bits(type, s.next() & 0xFFFF); break;  // the other fixed-size types
  }
  return v;
}

AbTaggedValue sample_ab_tagged_value(rop::Sampler& s) {
  AbTaggedValue t;
  t.tag = kAbSampleTags[s.next() % std::size(kAbSampleTags)];
  t.value = sample_ab_value(s, rop::prop_type(t.tag));
  if (!t.value.value && !has_value_byte(rop::prop_type(t.tag))) t.value = sample_ab_value(s, rop::prop_type(t.tag));
  return t;
}

AbValueList sample_ab_value_list(rop::Sampler& s) {
  AbValueList list(s.next() % 4);
  for (auto& t : list) t = sample_ab_tagged_value(s);
  return list;
}

AbRow sample_ab_row(rop::Sampler& s, const std::vector<PropTag>& columns) {
  AbRow row;
  row.flags = static_cast<uint8_t>(s.next() % 2);
  for (PropTag column : columns) {
    AbCell cell;
    cell.type = rop::prop_type(column);
    if (cell.type == ptyp::Unspecified) cell.type = ptyp::String;
    unsigned pick = row.flags ? static_cast<unsigned>(s.next() % 3) : 0;
    if (pick == 1) {
      cell.flag = ValueFlag::Absent;
    } else if (pick == 2) {
      cell.flag = ValueFlag::Error;
      cell.value.value = PropertyValue::error_code(0x8004010F);
    } else {
      cell.value = sample_ab_value(s, cell.type);
    }
    row.cells.push_back(std::move(cell));
  }
  return row;
}

}  // namespace exmapi::mapihttp
