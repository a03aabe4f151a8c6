// LZ77 (MS-XCA 2.3/2.4 Plain LZ77): spec vectors, hand-checked streams, hostile input, interop with
// libfwnt (an independent decoder) over a MAPI-like corpus, the C ABI and the CLI.
#include <exmapi/compression.h>
#include <libfwnt.h>

#include <algorithm>
#include <cstdio>
#include <optional>
#include <string>
#include <thread>

#include "lz77_corpus.hpp"
#include "test_support.hpp"
#include "wire/lz77.hpp"

namespace exmapi {
namespace {

namespace corpus = test::lz77_corpus;
using test::from_hex;

Bytes bytes_of(std::string_view s) { return Bytes(s.begin(), s.end()); }

// Decodes with libfwnt into a buffer of exactly `size` bytes; nullopt when it reports failure.
std::optional<Bytes> fwnt_decompress(ByteView in, size_t size) {
  Bytes out(size);
  size_t out_size = size;
  libfwnt_error_t* error = nullptr;
  if (libfwnt_lzxpress_decompress(in.data(), in.size(), out.data(), &out_size, &error) != 1) {
    libfwnt_error_free(&error);
    return std::nullopt;
  }
  out.resize(out_size);
  return out;
}

// Runs fn, which must throw DecodeError; returns it for inspection.
template <class Fn>
DecodeError decode_error(Fn&& fn) {
  try {
    fn();
  } catch (const DecodeError& e) {
    return e;
  }
  ADD_FAILURE() << "expected a DecodeError";
  return DecodeError(kNoOffset, "none", "no error");
}

// ---- spec vectors ----------------------------------------------------------------------------

TEST(Lz77Vectors, DecodeToTheSpecOutputAndOurCompressorReproducesTheBytes) {
  auto vectors = test::vectors_of_kind("lz77");
  ASSERT_GE(vectors.size(), 2u) << "the MS-XCA 3.1 vectors are missing";
  for (const auto& [name, v] : vectors) {
    SCOPED_TRACE(name);
    Bytes stream = from_hex(v.at("hex").get<std::string>());
    Bytes expected = bytes_of(v.at("expected_output").get<std::string>());
    EXPECT_EQ(lz77::decompress(stream, expected.size()), expected);
    EXPECT_EQ(lz77::decompress(stream), expected) << "without the size";
    Bytes into(expected.size());
    EXPECT_EQ(lz77::decompress_into(stream, into, true), expected.size());
    EXPECT_EQ(into, expected);
    // Both MS-XCA 3.1 examples show the compressor's output: we choose the same matches.
    EXPECT_EQ(test::to_hex(lz77::compress(expected)), test::to_hex(stream));
    auto peer = fwnt_decompress(stream, expected.size());
    ASSERT_TRUE(peer.has_value());
    EXPECT_EQ(*peer, expected) << "libfwnt disagrees with the spec vector";
  }
}

// ---- hand-checked streams --------------------------------------------------------------------

TEST(Lz77Streams, OverlappingMatchAsInTheSpecText) {
  // MS-XCA 2.4.4: "aaaaaa" = [literal "a"][match offset 1, length 5].
  // Flags 0x7FFFFFFF: literal, match, 30 padding 1s. Match word (0 << 3) | (5 - 3) = 0x0002.
  Bytes stream = from_hex("ffffff7f 61 0200");
  EXPECT_EQ(lz77::decompress(stream, 6), bytes_of("aaaaaa"));
  EXPECT_EQ(fwnt_decompress(stream, 6), bytes_of("aaaaaa"));
}

TEST(Lz77Streams, TwoLongMatchesShareOneLengthByte) {
  // "abcd", then two matches at offset 4 (word (3 << 3) | 7 = 0x001F): the first takes the low
  // nibble of 0x95 (15 = 3 + 7 + 5), the second the high nibble (19 = 3 + 7 + 9), no byte of its own.
  // Flags: 4 literals, 2 matches, padding -> 0000 11 11... = 0x0FFFFFFF.
  Bytes stream = from_hex("ffffff0f 61626364 1f00 95 1f00");
  std::string want;
  while (want.size() < 38) want += "abcd";
  want.resize(38);
  EXPECT_EQ(lz77::decompress(stream, 38), bytes_of(want));
  EXPECT_EQ(lz77::decompress(stream), bytes_of(want));
  EXPECT_EQ(fwnt_decompress(stream, 38), bytes_of(want));
}

TEST(Lz77Streams, ThirtyTwoBitLengthForm) {
  // "x" then a match at offset 1 of 70000 bytes: word 0x0007, nibble 15, byte 255, 16-bit 0 and the
  // 32-bit value 69997 = 70000 - 3 (0x0001116D). Flags 0x7FFFFFFF.
  Bytes stream = from_hex("ffffff7f 78 0700 0f ff 0000 6d110100");
  Bytes want(70001, 'x');
  EXPECT_EQ(lz77::decompress(stream, want.size()), want);
  EXPECT_EQ(lz77::decompress(stream), want);
  // Our compressor takes the same single match and so must emit exactly these bytes.
  EXPECT_EQ(test::to_hex(lz77::compress(want)), test::to_hex(stream));
}

TEST(Lz77Streams, SixteenBitLengthFormHoldsTheWholeLength) {
  // Length 280: 3 + 7 + 15 + 255 -> escape to 16 bits, which hold 280 - 3 = 277 = 0x0115.
  Bytes stream = from_hex("ffffff3f 61 62 0f00 0f ff 1501");
  std::string want = "ab";
  while (want.size() < 282) want += "ab";
  EXPECT_EQ(lz77::decompress(stream, 282), bytes_of(want));
  EXPECT_EQ(fwnt_decompress(stream, 282), bytes_of(want));
  EXPECT_EQ(test::to_hex(lz77::compress(bytes_of(want))), test::to_hex(stream));
  // Length 279 = 3 + 7 + 15 + 254 still fits the byte.
  Bytes byte_form = from_hex("ffffff3f 61 62 0f00 0f fe");
  Bytes want_bytes = bytes_of(want);
  want_bytes.resize(281);
  EXPECT_EQ(lz77::decompress(byte_form, 281), want_bytes);
}

TEST(Lz77Streams, FullFlagWordIsFollowedByAPaddingWord) {
  // 32 literals use up the first flag word; MS-XCA 2.3.4 then starts a new one, which ends up as
  // pure padding (0xFFFFFFFF).
  Bytes in(32);
  for (size_t i = 0; i < in.size(); ++i) in[i] = static_cast<uint8_t>(i * 7 + 1);
  Bytes c = lz77::compress(in);
  ASSERT_EQ(c.size(), 4u + 32 + 4);
  EXPECT_EQ(test::to_hex(ByteView(c).first(4)), "00000000");
  EXPECT_EQ(test::to_hex(ByteView(c).last(4)), "ffffffff");
  EXPECT_EQ(lz77::decompress(c, 32), in);
  // A peer that leaves the padding word out loses nothing when the size is known.
  EXPECT_EQ(lz77::decompress(ByteView(c).first(36), 32), in);
  EXPECT_THROW(lz77::decompress(ByteView(c).first(36)), DecodeError) << "without the size it is truncated";
}

// Random token streams written straight from MS-XCA 2.3 by the test (not by our compressor), so the
// decoder sees token mixes our compressor never chooses: matches of every length class at every
// distance class, shared half bytes across literals, and all of it near the end of the output too,
// where the decoder hands over from its wide-copy path to its checked one.
struct RandomStream {
  Bytes stream, expected;
  bool beyond_libfwnt = false;  // a match above 32771 bytes, more than libfwnt accepts in one match
};

RandomStream random_token_stream(corpus::Rng& rng, size_t target_size) {
  RandomStream r;
  Bytes& s = r.stream;
  Bytes& out = r.expected;
  size_t flag_at = 0, flag_count = 0, nibble_at = SIZE_MAX;
  uint32_t flags = 0;
  s.resize(4);
  auto flag = [&](uint32_t bit) {
    flags = flags << 1 | bit;
    if (++flag_count == 32) {
      for (int k = 0; k < 4; ++k) s[flag_at + k] = static_cast<uint8_t>(flags >> (8 * k));
      flag_at = s.size();
      s.resize(s.size() + 4);
      flags = 0;
      flag_count = 0;
    }
  };
  auto put16 = [&](size_t v) {
    s.push_back(static_cast<uint8_t>(v));
    s.push_back(static_cast<uint8_t>(v >> 8));
  };
  while (out.size() < target_size) {
    if (out.empty() || rng.chance(45)) {
      out.push_back(static_cast<uint8_t>(rng.next()));
      s.push_back(out.back());
      flag(0);
      continue;
    }
    size_t distance = rng.chance(30) ? rng.range(1, std::min<size_t>(out.size(), 20))
                                     : rng.range(1, std::min<size_t>(out.size(), 8192));
    unsigned cls = static_cast<unsigned>(rng.below(100));
    size_t length = cls < 50 ? rng.range(3, 9) : cls < 85 ? rng.range(10, 24) : cls < 98 ? rng.range(25, 279)
                                                                                 : rng.range(280, 70000);
    if (length > 32771) r.beyond_libfwnt = true;
    put16((distance - 1) << 3 | std::min<size_t>(length - 3, 7));
    if (length >= 10) {
      size_t rest = length - 10;
      uint8_t half = static_cast<uint8_t>(std::min<size_t>(rest, 15));
      if (nibble_at == SIZE_MAX) {
        nibble_at = s.size();
        s.push_back(half);
      } else {
        s[nibble_at] |= static_cast<uint8_t>(half << 4);
        nibble_at = SIZE_MAX;
      }
      if (rest >= 15) {
        if (rest - 15 < 255) {
          s.push_back(static_cast<uint8_t>(rest - 15));
        } else {
          s.push_back(255);
          if (length - 3 < 65536) {
            put16(length - 3);
          } else {
            put16(0);
            put16((length - 3) & 0xFFFF);
            put16((length - 3) >> 16);
          }
        }
      }
    }
    for (size_t i = 0; i < length; ++i) out.push_back(out[out.size() - distance]);
    flag(1);
  }
  // Padding: the unused flags of the last word are 1 (a full word of them when none is used).
  flags = flag_count == 0 ? 0xFFFFFFFFu : (flags << (32 - flag_count)) | ((uint32_t{1} << (32 - flag_count)) - 1);
  for (int k = 0; k < 4; ++k) s[flag_at + k] = static_cast<uint8_t>(flags >> (8 * k));
  return r;
}

TEST(Lz77Streams, RandomTokenStreamsDecodeAsLibfwntDecodesThem) {
  corpus::Rng rng(41);
  for (int round = 0; round < 400; ++round) {
    SCOPED_TRACE(round);
    RandomStream r = random_token_stream(rng, rng.range(1, round % 4 == 0 ? 40000 : 600));
    if (!r.beyond_libfwnt) {
      auto peer = fwnt_decompress(r.stream, r.expected.size());
      ASSERT_TRUE(peer.has_value());
      ASSERT_EQ(*peer, r.expected) << "the test's encoder and libfwnt disagree";
    }
    EXPECT_EQ(lz77::decompress(r.stream, r.expected.size()), r.expected);
    EXPECT_EQ(lz77::decompress(r.stream), r.expected);
    // Caller memory of exactly the output size: no room for wide copies at the end.
    Bytes into(r.expected.size());
    EXPECT_EQ(lz77::decompress_into(r.stream, into, true), r.expected.size());
    EXPECT_EQ(into, r.expected);
    // One byte short must fail cleanly, never write past the buffer (ASan watches).
    if (!r.expected.empty()) {
      std::vector<uint8_t> short_buf(r.expected.size() - 1);
      EXPECT_THROW(lz77::decompress_into(r.stream, short_buf, true), DecodeError);
    }
  }
}

TEST(Lz77Streams, EmptyInput) {
  EXPECT_EQ(test::to_hex(lz77::compress({})), "ffffffff");
  EXPECT_TRUE(lz77::decompress(from_hex("ffffffff")).empty());
  EXPECT_TRUE(lz77::decompress(from_hex("ffffffff"), 0).empty());
  EXPECT_TRUE(lz77::decompress({}, 0).empty());
  DecodeError e = decode_error([] { lz77::decompress({}); });
  EXPECT_EQ(e.offset(), 0u);
  EXPECT_EQ(e.path(), "LZ77.Flags");
}

TEST(Lz77Streams, AppendsToExistingOutput) {
  Bytes out = bytes_of("head:");
  lz77::decompress(from_hex("ffffff7f 61 0200"), out, 6);
  EXPECT_EQ(out, bytes_of("head:aaaaaa"));
  EXPECT_THROW(lz77::decompress(from_hex("ffffff7f 61 0800"), out, 6), DecodeError);
  EXPECT_EQ(out, bytes_of("head:aaaaaa")) << "a failed decode must leave the output as it was";
}

// ---- hostile input ---------------------------------------------------------------------------

struct CorruptCase {
  const char* hex;
  size_t offset;
  const char* field;
  const char* reason;
};

TEST(Lz77Hostile, CorruptStreamsNameOffsetAndField) {
  const CorruptCase cases[] = {
      {"ffff", 0, "LZ77.Flags", "needs 4 bytes, only 2 left"},
      {"00000000 61", 5, "LZ77.Literal", "stream ends inside a run of 32 literals"},
      {"ffffff7f 61 0800", 5, "LZ77.Match", "offset 2 reaches before the start of the output (1 bytes so far)"},
      {"ffffffff 0000", 4, "LZ77.Match", "offset 1 reaches before the start"},
      {"ffffff7f 61 02", 5, "LZ77.Match", "needs 2 bytes, only 1 left"},
      {"ffffff7f 61 0700", 7, "LZ77.Match.LengthNibble", "needs 1 bytes"},
      {"ffffff7f 61 0700 0f", 8, "LZ77.Match.LengthByte", "needs 1 bytes"},
      {"ffffff7f 61 0700 0f ff", 9, "LZ77.Match.Length16", "needs 2 bytes"},
      {"ffffff7f 61 0700 0f ff 1500", 9, "LZ77.Match.Length16", "length value 21 is below 22"},
      {"ffffff7f 61 0700 0f ff 0000 01", 11, "LZ77.Match.Length32", "needs 4 bytes, only 1 left"},
      {"ffffff7f 61 0700 0f ff 0000 05000000", 11, "LZ77.Match.Length32", "length value 5 is below 22"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.hex);
    Bytes in = from_hex(c.hex);
    DecodeError e = decode_error([&] { lz77::decompress(in); });
    EXPECT_EQ(e.offset(), c.offset) << e.message();
    EXPECT_EQ(e.path(), c.field) << e.message();
    EXPECT_NE(e.reason().find(c.reason), std::string::npos) << e.message();
    EXPECT_NE(e.message().find("offset " + std::to_string(c.offset)), std::string::npos) << e.message();
  }
}

TEST(Lz77Hostile, ExpectedSizeIsHonouredExactly) {
  Bytes stream = from_hex("ffffff1f61626317000fff2601");  // "abc" * 100
  EXPECT_EQ(lz77::decompress(stream, 300).size(), 300u);
  DecodeError more = decode_error([&] { lz77::decompress(stream, 299); });
  EXPECT_EQ(more.offset(), 7u) << "the match that would overflow";
  EXPECT_NE(more.reason().find("expected size of 299"), std::string::npos) << more.message();
  DecodeError fewer = decode_error([&] { lz77::decompress(stream, 301); });
  EXPECT_EQ(fewer.offset(), stream.size());
  EXPECT_NE(fewer.reason().find("ends after 300 bytes of output, expected 301"), std::string::npos);
  // Literals overflowing: the offset is that of the first literal with no room.
  Bytes literals = from_hex("3f000000 6162636465666768696a6b6c6d6e6f707172737475767778797a");
  DecodeError lit = decode_error([&] { lz77::decompress(literals, 10); });
  EXPECT_EQ(lit.offset(), 14u);
  EXPECT_EQ(lit.path(), "LZ77.Literal");
}

TEST(Lz77Hostile, OutputNeverExceedsTheCap) {
  Bytes stream = from_hex("ffffff1f61626317000fff2601");
  Bytes out;
  EXPECT_THROW(lz77::decompress(stream, out, lz77::kUnknownSize, 299), DecodeError);
  EXPECT_TRUE(out.empty());
  lz77::decompress(stream, out, lz77::kUnknownSize, 300);
  EXPECT_EQ(out.size(), 300u);
  // decompress_into writes nothing past the span: guard bytes behind it stay untouched.
  Bytes buf(299 + 64, 0xEE);
  EXPECT_THROW(lz77::decompress_into(stream, std::span<uint8_t>(buf.data(), 299), false), DecodeError);
  for (size_t i = 299; i < buf.size(); ++i) ASSERT_EQ(buf[i], 0xEE) << "byte " << i << " was written";
  // Expected size above the cap is refused before anything is decoded.
  EXPECT_THROW(lz77::decompress(stream, out, 1000, 999), DecodeError);
}

TEST(Lz77Hostile, ClaimedSizeDoesNotDriveAllocation) {
  // 13 bytes claiming a gigabyte: the decoder must fail without reserving what is claimed.
  Bytes stream = from_hex("ffffff1f61626317000fff2601");
  Bytes out;
  EXPECT_THROW(lz77::decompress(stream, out, size_t{1} << 30), DecodeError);
  EXPECT_LT(out.capacity(), size_t{1} << 20);
  // A real 4 MB expansion from a few bytes still works: the window grows with actual output.
  Bytes run = from_hex("ffffff7f 00 0700 0f ff 0000 fdff3f00");  // 1 + (0x3ffffd + 3) = 4 MiB + 1
  EXPECT_EQ(lz77::decompress(run, (size_t{4} << 20) + 1).size(), (size_t{4} << 20) + 1);
}

TEST(Lz77Hostile, EveryTruncationFailsCleanly) {
  Bytes data = corpus::generate(64 * 1024, 99);
  Bytes block(data.begin(), data.begin() + 3000);
  Bytes c = lz77::compress(block);
  for (size_t n = 0; n < c.size(); ++n) {
    ByteView prefix(c.data(), n);
    try {
      Bytes out = lz77::decompress(prefix, block.size());
      EXPECT_EQ(out, block) << "a prefix of " << n << " bytes decoded to something else";
    } catch (const DecodeError& e) {
      EXPECT_LE(e.offset(), n);
    }
    try {
      lz77::decompress(prefix);  // without a size, a prefix may legitimately decode to a prefix
    } catch (const DecodeError&) {
    }
  }
}

TEST(Lz77Hostile, RandomCorruptionNeverCrashes) {
  Bytes data = corpus::generate(256 * 1024, 5);
  corpus::Rng rng(17);
  size_t failures = 0, runs = 0;
  for (ByteView block : corpus::blocks(data, 4096)) {
    Bytes c = lz77::compress(block);
    for (int k = 0; k < 40; ++k, ++runs) {
      Bytes bad = c;
      for (size_t flips = rng.range(1, 4); flips; --flips) bad[rng.below(bad.size())] ^= static_cast<uint8_t>(rng.range(1, 255));
      try {
        Bytes out = lz77::decompress(bad, block.size());
        EXPECT_EQ(out.size(), block.size());
        out.clear();
        lz77::decompress(bad, out, lz77::kUnknownSize, size_t{1} << 20);
        EXPECT_LE(out.size(), size_t{1} << 20);
      } catch (const DecodeError& e) {
        ++failures;
        EXPECT_LE(e.offset(), bad.size());
      }
    }
  }
  EXPECT_GT(failures, runs / 4) << "corruption should mostly be detected";
}

// ---- compressor --------------------------------------------------------------------------------

TEST(Lz77Compressor, RoundTripsEdgeShapes) {
  std::vector<Bytes> inputs;
  inputs.push_back({});
  inputs.push_back(bytes_of("a"));
  inputs.push_back(bytes_of("ab"));
  inputs.push_back(bytes_of("abc"));
  inputs.push_back(bytes_of("abcabc"));
  inputs.push_back(Bytes(100000, 0));          // long run, 32-bit length form
  inputs.push_back(Bytes(65538 + 1, 'z'));     // 16-bit form at its top
  for (size_t period = 1; period <= 20; ++period) {  // every short distance class
    Bytes b;
    for (size_t i = 0; i < 5000; ++i) b.push_back(static_cast<uint8_t>('A' + i % period));
    inputs.push_back(b);
  }
  corpus::Rng rng(3);
  Bytes noise(40000);
  for (auto& x : noise) x = static_cast<uint8_t>(rng.next());
  inputs.push_back(noise);
  Bytes far;  // repeats exactly at the 8192-byte window edge and just beyond it
  for (size_t i = 0; i < 8192; ++i) far.push_back(static_cast<uint8_t>(rng.next()));
  far.insert(far.end(), far.begin(), far.begin() + 100);
  for (size_t i = 0; i < 8193; ++i) far.push_back(static_cast<uint8_t>(rng.next()));
  far.insert(far.end(), far.end() - 8193, far.end() - 8093);
  inputs.push_back(far);
  for (const Bytes& in : inputs) {
    SCOPED_TRACE(in.size());
    Bytes c = lz77::compress(in);
    EXPECT_LE(c.size(), lz77::compress_bound(in.size()));
    EXPECT_EQ(lz77::decompress(c, in.size()), in);
    EXPECT_EQ(lz77::decompress(c), in);
  }
  EXPECT_LT(lz77::compress(Bytes(100000, 0)).size(), 20u);
}

TEST(Lz77Compressor, ReusedTablesNeverReachIntoAnEarlierCall) {
  Bytes a = corpus::generate(32 * 1024, 1);
  // The same data again right after: a table leaking positions would produce matches into `a`.
  for (int i = 0; i < 3; ++i) EXPECT_EQ(lz77::decompress(lz77::compress(a), a.size()), a);
  // Hundreds of thousands of calls move the position base past 2^32, forcing a table reset.
  Bytes small = bytes_of("abcabcabcabcabcabc");
  for (int i = 0; i < 600000; ++i) {
    Bytes c = lz77::compress(small);
    if (i % 50000 == 0 || i > 524000) {
      ASSERT_EQ(lz77::decompress(c, small.size()), small) << "call " << i;
    }
  }
  EXPECT_EQ(lz77::decompress(lz77::compress(a), a.size()), a);
}

TEST(Lz77Compressor, ThreadsCompressIndependently) {
  Bytes a = corpus::generate(512 * 1024, 11), b = corpus::generate(512 * 1024, 12);
  bool ok_a = false, ok_b = false;
  std::thread ta([&] { ok_a = lz77::decompress(lz77::compress(a), a.size()) == a; });
  std::thread tb([&] { ok_b = lz77::decompress(lz77::compress(b), b.size()) == b; });
  ta.join();
  tb.join();
  EXPECT_TRUE(ok_a);
  EXPECT_TRUE(ok_b);
}

// ---- interop with libfwnt over the MAPI-like corpus -------------------------------------------

TEST(Lz77Interop, LibfwntDecodesOurCorpusBlocksAndWeDoToo) {
  Bytes data = corpus::generate();
  ASSERT_GE(data.size(), size_t{8} << 20);
  size_t compressed = 0, blocks = 0;
  for (ByteView block : corpus::blocks(data)) {
    ++blocks;
    Bytes c = lz77::compress(block);
    compressed += c.size();
    auto peer = fwnt_decompress(c, block.size());
    ASSERT_TRUE(peer.has_value()) << "libfwnt rejected block " << blocks;
    ASSERT_TRUE(std::equal(peer->begin(), peer->end(), block.begin(), block.end()))
        << "libfwnt decoded block " << blocks << " differently";
    Bytes ours = lz77::decompress(c, block.size());
    ASSERT_TRUE(std::equal(ours.begin(), ours.end(), block.begin(), block.end())) << "block " << blocks;
  }
  double ratio = static_cast<double>(data.size()) / static_cast<double>(compressed);
  std::printf("[ corpus ] %zu bytes in %zu blocks -> %zu bytes, ratio %.3f\n", data.size(), blocks, compressed, ratio);
  RecordProperty("compression_ratio", std::to_string(ratio));
  EXPECT_GT(ratio, 1.5) << "the corpus is meant to be compressible";
}

TEST(Lz77Interop, BothDecodersAgreeOnEveryDistanceClass) {
  // Inputs that make our compressor use short overlapping distances, long lengths in every escape
  // tier and shared nibbles; libfwnt must read the streams as we do.
  corpus::Rng rng(23);
  for (size_t period = 1; period <= 40; ++period) {
    Bytes in;
    while (in.size() < 30000) {
      size_t run = rng.range(3, 900);
      for (size_t i = 0; i < run; ++i) in.push_back(static_cast<uint8_t>('a' + (in.size() % period)));
      for (size_t k = rng.range(0, 5); k; --k) in.push_back(static_cast<uint8_t>(rng.next()));
    }
    Bytes c = lz77::compress(in);
    auto peer = fwnt_decompress(c, in.size());
    ASSERT_TRUE(peer.has_value()) << "period " << period;
    EXPECT_EQ(*peer, in) << "period " << period;
    EXPECT_EQ(lz77::decompress(c, in.size()), in) << "period " << period;
  }
}

// ---- C ABI -------------------------------------------------------------------------------------

TEST(Lz77CApi, CompressAndDecompress) {
  std::string text = "RopQueryRows RopQueryRows RopQueryRows with some more text, text, text.";
  exmapi_buf c{nullptr, 0};
  ASSERT_EQ(exmapi_lz77_compress(&c, text.data(), text.size()), EXMAPI_OK);
  EXPECT_LT(c.size, text.size());
  exmapi_buf d{nullptr, 0};
  ASSERT_EQ(exmapi_lz77_decompress(&d, c.data, c.size, text.size()), EXMAPI_OK);
  EXPECT_EQ(std::string(reinterpret_cast<char*>(d.data), d.size), text);
  exmapi_buf_dispose(&d);
  ASSERT_EQ(exmapi_lz77_decompress(&d, c.data, c.size, EXMAPI_LZ77_UNKNOWN_SIZE), EXMAPI_OK);
  EXPECT_EQ(d.size, text.size());
  exmapi_buf_dispose(&d);
  EXPECT_EQ(exmapi_lz77_decompress(&d, c.data, c.size, text.size() + 1), EXMAPI_E_DECODE);
  EXPECT_EQ(d.data, nullptr);
  exmapi_buf_dispose(&c);

  const uint8_t bad[] = {0xff, 0xff, 0xff, 0x7f, 0x61, 0x08, 0x00};
  EXPECT_EQ(exmapi_lz77_decompress(&d, bad, sizeof bad, EXMAPI_LZ77_UNKNOWN_SIZE), EXMAPI_E_DECODE);
  const exmapi_error* e = exmapi_error_last();
  EXPECT_EQ(e->status, EXMAPI_E_DECODE);
  EXPECT_EQ(e->offset, 5u);
  EXPECT_NE(std::string(e->message).find("offset 5 in LZ77.Match"), std::string::npos) << e->message;

  EXPECT_EQ(exmapi_lz77_compress(nullptr, text.data(), text.size()), EXMAPI_E_INVALID_ARGUMENT);
  EXPECT_EQ(exmapi_lz77_compress(&c, nullptr, 5), EXMAPI_E_INVALID_ARGUMENT);
  ASSERT_EQ(exmapi_lz77_compress(&c, nullptr, 0), EXMAPI_OK);
  EXPECT_EQ(c.size, 4u);
  ASSERT_EQ(exmapi_lz77_decompress(&d, c.data, c.size, 0), EXMAPI_OK);
  EXPECT_EQ(d.size, 0u);
  EXPECT_NE(d.data, nullptr);
  exmapi_buf_dispose(&c);
  exmapi_buf_dispose(&d);
  EXPECT_EQ(exmapi_lz77_decompress(&d, nullptr, 3, 0), EXMAPI_E_INVALID_ARGUMENT);
}

// ---- CLI ---------------------------------------------------------------------------------------

TEST(Lz77Cli, RoundTripAndCorruptInput) {
  Bytes data = corpus::generate(200 * 1024, 8);
  std::string input(data.begin(), data.end());
  auto c = test::run_command(test::cli_path() + " codec lz77 compress", input);
  ASSERT_EQ(c.exit_code, 0) << c.err;
  EXPECT_LT(c.out.size(), input.size());
  EXPECT_EQ(bytes_of(c.out), lz77::compress(data)) << "the CLI goes through the same codec";
  auto d = test::run_command(test::cli_path() + " codec lz77 decompress", c.out);
  ASSERT_EQ(d.exit_code, 0) << d.err;
  EXPECT_TRUE(d.out == input);

  std::string corrupt = "\xff\xff\xff\x7f" "a" "\x08\x00";
  auto bad = test::run_command(test::cli_path() + " codec lz77 decompress", corrupt);
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("offset 5"), std::string::npos) << bad.err;
  EXPECT_TRUE(bad.out.empty());
}

}  // namespace
}  // namespace exmapi
