#include "rop/restriction.hpp"

#include <cstdio>

#include "rop/rule_action.hpp"

namespace exmapi::rop {

SubRestriction::SubRestriction() : p_(std::make_unique<Restriction>()) {}
SubRestriction::SubRestriction(Restriction r) : p_(std::make_unique<Restriction>(std::move(r))) {}
SubRestriction::SubRestriction(AndRestriction r) : p_(std::make_unique<Restriction>(std::move(r))) {}
SubRestriction::SubRestriction(OrRestriction r) : p_(std::make_unique<Restriction>(std::move(r))) {}
SubRestriction::SubRestriction(NotRestriction r) : p_(std::make_unique<Restriction>(std::move(r))) {}
SubRestriction::SubRestriction(ContentRestriction r) : p_(std::make_unique<Restriction>(std::move(r))) {}
SubRestriction::SubRestriction(PropertyRestriction r) : p_(std::make_unique<Restriction>(std::move(r))) {}
SubRestriction::SubRestriction(ComparePropertiesRestriction r) : p_(std::make_unique<Restriction>(std::move(r))) {}
SubRestriction::SubRestriction(BitMaskRestriction r) : p_(std::make_unique<Restriction>(std::move(r))) {}
SubRestriction::SubRestriction(SizeRestriction r) : p_(std::make_unique<Restriction>(std::move(r))) {}
SubRestriction::SubRestriction(ExistRestriction r) : p_(std::make_unique<Restriction>(std::move(r))) {}
SubRestriction::SubRestriction(SubObjectRestriction r) : p_(std::make_unique<Restriction>(std::move(r))) {}
SubRestriction::SubRestriction(CommentRestriction r) : p_(std::make_unique<Restriction>(std::move(r))) {}
SubRestriction::SubRestriction(CountRestriction r) : p_(std::make_unique<Restriction>(std::move(r))) {}
SubRestriction::SubRestriction(const SubRestriction& o) : p_(std::make_unique<Restriction>(*o.p_)) {}
SubRestriction& SubRestriction::operator=(const SubRestriction& o) {
  if (this != &o) p_ = std::make_unique<Restriction>(*o.p_);
  return *this;
}
SubRestriction::~SubRestriction() = default;
bool operator==(const SubRestriction& a, const SubRestriction& b) {
  if (!a.p_ || !b.p_) return a.p_ == b.p_;
  return *a.p_ == *b.p_;
}
bool operator==(const AndRestriction& a, const AndRestriction& b) { return a.restrictions == b.restrictions; }
bool operator==(const OrRestriction& a, const OrRestriction& b) { return a.restrictions == b.restrictions; }
bool operator==(const CommentRestriction& a, const CommentRestriction& b) {
  return a.values == b.values && a.restriction == b.restriction;
}

const char* restrict_type_name(RestrictType t) noexcept {
  switch (t) {
    case RestrictType::And: return "And";
    case RestrictType::Or: return "Or";
    case RestrictType::Not: return "Not";
    case RestrictType::Content: return "Content";
    case RestrictType::Property: return "Property";
    case RestrictType::CompareProperties: return "CompareProperties";
    case RestrictType::BitMask: return "BitMask";
    case RestrictType::Size: return "Size";
    case RestrictType::Exist: return "Exist";
    case RestrictType::SubObject: return "SubObject";
    case RestrictType::Comment: return "Comment";
    case RestrictType::Count: return "Count";
  }
  return "?";
}

namespace {

constexpr size_t kMinRestrictionSize = 1;  // RestrictType alone (an empty And/Or still has its count)

// Runs fn for element i of `field`, so an error inside reads "Restricts[3].…".
template <class Fn>
decltype(auto) at_index(std::string_view field, size_t i, Fn&& fn) {
  try {
    return fn();
  } catch (DecodeError& e) {
    e.prepend("[" + std::to_string(i) + "]");
    e.prepend(field);
    throw;
  }
}

std::vector<Restriction> decode_children(ByteReader& r, CountWidth width, unsigned depth) {
  size_t n = r.count(detail::read_count(r, count_size(width), "RestrictCount"), kMinRestrictionSize, "RestrictCount");
  std::vector<Restriction> out;
  out.reserve(n);
  for (size_t i = 0; i < n; ++i)
    out.push_back(at_index("Restricts", i, [&] { return detail::decode_restriction(r, width, depth + 1); }));
  return out;
}

void encode_children(ByteWriter& w, const std::vector<Restriction>& children, CountWidth width, unsigned depth) {
  detail::write_count(w, count_size(width), children.size(), "RestrictCount");
  for (const auto& c : children) detail::encode_restriction(w, c, width, depth + 1);
}

}  // namespace

Restriction detail::decode_restriction(ByteReader& r, CountWidth width, unsigned depth) {
  if (depth >= kMaxNestingDepth)
    r.fail("Restriction", "nesting exceeds the limit of " + std::to_string(kMaxNestingDepth) + " levels");
  uint8_t type = r.u8("RestrictType");
  unsigned inner = depth + 1;
  switch (static_cast<RestrictType>(type)) {
    case RestrictType::And:
      return in_field("And", [&] { return Restriction(AndRestriction{decode_children(r, width, depth)}); });
    case RestrictType::Or:
      return in_field("Or", [&] { return Restriction(OrRestriction{decode_children(r, width, depth)}); });
    case RestrictType::Not:
      return in_field("Not", [&] { return Restriction(NotRestriction{decode_restriction(r, width, inner)}); });
    case RestrictType::Content:
      return in_field("Content", [&] {
        ContentRestriction c;
        c.fuzzy_level_low = r.u16("FuzzyLevelLow");
        c.fuzzy_level_high = r.u16("FuzzyLevelHigh");
        c.tag = r.u32("PropertyTag");
        c.value = in_field("TaggedValue", [&] { return decode_tagged(r, width, inner); });
        return Restriction(std::move(c));
      });
    case RestrictType::Property:
      return in_field("Property", [&] {
        PropertyRestriction p;
        p.relop = r.u8("RelOp");
        p.tag = r.u32("PropTag");
        p.value = in_field("TaggedValue", [&] { return decode_tagged(r, width, inner); });
        return Restriction(std::move(p));
      });
    case RestrictType::CompareProperties: {
      ComparePropertiesRestriction c;
      c.relop = r.u8("RelOp");
      c.tag1 = r.u32("PropTag1");
      c.tag2 = r.u32("PropTag2");
      return c;
    }
    case RestrictType::BitMask: {
      BitMaskRestriction b;
      b.bitmap_relop = r.u8("BitmapRelOp");
      b.tag = r.u32("PropTag");
      b.mask = r.u32("Mask");
      return b;
    }
    case RestrictType::Size: {
      SizeRestriction s;
      s.relop = r.u8("RelOp");
      s.tag = r.u32("PropTag");
      s.size = r.u32("Size");
      return s;
    }
    case RestrictType::Exist:
      return ExistRestriction{r.u32("PropTag")};
    case RestrictType::SubObject:
      return in_field("SubObject", [&] {
        SubObjectRestriction s;
        s.subobject = r.u32("Subobject");
        s.restriction = decode_restriction(r, width, inner);
        return Restriction(std::move(s));
      });
    case RestrictType::Comment:
      return in_field("Comment", [&] {
        CommentRestriction c;
        size_t n = r.count(r.u8("TaggedValuesCount"), 4, "TaggedValuesCount");
        c.values.reserve(n);
        for (size_t i = 0; i < n; ++i)
          c.values.push_back(at_index("TaggedValues", i, [&] { return decode_tagged(r, width, inner); }));
        uint8_t present = r.u8("RestrictionPresent");
        if (present > 1) r.fail("RestrictionPresent", "must be 0x00 or 0x01, is " + std::to_string(present));
        if (present) c.restriction.push_back(decode_restriction(r, width, inner));
        return Restriction(std::move(c));
      });
    case RestrictType::Count:
      return in_field("Count", [&] {
        CountRestriction c;
        c.count = r.u32("Count");
        c.restriction = decode_restriction(r, width, inner);
        return Restriction(std::move(c));
      });
  }
  char buf[64];
  std::snprintf(buf, sizeof buf, "unknown restriction type 0x%02X", type);
  ByteReader at(r.consumed().subspan(r.position() - 1), r.offset() - 1);
  at.fail("RestrictType", buf);
}

void detail::encode_restriction(ByteWriter& w, const Restriction& restriction, CountWidth width, unsigned depth) {
  if (depth >= kMaxNestingDepth)
    throw EncodeError("Restriction", "nesting exceeds the limit of " + std::to_string(kMaxNestingDepth) + " levels");
  unsigned inner = depth + 1;
  w.u8(static_cast<uint8_t>(restriction.type()));
  std::visit(
      [&](const auto& n) {
        using N = std::decay_t<decltype(n)>;
        if constexpr (std::is_same_v<N, AndRestriction> || std::is_same_v<N, OrRestriction>) {
          encode_children(w, n.restrictions, width, depth);
        } else if constexpr (std::is_same_v<N, NotRestriction>) {
          encode_restriction(w, *n.restriction, width, inner);
        } else if constexpr (std::is_same_v<N, ContentRestriction>) {
          w.u16(n.fuzzy_level_low);
          w.u16(n.fuzzy_level_high);
          w.u32(n.tag);
          encode_tagged(w, n.value, width, inner);
        } else if constexpr (std::is_same_v<N, PropertyRestriction>) {
          w.u8(n.relop);
          w.u32(n.tag);
          encode_tagged(w, n.value, width, inner);
        } else if constexpr (std::is_same_v<N, ComparePropertiesRestriction>) {
          w.u8(n.relop);
          w.u32(n.tag1);
          w.u32(n.tag2);
        } else if constexpr (std::is_same_v<N, BitMaskRestriction>) {
          w.u8(n.bitmap_relop);
          w.u32(n.tag);
          w.u32(n.mask);
        } else if constexpr (std::is_same_v<N, SizeRestriction>) {
          w.u8(n.relop);
          w.u32(n.tag);
          w.u32(n.size);
        } else if constexpr (std::is_same_v<N, ExistRestriction>) {
          w.u32(n.tag);
        } else if constexpr (std::is_same_v<N, SubObjectRestriction>) {
          w.u32(n.subobject);
          encode_restriction(w, *n.restriction, width, inner);
        } else if constexpr (std::is_same_v<N, CommentRestriction>) {
          if (n.values.size() > 0xFF) throw EncodeError("TaggedValuesCount", "more than 255 tagged values");
          if (n.restriction.size() > 1) throw EncodeError("CommentRestriction", "at most one restriction");
          w.u8(static_cast<uint8_t>(n.values.size()));
          for (const auto& v : n.values) encode_tagged(w, v, width, inner);
          w.u8(n.restriction.empty() ? 0 : 1);
          if (!n.restriction.empty()) encode_restriction(w, n.restriction.front(), width, inner);
        } else if constexpr (std::is_same_v<N, CountRestriction>) {
          w.u32(n.count);
          encode_restriction(w, *n.restriction, width, inner);
        }
      },
      restriction.node);
}

Restriction decode_restriction(ByteReader& r, CountWidth width) { return detail::decode_restriction(r, width, 0); }
void encode_restriction(ByteWriter& w, const Restriction& restriction, CountWidth width) {
  detail::encode_restriction(w, restriction, width, 0);
}

namespace {
const char* relop_name(uint8_t op) {
  switch (op) {
    case relop::LessThan: return "LT";
    case relop::LessThanOrEqual: return "LE";
    case relop::GreaterThan: return "GT";
    case relop::GreaterThanOrEqual: return "GE";
    case relop::Equal: return "EQ";
    case relop::NotEqual: return "NE";
    case relop::MemberOfDL: return "MEMBER_OF_DL";
    default: return nullptr;
  }
}
void append_relop(std::string& out, uint8_t op) {
  if (const char* n = relop_name(op)) {
    out += n;
  } else {
    char buf[16];
    std::snprintf(buf, sizeof buf, "relop 0x%02X", op);
    out += buf;
  }
}
void append_u32(std::string& out, uint32_t v) { out += detail::hex32(v); }
}  // namespace

void detail::describe_restriction(std::string& out, const Restriction& r) {
  out += restrict_type_name(r.type());
  out += '(';
  std::visit(
      [&](const auto& n) {
        using N = std::decay_t<decltype(n)>;
        if constexpr (std::is_same_v<N, AndRestriction> || std::is_same_v<N, OrRestriction>) {
          for (size_t i = 0; i < n.restrictions.size(); ++i) {
            if (i) out += ", ";
            describe_restriction(out, n.restrictions[i]);
          }
        } else if constexpr (std::is_same_v<N, NotRestriction>) {
          describe_restriction(out, *n.restriction);
        } else if constexpr (std::is_same_v<N, ContentRestriction>) {
          char buf[48];
          std::snprintf(buf, sizeof buf, "fuzzy 0x%04X/0x%04X ", n.fuzzy_level_low, n.fuzzy_level_high);
          out += buf;
          append_u32(out, n.tag);
          out += ' ';
          out += describe(n.value);
        } else if constexpr (std::is_same_v<N, PropertyRestriction>) {
          append_relop(out, n.relop);
          out += ' ';
          append_u32(out, n.tag);
          out += ' ';
          out += describe(n.value);
        } else if constexpr (std::is_same_v<N, ComparePropertiesRestriction>) {
          append_relop(out, n.relop);
          out += ' ';
          append_u32(out, n.tag1);
          out += ' ';
          append_u32(out, n.tag2);
        } else if constexpr (std::is_same_v<N, BitMaskRestriction>) {
          out += n.bitmap_relop == bitmap_relop::EqualToZero     ? "EQZ "
                 : n.bitmap_relop == bitmap_relop::NotEqualToZero ? "NEZ "
                                                                  : "relop " + std::to_string(n.bitmap_relop) + " ";
          append_u32(out, n.tag);
          out += " mask ";
          append_u32(out, n.mask);
        } else if constexpr (std::is_same_v<N, SizeRestriction>) {
          append_relop(out, n.relop);
          out += ' ';
          append_u32(out, n.tag);
          out += " size " + std::to_string(n.size);
        } else if constexpr (std::is_same_v<N, ExistRestriction>) {
          append_u32(out, n.tag);
        } else if constexpr (std::is_same_v<N, SubObjectRestriction>) {
          append_u32(out, n.subobject);
          out += ' ';
          describe_restriction(out, *n.restriction);
        } else if constexpr (std::is_same_v<N, CommentRestriction>) {
          for (size_t i = 0; i < n.values.size(); ++i) {
            if (i) out += ", ";
            out += describe(n.values[i]);
          }
          if (!n.restriction.empty()) {
            if (!n.values.empty()) out += "; ";
            describe_restriction(out, n.restriction.front());
          }
        } else if constexpr (std::is_same_v<N, CountRestriction>) {
          out += std::to_string(n.count) + " ";
          describe_restriction(out, *n.restriction);
        }
      },
      r.node);
  out += ')';
}

std::string describe(const Restriction& r) {
  std::string out;
  detail::describe_restriction(out, r);
  return out;
}

}  // namespace exmapi::rop
