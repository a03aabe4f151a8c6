#include <exmapi/exmapi.h>
#include <iconv.h>

#include <random>

#include "base/bytes.hpp"
#include "base/text.hpp"
#include "test_support.hpp"

namespace exmapi {
namespace {

TEST(ByteReader, ReadsLittleEndianByWidth) {
  Bytes b = test::from_hex("01 0203 04050607 08090a0b0c0d0e0f");
  ByteReader r(b);
  EXPECT_EQ(r.u8("a"), 0x01);
  EXPECT_EQ(r.u16("b"), 0x0302);
  EXPECT_EQ(r.u32("c"), 0x07060504u);
  EXPECT_EQ(r.u64("d"), 0x0f0e0d0c0b0a0908ull);
  EXPECT_TRUE(r.empty());
}

TEST(ByteReader, ShortReadNamesOffsetAndField) {
  Bytes b = test::from_hex("aabbcc");
  ByteReader r(b);
  r.u16("first");
  try {
    r.u32("RowCount");
    FAIL() << "expected DecodeError";
  } catch (const DecodeError& e) {
    EXPECT_EQ(e.offset(), 2u);
    EXPECT_EQ(e.path(), "RowCount");
    EXPECT_NE(e.message().find("offset 2"), std::string::npos) << e.message();
    EXPECT_NE(e.message().find("needs 4 bytes, only 1 left"), std::string::npos) << e.message();
  }
  EXPECT_EQ(r.position(), 2u) << "a failed read must not move the reader";
}

TEST(ByteReader, SubViewKeepsAbsoluteOffsets) {
  Bytes b = test::from_hex("0000 0000 11 22");
  ByteReader r(b);
  r.skip(4, "pad");
  ByteReader s = r.sub(1, "region");
  EXPECT_EQ(s.offset(), 4u);
  s.u8("x");
  try {
    s.u8("y");
    FAIL();
  } catch (const DecodeError& e) {
    EXPECT_EQ(e.offset(), 5u);
  }
  EXPECT_EQ(r.u8("after"), 0x22);
}

TEST(ByteReader, CountIsCheckedAgainstRemainingBytesBeforeAllocation) {
  Bytes b(10, 0);
  ByteReader r(b);
  EXPECT_EQ(r.count(5, 2, "n"), 5u);
  EXPECT_THROW(r.count(6, 2, "n"), DecodeError);
  EXPECT_THROW(r.count(0xFFFFFFFFull, 1, "n"), DecodeError);
  EXPECT_THROW(r.count(UINT64_MAX, 8, "n"), DecodeError);
}

TEST(ByteReader, FieldPathGrowsOutward) {
  Bytes b = test::from_hex("01");
  ByteReader r(b);
  try {
    in_field("RopQueryRows", [&] { return in_field("RowData[3]", [&] { return r.u32("value"); }); });
    FAIL();
  } catch (const DecodeError& e) {
    EXPECT_EQ(e.path(), "RopQueryRows.RowData[3].value");
  }
}

TEST(ByteWriter, WritesAndPatchesLengths) {
  ByteWriter w;
  size_t at = w.placeholder_u16();
  w.u32(0x11223344);
  w.patch_u16_length(at, at + 2, "len");
  EXPECT_EQ(test::to_hex(w.view()), "040044332211");
}

TEST(ByteWriter, LimitIsEnforced) {
  ByteWriter w(3);
  w.u16(1);
  EXPECT_THROW(w.u16(2), Error);
  EXPECT_EQ(w.size(), 2u);
}

TEST(Utf16, RoundTripsBmpAndAstralScalars) {
  std::string s = "Gr\xC3\xBC\xC3\x9F" "e \xE6\x97\xA5\xE6\x9C\xAC \xF0\x9F\x98\x80";
  Bytes u = utf8_to_utf16le(s);
  EXPECT_EQ(u.size(), 2u * 11);
  EXPECT_EQ(utf16le_to_utf8(u), s);
  EXPECT_EQ(utf16_length(s), 11u);
}

TEST(Utf16, LoneSurrogatesSurviveRoundTripAndDisplayAsReplacement) {
  Bytes lone = test::from_hex("4100 00d8 4200 00dc");  // 'A', lone high, 'B', lone low
  std::string s = utf16le_to_utf8(lone);
  EXPECT_EQ(s, "A\xED\xA0\x80" "B\xED\xB0\x80");
  EXPECT_EQ(utf8_to_utf16le(s), lone);
  EXPECT_EQ(utf8_for_display(s), "A\xEF\xBF\xBD" "B\xEF\xBF\xBD");
}

TEST(Utf16, InvalidUtf8IsRejected) {
  EXPECT_THROW(utf8_to_utf16le("\xC0\xAF"), EncodeError);           // overlong '/'
  EXPECT_THROW(utf8_to_utf16le("\xF4\x90\x80\x80"), EncodeError);   // above U+10FFFF
  EXPECT_THROW(utf8_to_utf16le("abc\xE6\x97"), EncodeError);        // truncated
  EXPECT_THROW(utf8_to_utf16le("\x80"), EncodeError);               // stray continuation
  EXPECT_THROW(utf8_to_utf16le("\xED\xA0\x80\xED\xB0\x80"), EncodeError);  // a pair in disguise
}

// The converter has fast paths for runs of 4 and 8 ASCII units; glibc's iconv (written by no one
// here) must agree with it wherever non-ASCII text interrupts or ends such a run.
TEST(Utf16, AgreesWithIconvAcrossFastPathBoundaries) {
  iconv_t cd = iconv_open("UTF-8", "UTF-16LE");
  ASSERT_NE(cd, (iconv_t)-1);
  const char32_t pieces[] = {U'a', U'Z', U' ', U'\u00e9', U'\u00ff', U'\u0416', U'\u30d7', U'\uffff', U'\U0001F600', U'\U0010FFFF'};
  std::mt19937 rng(7);
  for (int round = 0; round < 3000; ++round) {
    Bytes utf16;
    size_t n = rng() % 40;
    for (size_t k = 0; k < n; ++k) {
      char32_t c = rng() % 3 ? pieces[rng() % 3] : pieces[rng() % std::size(pieces)];
      auto put = [&](uint16_t u) {
        utf16.push_back(static_cast<uint8_t>(u));
        utf16.push_back(static_cast<uint8_t>(u >> 8));
      };
      if (c >= 0x10000) {
        put(static_cast<uint16_t>(0xD800 + ((c - 0x10000) >> 10)));
        put(static_cast<uint16_t>(0xDC00 + ((c - 0x10000) & 0x3FF)));
      } else {
        put(static_cast<uint16_t>(c));
      }
    }
    std::string expected(utf16.size() * 2 + 4, '\0');
    char* in = reinterpret_cast<char*>(utf16.data());
    size_t in_left = utf16.size();
    char* out = expected.data();
    size_t out_left = expected.size();
    ASSERT_NE(iconv(cd, &in, &in_left, &out, &out_left), static_cast<size_t>(-1));
    expected.resize(expected.size() - out_left);
    // Behind a prefix, so the runs start at every alignment within the output.
    std::string got = "xyz";
    utf16le_to_utf8(utf16.data(), utf16.size() / 2, got);
    ASSERT_EQ(got, "xyz" + expected) << "round " << round;
  }
  iconv_close(cd);
}

TEST(Utf16, TerminatedStrings) {
  Bytes b = test::from_hex("480069000000 ff");
  ByteReader r(b);
  EXPECT_EQ(read_utf16z(r, "s"), "Hi");
  EXPECT_EQ(r.remaining(), 1u);
  Bytes unterminated = test::from_hex("480069");
  ByteReader r2(unterminated);
  EXPECT_THROW(read_utf16z(r2, "s"), DecodeError);
  ByteWriter w;
  write_utf16z(w, "Hi");
  EXPECT_EQ(test::to_hex(w.view()), "480069000000");
}

TEST(GuidTest, ParsesPrintsAndUsesWireOrder) {
  auto g = Guid::parse("{00062008-0000-0000-C000-000000000046}");
  ASSERT_TRUE(g);
  EXPECT_EQ(test::to_hex(g->bytes), "0820060000000000c000000000000046");
  EXPECT_EQ(g->to_string(), "{00062008-0000-0000-C000-000000000046}");
  EXPECT_FALSE(Guid::parse("{00062008-0000-0000-C000-00000000004}"));
  EXPECT_FALSE(Guid::parse("{0006200g-0000-0000-C000-000000000046}"));
}

TEST(Filetime, ConvertsBothWays) {
  EXPECT_EQ(filetime_to_unix(116444736000000000ull), (UnixTime{0, 0}));
  EXPECT_EQ(unix_to_filetime(0), 116444736000000000ull);
  EXPECT_EQ(filetime_to_unix(0), (UnixTime{-11644473600LL, 0}));
  EXPECT_EQ(filetime_to_iso8601(0), "1601-01-01T00:00:00Z");
  EXPECT_EQ(filetime_to_iso8601(unix_to_filetime(1795730400, 1234567)), "2026-11-26T22:00:00.1234567Z");
  EXPECT_EQ(filetime_to_unix(unix_to_filetime(-1, 5)), (UnixTime{-1, 5}));
  EXPECT_THROW(unix_to_filetime(-11644473601LL), EncodeError);
  // The largest FILETIME still converts (year 60056).
  EXPECT_EQ(filetime_to_iso8601(UINT64_MAX).substr(0, 6), "60056-");
}

TEST(Status, LibraryAndMapiCodesAreDistinctAndNamed) {
  EXPECT_TRUE(exmapi_status_is_library(EXMAPI_E_DECODE));
  EXPECT_FALSE(exmapi_status_is_library(EXMAPI_MAPI_NotFound));
  EXPECT_STREQ(exmapi_status_name(EXMAPI_MAPI_NotFound), "NotFound");
  EXPECT_STREQ(exmapi_status_name(EXMAPI_E_CHECKSUM), "EXMAPI_E_CHECKSUM");
  EXPECT_STREQ(exmapi_status_name(0x8004010Bu), "ServerBusy");
  EXPECT_STREQ(exmapi_status_name(0x00000480u), "ServerBusy");
  EXPECT_EQ(exmapi_status_name(0xA0E5FFFFu), nullptr);
}

}  // namespace
}  // namespace exmapi
