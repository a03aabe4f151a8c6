#include "rop/sort_order.hpp"

#include <cstdio>

#include "rop/property_tag.hpp"

namespace exmapi::rop {

namespace {

constexpr size_t kSortOrderSize = 5;

std::string hex(uint32_t v, int digits) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%0*X", digits, v);
  return buf;
}

// Checks one entry against the rules that concern it alone or its position; "" when it is fine.
std::string entry_problem(const SortOrder& s, size_t index, uint16_t categorized_count) {
  if (s.order != sort_order::Ascending && s.order != sort_order::Descending && s.order != sort_order::MaximumCategory)
    return "Order " + hex(s.order, 2) + " is not Ascending (0x00), Descending (0x01) or MaximumCategory (0x04)";
  if (s.order == sort_order::MaximumCategory) {
    if (categorized_count == 0) return "MaximumCategory needs CategorizedCount > 0";
    if (index != categorized_count)
      return "MaximumCategory must directly follow the " + std::to_string(categorized_count) + " category columns";
  }
  uint16_t type = proptag::type(s.tag);
  bool mv = proptag::is_multi_valued_type(type);
  bool mvi = (type & proptag::kMultivalueInstanceFlag) != 0;
  if (mv && !mvi) return "multi-valued column " + hex(s.tag, 8) + " lacks the MultivalueInstance flag 0x2000";
  if (mvi && !mv) return "MultivalueInstance flag on single-valued type " + hex(type, 4);
  return {};
}

std::string counts_problem(size_t count, uint16_t categorized, uint16_t expanded) {
  if (categorized > count)
    return "CategorizedCount " + std::to_string(categorized) + " exceeds SortOrderCount " + std::to_string(count);
  if (expanded > categorized)
    return "ExpandedCount " + std::to_string(expanded) + " exceeds CategorizedCount " + std::to_string(categorized);
  return {};
}

}  // namespace

const char* sort_order_name(uint8_t order) noexcept {
  switch (order) {
    case sort_order::Ascending: return "Ascending";
    case sort_order::Descending: return "Descending";
    case sort_order::MaximumCategory: return "MaximumCategory";
    default: return nullptr;
  }
}

SortOrderSet decode_sort_order_set(ByteReader& r) {
  return in_field("SortOrderSet", [&] {
    SortOrderSet set;
    size_t counts_at = r.offset();
    uint16_t claimed = r.u16("SortOrderCount");
    set.categorized_count = r.u16("CategorizedCount");
    set.expanded_count = r.u16("ExpandedCount");
    if (std::string p = counts_problem(claimed, set.categorized_count, set.expanded_count); !p.empty())
      throw DecodeError(counts_at, "counts", p);
    size_t n = r.count(claimed, kSortOrderSize, "SortOrders");
    set.sort_orders.reserve(n);
    for (size_t i = 0; i < n; ++i) {
      in_field("SortOrders[" + std::to_string(i) + "]", [&] {
        size_t at = r.offset();
        SortOrder s;
        uint16_t type = r.u16("PropertyType");
        uint16_t id = r.u16("PropertyId");
        s.tag = proptag::make_tag(id, type);
        s.order = r.u8("Order");
        if (std::string p = entry_problem(s, i, set.categorized_count); !p.empty()) throw DecodeError(at, "", p);
        set.sort_orders.push_back(s);
      });
    }
    return set;
  });
}

std::string sort_order_set_problem(const SortOrderSet& set) {
  if (set.sort_orders.size() > 0xFFFF) return "more than 65535 sort orders";
  if (std::string p = counts_problem(set.sort_orders.size(), set.categorized_count, set.expanded_count); !p.empty())
    return p;
  for (size_t i = 0; i < set.sort_orders.size(); ++i)
    if (std::string p = entry_problem(set.sort_orders[i], i, set.categorized_count); !p.empty())
      return "SortOrders[" + std::to_string(i) + "]: " + p;
  return {};
}

void encode_sort_order_set(ByteWriter& w, const SortOrderSet& set) {
  if (std::string p = sort_order_set_problem(set); !p.empty()) throw EncodeError("SortOrderSet", p);
  w.u16(static_cast<uint16_t>(set.sort_orders.size()));
  w.u16(set.categorized_count);
  w.u16(set.expanded_count);
  for (const SortOrder& s : set.sort_orders) {
    w.u16(proptag::type(s.tag));
    w.u16(proptag::id(s.tag));
    w.u8(s.order);
  }
}

}  // namespace exmapi::rop
