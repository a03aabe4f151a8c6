// Restrictions (MS-OXCDATA 2.12): every type, nesting, the depth limit, truncation.
#include <random>

#include "rop/restriction.hpp"
#include "rop/rule_action.hpp"
#include "test_support.hpp"

namespace exmapi::rop {
namespace testgen {

using Rng = std::mt19937_64;
uint64_t pick(Rng& rng, uint64_t n);
TaggedPropertyValue random_tagged(Rng& rng, CountWidth width, unsigned depth);

Restriction random_restriction_of(Rng& rng, RestrictType type, CountWidth width, unsigned depth);

Restriction random_restriction(Rng& rng, CountWidth width, unsigned depth) {
  // Past a few levels only leaves, so generated trees stay small.
  static const RestrictType leaves[] = {RestrictType::Content, RestrictType::Property, RestrictType::CompareProperties,
                                        RestrictType::BitMask, RestrictType::Size, RestrictType::Exist};
  RestrictType t = depth >= 4 ? leaves[pick(rng, std::size(leaves))] : static_cast<RestrictType>(pick(rng, 12));
  return random_restriction_of(rng, t, width, depth);
}

Restriction random_restriction_of(Rng& rng, RestrictType type, CountWidth width, unsigned depth) {
  auto tag = [&] { return static_cast<PropTag>(rng()); };
  switch (type) {
    case RestrictType::And:
    case RestrictType::Or: {
      std::vector<Restriction> children(pick(rng, 4));
      for (auto& c : children) c = random_restriction(rng, width, depth + 1);
      if (type == RestrictType::And) return AndRestriction{children};
      return OrRestriction{children};
    }
    case RestrictType::Not:
      return NotRestriction{random_restriction(rng, width, depth + 1)};
    case RestrictType::Content: {
      auto v = random_tagged(rng, width, depth + 1);
      return ContentRestriction{static_cast<uint16_t>(pick(rng, 3)), static_cast<uint16_t>(pick(rng, 8)), v.tag, v};
    }
    case RestrictType::Property: {
      auto v = random_tagged(rng, width, depth + 1);
      return PropertyRestriction{static_cast<uint8_t>(pick(rng, 7)), v.tag, v};
    }
    case RestrictType::CompareProperties:
      return ComparePropertiesRestriction{static_cast<uint8_t>(rng()), tag(), tag()};
    case RestrictType::BitMask:
      return BitMaskRestriction{static_cast<uint8_t>(pick(rng, 2)), tag(), static_cast<uint32_t>(rng())};
    case RestrictType::Size:
      return SizeRestriction{static_cast<uint8_t>(pick(rng, 6)), tag(), static_cast<uint32_t>(rng())};
    case RestrictType::Exist:
      return ExistRestriction{tag()};
    case RestrictType::SubObject:
      return SubObjectRestriction{pick(rng, 2) ? 0x0E12000Du : 0x0E13000Du, random_restriction(rng, width, depth + 1)};
    case RestrictType::Comment: {
      CommentRestriction c;
      for (uint64_t i = pick(rng, 3); i > 0; --i) c.values.push_back(random_tagged(rng, width, depth + 1));
      if (pick(rng, 2)) c.restriction.push_back(random_restriction(rng, width, depth + 1));
      return c;
    }
    case RestrictType::Count:
      return CountRestriction{static_cast<uint32_t>(rng()), random_restriction(rng, width, depth + 1)};
  }
  return ExistRestriction{};
}

}  // namespace testgen

namespace {

using namespace testgen;

constexpr CountWidth kWidths[] = {CountWidth::Narrow, CountWidth::Wide};

Bytes encoded(const Restriction& r, CountWidth width) {
  ByteWriter w;
  encode_restriction(w, r, width);
  return w.take();
}

void expect_round_trip(const Restriction& res, CountWidth width) {
  Bytes first = encoded(res, width);
  ByteReader r(first);
  Restriction decoded = decode_restriction(r, width);
  EXPECT_TRUE(r.empty());
  EXPECT_EQ(decoded, res) << describe(res) << "\n vs " << describe(decoded);
  EXPECT_EQ(encoded(decoded, width), first);
}

TEST(Restriction, EveryTypeRoundTripsInEveryWidth) {
  Rng rng(12);
  for (CountWidth width : kWidths)
    for (uint8_t t = 0; t <= 0x0B; ++t) {
      SCOPED_TRACE(restrict_type_name(static_cast<RestrictType>(t)));
      for (int i = 0; i < 80; ++i) {
        Restriction res = random_restriction_of(rng, static_cast<RestrictType>(t), width, 0);
        EXPECT_EQ(static_cast<uint8_t>(res.type()), t);
        expect_round_trip(res, width);
      }
    }
}

TEST(Restriction, WireLayoutOfEachType) {
  TaggedPropertyValue subject{0x0037001F, PropertyValue::string("A")};
  struct Case {
    Restriction r;
    const char* narrow;
  } cases[] = {
      {AndRestriction{{ExistRestriction{0x0E080003}, ExistRestriction{0x0037001F}}},
       "00 0200 08 0300080e 08 1f003700"},
      {OrRestriction{{}}, "01 0000"},
      {NotRestriction{ExistRestriction{0x0E080003}}, "02 08 0300080e"},
      {ContentRestriction{fuzzy::Substring, fuzzy::IgnoreCase, 0x0037001F, subject},
       "03 0100 0100 1f003700 1f003700 41000000"},
      {PropertyRestriction{relop::Equal, 0x0037001F, subject}, "04 04 1f003700 1f003700 41000000"},
      {ComparePropertiesRestriction{relop::LessThan, 0x0E060040, 0x30070040}, "05 00 4000060e 40000730"},
      {BitMaskRestriction{bitmap_relop::NotEqualToZero, 0x0E070003, 0x1}, "06 01 0300070e 01000000"},
      {SizeRestriction{relop::GreaterThan, 0x0E080003, 1024}, "07 02 0300080e 00040000"},
      {ExistRestriction{0x0E080003}, "08 0300080e"},
      {SubObjectRestriction{0x0E12000D, ExistRestriction{0x3001001F}}, "09 0d00120e 08 1f000130"},
      {CommentRestriction{{subject}, {ExistRestriction{0x0E080003}}}, "0a 01 1f003700 41000000 01 08 0300080e"},
      {CommentRestriction{{}, {}}, "0a 00 00"},
      {CountRestriction{5, ExistRestriction{0x0E080003}}, "0b 05000000 08 0300080e"},
  };
  for (auto& c : cases) {
    EXPECT_EQ(test::to_hex(encoded(c.r, CountWidth::Narrow)), test::to_hex(test::from_hex(c.narrow))) << describe(c.r);
    expect_round_trip(c.r, CountWidth::Narrow);
    expect_round_trip(c.r, CountWidth::Wide);
  }
  // Extended rules: RestrictCount is 4 bytes, and so are the binary COUNTs inside.
  Restriction and_bin = AndRestriction{{PropertyRestriction{relop::Equal, 0x0FFF0102,
                                                            {0x0FFF0102, PropertyValue::binary({0xAB})}}}};
  EXPECT_EQ(test::to_hex(encoded(and_bin, CountWidth::Wide)), "00" "01000000" "04" "04" "0201ff0f" "0201ff0f" "01000000" "ab");
  EXPECT_EQ(test::to_hex(encoded(and_bin, CountWidth::Narrow)), "00" "0100" "04" "04" "0201ff0f" "0201ff0f" "0100" "ab");
}

TEST(Restriction, DescribeIsReadable) {
  Restriction r = AndRestriction{{PropertyRestriction{relop::Equal, 0x0037001F, {0x0037001F, PropertyValue::string("x")}},
                                  NotRestriction{ExistRestriction{0x0E080003}}}};
  EXPECT_EQ(describe(r), "And(Property(EQ 0x0037001F 0x0037001F PtypString \"x\"), Not(Exist(0x0E080003)))");
}

Restriction nested_nots(unsigned nots) {
  Restriction r = ExistRestriction{0x0E080003};
  for (unsigned i = 0; i < nots; ++i) r = NotRestriction{r};
  return r;
}

TEST(Restriction, DepthLimitAllowsSixtyFourLevelsAndRejectsMore) {
  // 63 Nots + the Exist leaf = 64 levels: accepted.
  expect_round_trip(nested_nots(kMaxNestingDepth - 1), CountWidth::Narrow);
  // 64 Nots + leaf = 65 levels: the decoder stops at the 65th restriction, offset 64.
  Bytes deep(kMaxNestingDepth, 0x02);
  Bytes leaf = test::from_hex("08 0300080e");
  deep.insert(deep.end(), leaf.begin(), leaf.end());
  ByteReader r(deep);
  try {
    decode_restriction(r, CountWidth::Narrow);
    FAIL();
  } catch (const DecodeError& e) {
    EXPECT_NE(e.message().find("limit of 64 levels"), std::string::npos) << e.message();
    EXPECT_EQ(e.offset(), 64u);
    EXPECT_EQ(e.path().rfind("Not.Not.Not", 0), 0u) << e.path();
  }
  ByteWriter w;
  EXPECT_THROW(encode_restriction(w, nested_nots(kMaxNestingDepth), CountWidth::Narrow), EncodeError);
}

TEST(Restriction, DepthLimitCountsRestrictionsInsidePropertyValues) {
  // Property restriction whose TaggedValue is a PtypRestriction holding another one, and so on: the
  // nesting goes through property values, and the same budget applies.
  Restriction r = ExistRestriction{1};
  for (unsigned i = 0; i < kMaxNestingDepth; ++i)
    r = PropertyRestriction{relop::Equal, 0x001000FD, {0x001000FD, PropertyValue::restriction(r)}};
  ByteWriter w;
  EXPECT_THROW(encode_restriction(w, r, CountWidth::Narrow), EncodeError);
  // Build the bytes by hand (the encoder refuses): 64 x [04 04 fd001000 fd001000] + leaf.
  Bytes b;
  for (unsigned i = 0; i < kMaxNestingDepth; ++i) {
    Bytes level = test::from_hex("04 04 fd001000 fd001000");
    b.insert(b.end(), level.begin(), level.end());
  }
  Bytes leaf = test::from_hex("08 01000000");
  b.insert(b.end(), leaf.begin(), leaf.end());
  ByteReader rd(b);
  try {
    decode_restriction(rd, CountWidth::Narrow);
    FAIL();
  } catch (const DecodeError& e) {
    EXPECT_NE(e.message().find("limit of 64 levels"), std::string::npos) << e.message();
  }
  // 63 such levels + the leaf still fit.
  Restriction ok = ExistRestriction{1};
  for (unsigned i = 0; i + 1 < kMaxNestingDepth; ++i)
    ok = PropertyRestriction{relop::Equal, 0x001000FD, {0x001000FD, PropertyValue::restriction(ok)}};
  expect_round_trip(ok, CountWidth::Narrow);
}

TEST(Restriction, EveryTruncationIsRejectedWithAnOffsetInsideTheBuffer) {
  Rng rng(5);
  for (CountWidth width : kWidths) {
    for (int i = 0; i < 30; ++i) {
      Restriction res = random_restriction_of(rng, static_cast<RestrictType>(pick(rng, 12)), width, 0);
      Bytes full = encoded(res, width);
      for (size_t len = 0; len < full.size(); ++len) {
        ByteReader r(ByteView(full).first(len));
        try {
          decode_restriction(r, width);
          ADD_FAILURE() << "decoded a " << len << "-byte prefix of " << describe(res);
        } catch (const DecodeError& e) {
          EXPECT_LE(e.offset(), len) << e.message();
        }
      }
    }
  }
}

TEST(Restriction, MalformedInputIsRejected) {
  struct Case {
    const char* hex;
    size_t offset;
    const char* path;
  } cases[] = {
      {"0c", 0, "RestrictType"},                       // no such type
      {"00 ffff 08", 3, "And.RestrictCount"},          // 65535 children in 1 byte
      {"00 0200 08 0300080e 0d", 8, "And.Restricts[1].RestrictType"},
      {"0a 00 02", 3, "Comment.RestrictionPresent"},   // RestrictionPresent must be 0 or 1
      {"0a ff", 2, "Comment.TaggedValuesCount"},
      {"04 04 1f003700 0d003700", 10, "Property.TaggedValue.0x0037000D.PropertyValue"},  // PtypObject value
  };
  for (auto& c : cases) {
    Bytes b = test::from_hex(c.hex);
    ByteReader r(b);
    try {
      decode_restriction(r, CountWidth::Narrow);
      ADD_FAILURE() << c.hex;
    } catch (const DecodeError& e) {
      EXPECT_EQ(e.offset(), c.offset) << c.hex << ": " << e.message();
      EXPECT_EQ(e.path(), c.path) << c.hex << ": " << e.message();
    }
  }
}

TEST(Restriction, RestrictionValueInsideRowsAndTaggedValues) {
  // PtypRestriction as a property value (search folder criteria, PidTagRuleCondition).
  Restriction r = OrRestriction{{ContentRestriction{fuzzy::Prefix, fuzzy::IgnoreCase | fuzzy::Loose, 0x0037001F,
                                                    {0x0037001F, PropertyValue::string("Re:")}},
                                 CountRestriction{3, ExistRestriction{0x0E080003}}}};
  TaggedPropertyValue condition{0x667900FD, PropertyValue::restriction(r)};  // PidTagRuleCondition
  for (CountWidth width : kWidths) {
    ByteWriter w;
    encode_tagged_property_value(w, condition, width);
    ByteReader rd(w.view());
    auto back = decode_tagged_property_value(rd, width);
    EXPECT_EQ(back, condition);
    EXPECT_EQ(back.value.as_restriction(), r);
  }
}

}  // namespace
}  // namespace exmapi::rop
