#include "rop/property_value.hpp"

#include <bit>
#include <cinttypes>
#include <cstdio>

#include "rop/restriction.hpp"
#include "rop/rule_action.hpp"

namespace exmapi::rop {

namespace {

struct TypeRow {
  PropType type;
  const char* name;
};
// Every type with a value form, in MS-OXCDATA 2.11.1 table order.
constexpr TypeRow kValueTypes[] = {
    {ptyp::Null, "PtypNull"},
    {ptyp::Integer16, "PtypInteger16"},
    {ptyp::Integer32, "PtypInteger32"},
    {ptyp::Floating32, "PtypFloating32"},
    {ptyp::Floating64, "PtypFloating64"},
    {ptyp::Currency, "PtypCurrency"},
    {ptyp::FloatingTime, "PtypFloatingTime"},
    {ptyp::ErrorCode, "PtypErrorCode"},
    {ptyp::Boolean, "PtypBoolean"},
    {ptyp::Integer64, "PtypInteger64"},
    {ptyp::String8, "PtypString8"},
    {ptyp::String, "PtypString"},
    {ptyp::Time, "PtypTime"},
    {ptyp::Guid, "PtypGuid"},
    {ptyp::ServerId, "PtypServerId"},
    {ptyp::Restriction, "PtypRestriction"},
    {ptyp::RuleAction, "PtypRuleAction"},
    {ptyp::Binary, "PtypBinary"},
    {ptyp::MultipleInteger16, "PtypMultipleInteger16"},
    {ptyp::MultipleInteger32, "PtypMultipleInteger32"},
    {ptyp::MultipleFloating32, "PtypMultipleFloating32"},
    {ptyp::MultipleFloating64, "PtypMultipleFloating64"},
    {ptyp::MultipleCurrency, "PtypMultipleCurrency"},
    {ptyp::MultipleFloatingTime, "PtypMultipleFloatingTime"},
    {ptyp::MultipleInteger64, "PtypMultipleInteger64"},
    {ptyp::MultipleString8, "PtypMultipleString8"},
    {ptyp::MultipleString, "PtypMultipleString"},
    {ptyp::MultipleTime, "PtypMultipleTime"},
    {ptyp::MultipleGuid, "PtypMultipleGuid"},
    {ptyp::MultipleBinary, "PtypMultipleBinary"},
};
constexpr PropType kValueTypeList[] = {
    ptyp::Null,          ptyp::Integer16,         ptyp::Integer32,          ptyp::Floating32,
    ptyp::Floating64,    ptyp::Currency,          ptyp::FloatingTime,       ptyp::ErrorCode,
    ptyp::Boolean,       ptyp::Integer64,         ptyp::String8,            ptyp::String,
    ptyp::Time,          ptyp::Guid,              ptyp::ServerId,           ptyp::Restriction,
    ptyp::RuleAction,    ptyp::Binary,            ptyp::MultipleInteger16,  ptyp::MultipleInteger32,
    ptyp::MultipleFloating32, ptyp::MultipleFloating64, ptyp::MultipleCurrency, ptyp::MultipleFloatingTime,
    ptyp::MultipleInteger64,  ptyp::MultipleString8,    ptyp::MultipleString,   ptyp::MultipleTime,
    ptyp::MultipleGuid,  ptyp::MultipleBinary,
};
static_assert(std::size(kValueTypeList) == std::size(kValueTypes));

// Wire size of a fixed-size scalar type, 0 for every other type.
constexpr unsigned fixed_size(PropType t) noexcept {
  switch (t) {
    case ptyp::Boolean:
      return 1;
    case ptyp::Integer16:
      return 2;
    case ptyp::Integer32:
    case ptyp::Floating32:
    case ptyp::ErrorCode:
      return 4;
    case ptyp::Floating64:
    case ptyp::Currency:
    case ptyp::FloatingTime:
    case ptyp::Integer64:
    case ptyp::Time:
      return 8;
    default:
      return 0;
  }
}

[[noreturn]] void wrong_type(PropType have, const char* want) {
  const char* name = prop_type_name(have);
  throw Error(EXMAPI_E_INVALID_ARGUMENT, std::string("property value is ") + (name ? name : "of an unknown type") +
                                             ", not " + want);
}

[[noreturn]] void nesting_too_deep(ByteReader& r) {
  r.fail("PropertyValue", "nesting exceeds the limit of " + std::to_string(kMaxNestingDepth) + " levels");
}

template <class T>
const T& stored(const PropertyValue& v) {
  if (const T* p = std::get_if<T>(&v.storage())) return *p;
  const char* name = prop_type_name(v.type());
  throw EncodeError(name ? name : "PropertyValue", "the stored value does not match the property type");
}

template <class U>
std::vector<U> read_fixed_array(ByteReader& r, size_t n, std::string_view field) {
  ByteView raw = r.bytes(n * sizeof(U), field);
  std::vector<U> out(n);
  if constexpr (std::endian::native == std::endian::little) {
    if (n) std::memcpy(out.data(), raw.data(), n * sizeof(U));
  } else {
    for (size_t i = 0; i < n; ++i) out[i] = exmapi::detail::load_le<U>(raw.data() + i * sizeof(U));
  }
  return out;
}

template <class U>
void write_fixed_array(ByteWriter& w, const std::vector<U>& v) {
  if constexpr (std::endian::native == std::endian::little) {
    w.bytes({reinterpret_cast<const uint8_t*>(v.data()), v.size() * sizeof(U)});
  } else {
    for (U x : v) {
      if constexpr (sizeof(U) == 2) w.u16(x);
      else if constexpr (sizeof(U) == 4) w.u32(x);
      else w.u64(x);
    }
  }
}

Bytes to_bytes(ByteView v) { return Bytes(v.begin(), v.end()); }

ServerId decode_server_id(ByteReader& r, CountWidth width) {
  size_t n = detail::read_count(r, count_size(width), "COUNT");
  ByteReader body = r.sub(n, "ServerId");
  ServerId id;
  id.ours = body.u8("Ours");
  if (id.ours == 1) {
    id.folder_id = body.u64("FolderId");
    id.message_id = body.u64("MessageId");
    id.instance = body.u32("Instance");
    body.expect_end("ServerId");
  } else {
    id.client_data = to_bytes(body.rest());
  }
  return id;
}

void encode_server_id(ByteWriter& w, const ServerId& id, CountWidth width) {
  size_t n = id.ours == 1 ? 21 : 1 + id.client_data.size();
  if (id.ours == 1 && !id.client_data.empty())
    throw EncodeError("ServerId", "client data is only allowed when Ours is not 0x01");
  detail::write_count(w, count_size(width), n, "ServerId COUNT");
  w.u8(id.ours);
  if (id.ours == 1) {
    w.u64(id.folder_id);
    w.u64(id.message_id);
    w.u32(id.instance);
  } else {
    w.bytes(id.client_data);
  }
}

}  // namespace

std::span<const PropType> value_types() noexcept { return kValueTypeList; }

const char* prop_type_name(PropType type) noexcept {
  for (const auto& row : kValueTypes)
    if (row.type == type) return row.name;
  if (type == ptyp::Unspecified) return "PtypUnspecified";
  if (type == ptyp::Object) return "PtypObject";
  return nullptr;
}

bool is_value_type(PropType type) noexcept {
  for (PropType t : kValueTypeList)
    if (t == type) return true;
  return false;
}

// ---- PropertyValue --------------------------------------------------------------------------------

PropertyValue PropertyValue::float32(float v) { return fixed(ptyp::Floating32, std::bit_cast<uint32_t>(v)); }
PropertyValue PropertyValue::float64(double v) { return fixed(ptyp::Floating64, std::bit_cast<uint64_t>(v)); }
PropertyValue PropertyValue::floating_time(double v) { return fixed(ptyp::FloatingTime, std::bit_cast<uint64_t>(v)); }

PropertyValue PropertyValue::from_bits(PropType type, uint64_t bits) {
  unsigned size = fixed_size(type);
  if (size == 0) wrong_type(type, "a fixed-size type");
  if (size < 8) bits &= (uint64_t{1} << (8 * size)) - 1;
  return fixed(type, bits);
}

PropertyValue PropertyValue::guid(const Guid& g) { return PropertyValue(ptyp::Guid, Storage(g)); }
PropertyValue PropertyValue::string8(std::string bytes) {
  return PropertyValue(ptyp::String8, Storage(std::in_place_type<std::string>, std::move(bytes)));
}
PropertyValue PropertyValue::string(std::string utf8) {
  return PropertyValue(ptyp::String, Storage(std::in_place_type<std::string>, std::move(utf8)));
}
PropertyValue PropertyValue::binary(Bytes bytes) {
  return PropertyValue(ptyp::Binary, Storage(std::in_place_type<Bytes>, std::move(bytes)));
}
PropertyValue PropertyValue::server_id(ServerId id) {
  return PropertyValue(ptyp::ServerId, Storage(std::shared_ptr<const ServerId>(std::make_shared<const ServerId>(std::move(id)))));
}
PropertyValue PropertyValue::restriction(Restriction r) {
  return PropertyValue(ptyp::Restriction, Storage(std::shared_ptr<const Restriction>(
                                              std::make_shared<const Restriction>(std::move(r)))));
}
PropertyValue PropertyValue::rule_actions(RuleActions a) {
  return PropertyValue(ptyp::RuleAction, Storage(std::shared_ptr<const RuleActions>(
                                             std::make_shared<const RuleActions>(std::move(a)))));
}

namespace {
template <class U, class T>
std::vector<U> as_bits(const std::vector<T>& v) {
  std::vector<U> out(v.size());
  for (size_t i = 0; i < v.size(); ++i) {
    if constexpr (std::is_floating_point_v<T>)
      out[i] = std::bit_cast<U>(v[i]);
    else
      out[i] = static_cast<U>(v[i]);
  }
  return out;
}
}  // namespace

PropertyValue PropertyValue::multiple_int16(std::vector<int16_t> v) {
  return PropertyValue(ptyp::MultipleInteger16, Storage(as_bits<uint16_t>(v)));
}
PropertyValue PropertyValue::multiple_int32(std::vector<int32_t> v) {
  return PropertyValue(ptyp::MultipleInteger32, Storage(as_bits<uint32_t>(v)));
}
PropertyValue PropertyValue::multiple_int64(std::vector<int64_t> v) {
  return PropertyValue(ptyp::MultipleInteger64, Storage(as_bits<uint64_t>(v)));
}
PropertyValue PropertyValue::multiple_float32(const std::vector<float>& v) {
  return PropertyValue(ptyp::MultipleFloating32, Storage(as_bits<uint32_t>(v)));
}
PropertyValue PropertyValue::multiple_float64(const std::vector<double>& v) {
  return PropertyValue(ptyp::MultipleFloating64, Storage(as_bits<uint64_t>(v)));
}
PropertyValue PropertyValue::multiple_currency(std::vector<int64_t> v) {
  return PropertyValue(ptyp::MultipleCurrency, Storage(as_bits<uint64_t>(v)));
}
PropertyValue PropertyValue::multiple_floating_time(const std::vector<double>& v) {
  return PropertyValue(ptyp::MultipleFloatingTime, Storage(as_bits<uint64_t>(v)));
}
PropertyValue PropertyValue::multiple_time(std::vector<uint64_t> v) {
  return PropertyValue(ptyp::MultipleTime, Storage(std::move(v)));
}
PropertyValue PropertyValue::multiple_guid(std::vector<Guid> v) {
  return PropertyValue(ptyp::MultipleGuid, Storage(std::move(v)));
}
PropertyValue PropertyValue::multiple_string8(std::vector<std::string> v) {
  return PropertyValue(ptyp::MultipleString8, Storage(std::move(v)));
}
PropertyValue PropertyValue::multiple_string(std::vector<std::string> v) {
  return PropertyValue(ptyp::MultipleString, Storage(std::move(v)));
}
PropertyValue PropertyValue::multiple_binary(std::vector<Bytes> v) {
  return PropertyValue(ptyp::MultipleBinary, Storage(std::move(v)));
}

PropertyValue PropertyValue::multiple_from_bits(PropType type, const std::vector<uint64_t>& bits) {
  if (!(type & ptyp::MultipleFlag) || !is_value_type(type)) wrong_type(type, "a multi-valued fixed-size type");
  switch (fixed_size(static_cast<PropType>(type & ~ptyp::MultipleFlag))) {
    case 2:
      return PropertyValue(type, Storage(as_bits<uint16_t>(bits)));
    case 4:
      return PropertyValue(type, Storage(as_bits<uint32_t>(bits)));
    case 8:
      return PropertyValue(type, Storage(bits));
    default:
      wrong_type(type, "a multi-valued fixed-size type");
  }
}

template <class T>
const T& PropertyValue::get(PropType expected) const {
  if (type_ != expected) wrong_type(type_, prop_type_name(expected));
  if (const T* p = std::get_if<T>(&storage_)) return *p;
  throw Error(EXMAPI_E_INTERNAL, "property value storage does not match its type");
}

int16_t PropertyValue::as_int16() const { return static_cast<int16_t>(get<uint64_t>(ptyp::Integer16)); }
int32_t PropertyValue::as_int32() const { return static_cast<int32_t>(get<uint64_t>(ptyp::Integer32)); }
int64_t PropertyValue::as_int64() const { return static_cast<int64_t>(get<uint64_t>(ptyp::Integer64)); }
float PropertyValue::as_float() const {
  return std::bit_cast<float>(static_cast<uint32_t>(get<uint64_t>(ptyp::Floating32)));
}
double PropertyValue::as_double() const { return std::bit_cast<double>(get<uint64_t>(ptyp::Floating64)); }
int64_t PropertyValue::as_currency() const { return static_cast<int64_t>(get<uint64_t>(ptyp::Currency)); }
double PropertyValue::as_floating_time() const { return std::bit_cast<double>(get<uint64_t>(ptyp::FloatingTime)); }
uint32_t PropertyValue::as_error_code() const { return static_cast<uint32_t>(get<uint64_t>(ptyp::ErrorCode)); }
bool PropertyValue::as_bool() const { return get<uint64_t>(ptyp::Boolean) != 0; }
uint64_t PropertyValue::as_time() const { return get<uint64_t>(ptyp::Time); }
uint64_t PropertyValue::bits() const {
  if (fixed_size(type_) == 0) wrong_type(type_, "a fixed-size type");
  return get<uint64_t>(type_);
}
const Guid& PropertyValue::as_guid() const { return get<Guid>(ptyp::Guid); }
const std::string& PropertyValue::as_string() const {
  return get<std::string>(type_ == ptyp::String8 ? ptyp::String8 : ptyp::String);
}
const Bytes& PropertyValue::as_binary() const { return get<Bytes>(ptyp::Binary); }
const ServerId& PropertyValue::as_server_id() const { return *get<std::shared_ptr<const ServerId>>(ptyp::ServerId); }
const Restriction& PropertyValue::as_restriction() const {
  return *get<std::shared_ptr<const Restriction>>(ptyp::Restriction);
}
const RuleActions& PropertyValue::as_rule_actions() const {
  return *get<std::shared_ptr<const RuleActions>>(ptyp::RuleAction);
}

size_t PropertyValue::multiple_count() const {
  if (!is_multiple()) wrong_type(type_, "a multi-valued type");
  return std::visit(
      [](const auto& s) -> size_t {
        using S = std::decay_t<decltype(s)>;
        if constexpr (requires { s.size(); } && !std::is_same_v<S, std::string> && !std::is_same_v<S, Bytes>)
          return s.size();
        else
          return 0;
      },
      storage_);
}

uint64_t PropertyValue::multiple_bits(size_t i) const {
  if (!is_multiple()) wrong_type(type_, "a multi-valued fixed-size type");
  if (auto* p = std::get_if<std::vector<uint16_t>>(&storage_)) return p->at(i);
  if (auto* p = std::get_if<std::vector<uint32_t>>(&storage_)) return p->at(i);
  if (auto* p = std::get_if<std::vector<uint64_t>>(&storage_)) return p->at(i);
  wrong_type(type_, "a multi-valued fixed-size type");
}
const std::vector<Guid>& PropertyValue::as_multiple_guid() const {
  return get<std::vector<Guid>>(ptyp::MultipleGuid);
}
const std::vector<std::string>& PropertyValue::as_multiple_string() const {
  return get<std::vector<std::string>>(type_ == ptyp::MultipleString8 ? ptyp::MultipleString8 : ptyp::MultipleString);
}
const std::vector<Bytes>& PropertyValue::as_multiple_binary() const {
  return get<std::vector<Bytes>>(ptyp::MultipleBinary);
}

bool operator==(const PropertyValue& a, const PropertyValue& b) {
  if (a.type_ != b.type_ || a.storage_.index() != b.storage_.index()) return false;
  if (auto* p = std::get_if<std::shared_ptr<const ServerId>>(&a.storage_)) {
    auto& q = std::get<std::shared_ptr<const ServerId>>(b.storage_);
    return p->get() == q.get() || (*p && q && **p == *q);
  }
  if (auto* p = std::get_if<std::shared_ptr<const Restriction>>(&a.storage_)) {
    auto& q = std::get<std::shared_ptr<const Restriction>>(b.storage_);
    return p->get() == q.get() || (*p && q && **p == *q);
  }
  if (auto* p = std::get_if<std::shared_ptr<const RuleActions>>(&a.storage_)) {
    auto& q = std::get<std::shared_ptr<const RuleActions>>(b.storage_);
    return p->get() == q.get() || (*p && q && **p == *q);
  }
  return a.storage_ == b.storage_;
}

// ---- counts -----------------------------------------------------------------------------------------

size_t detail::read_count(ByteReader& r, unsigned size, std::string_view field) {
  switch (size) {
    case 1:
      return r.u8(field);
    case 2:
      return r.u16(field);
    default:
      return r.u32(field);
  }
}

void detail::write_count(ByteWriter& w, unsigned size, size_t n, std::string_view field) {
  uint64_t max = size == 1 ? 0xFF : size == 2 ? 0xFFFF : 0xFFFFFFFFu;
  if (n > max)
    throw EncodeError(field, "count " + std::to_string(n) + " exceeds the " + std::to_string(size) + "-byte field");
  switch (size) {
    case 1:
      w.u8(static_cast<uint8_t>(n));
      break;
    case 2:
      w.u16(static_cast<uint16_t>(n));
      break;
    default:
      w.u32(static_cast<uint32_t>(n));
      break;
  }
}

// ---- the value codec: one switch on the type each way --------------------------------------------

void detail::decode_value_into(ByteReader& r, PropType type, CountWidth width, unsigned depth, PropertyValue& out) {
  switch (type) {
    case ptyp::Null:
      out.emplace<std::monostate>(type);
      return;
    case ptyp::Boolean:
      out.emplace<uint64_t>(type, r.u8("Boolean"));
      return;
    case ptyp::Integer16:
      out.emplace<uint64_t>(type, r.u16("Integer16"));
      return;
    case ptyp::Integer32:
    case ptyp::Floating32:
    case ptyp::ErrorCode:
      out.emplace<uint64_t>(type, r.u32("Value"));
      return;
    case ptyp::Floating64:
    case ptyp::Currency:
    case ptyp::FloatingTime:
    case ptyp::Integer64:
    case ptyp::Time:
      out.emplace<uint64_t>(type, r.u64("Value"));
      return;
    case ptyp::Guid:
      out.emplace<Guid>(type, Guid::read(r, "Guid"));
      return;
    case ptyp::String8:
      out.emplace<std::string>(type, read_str8z(r, "String8"));
      return;
    case ptyp::String:
      out.emplace<std::string>(type, read_utf16z(r, "String"));
      return;
    case ptyp::Binary: {
      size_t n = read_count(r, count_size(width), "COUNT");
      ByteView b = r.bytes(n, "Binary");
      out.emplace<Bytes>(type, b.begin(), b.end());
      return;
    }
    case ptyp::ServerId:
      out.emplace<std::shared_ptr<const ServerId>>(type, std::make_shared<const ServerId>(decode_server_id(r, width)));
      return;
    case ptyp::Restriction:
      if (depth >= kMaxNestingDepth) nesting_too_deep(r);
      out.emplace<std::shared_ptr<const Restriction>>(
          type, std::make_shared<const Restriction>(detail::decode_restriction(r, width, depth)));
      return;
    case ptyp::RuleAction:
      if (depth >= kMaxNestingDepth) nesting_too_deep(r);
      out.emplace<std::shared_ptr<const RuleActions>>(
          type, std::make_shared<const RuleActions>(detail::decode_rule_actions(r, width, depth)));
      return;
    case ptyp::MultipleInteger16: {
      size_t n = r.count(read_count(r, kMultiValueCountSize, "COUNT"), 2, "COUNT");
      out.emplace<std::vector<uint16_t>>(type, read_fixed_array<uint16_t>(r, n, "Values"));
      return;
    }
    case ptyp::MultipleInteger32:
    case ptyp::MultipleFloating32: {
      size_t n = r.count(read_count(r, kMultiValueCountSize, "COUNT"), 4, "COUNT");
      out.emplace<std::vector<uint32_t>>(type, read_fixed_array<uint32_t>(r, n, "Values"));
      return;
    }
    case ptyp::MultipleFloating64:
    case ptyp::MultipleCurrency:
    case ptyp::MultipleFloatingTime:
    case ptyp::MultipleInteger64:
    case ptyp::MultipleTime: {
      size_t n = r.count(read_count(r, kMultiValueCountSize, "COUNT"), 8, "COUNT");
      out.emplace<std::vector<uint64_t>>(type, read_fixed_array<uint64_t>(r, n, "Values"));
      return;
    }
    case ptyp::MultipleGuid: {
      size_t n = r.count(read_count(r, kMultiValueCountSize, "COUNT"), 16, "COUNT");
      std::vector<Guid> v(n);
      for (size_t i = 0; i < n; ++i) v[i] = Guid::read(r, "Values");
      out.emplace<std::vector<Guid>>(type, std::move(v));
      return;
    }
    case ptyp::MultipleString8:
    case ptyp::MultipleString: {
      bool wide = type == ptyp::MultipleString;
      size_t n = r.count(read_count(r, kMultiValueCountSize, "COUNT"), wide ? 2 : 1, "COUNT");
      std::vector<std::string> v;
      v.reserve(n);
      for (size_t i = 0; i < n; ++i) v.push_back(wide ? read_utf16z(r, "Values") : read_str8z(r, "Values"));
      out.emplace<std::vector<std::string>>(type, std::move(v));
      return;
    }
    case ptyp::MultipleBinary: {
      unsigned cs = count_size(width);
      size_t n = r.count(read_count(r, kMultiValueCountSize, "COUNT"), cs, "COUNT");
      std::vector<Bytes> v;
      v.reserve(n);
      for (size_t i = 0; i < n; ++i) {
        size_t len = read_count(r, cs, "Values.COUNT");
        v.push_back(to_bytes(r.bytes(len, "Values")));
      }
      out.emplace<std::vector<Bytes>>(type, std::move(v));
      return;
    }
    case ptyp::Object:
      r.fail("PropertyValue", "PtypObject/PtypEmbeddedTable (0x000D) has no inline value (MS-OXCDATA 2.11.1.5)");
    case ptyp::Unspecified:
      r.fail("PropertyValue", "PtypUnspecified (0x0000) is a request-only type and has no value");
    default: {
      char buf[80];
      std::snprintf(buf, sizeof buf, "0x%04X is not a property type with a value form", type);
      r.fail("PropertyType", buf);
    }
  }
}

PropertyValue detail::decode_value(ByteReader& r, PropType type, CountWidth width, unsigned depth) {
  PropertyValue v;
  decode_value_into(r, type, width, depth, v);
  return v;
}

void detail::encode_value(ByteWriter& w, const PropertyValue& v, CountWidth width, unsigned depth) {
  PropType type = v.type();
  switch (type) {
    case ptyp::Null:
      return;
    case ptyp::Boolean:
      w.u8(static_cast<uint8_t>(stored<uint64_t>(v)));
      return;
    case ptyp::Integer16:
      w.u16(static_cast<uint16_t>(stored<uint64_t>(v)));
      return;
    case ptyp::Integer32:
    case ptyp::Floating32:
    case ptyp::ErrorCode:
      w.u32(static_cast<uint32_t>(stored<uint64_t>(v)));
      return;
    case ptyp::Floating64:
    case ptyp::Currency:
    case ptyp::FloatingTime:
    case ptyp::Integer64:
    case ptyp::Time:
      w.u64(stored<uint64_t>(v));
      return;
    case ptyp::Guid:
      stored<Guid>(v).write(w);
      return;
    case ptyp::String8:
      write_str8z(w, stored<std::string>(v), "String8");
      return;
    case ptyp::String:
      write_utf16z(w, stored<std::string>(v), "String");
      return;
    case ptyp::Binary: {
      const Bytes& b = stored<Bytes>(v);
      write_count(w, count_size(width), b.size(), "Binary COUNT");
      w.bytes(b);
      return;
    }
    case ptyp::ServerId:
      {
        auto& p = stored<std::shared_ptr<const ServerId>>(v);
        if (!p) throw EncodeError("PtypServerId", "empty value");
        encode_server_id(w, *p, width);
      }
      return;
    case ptyp::Restriction: {
      auto& p = stored<std::shared_ptr<const Restriction>>(v);
      if (!p) throw EncodeError("PtypRestriction", "empty value");
      if (depth >= kMaxNestingDepth)
        throw EncodeError("PtypRestriction", "nesting exceeds the limit of " + std::to_string(kMaxNestingDepth) + " levels");
      detail::encode_restriction(w, *p, width, depth);
      return;
    }
    case ptyp::RuleAction: {
      auto& p = stored<std::shared_ptr<const RuleActions>>(v);
      if (!p) throw EncodeError("PtypRuleAction", "empty value");
      if (depth >= kMaxNestingDepth)
        throw EncodeError("PtypRuleAction", "nesting exceeds the limit of " + std::to_string(kMaxNestingDepth) + " levels");
      detail::encode_rule_actions(w, *p, width, depth);
      return;
    }
    case ptyp::MultipleInteger16: {
      auto& a = stored<std::vector<uint16_t>>(v);
      write_count(w, kMultiValueCountSize, a.size(), "COUNT");
      write_fixed_array(w, a);
      return;
    }
    case ptyp::MultipleInteger32:
    case ptyp::MultipleFloating32: {
      auto& a = stored<std::vector<uint32_t>>(v);
      write_count(w, kMultiValueCountSize, a.size(), "COUNT");
      write_fixed_array(w, a);
      return;
    }
    case ptyp::MultipleFloating64:
    case ptyp::MultipleCurrency:
    case ptyp::MultipleFloatingTime:
    case ptyp::MultipleInteger64:
    case ptyp::MultipleTime: {
      auto& a = stored<std::vector<uint64_t>>(v);
      write_count(w, kMultiValueCountSize, a.size(), "COUNT");
      write_fixed_array(w, a);
      return;
    }
    case ptyp::MultipleGuid: {
      auto& a = stored<std::vector<Guid>>(v);
      write_count(w, kMultiValueCountSize, a.size(), "COUNT");
      for (const Guid& g : a) g.write(w);
      return;
    }
    case ptyp::MultipleString8:
    case ptyp::MultipleString: {
      auto& a = stored<std::vector<std::string>>(v);
      write_count(w, kMultiValueCountSize, a.size(), "COUNT");
      for (const std::string& s : a) {
        if (type == ptyp::MultipleString)
          write_utf16z(w, s, "MultipleString");
        else
          write_str8z(w, s, "MultipleString8");
      }
      return;
    }
    case ptyp::MultipleBinary: {
      auto& a = stored<std::vector<Bytes>>(v);
      write_count(w, kMultiValueCountSize, a.size(), "COUNT");
      for (const Bytes& b : a) {
        write_count(w, count_size(width), b.size(), "MultipleBinary COUNT");
        w.bytes(b);
      }
      return;
    }
    default: {
      const char* name = prop_type_name(type);
      throw EncodeError("PropertyValue", std::string(name ? name : "this type") + " has no value form");
    }
  }
}

TaggedPropertyValue detail::decode_tagged(ByteReader& r, CountWidth width, unsigned depth) {
  TaggedPropertyValue t;
  t.tag = r.u32("PropertyTag");
  t.value = in_field(describe_tag(t.tag), [&] { return decode_value(r, value_type_of(t.tag), width, depth); });
  return t;
}

void detail::encode_tagged(ByteWriter& w, const TaggedPropertyValue& t, CountWidth width, unsigned depth) {
  if (value_type_of(t.tag) != t.value.type())
    throw EncodeError(describe_tag(t.tag), std::string("the value is ") +
                                               (prop_type_name(t.value.type()) ? prop_type_name(t.value.type()) : "?") +
                                               ", not the tag's type");
  w.u32(t.tag);
  encode_value(w, t.value, width, depth);
}

// ---- public entry points ---------------------------------------------------------------------------

PropertyValue decode_property_value(ByteReader& r, PropType type, CountWidth width) {
  return detail::decode_value(r, type, width, 0);
}
void encode_property_value(ByteWriter& w, const PropertyValue& value, CountWidth width) {
  detail::encode_value(w, value, width, 0);
}

PropertyValue decode_typed_property_value(ByteReader& r, CountWidth width) {
  PropType type = r.u16("PropertyType");
  return detail::decode_value(r, type, width, 0);
}
void encode_typed_property_value(ByteWriter& w, const PropertyValue& value, CountWidth width) {
  w.u16(value.type());
  detail::encode_value(w, value, width, 0);
}

TaggedPropertyValue decode_tagged_property_value(ByteReader& r, CountWidth width) {
  return detail::decode_tagged(r, width, 0);
}
void encode_tagged_property_value(ByteWriter& w, const TaggedPropertyValue& v, CountWidth width) {
  detail::encode_tagged(w, v, width, 0);
}

std::vector<TaggedPropertyValue> decode_tagged_property_values(ByteReader& r, size_t count, CountWidth width) {
  r.count(count, 4, "TaggedPropertyValues");
  std::vector<TaggedPropertyValue> out;
  out.reserve(count);
  size_t i = 0;
  try {
    for (; i < count; ++i) out.push_back(detail::decode_tagged(r, width, 0));
  } catch (DecodeError& e) {
    e.prepend("[" + std::to_string(i) + "]");
    throw;
  }
  return out;
}

void encode_tagged_property_values(ByteWriter& w, std::span<const TaggedPropertyValue> values, CountWidth width) {
  for (const auto& v : values) detail::encode_tagged(w, v, width, 0);
}

FlaggedPropertyValue decode_flagged_property_value(ByteReader& r, PropType value_type, CountWidth width) {
  uint8_t flag = r.u8("Flag");
  switch (flag) {
    case 0x00:
      return {ValueFlag::Present, detail::decode_value(r, value_type, width, 0)};
    case 0x01:
      return {ValueFlag::Absent, PropertyValue()};
    case 0x0A:
      return {ValueFlag::Error, PropertyValue::error_code(r.u32("ErrorCode"))};
    default: {
      char buf[64];
      std::snprintf(buf, sizeof buf, "flag 0x%02X is none of 0x00, 0x01, 0x0A", flag);
      ByteReader at(r.consumed().subspan(r.position() - 1), r.offset() - 1);
      at.fail("Flag", buf);
    }
  }
}

void encode_flagged_property_value(ByteWriter& w, const FlaggedPropertyValue& v, CountWidth width) {
  w.u8(static_cast<uint8_t>(v.flag));
  switch (v.flag) {
    case ValueFlag::Present:
      detail::encode_value(w, v.value, width, 0);
      return;
    case ValueFlag::Absent:
      return;
    case ValueFlag::Error:
      if (v.value.type() != ptyp::ErrorCode) throw EncodeError("FlaggedPropertyValue", "an error flag needs a PtypErrorCode value");
      w.u32(v.value.as_error_code());
      return;
  }
  throw EncodeError("FlaggedPropertyValue", "flag is none of 0x00, 0x01, 0x0A");
}

FlaggedPropertyValueWithType decode_flagged_property_value_with_type(ByteReader& r, CountWidth width) {
  FlaggedPropertyValueWithType out;
  out.declared_type = r.u16("PropertyType");
  out.flagged = decode_flagged_property_value(r, out.declared_type, width);
  return out;
}

void encode_flagged_property_value_with_type(ByteWriter& w, const FlaggedPropertyValueWithType& v, CountWidth width) {
  if (v.flagged.flag == ValueFlag::Present && v.flagged.value.type() != v.declared_type)
    throw EncodeError("FlaggedPropertyValueWithType", "PropertyType differs from the value's type");
  w.u16(v.declared_type);
  encode_flagged_property_value(w, v.flagged, width);
}

std::vector<PropTag> decode_property_tag_array(ByteReader& r, CountWidth count_width) {
  size_t n = r.count(detail::read_count(r, count_size(count_width), "PropertyTagCount"), 4, "PropertyTagCount");
  std::vector<PropTag> tags(n);
  for (size_t i = 0; i < n; ++i) tags[i] = r.u32("PropertyTag");
  return tags;
}

void encode_property_tag_array(ByteWriter& w, std::span<const PropTag> tags, CountWidth count_width) {
  detail::write_count(w, count_size(count_width), tags.size(), "PropertyTagCount");
  for (PropTag t : tags) w.u32(t);
}

// ---- describe ---------------------------------------------------------------------------------------

std::string detail::hex32(uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%08X", v);
  return buf;
}

std::string describe_tag(PropTag tag) { return detail::hex32(tag); }

void detail::append_quoted(std::string& out, std::string_view s) {
  out += '"';
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c == 0x7F) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02X", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  out += '"';
}

void detail::append_hex(std::string& out, ByteView b) {
  static const char* digits = "0123456789abcdef";
  for (uint8_t x : b) {
    out += digits[x >> 4];
    out += digits[x & 15];
  }
}

namespace {

void append_fixed(std::string& out, PropType type, uint64_t bits) {
  char buf[64];
  switch (type) {
    case ptyp::Boolean:
      if (bits > 1)
        std::snprintf(buf, sizeof buf, "true (0x%02X)", static_cast<unsigned>(bits));
      else
        std::snprintf(buf, sizeof buf, "%s", bits ? "true" : "false");
      break;
    case ptyp::Integer16:
      std::snprintf(buf, sizeof buf, "%d", static_cast<int16_t>(bits));
      break;
    case ptyp::Integer32:
      std::snprintf(buf, sizeof buf, "%" PRId32, static_cast<int32_t>(bits));
      break;
    case ptyp::Integer64:
      std::snprintf(buf, sizeof buf, "%" PRId64, static_cast<int64_t>(bits));
      break;
    case ptyp::Currency: {
      int64_t v = static_cast<int64_t>(bits);
      uint64_t mag = v < 0 ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
      std::snprintf(buf, sizeof buf, "%s%" PRIu64 ".%04" PRIu64, v < 0 ? "-" : "", mag / 10000, mag % 10000);
      break;
    }
    case ptyp::Floating32:
      std::snprintf(buf, sizeof buf, "%.9g", static_cast<double>(std::bit_cast<float>(static_cast<uint32_t>(bits))));
      break;
    case ptyp::Floating64:
    case ptyp::FloatingTime:
      std::snprintf(buf, sizeof buf, "%.17g", std::bit_cast<double>(bits));
      break;
    case ptyp::ErrorCode: {
      const char* name = status_name(static_cast<exmapi_status>(bits));
      std::snprintf(buf, sizeof buf, "0x%08X%s%s", static_cast<uint32_t>(bits), name ? " " : "", name ? name : "");
      break;
    }
    case ptyp::Time:
      out += filetime_to_iso8601(bits);
      return;
    default:
      std::snprintf(buf, sizeof buf, "0x%" PRIX64, bits);
      break;
  }
  out += buf;
}

void append_body(std::string& out, const PropertyValue& v) {
  PropType type = v.type();
  PropType base = static_cast<PropType>(type & ~ptyp::MultipleFlag);
  std::visit(
      [&](const auto& s) {
        using S = std::decay_t<decltype(s)>;
        if constexpr (std::is_same_v<S, std::monostate>) {
        } else if constexpr (std::is_same_v<S, uint64_t>) {
          append_fixed(out, type, s);
        } else if constexpr (std::is_same_v<S, Guid>) {
          out += s.to_string();
        } else if constexpr (std::is_same_v<S, std::string>) {
          detail::append_quoted(out, s);
        } else if constexpr (std::is_same_v<S, Bytes>) {
          out += "[" + std::to_string(s.size()) + "] ";
          detail::append_hex(out, s);
        } else if constexpr (std::is_same_v<S, std::shared_ptr<const ServerId>>) {
          const ServerId& id = *s;
          char buf[96];
          if (id.ours == 1) {
            std::snprintf(buf, sizeof buf, "{FolderId 0x%016" PRIX64 ", MessageId 0x%016" PRIX64 ", Instance %" PRIu32 "}",
                          id.folder_id, id.message_id, id.instance);
            out += buf;
          } else {
            std::snprintf(buf, sizeof buf, "{Ours 0x%02X, client data ", id.ours);
            out += buf;
            detail::append_hex(out, id.client_data);
            out += '}';
          }
        } else if constexpr (std::is_same_v<S, std::shared_ptr<const Restriction>>) {
          if (s) detail::describe_restriction(out, *s);
        } else if constexpr (std::is_same_v<S, std::shared_ptr<const RuleActions>>) {
          if (s) detail::describe_rule_actions(out, *s);
        } else {
          out += '[';
          bool first = true;
          for (const auto& e : s) {
            if (!first) out += ", ";
            first = false;
            using E = std::decay_t<decltype(e)>;
            if constexpr (std::is_same_v<E, Guid>)
              out += e.to_string();
            else if constexpr (std::is_same_v<E, std::string>)
              detail::append_quoted(out, e);
            else if constexpr (std::is_same_v<E, Bytes>)
              detail::append_hex(out, e);
            else
              append_fixed(out, base, e);
          }
          out += ']';
        }
      },
      v.storage());
}

}  // namespace

std::string describe(const PropertyValue& v) {
  const char* name = prop_type_name(v.type());
  std::string out = name ? name : "Ptyp?";
  if (v.type() != ptyp::Null) out += ' ';
  append_body(out, v);
  return out;
}

std::string describe(const TaggedPropertyValue& v) { return describe_tag(v.tag) + " " + describe(v.value); }

}  // namespace exmapi::rop
