// SortOrder and SortOrderSet (MS-OXCDATA 2.13), the sort specification of RopSortTable
// (MS-OXCROPS 2.2.5.2) and of categorized views.
//
// Wire form: SortOrderCount(2) CategorizedCount(2) ExpandedCount(2), then SortOrderCount entries of
// PropertyType(2) PropertyId(2) Order(1). Note the type comes before the ID, the reverse of a
// little-endian PropertyTag; SortOrder keeps the pair as one tag.
//
// Rules enforced on decode and on encode (MS-OXCDATA 2.13; MS-OXCTABL 2.2.2.3.1):
// - ExpandedCount <= CategorizedCount <= SortOrderCount;
// - Order is Ascending (0x00), Descending (0x01) or MaximumCategory (0x04);
// - MaximumCategory needs CategorizedCount > 0 and may only be the entry directly after the
//   category columns (index CategorizedCount); the entries after it subsort within each category;
// - a multi-valued column must carry the MultivalueInstance flag (0x2000), and that flag is only
//   valid on a multi-valued type.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/bytes.hpp"

namespace exmapi::rop {

namespace sort_order {
constexpr uint8_t Ascending = 0x00;        // TABLE_SORT_ASCEND
constexpr uint8_t Descending = 0x01;       // TABLE_SORT_DESCEND
constexpr uint8_t MaximumCategory = 0x04;  // TABLE_SORT_CATEG_MAX
}  // namespace sort_order
const char* sort_order_name(uint8_t order) noexcept;  // "Ascending", ... or nullptr

struct SortOrder {
  uint32_t tag = 0;  // PropertyId << 16 | PropertyType
  uint8_t order = sort_order::Ascending;
  friend bool operator==(const SortOrder&, const SortOrder&) = default;
};

struct SortOrderSet {
  uint16_t categorized_count = 0;
  uint16_t expanded_count = 0;
  std::vector<SortOrder> sort_orders;
  friend bool operator==(const SortOrderSet&, const SortOrderSet&) = default;
};

SortOrderSet decode_sort_order_set(ByteReader& r);
void encode_sort_order_set(ByteWriter& w, const SortOrderSet& set);
// Empty when the set follows the rules above, otherwise the first broken rule, naming the entry.
std::string sort_order_set_problem(const SortOrderSet& set);

}  // namespace exmapi::rop
