#include "rop/property_json.hpp"

#include <bit>
#include <cinttypes>
#include <cmath>
#include <cstdio>

#include "rop/property_names.hpp"
#include "rop/restriction.hpp"
#include "rop/rop_codec.hpp"
#include "rop/rule_action.hpp"

namespace exmapi::rop {

void detail::append_json_text(std::string& out, std::string_view text) { append_json_string(out, utf8_for_display(text)); }

std::string detail::status_text(uint32_t code) {
  if (const char* name = status_name(static_cast<exmapi_status>(code))) return name;
  return hex_u32(code);
}

namespace {

void append_float(std::string& out, double v, const char* format) {
  if (std::isnan(v)) {
    out += "\"NaN\"";
  } else if (std::isinf(v)) {
    out += v > 0 ? "\"Infinity\"" : "\"-Infinity\"";
  } else {
    char buf[40];
    std::snprintf(buf, sizeof buf, format, v);
    out += buf;
  }
}

void append_fixed(std::string& out, PropType type, uint64_t bits) {
  char buf[48];
  switch (type) {
    case ptyp::Boolean: out += bits ? "true" : "false"; return;
    case ptyp::Integer16: out += std::to_string(static_cast<int16_t>(bits)); return;
    case ptyp::Integer32: out += std::to_string(static_cast<int32_t>(bits)); return;
    case ptyp::Integer64: out += std::to_string(static_cast<int64_t>(bits)); return;
    case ptyp::Currency: {
      // Exact: the wire value is an integer count of 1/10000 units, printed without a float in between.
      int64_t v = static_cast<int64_t>(bits);
      uint64_t mag = v < 0 ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
      std::snprintf(buf, sizeof buf, "%s%" PRIu64 ".%04" PRIu64, v < 0 ? "-" : "", mag / 10000, mag % 10000);
      out += buf;
      return;
    }
    case ptyp::Floating32:
      append_float(out, static_cast<double>(std::bit_cast<float>(static_cast<uint32_t>(bits))), "%.9g");
      return;
    case ptyp::Floating64:
    case ptyp::FloatingTime: append_float(out, std::bit_cast<double>(bits), "%.17g"); return;
    case ptyp::ErrorCode: detail::append_json_string(out, detail::status_text(static_cast<uint32_t>(bits))); return;
    case ptyp::Time: detail::append_json_string(out, filetime_to_iso8601(bits)); return;
    default: detail::append_json_string(out, detail::hex_u32(static_cast<uint32_t>(bits))); return;
  }
}

void append_value(std::string& out, const PropertyValue& v) {
  PropType type = v.type();
  PropType base = static_cast<PropType>(type & ~ptyp::MultipleFlag);
  std::visit(
      [&](const auto& s) {
        using S = std::decay_t<decltype(s)>;
        if constexpr (std::is_same_v<S, std::monostate>) {
          out += "null";
        } else if constexpr (std::is_same_v<S, uint64_t>) {
          append_fixed(out, type, s);
        } else if constexpr (std::is_same_v<S, Guid>) {
          detail::append_json_string(out, s.to_string());
        } else if constexpr (std::is_same_v<S, std::string>) {
          detail::append_json_text(out, s);
        } else if constexpr (std::is_same_v<S, Bytes>) {
          detail::append_json_string(out, detail::hex_bytes(s));
        } else if constexpr (std::is_same_v<S, std::shared_ptr<const ServerId>>) {
          const ServerId& id = *s;
          out += "{\"Ours\":" + std::to_string(id.ours);
          if (id.ours == 1) {
            out += ",\"FolderId\":";
            detail::append_json_string(out, detail::object_id_text(id.folder_id));
            out += ",\"MessageId\":";
            detail::append_json_string(out, detail::object_id_text(id.message_id));
            out += ",\"Instance\":" + std::to_string(id.instance);
          } else {
            out += ",\"ClientData\":";
            detail::append_json_string(out, detail::hex_bytes(id.client_data));
          }
          out += '}';
        } else if constexpr (std::is_same_v<S, std::shared_ptr<const Restriction>>) {
          out += s ? restriction_json(*s) : "null";
        } else if constexpr (std::is_same_v<S, std::shared_ptr<const RuleActions>>) {
          detail::append_json_text(out, s ? describe(*s) : std::string());
        } else {
          out += '[';
          bool first = true;
          for (const auto& e : s) {
            if (!first) out += ',';
            first = false;
            using E = std::decay_t<decltype(e)>;
            if constexpr (std::is_same_v<E, Guid>)
              detail::append_json_string(out, e.to_string());
            else if constexpr (std::is_same_v<E, std::string>)
              detail::append_json_text(out, e);
            else if constexpr (std::is_same_v<E, Bytes>)
              detail::append_json_string(out, detail::hex_bytes(e));
            else
              append_fixed(out, base, e);
          }
          out += ']';
        }
      },
      v.storage());
}

void append_type(std::string& out, PropType type) {
  out += "\"Type\":";
  detail::append_json_string(out, format_property_type(type));
}

void append_tag(std::string& out, PropTag tag) {
  out += "\"Tag\":";
  detail::append_json_string(out, format_property_tag(tag));
}

const char* flag_name(ValueFlag f) {
  switch (f) {
    case ValueFlag::Present: return "Present";
    case ValueFlag::Absent: return "Absent";
    case ValueFlag::Error: return "Error";
  }
  return "?";
}

}  // namespace

namespace {

const char* relop_name(uint8_t op) {
  switch (op) {
    case relop::LessThan: return "LessThan";
    case relop::LessThanOrEqual: return "LessThanOrEqual";
    case relop::GreaterThan: return "GreaterThan";
    case relop::GreaterThanOrEqual: return "GreaterThanOrEqual";
    case relop::Equal: return "Equal";
    case relop::NotEqual: return "NotEqual";
    case relop::MemberOfDL: return "MemberOfDL";
    default: return nullptr;
  }
}

// A RelOp outside the table still prints, as its number.
void append_relop(std::string& out, const char* key, uint8_t op, const char* name) {
  out += ",\"";
  out += key;
  out += "\":";
  if (name)
    detail::append_json_string(out, name);
  else
    out += std::to_string(op);
}

void append_restrictions(std::string& out, const char* key, const std::vector<Restriction>& list) {
  out += ",\"";
  out += key;
  out += "\":[";
  for (size_t i = 0; i < list.size(); ++i) {
    if (i) out += ',';
    out += restriction_json(list[i]);
  }
  out += ']';
}

void append_tag_field(std::string& out, const char* key, PropTag tag) {
  out += ",\"";
  out += key;
  out += "\":";
  detail::append_json_string(out, format_property_tag(tag));
}

}  // namespace

// Recursion is bounded: decoding refused anything nested deeper than kMaxNestingDepth.
std::string restriction_json(const Restriction& r) {
  static constexpr const char* kTypeNames[] = {"And",  "Or",    "Not",       "Content", "Property", "CompareProperties",
                                               "BitMask", "Size", "Exist", "SubObject", "Comment", "Count"};
  std::string out = "{\"RestrictType\":";
  detail::append_json_string(out, kTypeNames[r.node.index()]);
  std::visit(
      [&](const auto& n) {
        using N = std::decay_t<decltype(n)>;
        if constexpr (std::is_same_v<N, AndRestriction> || std::is_same_v<N, OrRestriction>) {
          append_restrictions(out, "Restrictions", n.restrictions);
        } else if constexpr (std::is_same_v<N, NotRestriction>) {
          out += ",\"Restriction\":" + restriction_json(*n.restriction);
        } else if constexpr (std::is_same_v<N, ContentRestriction>) {
          out += ",\"FuzzyLevelLow\":" + std::to_string(n.fuzzy_level_low) +
                 ",\"FuzzyLevelHigh\":" + std::to_string(n.fuzzy_level_high);
          append_tag_field(out, "Tag", n.tag);
          out += ",\"TaggedValue\":" + tagged_value_json(n.value);
        } else if constexpr (std::is_same_v<N, PropertyRestriction>) {
          append_relop(out, "RelOp", n.relop, relop_name(n.relop));
          append_tag_field(out, "Tag", n.tag);
          out += ",\"TaggedValue\":" + tagged_value_json(n.value);
        } else if constexpr (std::is_same_v<N, ComparePropertiesRestriction>) {
          append_relop(out, "RelOp", n.relop, relop_name(n.relop));
          append_tag_field(out, "Tag1", n.tag1);
          append_tag_field(out, "Tag2", n.tag2);
        } else if constexpr (std::is_same_v<N, BitMaskRestriction>) {
          const char* name = n.bitmap_relop == bitmap_relop::EqualToZero      ? "EqualToZero"
                             : n.bitmap_relop == bitmap_relop::NotEqualToZero ? "NotEqualToZero"
                                                                              : nullptr;
          append_relop(out, "BitmapRelOp", n.bitmap_relop, name);
          append_tag_field(out, "Tag", n.tag);
          out += ",\"Mask\":" + std::to_string(n.mask);
        } else if constexpr (std::is_same_v<N, SizeRestriction>) {
          append_relop(out, "RelOp", n.relop, relop_name(n.relop));
          append_tag_field(out, "Tag", n.tag);
          out += ",\"Size\":" + std::to_string(n.size);
        } else if constexpr (std::is_same_v<N, ExistRestriction>) {
          append_tag_field(out, "Tag", n.tag);
        } else if constexpr (std::is_same_v<N, SubObjectRestriction>) {
          append_tag_field(out, "SubObject", n.subobject);
          out += ",\"Restriction\":" + restriction_json(*n.restriction);
        } else if constexpr (std::is_same_v<N, CommentRestriction>) {
          out += ",\"TaggedValues\":[";
          for (size_t i = 0; i < n.values.size(); ++i) {
            if (i) out += ',';
            out += tagged_value_json(n.values[i]);
          }
          out += ']';
          if (!n.restriction.empty()) out += ",\"Restriction\":" + restriction_json(n.restriction.front());
        } else if constexpr (std::is_same_v<N, CountRestriction>) {
          out += ",\"Count\":" + std::to_string(n.count);
          out += ",\"Restriction\":" + restriction_json(*n.restriction);
        }
      },
      r.node);
  return out + '}';
}

std::string property_tag_json(PropTag tag) {
  std::string out;
  detail::append_json_string(out, format_property_tag(tag));
  return out;
}

std::string property_value_json(const PropertyValue& v) {
  std::string out;
  append_value(out, v);
  return out;
}

std::string tagged_value_json(const TaggedPropertyValue& v) {
  std::string out = "{";
  append_tag(out, v.tag);
  out += ',';
  append_type(out, v.value.type());
  out += ",\"Value\":";
  append_value(out, v.value);
  out += '}';
  return out;
}

std::string property_row_json(const PropertyRow& row, std::span<const PropTag> columns) {
  std::string out = row.flagged ? "{\"Flagged\":true,\"Values\":[" : "{\"Flagged\":false,\"Values\":[";
  for (size_t i = 0; i < row.cells.size(); ++i) {
    const PropertyCell& cell = row.cells[i];
    if (i) out += ',';
    out += '{';
    // A decoded row has one cell per column; a row built by hand might not, and still prints.
    append_tag(out, i < columns.size() ? columns[i] : 0);
    if (row.flagged) {
      out += ",\"Flag\":\"";
      out += flag_name(cell.flag);
      out += '"';
    }
    if (cell.flag != ValueFlag::Absent) {
      out += ',';
      append_type(out, cell.value.type());
      out += ",\"Value\":";
      append_value(out, cell.value);
    }
    out += '}';
  }
  out += "]}";
  return out;
}

std::string sort_order_set_json(const SortOrderSet& set) {
  std::string out = "{\"CategorizedCount\":" + std::to_string(set.categorized_count) +
                    ",\"ExpandedCount\":" + std::to_string(set.expanded_count) + ",\"SortOrders\":[";
  for (size_t i = 0; i < set.sort_orders.size(); ++i) {
    const SortOrder& o = set.sort_orders[i];
    if (i) out += ',';
    out += '{';
    append_tag(out, o.tag);
    out += ",\"Order\":";
    const char* name = sort_order_name(o.order);
    if (name)
      detail::append_json_string(out, name);
    else
      out += std::to_string(o.order);
    out += '}';
  }
  out += "]}";
  return out;
}

std::string property_problems_json(const std::vector<PropertyProblem>& problems) {
  std::string out = "[";
  for (size_t i = 0; i < problems.size(); ++i) {
    const PropertyProblem& p = problems[i];
    if (i) out += ',';
    out += "{\"Index\":" + std::to_string(p.index) + ',';
    append_tag(out, p.tag);
    out += ",\"ErrorCode\":";
    detail::append_json_string(out, detail::status_text(p.error_code));
    out += '}';
  }
  out += ']';
  return out;
}

}  // namespace exmapi::rop
