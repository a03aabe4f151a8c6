// The NDR20 engine's corner cases: deferred referent order, NULL pointers, full-pointer aliasing,
// conformance checks, strings, truncation errors with offset and path, nesting limits.
#include <gtest/gtest.h>

#include "ndr/nspi_methods.hpp"
#include "test_support.hpp"

using namespace exmapi;
using namespace exmapi::ndr;
using namespace exmapi::ndr::nspi;
using exmapi::test::from_hex;

namespace {

// Two embedded pointers whose first referent has its own pointer: that inner referent must come
// right after its parent referent, before the second top-level referent (depth-first per referent).
struct Inner {
  std::optional<uint32_t> leaf;
  friend bool operator==(const Inner&, const Inner&) = default;
  template <class A>
  void describe(A& a) {
    a.unique("leaf", leaf, [](auto& a, uint32_t& v) { a.u32("leaf", v); });
  }
};
struct Outer {
  std::optional<Inner> first;
  std::optional<uint16_t> second;
  static constexpr std::string_view kName = "Outer";
  friend bool operator==(const Outer&, const Outer&) = default;
  template <class A>
  void describe(A& a) {
    a.param("outer", [&](auto& a) {
      a.unique("first", first, [](auto& a, Inner& i) { i.describe(a); });
      a.unique("second", second, [](auto& a, uint16_t& v) { a.u16("second", v); });
    });
  }
};

TEST(NdrEngine, DeferredReferentsFollowTheirParentDepthFirst) {
  Outer o{Inner{0xAABBCCDD}, 0x1122};
  Bytes b = encode_stub(o);
  // first id, second id, *first = {leaf id}, *leaf, *second
  EXPECT_EQ(b, from_hex("00000200 04000200 08000200 ddccbbaa 2211"));
  EXPECT_EQ(decode_stub<Outer>(b), o);
}

TEST(NdrEngine, NullUniquePointersHaveNoReferent) {
  Outer o{Inner{}, std::nullopt};
  Bytes b = encode_stub(o);
  EXPECT_EQ(b, from_hex("00000200 00000000 00000000"));
  EXPECT_EQ(decode_stub<Outer>(b), o);
}

struct Shared {
  std::shared_ptr<uint32_t> a, b;
  static constexpr std::string_view kName = "Shared";
  template <class A>
  void describe(A& ar) {
    ar.param("p", [&](auto& ar) {
      ar.full("a", a, [](auto& ar, uint32_t& v) { ar.u32("a", v); });
      ar.full("b", b, [](auto& ar, uint32_t& v) { ar.u32("b", v); });
    });
  }
};

TEST(NdrEngine, FullPointerAliasesShareOneReferent) {
  Shared s;
  s.a = s.b = std::make_shared<uint32_t>(7);
  Bytes b = encode_stub(s);
  EXPECT_EQ(b, from_hex("00000200 00000200 07000000"));
  Shared d = decode_stub<Shared>(b);
  ASSERT_TRUE(d.a && d.b);
  EXPECT_EQ(d.a.get(), d.b.get());
  EXPECT_EQ(*d.a, 7u);
  // Distinct objects get distinct IDs and two referents.
  s.b = std::make_shared<uint32_t>(9);
  EXPECT_EQ(encode_stub(s), from_hex("00000200 04000200 07000000 09000000"));
}

TEST(NdrEngine, PropertyTagArrayConformanceIsChecked) {
  PropertyTagArray t{{0x3001001F, 0x39FE001F}};
  Bytes good = encode_value(t);
  EXPECT_EQ(good, from_hex("03000000 02000000 00000000 02000000 1f000130 1f00fe39"));
  EXPECT_EQ(decode_value<PropertyTagArray>(good, ""), t);
  Bytes bad = good;
  bad[0] = 2;  // max_count must be cValues + 1
  try {
    decode_value<PropertyTagArray>(bad, "");
    FAIL() << "conformance mismatch accepted";
  } catch (const DecodeError& e) {
    EXPECT_NE(e.reason().find("conformance mismatch"), std::string::npos) << e.what();
    EXPECT_EQ(e.path(), "aulPropTag");
  }
  bad = good;
  bad[12] = 3;  // actual_count must equal cValues
  EXPECT_THROW(decode_value<PropertyTagArray>(bad, ""), DecodeError);
}

TEST(NdrEngine, HugeCountsFailBeforeAllocating) {
  // cValues within range but far more than the bytes left.
  Bytes b = from_hex("a1860100 a0860100 00000000 a0860100 01000000");
  EXPECT_THROW(decode_value<PropertyTagArray>(b, ""), DecodeError);
  // Out of [range(0, 100001)].
  Bytes c = from_hex("ffffffff feffffff 00000000 feffffff");
  try {
    decode_value<PropertyTagArray>(c, "");
    FAIL();
  } catch (const DecodeError& e) {
    EXPECT_EQ(e.offset(), 4u);
    EXPECT_NE(e.reason().find("range"), std::string::npos);
  }
}

TEST(NdrEngine, TruncationReportsOffsetAndPath) {
  NspiQueryRows::Response resp;
  resp.rows = PropertyRowSet{{PropertyRow{0, {PropertyValue{0x3001001F, 0, std::string("Alice")}}}}};
  Bytes b = encode_stub(resp);
  for (size_t cut = 0; cut < b.size(); ++cut) {
    try {
      decode_stub<NspiQueryRows::Response>(ByteView(b).first(cut));
      FAIL() << "decoded a stub cut at " << cut;
    } catch (const DecodeError& e) {
      EXPECT_LE(e.offset(), cut);
      EXPECT_EQ(e.path().rfind("NspiQueryRows", 0), 0u) << e.what();
    }
  }
  // The string's bytes: the path names the row, the value and the string.
  try {
    decode_stub<NspiQueryRows::Response>(ByteView(b).first(b.size() - 8));
  } catch (const DecodeError& e) {
    EXPECT_NE(e.path().find("ppRows"), std::string::npos) << e.what();
    EXPECT_NE(e.path().find("lpszW"), std::string::npos) << e.what();
  }
}

TEST(NdrEngine, StringsAreCanonical) {
  NspiGetTemplateInfo::Request req;
  req.dn = "/o=Org";
  Bytes b = encode_stub(req);
  EXPECT_EQ(decode_stub<NspiGetTemplateInfo::Request>(b), req);
  // string: at offset 20 (handle) + 8 (flags, type) + 4 (referent ID)
  size_t at = 32;
  EXPECT_EQ(b[at], 7);       // max_count
  EXPECT_EQ(b[at + 8], 7);   // actual_count, terminator included
  Bytes bad = b;
  bad[at] = 8;  // max_count != actual_count
  EXPECT_THROW(decode_stub<NspiGetTemplateInfo::Request>(bad), DecodeError);
  bad = b;
  bad[at + 12 + 6] = 'x';  // terminator replaced
  EXPECT_THROW(decode_stub<NspiGetTemplateInfo::Request>(bad), DecodeError);
  bad = b;
  bad[at + 12 + 2] = 0;  // NUL inside
  EXPECT_THROW(decode_stub<NspiGetTemplateInfo::Request>(bad), DecodeError);
  req.dn = std::string("a\0b", 3);
  EXPECT_THROW(encode_stub(req), EncodeError);
}

TEST(NdrEngine, UnionDiscriminantMustMatchTheTag) {
  PropertyValue v{0x3A000003, 0, int32_t{5}};
  Bytes good = encode_value(v);
  EXPECT_EQ(good, from_hex("0300003a 00000000 03000000 05000000"));
  Bytes bad = good;
  bad[8] = 0x1F;
  EXPECT_THROW(decode_value<PropertyValue>(bad, ""), DecodeError);
  // An arm the IDL does not have.
  PropertyValue unknown{0x3A000014, 0, int32_t{5}};
  EXPECT_THROW(encode_value(unknown), EncodeError);
  // A C++ value that does not fit the tag's type.
  PropertyValue wrong{0x3001001F, 0, int32_t{5}};
  EXPECT_THROW(encode_value(wrong), EncodeError);
}

TEST(NdrEngine, RestrictionNestingIsLimited) {
  Restriction r;
  r.rt = kResNot;
  for (size_t i = 0; i < kMaxNesting + 2; ++i) {
    Restriction outer;
    outer.rt = kResNot;
    outer.children.push_back(std::move(r));
    r = std::move(outer);
  }
  NspiGetMatches::Request req;
  req.filter = r;
  EXPECT_THROW(encode_stub(req), EncodeError);
  // A hostile stub: a Not restriction chain as deep as the bytes allow.
  ByteWriter w;
  w.zeros(20 + 4 + 36 + 4 + 4);  // handle, Reserved1, STAT, pReserved NULL, Reserved2
  w.u32(0x20000);                 // Filter referent
  for (int i = 0; i < 200; ++i) w.u32(2), w.u32(2), w.u32(0x20004 + 4 * i);
  w.u32(2), w.u32(2), w.u32(0);
  w.zeros(12);
  try {
    decode_stub<NspiGetMatches::Request>(w.view());
    FAIL();
  } catch (const DecodeError& e) {
    EXPECT_NE(e.reason().find("nested"), std::string::npos) << e.what();
  }
}

TEST(NdrEngine, NullArrayPointerWithCountIsRejected) {
  // Binary_r with cb 3 and lpb NULL.
  Bytes b = from_hex("02010000 00000000 02010000 03000000 00000000");
  EXPECT_THROW(decode_value<PropertyValue>(b, ""), DecodeError);
}

TEST(NdrEngine, StubEndAllowsOnlyAlignmentPadding) {
  NspiUnbind::Request req;
  req.reserved = 1;
  Bytes b = encode_stub(req);
  EXPECT_EQ(b.size(), 24u);
  Bytes padded = b;
  padded.push_back(0);
  EXPECT_THROW(decode_stub<NspiUnbind::Request>(padded), DecodeError);  // already aligned: no pad expected
  NspiDNToMId::Request t;
  t.names.strings = {"ab"};  // ends in a 3-byte string: 1 pad byte may follow
  Bytes s = encode_stub(t);
  ASSERT_EQ(s.size() % 4, 3u);
  s.push_back(0);
  EXPECT_EQ(decode_stub<NspiDNToMId::Request>(s), t);
  s.back() = 1;
  EXPECT_THROW(decode_stub<NspiDNToMId::Request>(s), DecodeError);
  s.back() = 0;
  s.push_back(0);
  EXPECT_THROW(decode_stub<NspiDNToMId::Request>(s), DecodeError);
}

TEST(NdrEngine, StatMatchesTheSpecVector) {
  // MS-NSPI 4: the STAT of the NspiBind example.
  Bytes b = from_hex("000000000000000000000000000000000000000000000000e40400000904000009040000");
  Stat s = decode_value<Stat>(b, "STAT");
  EXPECT_EQ(s.code_page, 1252u);
  EXPECT_EQ(s.template_locale, 0x409u);
  EXPECT_EQ(s.sort_locale, 0x409u);
  EXPECT_EQ(encode_value(s), b);
}

}  // namespace
