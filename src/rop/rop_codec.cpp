#include "rop/rop_codec.hpp"

#include <cstdio>

namespace exmapi::rop {

namespace detail {

void throw_count_too_large(std::string_view field, size_t n, size_t max) {
  throw EncodeError(field, std::to_string(n) + " elements do not fit a count field of at most " + std::to_string(max));
}
void throw_list_size_mismatch(std::string_view field, size_t have, size_t count) {
  throw EncodeError(field, "has " + std::to_string(have) + " elements but its count field says " + std::to_string(count));
}
void throw_bytes_size_mismatch(std::string_view field, size_t have, size_t want) {
  throw EncodeError(field, "has " + std::to_string(have) + " bytes but its size field says " + std::to_string(want));
}
void throw_missing_context(size_t offset, std::string_view field, std::string_view what, ContextNeed need) {
  throw MissingContextError(offset, field, "cannot be decoded without " + std::string(what) + " (pass it in the ResponseContext)",
                            need);
}
void rethrow_with_index(DecodeError& e, size_t index, std::string_view list_name) {
  e.prepend("[" + std::to_string(index) + "]");
  e.prepend(list_name);
  throw;
}

void throw_bad_choice_encode(std::string_view field, uint8_t v) {
  throw EncodeError(field, "value " + std::to_string(v) + " is not one the structure defines");
}
void throw_bad_choice_decode(size_t offset, std::string_view field, uint8_t v) {
  throw DecodeError(offset, field, "value " + std::to_string(v) + " is not one the structure defines");
}

void append_json_string(std::string& out, std::string_view s) {
  out += '"';
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
}

std::string hex_u32(uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%08X", v);
  return buf;
}

std::string hex_bytes(ByteView b) {
  static const char* digits = "0123456789abcdef";
  std::string s;
  s.reserve(b.size() * 2);
  for (uint8_t x : b) {
    s += digits[x >> 4];
    s += digits[x & 15];
  }
  return s;
}

std::string read_counted_str8(ByteReader& r, size_t n, std::string_view field) {
  size_t at = r.offset();
  ByteView b = r.bytes(n, field);
  if (n == 0 || b[n - 1] != 0) throw DecodeError(at, field, "size " + std::to_string(n) + " does not end in its NUL terminator");
  for (size_t i = 0; i + 1 < n; ++i)
    if (b[i] == 0) throw DecodeError(at + i, field, "NUL inside a string whose size says it ends later");
  return std::string(reinterpret_cast<const char*>(b.data()), n - 1);
}

std::string read_counted_utf16(ByteReader& r, size_t n, std::string_view field) {
  size_t at = r.offset();
  ByteView b = r.bytes(n, field);
  if (n < 2 || n % 2 || b[n - 1] != 0 || b[n - 2] != 0)
    throw DecodeError(at, field, "size " + std::to_string(n) + " is not a whole UTF-16 string with its terminator");
  for (size_t i = 0; i + 2 < n; i += 2)
    if (b[i] == 0 && b[i + 1] == 0) throw DecodeError(at + i, field, "NUL inside a string whose size says it ends later");
  return utf16le_to_utf8(b.first(n - 2));
}

void write_counted_str8(ByteWriter& w, const std::string& s, size_t n, std::string_view field) {
  if (n != s.size() + 1) throw_bytes_size_mismatch(field, s.size() + 1, n);
  write_str8z(w, s, field);
}

size_t counted_utf16_size(const std::string& s) {
  auto units = utf16_length(s);
  return units ? (*units + 1) * 2 : 0;  // invalid UTF-8 fails in the writer, naming the field
}

void write_counted_utf16(ByteWriter& w, const std::string& s, size_t n, std::string_view field) {
  size_t want = counted_utf16_size(s);
  if (want && n != want) throw_bytes_size_mismatch(field, want, n);
  write_utf16z(w, s, field);
}

std::string object_id_text(uint64_t wire) { return ObjectId::from_wire_u64(wire).to_string(); }

}  // namespace detail

std::string LongTermIdCodec::print(const LongTermId& v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "-%012llX", static_cast<unsigned long long>(v.gid.global_counter));
  return v.gid.database_guid.to_string() + buf;
}

std::string SortOrderSetCodec::print(const SortOrderSet& v) {
  std::string s = "categorized " + std::to_string(v.categorized_count) + ", expanded " + std::to_string(v.expanded_count) + ":";
  for (const SortOrder& o : v.sort_orders) {
    s += ' ';
    s += detail::hex_u32(o.tag);
    const char* name = sort_order_name(o.order);
    s += name ? std::string(" ") + name : " order " + std::to_string(o.order);
  }
  return s;
}

std::string PropertyProblemsCodec::print(const std::vector<PropertyProblem>& v) {
  std::string s = "[";
  for (size_t i = 0; i < v.size(); ++i) {
    if (i) s += ", ";
    s += describe(v[i]);
  }
  return s + "]";
}

const char* context_need_name(ContextNeed need) noexcept {
  switch (need) {
    case ContextNeed::Columns: return "columns";
    case ContextNeed::LogonFlags: return "logon_flags";
  }
  return "?";
}

// ---- Printer -------------------------------------------------------------------------------------

void Printer::return_value(std::string_view n, const uint32_t& v) {
  std::string text = detail::hex_u32(v);
  if (const char* name = status_name(static_cast<exmapi_status>(v))) {
    text += ' ';
    text += name;
  }
  string(n, text);
}

std::string Printer::element() {
  if (fields_ == 1 && unnamed_) return out_.substr(1);
  return finish();
}

// ---- Sampler -------------------------------------------------------------------------------------

namespace {
// Tags of real properties of each value type the samples use (MS-OXPROPS).
constexpr PropTag kSampleTags[] = {
    0x0037001F,  // PidTagSubject
    0x0E080003,  // PidTagMessageSize
    0x67480014,  // PidTagFolderId
    0x0E060040,  // PidTagMessageDeliveryTime
    0x0FFF0102,  // PidTagEntryId
    0x0E1B000B,  // PidTagHasAttachments
    0x001A001E,  // PidTagMessageClass (8-bit)
};
constexpr const char* kWords[] = {"Inbox", "Quarterly report", "IPM.Note", "Réunion d'équipe", "", "日本語の件名",
                                  "Deleted Items"};
}  // namespace

void Sampler::prop_tag(std::string_view, PropTag& v) { v = kSampleTags[next() % std::size(kSampleTags)]; }

bool Sampler::flag_like(std::string_view n) {
  // Boolean-valued fields that switch the shape of what follows; a sample keeps them to 0/1 so both
  // branches are exercised over a handful of seeds.
  for (std::string_view prefix : {"Is", "Has", "Want", "Use", "Reserved"})
    if (n.substr(0, prefix.size()) == prefix) return true;
  // Negative Booleans read "No" + a capitalised word (NoPropertiesReturned), unlike "Notify...".
  return n.size() > 2 && n.substr(0, 2) == "No" && n[2] >= 'A' && n[2] <= 'Z';
}

std::string Sampler::word(bool unicode) {
  std::string w = kWords[next() % std::size(kWords)];
  if (!unicode) {
    // 8-bit strings carry code-page bytes; keep to ASCII so the sample means the same in any.
    std::string ascii;
    for (char c : w)
      if (static_cast<unsigned char>(c) < 0x80) ascii += c;
    return ascii;
  }
  return w;
}

namespace {
PropertyValue sample_value(Sampler& s, PropType type) {
  switch (type) {
    case ptyp::Integer32: return PropertyValue::int32(static_cast<int32_t>(s.next() % 100000));
    case ptyp::Integer64: return PropertyValue::int64(static_cast<int64_t>(s.next() >> 8));
    case ptyp::Boolean: return PropertyValue::boolean(s.next() % 2);
    case ptyp::Time: return PropertyValue::time(133000000000000000ull + s.next() % 10000000000000ull);
    case ptyp::Binary: {
      Bytes b(s.next() % 24);
      for (auto& x : b) x = static_cast<uint8_t>(s.next());
      return PropertyValue::binary(std::move(b));
    }
    case ptyp::String8: return PropertyValue::string8("IPM.Note");
    default: return PropertyValue::string(kWords[s.next() % std::size(kWords)]);
  }
}
}  // namespace

void Sampler::value(std::string_view, TaggedPropertyValue& v, const TaggedValueCodec&) {
  prop_tag("", v.tag);
  v.value = sample_value(*this, prop_type(v.tag));
}

void Sampler::value(std::string_view, Restriction& v, const RestrictionCodec&) {
  if (next() % 2) {
    ExistRestriction e;
    prop_tag("", e.tag);
    v = e;
  } else {
    PropertyRestriction p;
    p.relop = relop::Equal;
    prop_tag("", p.tag);
    p.value.tag = p.tag;
    p.value.value = sample_value(*this, prop_type(p.tag));
    v = AndRestriction{{Restriction(std::move(p)), Restriction(ExistRestriction{0x0E080003})}};
  }
}

void Sampler::value(std::string_view, PropertyRow& v, const RowCodec& codec) {
  v.flagged = next() % 2;
  v.cells.clear();
  for (PropTag tag : *codec.columns) {
    PropertyCell cell;
    uint64_t pick = v.flagged ? next() % 4 : 0;
    if (pick == 1) {
      cell.flag = ValueFlag::Absent;
    } else if (pick == 2) {
      cell.flag = ValueFlag::Error;
      cell.value = PropertyValue::error_code(ec::NotFound);
    } else {
      cell.value = sample_value(*this, value_type_of(tag));
    }
    v.cells.push_back(std::move(cell));
  }
}

void Sampler::value(std::string_view, LongTermId& v, const LongTermIdCodec&) {
  for (auto& b : v.gid.database_guid.bytes) b = static_cast<uint8_t>(next());
  v.gid.global_counter = next() & kMaxGlobalCounter;
}

void Sampler::value(std::string_view, SortOrderSet& v, const SortOrderSetCodec&) {
  // Plain (uncategorized) sorts on single-valued columns: always valid under the SortOrderSet rules.
  v = SortOrderSet{};
  size_t n = next() % 4;
  for (size_t i = 0; i < n; ++i) {
    SortOrder o;
    prop_tag("", o.tag);
    o.order = next() % 2 ? sort_order::Descending : sort_order::Ascending;
    v.sort_orders.push_back(o);
  }
}

void Sampler::value(std::string_view, std::vector<PropertyProblem>& v, const PropertyProblemsCodec&) {
  v.clear();
  size_t n = next() % 3;
  for (size_t i = 0; i < n; ++i) {
    PropertyProblem p;
    p.index = static_cast<uint16_t>(i);
    prop_tag("", p.tag);
    p.error_code = i % 2 ? 0x80040102u /* NotSupported */ : 0x80070005u /* AccessDenied */;
    v.push_back(p);
  }
}

}  // namespace exmapi::rop
