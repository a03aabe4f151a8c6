// Extended buffers (MS-OXCRPC 2.2.2.1 RPC_HEADER_EXT, 3.1.4.1.1, 3.1.4.2.1): framing round trips
// for every flag combination, hand-assembled frames, XorMagic vectors computed by hand, hostile
// headers with their offsets, limits, compressed payloads checked with libfwnt (an independent LZ77
// decoder), and the C ABI.
#include <exmapi/wire.h>
#include <libfwnt.h>

#include <optional>
#include <random>
#include <string>

#include "test_support.hpp"
#include "wire/extended_buffer.hpp"
#include "wire/lz77.hpp"
#include "wire/obfuscation.hpp"

namespace exmapi::wire {
namespace {

using test::from_hex;
using test::to_hex;

Bytes bytes_of(std::string_view s) { return Bytes(s.begin(), s.end()); }

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

// A ROP-like payload that compresses well: repeated property rows with a changing counter.
Bytes compressible_payload(size_t size, uint8_t salt = 0) {
  Bytes out;
  std::string row = "PidTagSubject=Quarterly report;PidTagMessageClass=IPM.Note;";
  for (size_t i = 0; out.size() < size; ++i) {
    out.insert(out.end(), row.begin(), row.end());
    out.push_back(static_cast<uint8_t>(i + salt));
  }
  out.resize(size);
  return out;
}

Bytes random_payload(size_t size, uint32_t seed) {
  std::mt19937 rng(seed);
  Bytes out(size);
  for (auto& b : out) b = static_cast<uint8_t>(rng());
  return out;
}

// Walks the frames independently of the library: header fields and the payload bytes as sent.
struct RawFrame {
  uint16_t version, flags, size, size_actual;
  Bytes sent;
};
std::vector<RawFrame> raw_frames(ByteView buf) {
  std::vector<RawFrame> frames;
  size_t at = 0;
  while (at + 8 <= buf.size()) {
    auto u16 = [&](size_t o) { return static_cast<uint16_t>(buf[at + o] | buf[at + o + 1] << 8); };
    RawFrame f{u16(0), u16(2), u16(4), u16(6), {}};
    if (at + 8 + f.size > buf.size()) break;
    f.sent.assign(buf.begin() + at + 8, buf.begin() + at + 8 + f.size);
    at += 8 + f.size;
    frames.push_back(std::move(f));
    if (frames.back().flags & 0x0004) break;
  }
  EXPECT_EQ(at, buf.size()) << "frames do not cover the buffer";
  return frames;
}

Bytes xor_by_hand(Bytes b) {
  for (auto& x : b) x = static_cast<uint8_t>(x ^ 0xA5);
  return b;
}

// ---- XorMagic (3.1.4.1.1.3) ------------------------------------------------------------------

TEST(XorMagic, VectorsComputedByHand) {
  // 'H' 0x48 = 0100 1000, 0xA5 = 1010 0101 -> 1110 1101 = 0xED; 'e' 0x65 -> 1100 0000 = 0xC0;
  // 'l' 0x6C -> 1100 1001 = 0xC9; 'o' 0x6F -> 1100 1010 = 0xCA; 0x00 -> 0xA5; 0xFF -> 0x5A; 0xA5 -> 0x00.
  Bytes data = {0x48, 0x65, 0x6C, 0x6C, 0x6F, 0x00, 0xFF, 0xA5};
  xor_magic(data);
  EXPECT_EQ(to_hex(data), "edc0c9c9caa55a00");
  xor_magic(data);
  EXPECT_EQ(data, (Bytes{0x48, 0x65, 0x6C, 0x6C, 0x6F, 0x00, 0xFF, 0xA5}));
}

TEST(XorMagic, EveryLengthAndAlignmentMatchesTheBytewiseRule) {
  Bytes base = random_payload(64, 7);
  for (size_t start = 0; start < 8; ++start)
    for (size_t len = 0; start + len <= base.size(); ++len) {
      Bytes data = base;
      xor_magic(std::span<uint8_t>(data.data() + start, len));
      for (size_t i = 0; i < data.size(); ++i) {
        uint8_t expected = (i >= start && i < start + len) ? static_cast<uint8_t>(base[i] ^ 0xA5) : base[i];
        ASSERT_EQ(data[i], expected) << "start " << start << " len " << len << " at " << i;
      }
    }
}

// ---- hand-assembled frames ----------------------------------------------------------------------

TEST(ExtendedBufferFrames, SpecExampleRgbInHeader) {
  // MS-OXCRPC 4.2 "Issue ROP Commands to the Server": rgbIn is RPC_HEADER_EXT Version 0x0000,
  // Flags 0x0004, Size 0x0152, SizeActual 0x0152, then RopSize 0x0142, 320 bytes of ROPs and a
  // 16-byte ServerObjectHandleTable; cbIn 0x0000015A. ("Payload is not compressed and not
  // obfuscated.") The spec gives no ROP bytes, so filler stands in for them.
  Bytes payload = {0x42, 0x01};
  payload.resize(2 + 320, 0x11);
  payload.resize(2 + 320 + 16, 0xFF);
  ASSERT_EQ(payload.size(), 0x152u);
  Bytes rgb_in = pack(payload);
  EXPECT_EQ(rgb_in.size(), 0x15Au);  // cbIn
  EXPECT_EQ(to_hex(ByteView(rgb_in).first(8)), "0000" "0400" "5201" "5201");
  auto buffers = unpack(rgb_in);
  ASSERT_EQ(buffers.size(), 1u);
  EXPECT_EQ(buffers[0].header, (RpcHeaderExt{0x0000, 0x0004, 0x0152, 0x0152}));
  EXPECT_EQ(buffers[0].payload, payload);
}

TEST(ExtendedBufferFrames, ObfuscatedFrameAssembledByHand) {
  // Flags XorMagic|Last = 0x0006, Size = SizeActual = 5, payload "Hello" XOR 0xA5.
  Bytes frame = from_hex("0000 0600 0500 0500 edc0c9c9ca");
  EXPECT_EQ(unpack_concatenated(frame), bytes_of("Hello"));
  PackOptions o;
  o.obfuscate = true;
  EXPECT_EQ(to_hex(pack(bytes_of("Hello"), o)), to_hex(frame));
}

TEST(ExtendedBufferFrames, CompressedFramesAroundTheMsXcaVectors) {
  // The MS-XCA 3.1 streams inside a header flagged Compressed|Last (0x0005), and with XorMagic as
  // well (0x0007, the stream XORed by hand), decode to the spec's output.
  // A stream no shorter than its output cannot be framed as compressed (2.2.2.1: Size MUST be less
  // than SizeActual), so only such vectors are used.
  size_t used = 0;
  for (const auto& [name, v] : test::vectors_of_kind("lz77")) {
    SCOPED_TRACE(name);
    Bytes stream = from_hex(v.at("hex").get<std::string>());
    Bytes expected = bytes_of(v.at("expected_output").get<std::string>());
    if (stream.size() >= expected.size()) continue;
    ++used;
    for (bool xored : {false, true}) {
      ByteWriter w;
      write_rpc_header_ext(w, {0, static_cast<uint16_t>(xored ? 0x0007 : 0x0005), static_cast<uint16_t>(stream.size()),
                               static_cast<uint16_t>(expected.size())});
      w.bytes(xored ? xor_by_hand(stream) : stream);
      EXPECT_EQ(unpack_concatenated(w.view()), expected);
    }
  }
  EXPECT_GE(used, 1u);
}

TEST(ExtendedBufferFrames, EmptyPayload) {
  Bytes frame = pack(ByteView{});
  EXPECT_EQ(to_hex(frame), "0000040000000000");
  EXPECT_TRUE(unpack_concatenated(frame).empty());
  PackOptions both{true, true};
  EXPECT_EQ(to_hex(pack(ByteView{}, both)), "0000060000000000");  // nothing to compress
}

// ---- round trips ------------------------------------------------------------------------------

TEST(ExtendedBufferRoundTrip, EveryFlagCombinationSingleAndMultiple) {
  const std::vector<Bytes> payloads = {compressible_payload(4000, 1), random_payload(700, 2),
                                       compressible_payload(kMaxExtendedPayload, 3), Bytes{},
                                       compressible_payload(50, 4)};
  for (bool compress : {false, true})
    for (bool obfuscate : {false, true})
      for (size_t count : {size_t{1}, size_t{2}, payloads.size()}) {
        SCOPED_TRACE("compress " + std::to_string(compress) + " obfuscate " + std::to_string(obfuscate) +
                     " count " + std::to_string(count));
        std::vector<ByteView> views(payloads.begin(), payloads.begin() + static_cast<long>(count));
        Bytes buf = pack(views, PackOptions{compress, obfuscate});
        auto frames = raw_frames(buf);
        ASSERT_EQ(frames.size(), count);
        for (size_t i = 0; i < count; ++i) {
          const RawFrame& f = frames[i];
          EXPECT_EQ(f.version, 0);
          EXPECT_EQ(bool(f.flags & 0x0004), i + 1 == count) << "Last flag on frame " << i;
          EXPECT_EQ(bool(f.flags & 0x0002), obfuscate);
          EXPECT_EQ(f.size_actual, payloads[i].size());
          // Compressed exactly when asked and when it makes the payload smaller.
          bool should_compress = compress && (i == 0 || i == 2);  // the long compressible ones
          EXPECT_EQ(bool(f.flags & 0x0001), should_compress) << "frame " << i;
          Bytes sent = obfuscate ? xor_by_hand(f.sent) : f.sent;
          if (f.flags & 0x0001) {
            EXPECT_LT(f.size, f.size_actual);
            auto peer = fwnt_decompress(sent, f.size_actual);
            ASSERT_TRUE(peer.has_value()) << "libfwnt rejects frame " << i;
            EXPECT_EQ(*peer, payloads[i]) << "libfwnt disagrees on frame " << i;
          } else {
            EXPECT_EQ(f.size, f.size_actual);
            EXPECT_EQ(sent, payloads[i]);
          }
        }
        auto back = unpack(buf);
        ASSERT_EQ(back.size(), count);
        Bytes concatenated;
        for (size_t i = 0; i < count; ++i) {
          EXPECT_EQ(back[i].payload, payloads[i]);
          EXPECT_EQ(back[i].header.flags, frames[i].flags);
          concatenated.insert(concatenated.end(), payloads[i].begin(), payloads[i].end());
        }
        EXPECT_EQ(unpack_concatenated(buf), concatenated);
        auto list = unpack_payloads(buf);
        ASSERT_EQ(list.size(), count);
        for (size_t i = 0; i < count; ++i) EXPECT_EQ(list[i], payloads[i]);
      }
}

TEST(ExtendedBufferRoundTrip, IncompressibleDataIsSentUncompressed) {
  Bytes noise = random_payload(3000, 99);
  ASSERT_GE(lz77::compress(noise).size(), noise.size());
  Bytes buf = pack(noise, PackOptions{true, false});
  EXPECT_EQ(to_hex(ByteView(buf).first(8)), "0000" "0400" "b80b" "b80b");
  EXPECT_EQ(ByteView(buf).subspan(8).size(), noise.size());
}

TEST(ExtendedBufferRoundTrip, MixedFlagsPerBufferAreEachHonoured) {
  // 3.1.4.2.1.1.2: "Compression or obfuscation can be done differently for each RPC_HEADER_EXT".
  Bytes a = compressible_payload(2000, 5), b = bytes_of("plain text payload");
  Bytes first = pack(a, PackOptions{true, true});
  first[2] &= static_cast<uint8_t>(~0x04);  // drop Last from the first frame
  Bytes buf = first;
  Bytes second = pack(b);
  buf.insert(buf.end(), second.begin(), second.end());
  auto back = unpack(buf);
  ASSERT_EQ(back.size(), 2u);
  EXPECT_EQ(back[0].header.flags, 0x0003);
  EXPECT_EQ(back[0].payload, a);
  EXPECT_EQ(back[1].header.flags, 0x0004);
  EXPECT_EQ(back[1].payload, b);
}

// ---- limits -----------------------------------------------------------------------------------

TEST(ExtendedBufferLimits, PayloadLimitOnPack) {
  EXPECT_NO_THROW(pack(compressible_payload(kMaxExtendedPayload)));
  EXPECT_THROW(pack(compressible_payload(kMaxExtendedPayload + 1)), EncodeError);
  EXPECT_THROW(pack(compressible_payload(kMaxExtendedPayload + 1), PackOptions{true, false}), EncodeError);
  PackOptions small;
  small.max_payload = 100;
  EXPECT_THROW(pack(compressible_payload(101), small), EncodeError);
  EXPECT_THROW(pack(std::span<const ByteView>{}), EncodeError);
}

TEST(ExtendedBufferLimits, PayloadLimitOnUnpack) {
  // Uncompressed, SizeActual 0x8001 with all bytes present: rejected at SizeActual (offset 6).
  Bytes big(8 + 0x8001, 0x41);
  ByteWriter w;
  write_rpc_header_ext(w, {0, 0x0004, 0x8001, 0x8001});
  std::copy(w.data().begin(), w.data().end(), big.begin());
  auto e = decode_error([&] { unpack(big); });
  EXPECT_EQ(e.offset(), 6u);
  EXPECT_EQ(e.path(), "ExtendedBuffer[0].RPC_HEADER_EXT.SizeActual");
  UnpackOptions loose;
  loose.max_payload = 0xFFFF;
  EXPECT_EQ(unpack_concatenated(big, loose).size(), 0x8001u);
}

TEST(ExtendedBufferLimits, BufferCountAndOutputLimits) {
  std::vector<Bytes> store(kMaxPackedPayloads + 1, Bytes{1, 2, 3});
  std::vector<ByteView> views(store.begin(), store.end());
  EXPECT_THROW(pack(views), EncodeError);
  views.pop_back();
  Bytes buf = pack(views);
  EXPECT_EQ(unpack(buf).size(), kMaxPackedPayloads);
  UnpackOptions fewer;
  fewer.max_buffers = 95;
  auto e = decode_error([&] { unpack(buf, fewer); });
  EXPECT_EQ(e.offset(), 95u * 11);
  PackOptions capped;
  capped.max_output = 20;
  try {
    pack(views, capped);
    ADD_FAILURE() << "expected a limit error";
  } catch (const Error& err) {
    EXPECT_EQ(err.status(), EXMAPI_E_LIMIT);
  }
  UnpackOptions input_cap;
  input_cap.max_input = buf.size() - 1;
  EXPECT_THROW(unpack(buf, input_cap), Error);
}

// ---- hostile headers --------------------------------------------------------------------------

struct Hostile {
  const char* what;
  const char* hex;
  size_t offset;
  const char* path;
};

TEST(ExtendedBufferHostile, RejectedWithOffsetAndField) {
  const Hostile cases[] = {
      {"empty input", "", 0, "ExtendedBuffer[0].RPC_HEADER_EXT"},
      {"short header", "000004000100", 0, "ExtendedBuffer[0].RPC_HEADER_EXT"},
      {"bad version", "0100 0400 0100 0100 41", 0, "ExtendedBuffer[0].RPC_HEADER_EXT.Version"},
      {"unknown flag", "0000 0c00 0100 0100 41", 2, "ExtendedBuffer[0].RPC_HEADER_EXT.Flags"},
      {"Size > remaining", "0000 0400 0500 0500 4142", 8, "ExtendedBuffer[0].Payload"},
      {"uncompressed Size != SizeActual", "0000 0400 0100 0200 41", 6, "ExtendedBuffer[0].RPC_HEADER_EXT.SizeActual"},
      {"compressed Size >= SizeActual", "0000 0500 0400 0400 00000000", 4, "ExtendedBuffer[0].RPC_HEADER_EXT.Size"},
      {"SizeActual huge", "0000 0500 0400 ffff ffffffff", 6, "ExtendedBuffer[0].RPC_HEADER_EXT.SizeActual"},
      {"missing Last", "0000 0000 0100 0100 41", 9, "ExtendedBuffer[0].RPC_HEADER_EXT.Flags"},
      {"missing Last after two", "0000 0000 0100 0100 41 0000 0200 0100 0100 42", 18,
       "ExtendedBuffer[1].RPC_HEADER_EXT.Flags"},
      {"trailing garbage", "0000 0400 0100 0100 41 00", 9, "TrailingBytes"},
      {"second header bad", "0000 0000 0100 0100 41 0000 1400 0100 0100 42", 11,
       "ExtendedBuffer[1].RPC_HEADER_EXT.Flags"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    Bytes in = from_hex(c.hex);
    auto e = decode_error([&] { unpack(in); });
    EXPECT_EQ(e.offset(), c.offset) << e.what();
    EXPECT_EQ(e.path(), c.path) << e.what();
    EXPECT_THROW(unpack_concatenated(in), DecodeError);
  }
}

TEST(ExtendedBufferHostile, DecompressedSizeMustEqualSizeActual) {
  // MS-XCA 3.1 "abc" + match of 297 decodes to 300 bytes; claim 299 and 301.
  Bytes stream = from_hex("ffffff1f61626317000fff2601");
  for (uint16_t claim : {uint16_t{299}, uint16_t{301}, uint16_t{0x8000}}) {
    SCOPED_TRACE(claim);
    ByteWriter w;
    write_rpc_header_ext(w, {0, 0x0005, static_cast<uint16_t>(stream.size()), claim});
    w.bytes(stream);
    auto e = decode_error([&] { unpack(w.view()); });
    EXPECT_GE(e.offset(), 8u) << "offset counts from the start of the buffer: " << e.what();
    EXPECT_LE(e.offset(), 8u + stream.size()) << e.what();
    EXPECT_EQ(e.path().rfind("ExtendedBuffer[0].Payload", 0), 0u) << e.path();
  }
}

TEST(ExtendedBufferHostile, CorruptStreamOffsetIsRebasedIntoTheBuffer) {
  // Flags word says "match" first, but the match distance reaches before the output start.
  Bytes stream = from_hex("00000080 0800");
  ByteWriter w;
  write_rpc_header_ext(w, {0, 0x0004, 1, 1});
  w.u8(0x41);
  size_t second = w.size();
  write_rpc_header_ext(w, {0, 0x0005, static_cast<uint16_t>(stream.size()), 100});
  w.bytes(stream);
  Bytes buf = w.take();
  buf[2] = 0x00;  // first frame not Last
  auto e = decode_error([&] { unpack(buf); });
  EXPECT_GE(e.offset(), second + 8) << e.what();
  EXPECT_EQ(e.path().rfind("ExtendedBuffer[1].Payload", 0), 0u) << e.path();
}

// ---- C ABI ------------------------------------------------------------------------------------

TEST(ExtendedBufferCApi, PackUnpackPartsAndErrors) {
  Bytes a = compressible_payload(5000, 8), b = bytes_of("second");
  exmapi_payload_view views[] = {{a.data(), a.size()}, {b.data(), b.size()}};
  exmapi_buf packed{};
  ASSERT_EQ(exmapi_extended_buffer_pack_many(&packed, views, 2,
                                             EXMAPI_EXTENDED_BUFFER_COMPRESS | EXMAPI_EXTENDED_BUFFER_OBFUSCATE),
            EXMAPI_OK);
  Bytes buf(packed.data, packed.data + packed.size);
  exmapi_buf_dispose(&packed);
  EXPECT_EQ(unpack_payloads(buf), (std::vector<Bytes>{a, b}));

  exmapi_buf payload{};
  exmapi_extended_buffer_part parts[EXMAPI_EXTENDED_BUFFER_MAX_PARTS];
  size_t count = 0;
  ASSERT_EQ(exmapi_extended_buffer_unpack_parts(&payload, parts, EXMAPI_EXTENDED_BUFFER_MAX_PARTS, &count, buf.data(),
                                                buf.size()),
            EXMAPI_OK);
  ASSERT_EQ(count, 2u);
  EXPECT_EQ(parts[0].flags, EXMAPI_RPC_HEADER_EXT_COMPRESSED | EXMAPI_RPC_HEADER_EXT_XOR_MAGIC);
  EXPECT_EQ(parts[1].flags, EXMAPI_RPC_HEADER_EXT_XOR_MAGIC | EXMAPI_RPC_HEADER_EXT_LAST);
  EXPECT_EQ(parts[0].payload_offset, 0u);
  EXPECT_EQ(parts[0].payload_size, a.size());
  EXPECT_LT(parts[0].sent_size, a.size());
  EXPECT_EQ(parts[1].payload_offset, a.size());
  EXPECT_EQ(Bytes(payload.data + parts[1].payload_offset, payload.data + payload.size), b);
  exmapi_buf_dispose(&payload);

  EXPECT_EQ(exmapi_extended_buffer_unpack_parts(&payload, parts, 1, &count, buf.data(), buf.size()), EXMAPI_E_LIMIT);
  EXPECT_EQ(payload.data, nullptr);

  ASSERT_EQ(exmapi_extended_buffer_unpack(&payload, buf.data(), buf.size()), EXMAPI_OK);
  EXPECT_EQ(payload.size, a.size() + b.size());
  exmapi_buf_dispose(&payload);

  Bytes bad = from_hex("0000 0400 0500 0500 4142");
  EXPECT_EQ(exmapi_extended_buffer_unpack(&payload, bad.data(), bad.size()), EXMAPI_E_DECODE);
  EXPECT_EQ(exmapi_error_last()->offset, 8u);
  EXPECT_NE(std::string(exmapi_error_last()->message).find("ExtendedBuffer[0].Payload"), std::string::npos);

  exmapi_buf single{};
  ASSERT_EQ(exmapi_extended_buffer_pack(&single, "Hello", 5, EXMAPI_EXTENDED_BUFFER_OBFUSCATE), EXMAPI_OK);
  EXPECT_EQ(to_hex(ByteView(single.data, single.size)), "0000060005000500edc0c9c9ca");
  exmapi_buf_dispose(&single);
  EXPECT_EQ(exmapi_extended_buffer_pack(&single, "x", 1, 0x80), EXMAPI_E_INVALID_ARGUMENT);
  EXPECT_EQ(exmapi_extended_buffer_pack(&single, nullptr, 1, 0), EXMAPI_E_INVALID_ARGUMENT);
  Bytes too_big(EXMAPI_EXTENDED_BUFFER_MAX_PAYLOAD + 1);
  EXPECT_EQ(exmapi_extended_buffer_pack(&single, too_big.data(), too_big.size(), 0), EXMAPI_E_ENCODE);

  uint8_t x[3] = {0x00, 0x5A, 0xA5};
  EXPECT_EQ(exmapi_xor_magic(x, 3), EXMAPI_OK);
  EXPECT_EQ(to_hex(ByteView(x, 3)), "a5ff00");
}

}  // namespace
}  // namespace exmapi::wire
