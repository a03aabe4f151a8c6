#include "server/mapihttp/ab_convert.hpp"

#include <string>
#include <type_traits>
#include <variant>

#include "base/error.hpp"

namespace exmapi::server::mapihttp_ab {

namespace n = ndr::nspi;
using rop::PropertyValue;
using rop::PropTag;
namespace ptyp = rop::ptyp;

namespace {

[[noreturn]] void unsupported(PropTag tag, const char* direction) {
  throw DecodeError(0, "PropertyValue",
                    std::string("property type ") + std::to_string(tag & 0xFFFF) + " has no " + direction + " form");
}

template <class T>
const T& arm(const n::PropertyValue& v) {
  if (const T* p = std::get_if<T>(&v.value)) return *p;
  throw DecodeError(0, "PropertyValue", "the value does not match its tag " + std::to_string(v.prop_tag));
}

}  // namespace

PropertyValue to_rop(const n::PropertyValue& v) {
  switch (v.prop_tag & 0xFFFF) {
    case ptyp::Null: return PropertyValue::null();
    case ptyp::Integer16: return PropertyValue::int16(arm<int16_t>(v));
    case ptyp::Integer32: return PropertyValue::int32(arm<int32_t>(v));
    case ptyp::Boolean: return PropertyValue::boolean(arm<uint16_t>(v) != 0);
    case ptyp::ErrorCode: return PropertyValue::error_code(static_cast<uint32_t>(arm<int32_t>(v)));
    case ptyp::String8: return PropertyValue::string8(arm<std::string>(v));
    case ptyp::String: return PropertyValue::string(arm<std::string>(v));
    case ptyp::Binary: return PropertyValue::binary(arm<Bytes>(v));
    case ptyp::Guid: return PropertyValue::guid(arm<Guid>(v));
    case ptyp::Time: return PropertyValue::time(arm<ndr::FileTime>(v).value());
    case ptyp::MultipleInteger16: return PropertyValue::multiple_int16(arm<std::vector<int16_t>>(v));
    case ptyp::MultipleInteger32: return PropertyValue::multiple_int32(arm<std::vector<int32_t>>(v));
    case ptyp::MultipleString8: return PropertyValue::multiple_string8(arm<std::vector<std::string>>(v));
    case ptyp::MultipleString: return PropertyValue::multiple_string(arm<std::vector<std::string>>(v));
    case ptyp::MultipleBinary: return PropertyValue::multiple_binary(arm<std::vector<Bytes>>(v));
    case ptyp::MultipleGuid: return PropertyValue::multiple_guid(arm<std::vector<Guid>>(v));
    case ptyp::MultipleTime: {
      std::vector<uint64_t> times;
      for (const auto& t : arm<std::vector<ndr::FileTime>>(v)) times.push_back(t.value());
      return PropertyValue::multiple_time(std::move(times));
    }
    default: unsupported(v.prop_tag, "MAPI over HTTP");
  }
}

n::PropertyValue to_ndr(PropTag tag, const PropertyValue& v) {
  n::PropertyValue out;
  out.prop_tag = tag;
  auto fixed_list = [&](auto element) {
    std::vector<decltype(element)> list;
    for (size_t i = 0; i < v.multiple_count(); ++i) list.push_back(static_cast<decltype(element)>(v.multiple_bits(i)));
    return list;
  };
  switch (tag & 0xFFFF) {
    case ptyp::Null: out.value = int32_t{0}; break;
    case ptyp::Integer16: out.value = v.as_int16(); break;
    case ptyp::Integer32: out.value = v.as_int32(); break;
    case ptyp::Boolean: out.value = static_cast<uint16_t>(v.as_bool() ? 1 : 0); break;
    case ptyp::ErrorCode: out.value = static_cast<int32_t>(v.as_error_code()); break;
    case ptyp::String8:
    case ptyp::String: out.value = v.as_string(); break;
    case ptyp::Binary: out.value = v.as_binary(); break;
    case ptyp::Guid: out.value = v.as_guid(); break;
    case ptyp::Time: out.value = ndr::FileTime::from(v.as_time()); break;
    case ptyp::MultipleInteger16: out.value = fixed_list(int16_t{}); break;
    case ptyp::MultipleInteger32: out.value = fixed_list(int32_t{}); break;
    case ptyp::MultipleString8:
    case ptyp::MultipleString: out.value = v.as_multiple_string(); break;
    case ptyp::MultipleBinary: out.value = v.as_multiple_binary(); break;
    case ptyp::MultipleGuid: out.value = v.as_multiple_guid(); break;
    case ptyp::MultipleTime: {
      std::vector<ndr::FileTime> times;
      for (size_t i = 0; i < v.multiple_count(); ++i) times.push_back(ndr::FileTime::from(v.multiple_bits(i)));
      out.value = std::move(times);
      break;
    }
    default: unsupported(tag, "NSPI");
  }
  if ((tag & 0xFFFF) != v.type() && !((tag & 0xFFFF) == ptyp::Null))
    throw DecodeError(0, "PropertyValue", "a value of type " + std::to_string(v.type()) + " under tag " +
                                              std::to_string(tag));
  return out;
}

mapihttp::AbTaggedValue to_ab(const n::PropertyValue& v) {
  mapihttp::AbTaggedValue out;
  out.tag = v.prop_tag;
  out.value.value = to_rop(v);
  return out;
}

n::PropertyValue to_ndr(const mapihttp::AbTaggedValue& v) {
  if (!v.value.value) throw DecodeError(0, "PropertyValue", "an address book value without a value (HasValue FALSE)");
  return to_ndr(v.tag, *v.value.value);
}

mapihttp::AbValueList to_ab_list(const n::PropertyRow& row) {
  mapihttp::AbValueList out;
  for (const auto& p : row.props) out.push_back(to_ab(p));
  return out;
}

n::PropertyRow to_ndr_row(const mapihttp::AbValueList& list) {
  n::PropertyRow row;
  for (const auto& v : list) row.props.push_back(to_ndr(v));
  return row;
}

mapihttp::ColumnsAndRows to_ab_rows(const std::vector<PropTag>& columns, const n::PropertyRowSet& rows) {
  mapihttp::ColumnsAndRows out;
  out.columns = columns;
  for (const auto& row : rows.rows) {
    if (row.props.size() != columns.size())
      throw Error(EXMAPI_E_INVALID_ARGUMENT, "a row of " + std::to_string(row.props.size()) + " values against " +
                                                 std::to_string(columns.size()) + " columns");
    mapihttp::AbRow ab;
    for (size_t i = 0; i < columns.size(); ++i) {
      rop::PropType column_type = rop::prop_type(columns[i]);
      rop::PropType value_type = rop::prop_type(row.props[i].prop_tag);
      if (value_type == ptyp::ErrorCode && column_type != ptyp::ErrorCode) ab.flags = 0x01;
      mapihttp::AbCell cell;
      cell.type = column_type == ptyp::Unspecified ? value_type : column_type;
      if (value_type == ptyp::ErrorCode && column_type != ptyp::ErrorCode) {
        cell.flag = rop::ValueFlag::Error;
        cell.type = ptyp::ErrorCode;
      }
      cell.value.value = to_rop(row.props[i]);
      ab.cells.push_back(std::move(cell));
    }
    out.rows.push_back(std::move(ab));
  }
  return out;
}

n::Restriction to_ndr_restriction(const rop::Restriction& r) {
  n::Restriction out;
  auto value = [](const rop::TaggedPropertyValue& v) { return to_ndr(v.tag, v.value); };
  std::visit(
      [&](const auto& x) {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, rop::AndRestriction> || std::is_same_v<T, rop::OrRestriction>) {
          out.rt = std::is_same_v<T, rop::AndRestriction> ? n::kResAnd : n::kResOr;
          for (const auto& c : x.restrictions) out.children.push_back(to_ndr_restriction(c));
        } else if constexpr (std::is_same_v<T, rop::NotRestriction>) {
          out.rt = n::kResNot;
          out.children.push_back(to_ndr_restriction(*x.restriction));
        } else if constexpr (std::is_same_v<T, rop::ContentRestriction>) {
          out.rt = n::kResContent;
          out.op = uint32_t{x.fuzzy_level_high} << 16 | x.fuzzy_level_low;
          out.prop_tag = x.tag;
          out.prop = value(x.value);
        } else if constexpr (std::is_same_v<T, rop::PropertyRestriction>) {
          out.rt = n::kResProperty;
          out.op = x.relop;
          out.prop_tag = x.tag;
          out.prop = value(x.value);
        } else if constexpr (std::is_same_v<T, rop::ComparePropertiesRestriction>) {
          out.rt = n::kResCompareProps;
          out.op = x.relop;
          out.prop_tag = x.tag1;
          out.operand = x.tag2;
        } else if constexpr (std::is_same_v<T, rop::BitMaskRestriction>) {
          out.rt = n::kResBitMask;
          out.op = x.bitmap_relop;
          out.prop_tag = x.tag;
          out.operand = x.mask;
        } else if constexpr (std::is_same_v<T, rop::SizeRestriction>) {
          out.rt = n::kResSize;
          out.op = x.relop;
          out.prop_tag = x.tag;
          out.operand = x.size;
        } else if constexpr (std::is_same_v<T, rop::ExistRestriction>) {
          out.rt = n::kResExist;
          out.prop_tag = x.tag;
        } else if constexpr (std::is_same_v<T, rop::SubObjectRestriction>) {
          out.rt = n::kResSub;
          out.op = x.subobject;
          out.children.push_back(to_ndr_restriction(*x.restriction));
        } else {
          throw DecodeError(0, "Filter", "a comment or count restriction has no NSPI form");
        }
      },
      r.node);
  return out;
}

std::optional<n::PropertyTagArray> to_ndr_tags(const std::optional<std::vector<PropTag>>& tags) {
  if (!tags) return std::nullopt;
  n::PropertyTagArray out;
  out.values.assign(tags->begin(), tags->end());
  return out;
}

std::optional<std::vector<PropTag>> to_ab_tags(const std::optional<n::PropertyTagArray>& tags) {
  if (!tags) return std::nullopt;
  return std::vector<PropTag>(tags->values.begin(), tags->values.end());
}

}  // namespace exmapi::server::mapihttp_ab
