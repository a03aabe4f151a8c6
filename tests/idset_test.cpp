// IDSET / GLOBSET (MS-OXCFXICS 2.2.2.4-2.2.2.6, 3.1.5.4): each command decoded from bytes laid out
// as 2.2.2.6 gives them, the spec's Bitmask example, encoder output, round trips and broken input.
#include <gtest/gtest.h>

#include <algorithm>

#include "rop/entry_id.hpp"
#include "rop/idset.hpp"
#include "test_support.hpp"

namespace exmapi::rop {
namespace {

using test::from_hex;
using test::to_hex;

Globset globset_of(std::string_view hex) {
  Bytes b = from_hex(hex);
  ByteReader r(b);
  Globset g = decode_globset(r);
  EXPECT_TRUE(r.empty()) << r.remaining() << " bytes after End";
  return g;
}

Bytes globset_bytes(const Globset& g) {
  ByteWriter w;
  encode_globset(w, g);
  return w.take();
}

TEST(Globset, SpecBitmaskExample) {
  // 3.1.5.4.3.1.3: five common bytes, StartingValue 0x01 and Bitmask 0xEB stand for the low-order
  // values {0x01-0x03, 0x05, 0x07-0x09}.
  Globset g = globset_of("05 0000000A0B 42 01 EB 50 00");
  uint64_t base = 0x0000000A0B00;
  EXPECT_EQ(g, (Globset{{base + 1, base + 3}, {base + 5, base + 5}, {base + 7, base + 9}}));
}

TEST(Globset, PushPopRangeEnd) {
  // A sixth pushed byte completes a GLOBCNT that is added and popped at once.
  EXPECT_EQ(globset_of("06 000000001234 00"), (Globset{{0x1234, 0x1234}}));
  EXPECT_EQ(globset_of("04 00000000 02 1234 02 1240 50 00"), (Globset{{0x1234, 0x1234}, {0x1240, 0x1240}}));
  // Range bytes are 6 minus the stack's.
  EXPECT_EQ(globset_of("02 0001 52 00000001 00000010 50 00"), (Globset{{0x000100000001, 0x000100000010}}));
  EXPECT_EQ(globset_of("52 000000000001 0000000000FF 00"), (Globset{{1, 0xFF}}));
  EXPECT_EQ(globset_of("00"), Globset{});
  // Values given out of order or overlapping come back as the canonical set.
  EXPECT_EQ(globset_of("05 0000000000 52 07 09 52 01 03 42 03 01 50 00"), (Globset{{1, 4}, {7, 9}}));
}

TEST(Globset, EncoderSharesHighOrderBytes) {
  EXPECT_EQ(to_hex(globset_bytes({{1, 3}, {5, 5}})), to_hex(from_hex("05 0000000000 52 01 03 01 05 50 00")));
  // A range across a 5-byte boundary shares 4 bytes; the next shares none with it and pops first.
  EXPECT_EQ(to_hex(globset_bytes({{0x01FF, 0x0201}, {0x010000000000, 0x010000000000}})),
            to_hex(from_hex("04 00000000 52 01FF 0201 50 06 010000000000 00")));
  EXPECT_EQ(to_hex(globset_bytes({})), "00");
  EXPECT_THROW(globset_bytes({{3, 1}}), EncodeError);
  EXPECT_THROW(globset_bytes({{1, 3}, {4, 5}}), EncodeError);  // adjacent: not canonical
  EXPECT_THROW(globset_bytes({{5, 6}, {1, 2}}), EncodeError);
  EXPECT_THROW(globset_bytes({{1, 0x1000000000000}}), EncodeError);
}

TEST(Globset, RoundTripsGeneratedSets) {
  uint64_t state = 0x1234567;
  auto next = [&] {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
  };
  for (int round = 0; round < 500; ++round) {
    Globset g;
    uint64_t at = next() % 0x10000 * (round % 3 == 0 ? 0x100000000ull : 1);
    size_t n = next() % 12;
    for (size_t i = 0; i < n && at <= kMaxGlobalCounter; ++i) {
      uint64_t len = next() % (i % 2 ? 3 : 600);
      uint64_t high = std::min(at + len, kMaxGlobalCounter);
      g.push_back({at, high});
      if (high >= kMaxGlobalCounter - 2) break;
      at = high + 2 + next() % (i % 3 ? 5 : 100000);
    }
    Bytes b = globset_bytes(g);
    ASSERT_EQ(globset_of(test::to_hex(b)), g) << to_hex(b);
  }
}

DecodeError globset_error(std::string_view hex) {
  Bytes b = from_hex(hex);
  ByteReader r(b);
  try {
    decode_globset(r);
  } catch (const DecodeError& e) {
    return e;
  }
  ADD_FAILURE() << "decoded: " << hex;
  return DecodeError(0, "", "");
}

TEST(Globset, Malformed) {
  EXPECT_EQ(globset_error("50 00").path(), "Pop");
  EXPECT_EQ(globset_error("04 00000000 42 01 03 50 00").path(), "Bitmask");  // 4 bytes on the stack
  EXPECT_EQ(globset_error("05 0000000000 42 FE 02 50 00").path(), "Bitmask");  // 0xFE + 1 + 1 overflows
  DecodeError overflow = globset_error("04 00000000 03 000000");
  EXPECT_EQ(overflow.path(), "Push");
  EXPECT_EQ(overflow.offset(), 5u);
  EXPECT_EQ(globset_error("05 0000000000 52 09 01 50 00").path(), "Range");
  EXPECT_EQ(globset_error("02 0000 00").path(), "End");
  EXPECT_EQ(globset_error("33").path(), "Command");
  EXPECT_EQ(globset_error("05 0000000000 52 01").path(), "HighValue");
  EXPECT_EQ(globset_error("05 0000000000").path(), "Command");  // no End
}

TEST(Idset, ReplidForm) {
  Bytes b = from_hex("0100 06 000000000005 00  0400 05 0000000000 52 01 03 50 00");
  auto idset = decode_idset_replid(b);
  ASSERT_EQ(idset.size(), 2u);
  EXPECT_EQ(idset[0].replid, 1);
  EXPECT_EQ(idset[0].globset, (Globset{{5, 5}}));
  EXPECT_EQ(idset[1].replid, 4);
  EXPECT_EQ(idset[1].globset, (Globset{{1, 3}}));
  // Written in ascending REPLID order whatever the order given.
  std::vector<ReplidGlobset> reversed{idset[1], idset[0]};
  EXPECT_EQ(to_hex(encode_idset(reversed)), to_hex(b));
  EXPECT_TRUE(decode_idset_replid({}).empty());
  std::vector<ReplidGlobset> twice{idset[0], idset[0]};
  EXPECT_THROW(encode_idset(twice), EncodeError);
  // The pair index and the GLOBSET are in the path.
  try {
    decode_idset_replid(from_hex("0100 00 0200 50"));
    FAIL();
  } catch (const DecodeError& err) {
    EXPECT_EQ(err.path(), "IDSET[1].GLOBSET.Pop");
    EXPECT_EQ(err.offset(), 5u);
  }
  EXPECT_THROW(decode_idset_replid(from_hex("01")), DecodeError);
}

TEST(Idset, ReplguidForm) {
  Guid a = *Guid::parse("{11111111-2222-3333-4444-555555555555}");
  Guid b = *Guid::parse("{01111111-2222-3333-4444-555555555555}");
  std::vector<ReplguidGlobset> idset{{a, {{1, 2}}}, {b, {{0x100, 0x100}}}};
  Bytes bytes = encode_idset(idset);
  auto back = decode_idset_replguid(bytes);
  ASSERT_EQ(back.size(), 2u);
  EXPECT_EQ(back[0].replguid, b);  // ascending by the GUID's bytes
  EXPECT_EQ(back[0].globset, (Globset{{0x100, 0x100}}));
  EXPECT_EQ(back[1], idset[0]);
  EXPECT_EQ(bytes.size(), 16u + 8 + 16 + 11);
}

}  // namespace
}  // namespace exmapi::rop

namespace exmapi::rop {
namespace {

// The IDSET fuzz seeds (byte 0 picks the form, see fuzz_idset.cpp) decode.
TEST(Idset, FuzzSeedsDecode) {
  auto seed = [](const char* name) {
    Bytes b = test::read_file(std::filesystem::path(EXMAPI_SOURCE_DIR) / "fuzz" / "corpus" / "fxs" / name);
    return Bytes(b.begin() + 1, b.end());
  };
  EXPECT_EQ(decode_idset_replid(seed("idset_replid.bin")).size(), 2u);
  EXPECT_EQ(decode_idset_replguid(seed("idset_replguid.bin")).size(), 1u);
}

}  // namespace
}  // namespace exmapi::rop
