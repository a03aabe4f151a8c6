// Names for printing and for reading back: property tags (PidTag*, MetaTag*), property types
// (Ptyp*), property sets (PS_*, PSETID_*) and named properties (PidLid*, PidName*).
//
// The tables are generated from shared/protocol/*.tsv by scripts/gen_property_names.py and
// searched by binary search over constant arrays: lookups allocate nothing. Only format_*()
// builds a string.
//
// Printing rules (format_property_tag):
// - a tag in the table prints as its canonical name: 0x0037001F -> "PidTagSubject";
// - a tag whose property ID is in the table with another type prints the name with the actual type,
//   because the canonical name names the property ID: 0x0037001E -> "PidTagSubject (PtypString8)",
//   0x0E0A0000 -> "PidTagSomething (PtypUnspecified)", a multi-value-instance column
//   "PidTagX (PtypMultipleString|MultivalueInstance)";
// - anything else prints as eight hex digits: "0x12340003". That includes every other tag with an
//   ID from 0x8000: such IDs number named properties in a mailbox, and only the table's few
//   address-book tags there (MS-OXOABK, e.g. 0x8006001E) are named, on an exact match.
// property_tag_from_name() accepts all three forms, so printing and reading back is the identity.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/text.hpp"

namespace exmapi::rop {

// ---- tags ----
const char* property_tag_name(uint32_t tag) noexcept;  // exact tag, or nullptr
const char* property_id_name(uint16_t id) noexcept;    // the table's name for this ID (any type), or nullptr
std::string format_property_tag(uint32_t tag);
std::optional<uint32_t> property_tag_from_name(std::string_view text) noexcept;

// ---- types ----
const char* property_type_name(uint16_t type) noexcept;  // exact type ("PtypString"), or nullptr
// "PtypMultipleString", "PtypMultipleString|MultivalueInstance", or "0x1234".
std::string format_property_type(uint16_t type);
std::optional<uint16_t> property_type_from_name(std::string_view text) noexcept;  // also "0x001F"

// ---- property sets ----
const char* property_set_name(const Guid& set) noexcept;  // "PSETID_Appointment", or nullptr
std::optional<Guid> property_set_from_name(std::string_view name) noexcept;
std::string format_property_set(const Guid& set);  // name, or the GUID in braces

// ---- named properties ----
struct NamedPropertyInfo {
  const char* name = nullptr;  // "PidLidAppointmentStartWhole"
  Guid property_set;
  bool has_lid = false;        // Kind: LID (true) or string name (false)
  uint32_t lid = 0;
  const char* string_name = nullptr;  // for string-named properties, e.g. "Keywords"
  uint16_t type = 0;           // the declared property type
};
const char* named_property_name(const Guid& set, uint32_t lid) noexcept;
const char* named_property_name(const Guid& set, std::string_view string_name) noexcept;
std::optional<NamedPropertyInfo> named_property_from_name(std::string_view name) noexcept;

// Table sizes, for the test that compares the generated tables with the .tsv files.
struct PropertyNameTableSizes {
  size_t tags, types, property_sets, named_lids, named_strings;
};
PropertyNameTableSizes property_name_table_sizes() noexcept;

}  // namespace exmapi::rop
