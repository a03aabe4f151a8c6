// Property tags (MS-OXCDATA 2.9): the property ID in the high 16 bits, the property type in the low
// 16. Header-only and dependency-free so any layer that handles a bare uint32_t tag can use it.
//
// The type carries two flags (MS-OXCDATA 2.11.1.2/2.11.1.3): MultipleFlag 0x1000 turns a base type
// into its multi-valued form (PtypString 0x001F -> PtypMultipleString 0x101F), and
// MultivalueInstance 0x2000 asks a table for one row per value of a multi-valued column (only
// meaningful together with 0x1000, e.g. 0x301F in RopSetColumns/RopSortTable).
#pragma once

#include <cstdint>

namespace exmapi::proptag {

constexpr uint16_t kMultipleFlag = 0x1000;
constexpr uint16_t kMultivalueInstanceFlag = 0x2000;
// Property IDs from 0x8000 up name named properties whose numbers each logon maps on its own
// (MS-OXCDATA 2.6; MS-OXPROPS 1.3.2), so a table of fixed tags cannot name them.
constexpr uint16_t kFirstNamedId = 0x8000;

constexpr uint16_t id(uint32_t tag) noexcept { return static_cast<uint16_t>(tag >> 16); }
constexpr uint16_t type(uint32_t tag) noexcept { return static_cast<uint16_t>(tag & 0xFFFF); }
constexpr uint32_t make_tag(uint16_t id, uint16_t type) noexcept { return (uint32_t{id} << 16) | type; }

constexpr bool is_multi_valued_type(uint16_t type) noexcept { return (type & kMultipleFlag) != 0; }
constexpr bool is_multi_valued(uint32_t tag) noexcept { return is_multi_valued_type(type(tag)); }
constexpr bool has_multivalue_instance(uint32_t tag) noexcept { return (type(tag) & kMultivalueInstanceFlag) != 0; }
// The type without the MultivalueInstance flag: what the property itself is declared as.
constexpr uint16_t declared_type(uint16_t type) noexcept {
  return static_cast<uint16_t>(type & ~kMultivalueInstanceFlag);
}
// The single-value type behind a multi-valued one (PtypMultipleString -> PtypString).
constexpr uint16_t element_type(uint16_t type) noexcept {
  return static_cast<uint16_t>(type & ~(kMultipleFlag | kMultivalueInstanceFlag));
}
constexpr bool is_named_id(uint16_t id) noexcept { return id >= kFirstNamedId; }

}  // namespace exmapi::proptag
