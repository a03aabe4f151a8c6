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

using detail::FieldDecoder;
using detail::FieldEncoder;

// A nested restriction, one level deeper than the structure that holds it.
void child(FieldDecoder& io, Restriction& r) { r = detail::decode_restriction(io.r, io.width, io.depth + 1); }
void child(FieldEncoder& io, const Restriction& r) { detail::encode_restriction(io.w, r, io.width, io.depth + 1); }

// The layout of every restriction type after its RestrictType byte (MS-OXCDATA 2.12.1-2.12.12),
// stated once for both directions.
template <class IO, class N>
void fields(IO& io, N& n) {
  using T = std::remove_const_t<N>;
  if constexpr (std::is_same_v<T, AndRestriction> || std::is_same_v<T, OrRestriction>) {
    // RestrictCount is a COUNT: 2 bytes in ROP buffers, 4 in extended rules. A restriction takes at
    // least its RestrictType byte.
    io.array(n.restrictions, count_size(io.width), 1, "RestrictCount", "Restricts", [&](auto& c) { child(io, c); });
  } else if constexpr (std::is_same_v<T, NotRestriction>) {
    child(io, *n.restriction);
  } else if constexpr (std::is_same_v<T, ContentRestriction>) {
    io.u16(n.fuzzy_level_low, "FuzzyLevelLow");
    io.u16(n.fuzzy_level_high, "FuzzyLevelHigh");
    io.u32(n.tag, "PropertyTag");
    io.tagged(n.value, "TaggedValue");
  } else if constexpr (std::is_same_v<T, PropertyRestriction>) {
    io.u8(n.relop, "RelOp");
    io.u32(n.tag, "PropTag");
    io.tagged(n.value, "TaggedValue");
  } else if constexpr (std::is_same_v<T, ComparePropertiesRestriction>) {
    io.u8(n.relop, "RelOp");
    io.u32(n.tag1, "PropTag1");
    io.u32(n.tag2, "PropTag2");
  } else if constexpr (std::is_same_v<T, BitMaskRestriction>) {
    io.u8(n.bitmap_relop, "BitmapRelOp");
    io.u32(n.tag, "PropTag");
    io.u32(n.mask, "Mask");
  } else if constexpr (std::is_same_v<T, SizeRestriction>) {
    io.u8(n.relop, "RelOp");
    io.u32(n.tag, "PropTag");
    io.u32(n.size, "Size");
  } else if constexpr (std::is_same_v<T, ExistRestriction>) {
    io.u32(n.tag, "PropTag");
  } else if constexpr (std::is_same_v<T, SubObjectRestriction>) {
    io.u32(n.subobject, "Subobject");
    child(io, *n.restriction);
  } else if constexpr (std::is_same_v<T, CommentRestriction>) {
    // TaggedValuesCount is 1 byte; each TaggedPropertyValue has at least its 4-byte tag.
    io.array(n.values, 1, 4, "TaggedValuesCount", "TaggedValues", [&](auto& v) { io.tagged(v, {}); });
    if constexpr (!IO::decoding)
      if (n.restriction.size() > 1) throw EncodeError("CommentRestriction", "at most one restriction");
    uint8_t present = n.restriction.empty() ? 0 : 1;
    io.u8(present, "RestrictionPresent");
    if constexpr (IO::decoding) {
      if (present > 1) io.r.fail("RestrictionPresent", "must be 0x00 or 0x01, is " + std::to_string(present));
      if (present) child(io, n.restriction.emplace_back());
    } else if (present) {
      child(io, n.restriction.front());
    }
  } else if constexpr (std::is_same_v<T, CountRestriction>) {
    io.u32(n.count, "Count");
    child(io, *n.restriction);
  }
}

template <class T>
Restriction read_node(FieldDecoder& io, RestrictType type) {
  return in_field(restrict_type_name(type), [&] {
    T n;
    fields(io, n);
    return Restriction(std::move(n));
  });
}

}  // namespace

Restriction detail::decode_restriction(ByteReader& r, CountWidth width, unsigned depth) {
  if (depth >= kMaxNestingDepth)
    r.fail("Restriction", "nesting exceeds the limit of " + std::to_string(kMaxNestingDepth) + " levels");
  uint8_t type = r.u8("RestrictType");
  FieldDecoder io{r, width, depth};
  auto t = static_cast<RestrictType>(type);
  switch (t) {
    case RestrictType::And: return read_node<AndRestriction>(io, t);
    case RestrictType::Or: return read_node<OrRestriction>(io, t);
    case RestrictType::Not: return read_node<NotRestriction>(io, t);
    case RestrictType::Content: return read_node<ContentRestriction>(io, t);
    case RestrictType::Property: return read_node<PropertyRestriction>(io, t);
    case RestrictType::CompareProperties: return read_node<ComparePropertiesRestriction>(io, t);
    case RestrictType::BitMask: return read_node<BitMaskRestriction>(io, t);
    case RestrictType::Size: return read_node<SizeRestriction>(io, t);
    case RestrictType::Exist: return read_node<ExistRestriction>(io, t);
    case RestrictType::SubObject: return read_node<SubObjectRestriction>(io, t);
    case RestrictType::Comment: return read_node<CommentRestriction>(io, t);
    case RestrictType::Count: return read_node<CountRestriction>(io, t);
  }
  char buf[64];
  std::snprintf(buf, sizeof buf, "unknown restriction type 0x%02X", type);
  ByteReader at(r.consumed().subspan(r.position() - 1), r.offset() - 1);
  at.fail("RestrictType", buf);
}

void detail::encode_restriction(ByteWriter& w, const Restriction& restriction, CountWidth width, unsigned depth) {
  if (depth >= kMaxNestingDepth)
    throw EncodeError("Restriction", "nesting exceeds the limit of " + std::to_string(kMaxNestingDepth) + " levels");
  w.u8(static_cast<uint8_t>(restriction.type()));
  FieldEncoder io{w, width, depth};
  std::visit([&](const auto& n) { fields(io, n); }, restriction.node);
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
