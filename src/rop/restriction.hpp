// Restrictions (MS-OXCDATA 2.12): the conditions of RopRestrict, RopFindRow, search folders and rules.
//
// Wire form: a 1-byte RestrictType, then the fields of that type. The only context-dependent field
// is RestrictCount of And/Or: 2 bytes in ROP buffers, 4 bytes in extended rules (CountWidth); the
// same width governs the property values inside (binary COUNTs). Nesting is bounded by
// kMaxNestingDepth (property_value.hpp), counted across restrictions and the PtypRestriction /
// PtypRuleAction values they may contain; deeper input is a DecodeError naming the limit.
#pragma once

#include <memory>
#include <variant>
#include <vector>

#include "rop/property_value.hpp"

namespace exmapi::rop {

// RestrictType values (MS-OXCDATA 2.12.1-2.12.12; /work/shared/protocol/restrictions.tsv).
enum class RestrictType : uint8_t {
  And = 0x00,
  Or = 0x01,
  Not = 0x02,
  Content = 0x03,
  Property = 0x04,
  CompareProperties = 0x05,
  BitMask = 0x06,
  Size = 0x07,
  Exist = 0x08,
  SubObject = 0x09,
  Comment = 0x0A,
  Count = 0x0B,
};

// RelOp of Property, CompareProperties and Size restrictions (2.12.5.1). Kept as a byte so values
// outside the table still round-trip; these are the defined ones.
namespace relop {
constexpr uint8_t LessThan = 0x00;
constexpr uint8_t LessThanOrEqual = 0x01;
constexpr uint8_t GreaterThan = 0x02;
constexpr uint8_t GreaterThanOrEqual = 0x03;
constexpr uint8_t Equal = 0x04;
constexpr uint8_t NotEqual = 0x05;
constexpr uint8_t MemberOfDL = 0x64;
}  // namespace relop
// FuzzyLevelLow / FuzzyLevelHigh of ContentRestriction (2.12.4.1).
namespace fuzzy {
constexpr uint16_t FullString = 0x0000;
constexpr uint16_t Substring = 0x0001;
constexpr uint16_t Prefix = 0x0002;
constexpr uint16_t IgnoreCase = 0x0001;
constexpr uint16_t IgnoreNonSpace = 0x0002;
constexpr uint16_t Loose = 0x0004;
}  // namespace fuzzy
// BitmapRelOp of BitMaskRestriction (2.12.7.1).
namespace bitmap_relop {
constexpr uint8_t EqualToZero = 0x00;
constexpr uint8_t NotEqualToZero = 0x01;
}  // namespace bitmap_relop

struct Restriction;
struct AndRestriction;
struct OrRestriction;
struct NotRestriction;
struct ContentRestriction;
struct PropertyRestriction;
struct ComparePropertiesRestriction;
struct BitMaskRestriction;
struct SizeRestriction;
struct ExistRestriction;
struct SubObjectRestriction;
struct CommentRestriction;
struct CountRestriction;

// A single owned sub-restriction with value semantics (deep copy, deep compare).
class SubRestriction {
 public:
  SubRestriction();
  SubRestriction(Restriction r);  // NOLINT: implicit on purpose, so {..} builds nested restrictions
  SubRestriction(AndRestriction r);  // NOLINT
  SubRestriction(OrRestriction r);  // NOLINT
  SubRestriction(NotRestriction r);  // NOLINT
  SubRestriction(ContentRestriction r);  // NOLINT
  SubRestriction(PropertyRestriction r);  // NOLINT
  SubRestriction(ComparePropertiesRestriction r);  // NOLINT
  SubRestriction(BitMaskRestriction r);  // NOLINT
  SubRestriction(SizeRestriction r);  // NOLINT
  SubRestriction(ExistRestriction r);  // NOLINT
  SubRestriction(SubObjectRestriction r);  // NOLINT
  SubRestriction(CommentRestriction r);  // NOLINT
  SubRestriction(CountRestriction r);  // NOLINT
  SubRestriction(const SubRestriction& o);
  SubRestriction(SubRestriction&&) noexcept = default;
  SubRestriction& operator=(const SubRestriction& o);
  SubRestriction& operator=(SubRestriction&&) noexcept = default;
  ~SubRestriction();
  const Restriction& operator*() const { return *p_; }
  const Restriction* operator->() const { return p_.get(); }
  Restriction& operator*() { return *p_; }
  friend bool operator==(const SubRestriction& a, const SubRestriction& b);

 private:
  std::unique_ptr<Restriction> p_;
};

struct AndRestriction {
  std::vector<Restriction> restrictions;
  friend bool operator==(const AndRestriction&, const AndRestriction&);
};
struct OrRestriction {
  std::vector<Restriction> restrictions;
  friend bool operator==(const OrRestriction&, const OrRestriction&);
};
struct NotRestriction {
  SubRestriction restriction;
  friend bool operator==(const NotRestriction&, const NotRestriction&) = default;
};
struct ContentRestriction {
  uint16_t fuzzy_level_low = fuzzy::FullString;
  uint16_t fuzzy_level_high = 0;
  PropTag tag = 0;
  TaggedPropertyValue value;
  friend bool operator==(const ContentRestriction&, const ContentRestriction&) = default;
};
struct PropertyRestriction {
  uint8_t relop = relop::Equal;
  PropTag tag = 0;
  TaggedPropertyValue value;
  friend bool operator==(const PropertyRestriction&, const PropertyRestriction&) = default;
};
struct ComparePropertiesRestriction {
  uint8_t relop = relop::Equal;
  PropTag tag1 = 0;
  PropTag tag2 = 0;
  friend bool operator==(const ComparePropertiesRestriction&, const ComparePropertiesRestriction&) = default;
};
struct BitMaskRestriction {
  uint8_t bitmap_relop = bitmap_relop::NotEqualToZero;
  PropTag tag = 0;
  uint32_t mask = 0;
  friend bool operator==(const BitMaskRestriction&, const BitMaskRestriction&) = default;
};
struct SizeRestriction {
  uint8_t relop = relop::Equal;
  PropTag tag = 0;
  uint32_t size = 0;
  friend bool operator==(const SizeRestriction&, const SizeRestriction&) = default;
};
struct ExistRestriction {
  PropTag tag = 0;
  friend bool operator==(const ExistRestriction&, const ExistRestriction&) = default;
};
// Subobject is PidTagMessageRecipients (0x0E12000D) or PidTagMessageAttachments (0x0E13000D).
struct SubObjectRestriction {
  PropTag subobject = 0;
  SubRestriction restriction;
  friend bool operator==(const SubObjectRestriction&, const SubObjectRestriction&) = default;
};
// Not evaluated; carries application data (TaggedValuesCount is 1 byte) and an optional restriction.
struct CommentRestriction {
  std::vector<TaggedPropertyValue> values;
  std::vector<Restriction> restriction;  // empty, or exactly one (RestrictionPresent)
  friend bool operator==(const CommentRestriction&, const CommentRestriction&);
};
// Limits the number of matches of the sub-restriction.
struct CountRestriction {
  uint32_t count = 0;
  SubRestriction restriction;
  friend bool operator==(const CountRestriction&, const CountRestriction&) = default;
};

struct Restriction {
  using Variant = std::variant<AndRestriction, OrRestriction, NotRestriction, ContentRestriction, PropertyRestriction,
                               ComparePropertiesRestriction, BitMaskRestriction, SizeRestriction, ExistRestriction,
                               SubObjectRestriction, CommentRestriction, CountRestriction>;
  Variant node;

  Restriction() : node(ExistRestriction{}) {}
  // Implicit from each alternative, so nested restrictions read as they look on the wire.
  Restriction(AndRestriction r) : node(std::move(r)) {}  // NOLINT
  Restriction(OrRestriction r) : node(std::move(r)) {}  // NOLINT
  Restriction(NotRestriction r) : node(std::move(r)) {}  // NOLINT
  Restriction(ContentRestriction r) : node(std::move(r)) {}  // NOLINT
  Restriction(PropertyRestriction r) : node(std::move(r)) {}  // NOLINT
  Restriction(ComparePropertiesRestriction r) : node(std::move(r)) {}  // NOLINT
  Restriction(BitMaskRestriction r) : node(std::move(r)) {}  // NOLINT
  Restriction(SizeRestriction r) : node(std::move(r)) {}  // NOLINT
  Restriction(ExistRestriction r) : node(std::move(r)) {}  // NOLINT
  Restriction(SubObjectRestriction r) : node(std::move(r)) {}  // NOLINT
  Restriction(CommentRestriction r) : node(std::move(r)) {}  // NOLINT
  Restriction(CountRestriction r) : node(std::move(r)) {}  // NOLINT

  RestrictType type() const noexcept { return static_cast<RestrictType>(node.index()); }
  friend bool operator==(const Restriction&, const Restriction&) = default;
};

Restriction decode_restriction(ByteReader& r, CountWidth width);
void encode_restriction(ByteWriter& w, const Restriction& restriction, CountWidth width);

// "And(Property(EQ 0x0037001F PtypString \"x\"), Exist(0x0E080003))"
std::string describe(const Restriction& r);
const char* restrict_type_name(RestrictType t) noexcept;

namespace detail {
Restriction decode_restriction(ByteReader& r, CountWidth width, unsigned depth);
void encode_restriction(ByteWriter& w, const Restriction& restriction, CountWidth width, unsigned depth);
void describe_restriction(std::string& out, const Restriction& r);
}  // namespace detail

}  // namespace exmapi::rop
