#include "rop/property_names.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstring>
#include <iterator>

#include "rop/property_tag.hpp"

namespace exmapi::rop {

namespace {

struct TagNameRow {
  uint32_t tag;
  const char* name;
};
struct TypeNameRow {
  uint16_t type;
  const char* name;
};
struct PropertySetRow {
  std::array<uint8_t, 16> guid;
  const char* name;
};
struct NamedLidRow {
  std::array<uint8_t, 16> guid;
  uint32_t lid;
  const char* name;
  uint16_t type;
};
struct NamedStringRow {
  std::array<uint8_t, 16> guid;
  const char* string_name;
  const char* name;
  uint16_t type;
};
struct NamedByNameRow {
  const char* name;
  bool is_lid;
  uint16_t index;
};

#include "rop/property_names_table.inc"
#include "rop/named_property_table.inc"

constexpr std::string_view kInstanceSuffix = "|MultivalueInstance";

template <class Row, size_t N>
const Row* find_by_name(const Row (&rows)[N], std::string_view name) noexcept {
  auto it = std::lower_bound(std::begin(rows), std::end(rows), name,
                             [](const Row& row, std::string_view n) { return std::string_view(row.name) < n; });
  return it != std::end(rows) && std::string_view(it->name) == name ? it : nullptr;
}

std::optional<uint32_t> parse_hex(std::string_view text, size_t max_digits) noexcept {
  if (text.size() < 3 || text[0] != '0' || (text[1] != 'x' && text[1] != 'X')) return std::nullopt;
  text.remove_prefix(2);
  if (text.empty() || text.size() > max_digits) return std::nullopt;
  uint32_t v = 0;
  for (char c : text) {
    int d = (c >= '0' && c <= '9') ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : (c >= 'A' && c <= 'F') ? c - 'A' + 10 : -1;
    if (d < 0) return std::nullopt;
    v = (v << 4) | static_cast<uint32_t>(d);
  }
  return v;
}

std::string hex_text(uint32_t v, int digits) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%0*X", digits, v);
  return buf;
}

}  // namespace

// ---- tags ----

const char* property_tag_name(uint32_t tag) noexcept {
  auto it = std::lower_bound(std::begin(kTagsByTag), std::end(kTagsByTag), tag,
                             [](const TagNameRow& row, uint32_t t) { return row.tag < t; });
  return it != std::end(kTagsByTag) && it->tag == tag ? it->name : nullptr;
}

const char* property_id_name(uint16_t id) noexcept {
  // Rows are sorted by tag, so the rows of one ID are adjacent and start at id << 16.
  uint32_t first = proptag::make_tag(id, 0);
  auto it = std::lower_bound(std::begin(kTagsByTag), std::end(kTagsByTag), first,
                             [](const TagNameRow& row, uint32_t t) { return row.tag < t; });
  return it != std::end(kTagsByTag) && proptag::id(it->tag) == id ? it->name : nullptr;
}

std::string format_property_tag(uint32_t tag) {
  if (const char* exact = property_tag_name(tag)) return exact;
  // From 0x8000 an ID is a named property's number in a mailbox and only in the address book a
  // fixed property (MS-OXOABK); an exact match is taken as the latter, a mere ID match is not.
  if (proptag::is_named_id(proptag::id(tag))) return hex_text(tag, 8);
  if (const char* by_id = property_id_name(proptag::id(tag)))
    return std::string(by_id) + " (" + format_property_type(proptag::type(tag)) + ")";
  return hex_text(tag, 8);
}

std::optional<uint32_t> property_tag_from_name(std::string_view text) noexcept {
  if (auto hex = parse_hex(text, 8)) return hex;
  // "Name (Type)" as format_property_tag() prints a property ID with another type.
  if (size_t open = text.find(" ("); open != std::string_view::npos && text.back() == ')') {
    const TagNameRow* row = find_by_name(kTagsByName, text.substr(0, open));
    auto type = property_type_from_name(text.substr(open + 2, text.size() - open - 3));
    if (!row || !type) return std::nullopt;
    return proptag::make_tag(proptag::id(row->tag), *type);
  }
  if (const TagNameRow* row = find_by_name(kTagsByName, text)) return row->tag;
  return std::nullopt;
}

// ---- types ----

const char* property_type_name(uint16_t type) noexcept {
  auto it = std::lower_bound(std::begin(kTypesByValue), std::end(kTypesByValue), type,
                             [](const TypeNameRow& row, uint16_t t) { return row.type < t; });
  return it != std::end(kTypesByValue) && it->type == type ? it->name : nullptr;
}

std::string format_property_type(uint16_t type) {
  if (const char* exact = property_type_name(type)) return exact;
  if (proptag::is_multi_valued_type(type) && (type & proptag::kMultivalueInstanceFlag))
    if (const char* base = property_type_name(proptag::declared_type(type))) return std::string(base) + std::string(kInstanceSuffix);
  return hex_text(type, 4);
}

std::optional<uint16_t> property_type_from_name(std::string_view text) noexcept {
  if (auto hex = parse_hex(text, 4)) return static_cast<uint16_t>(*hex);
  uint16_t flags = 0;
  if (text.size() > kInstanceSuffix.size() && text.substr(text.size() - kInstanceSuffix.size()) == kInstanceSuffix) {
    text.remove_suffix(kInstanceSuffix.size());
    flags = proptag::kMultivalueInstanceFlag;
  }
  const TypeNameRow* row = find_by_name(kTypesByName, text);
  if (!row) return std::nullopt;
  if (flags && !proptag::is_multi_valued_type(row->type)) return std::nullopt;
  return static_cast<uint16_t>(row->type | flags);
}

// ---- property sets ----

const char* property_set_name(const Guid& set) noexcept {
  auto it = std::lower_bound(std::begin(kPropertySetsByGuid), std::end(kPropertySetsByGuid), set.bytes,
                             [](const PropertySetRow& row, const std::array<uint8_t, 16>& g) { return row.guid < g; });
  return it != std::end(kPropertySetsByGuid) && it->guid == set.bytes ? it->name : nullptr;
}

std::optional<Guid> property_set_from_name(std::string_view name) noexcept {
  if (const PropertySetRow* row = find_by_name(kPropertySetsByName, name)) return Guid{row->guid};
  return std::nullopt;
}

std::string format_property_set(const Guid& set) {
  if (const char* name = property_set_name(set)) return name;
  return set.to_string();
}

// ---- named properties ----

const char* named_property_name(const Guid& set, uint32_t lid) noexcept {
  auto key = std::make_pair(set.bytes, lid);
  auto it = std::lower_bound(std::begin(kNamedLids), std::end(kNamedLids), key, [](const NamedLidRow& row, const auto& k) {
    return std::make_pair(row.guid, row.lid) < k;
  });
  return it != std::end(kNamedLids) && it->guid == set.bytes && it->lid == lid ? it->name : nullptr;
}

const char* named_property_name(const Guid& set, std::string_view string_name) noexcept {
  auto it = std::lower_bound(std::begin(kNamedStrings), std::end(kNamedStrings), set.bytes,
                             [&](const NamedStringRow& row, const std::array<uint8_t, 16>& g) {
                               if (row.guid != g) return row.guid < g;
                               return std::string_view(row.string_name) < string_name;
                             });
  return it != std::end(kNamedStrings) && it->guid == set.bytes && std::string_view(it->string_name) == string_name
             ? it->name
             : nullptr;
}

std::optional<NamedPropertyInfo> named_property_from_name(std::string_view name) noexcept {
  const NamedByNameRow* row = find_by_name(kNamedByName, name);
  if (!row) return std::nullopt;
  NamedPropertyInfo info;
  if (row->is_lid) {
    const NamedLidRow& r = kNamedLids[row->index];
    info.name = r.name;
    info.property_set = Guid{r.guid};
    info.has_lid = true;
    info.lid = r.lid;
    info.type = r.type;
  } else {
    const NamedStringRow& r = kNamedStrings[row->index];
    info.name = r.name;
    info.property_set = Guid{r.guid};
    info.string_name = r.string_name;
    info.type = r.type;
  }
  return info;
}

PropertyNameTableSizes property_name_table_sizes() noexcept {
  return {std::size(kTagsByTag), std::size(kTypesByName), std::size(kPropertySetsByGuid), std::size(kNamedLids),
          std::size(kNamedStrings)};
}

}  // namespace exmapi::rop
