// Compressed RTF (MS-OXRTFCP): the spec examples, real Outlook streams, hostile input, interop with
// libpff's LZFu decoder (an independent implementation), the C ABI and the CLI.
#include <exmapi/rtf.h>
#include <zlib.h>

#include <algorithm>
#include <filesystem>
#include <optional>
#include <string>

#include "convert/compressed_rtf.hpp"
#include "rtf_corpus.hpp"
#include "test_support.hpp"

// libpff.h needs libbfio.h, which is not installed; declare the two functions we use. The error type
// is libpff's opaque libpff_error_t (an intptr_t in libpff/error.h).
using libpff_error_t = intptr_t;
extern "C" void libpff_error_free(libpff_error_t** error);

// libpff exports its internal LZFu decoder without a public header. In Debian's libpff 20180714 the
// output buffer comes first (checked against the library: the other order fails on every stream).
extern "C" int libfmapi_lzfu_decompress(uint8_t* uncompressed_data, size_t* uncompressed_data_size,
                                        const uint8_t* compressed_data, size_t compressed_data_size,
                                        libpff_error_t** error);

namespace exmapi {
namespace {

using test::from_hex;
using test::to_hex;

Bytes bytes_of(std::string_view s) { return Bytes(s.begin(), s.end()); }

// MS-OXRTFCP 2.1.3.1.2, the initial dictionary, as test input.
constexpr std::string_view kRtfPresetForTests =
    "{\\rtf1\\ansi\\mac\\deff0\\deftab720{\\fonttbl;}{\\f0\\fnil \\froman \\fswiss \\fmodern \\fscript "
    "\\fdecor MS Sans SerifSymbolArialTimes New RomanCourier{\\colortbl\\red0\\green0\\blue0\r\n\\par "
    "\\pard\\plain\\f0\\fs20\\b\\i\\u\\tab\\tx";

// libpff decodes until the input ends, so the end marker comes out as 2 extra bytes: it needs
// RAWSIZE + 2 bytes of room, and only the first RAWSIZE are the RTF.
std::optional<Bytes> libpff_decompress(ByteView stream) {
  if (stream.size() < 16) return std::nullopt;
  uint32_t raw = detail::load_le<uint32_t>(stream.data() + 4);
  Bytes out(size_t{raw} + 64);
  size_t size = out.size();
  libpff_error_t* error = nullptr;
  if (libfmapi_lzfu_decompress(out.data(), &size, stream.data(), stream.size(), &error) != 1) {
    libpff_error_free(&error);
    return std::nullopt;
  }
  if (size < raw) return std::nullopt;
  out.resize(raw);
  return out;
}

// A stream around `contents` with a correct COMPSIZE and CRC, for hand-built token sequences.
Bytes make_stream(ByteView contents, uint32_t raw_size, uint32_t comp_type = rtf::kCompTypeCompressed) {
  ByteWriter w;
  w.u32(static_cast<uint32_t>(contents.size() + 12));
  w.u32(raw_size);
  w.u32(comp_type);
  w.u32(comp_type == rtf::kCompTypeCompressed ? rtf::crc32(contents) : 0);
  w.bytes(contents);
  return w.take();
}

template <class Fn>
DecodeError decode_error(Fn&& fn) {
  try {
    fn();
  } catch (const DecodeError& e) {
    return e;
  } catch (const Error& e) {
    ADD_FAILURE() << "expected a DecodeError, got: " << e.message();
    return DecodeError(kNoOffset, "none", "other error");
  }
  ADD_FAILURE() << "expected a DecodeError";
  return DecodeError(kNoOffset, "none", "no error");
}

std::filesystem::path msg_rtf_dir() { return test::shared_dir() / "vectors" / "msg" / "rtf"; }

std::vector<std::filesystem::path> lzfu_files() {
  std::vector<std::filesystem::path> files;
  for (auto& e : std::filesystem::directory_iterator(msg_rtf_dir()))
    if (e.path().extension() == ".lzfu") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  return files;
}

// ---- spec examples ---------------------------------------------------------------------------

TEST(CompressedRtfVectors, DecodeToTheSpecTextAndExampleOneIsReproducedByteForByte) {
  auto vectors = test::vectors_of_kind("rtf_compressed");
  ASSERT_EQ(vectors.size(), 2u) << "the two MS-OXRTFCP section 4 examples are missing";
  for (const auto& [name, v] : vectors) {
    SCOPED_TRACE(name);
    Bytes stream = from_hex(v.at("hex").get<std::string>());
    Bytes expected = bytes_of(v.at("expected_output").get<std::string>());
    EXPECT_EQ(rtf::decompress(stream), expected);
    rtf::Header h = rtf::read_header(stream);
    EXPECT_EQ(h.crc, rtf::crc32(ByteView(stream).subspan(16)));
    EXPECT_EQ(h.raw_size, expected.size());
    // Both examples show the compressor's own output (MS-OXRTFCP 4.1.1 and 4.2.1 "compressing"):
    // the 2.3.3.2.1 match choice reproduces them, including example 2's reference that reads bytes
    // it is itself writing.
    EXPECT_EQ(to_hex(rtf::compress(expected)), to_hex(stream));
    auto peer = libpff_decompress(stream);
    ASSERT_TRUE(peer.has_value());
    EXPECT_EQ(*peer, expected) << "libpff disagrees with the spec example";
  }
}

TEST(CompressedRtfCrc, IsCrc32FromZeroWithoutFinalInversion) {
  // Independent check against zlib: zlib inverts on entry and exit, so starting it from ~0 and
  // inverting its result gives the spec's CRC.
  Bytes data = bytes_of(test::rtf_corpus::native_document(7, 5000));
  for (size_t len : {0, 1, 7, 8, 9, 63, 4999}) {
    ByteView part(data.data(), len);
    uint32_t z = ~static_cast<uint32_t>(::crc32(0xFFFFFFFFul, part.data(), static_cast<uInt>(len)));
    EXPECT_EQ(rtf::crc32(part), z) << len;
  }
  // Continuation over split buffers.
  EXPECT_EQ(rtf::crc32(ByteView(data).subspan(100), rtf::crc32(ByteView(data).first(100))), rtf::crc32(data));
}

// ---- real Outlook streams --------------------------------------------------------------------

TEST(CompressedRtfOutlook, EveryStreamDecodesToItsRtfAndRoundTripsThroughLibpff) {
  auto files = lzfu_files();
  ASSERT_EQ(files.size(), 28u) << "msg/rtf should hold 28 LZFu streams (INDEX.md)";
  for (const auto& lzfu : files) {
    SCOPED_TRACE(lzfu.filename().string());
    Bytes stream = test::read_file(lzfu);
    auto rtf_path = lzfu;
    rtf_path.replace_extension(".rtf");
    Bytes expected = test::read_file(rtf_path);
    Bytes ours = rtf::decompress(stream);
    EXPECT_EQ(ours, expected);
    Bytes into(expected.size() + 5);
    EXPECT_EQ(rtf::decompress_into(stream, into), expected.size());
    EXPECT_TRUE(std::equal(expected.begin(), expected.end(), into.begin()));

    Bytes again = rtf::compress(ours);
    EXPECT_EQ(rtf::decompress(again), expected);
    auto peer = libpff_decompress(again);
    ASSERT_TRUE(peer.has_value()) << "libpff rejects our compression";
    EXPECT_EQ(*peer, expected);
    // Outlook's own encoder is no more than a few percent better or worse than ours.
    EXPECT_LT(again.size(), stream.size() * 11 / 10);
  }
}

// ---- generated documents through libpff ------------------------------------------------------

TEST(CompressedRtfInterop, GeneratedDocumentsDecodeIdenticallyWithLibpff) {
  namespace corpus = test::rtf_corpus;
  std::vector<std::string> docs;
  for (uint64_t seed = 1; seed <= 6; ++seed) {
    docs.push_back(corpus::native_document(seed, 2000 * seed * seed));
    docs.push_back(corpus::html_document(seed, 3000 * seed * seed));
  }
  docs.push_back(corpus::native_document(99, 300000));  // many trips around the 4096-byte ring
  docs.push_back(std::string(50000, 'a'));               // distance-1 references, the overlap case
  docs.push_back("{\\rtf1 " + std::string(5000, ' ') + "WXYZ" + std::string(9000, '\\') + "}");
  docs.push_back("");
  docs.push_back("x");
  docs.push_back(std::string(kRtfPresetForTests));  // the preset itself: one long chain of references
  for (const auto& doc : docs) {
    SCOPED_TRACE("document of " + std::to_string(doc.size()) + " bytes");
    Bytes text = bytes_of(doc);
    Bytes stream = rtf::compress(text);
    EXPECT_EQ(rtf::decompress(stream), text);
    auto peer = libpff_decompress(stream);
    ASSERT_TRUE(peer.has_value()) << "libpff rejects our compression";
    EXPECT_EQ(*peer, text);
    if (text.size() > 1000 && doc[0] == '{') {
      EXPECT_LT(stream.size(), text.size() / 2) << "RTF compresses well";
    }

    Bytes mela = rtf::compress(text, rtf::Form::uncompressed);
    EXPECT_EQ(mela.size(), text.size() + 16);
    EXPECT_EQ(rtf::read_header(mela).comp_type, rtf::kCompTypeUncompressed);
    EXPECT_EQ(rtf::read_header(mela).crc, 0u);
    EXPECT_EQ(rtf::decompress(mela), text);
  }
}

TEST(CompressedRtfInterop, LibpffDoesNotDecodeMela) {
  // libpff 20180714 accepts the MELA signature but then checks the CRC and runs its LZFu loop over
  // the raw bytes; MELA's CRC field is 0 by the spec, so libpff rejects every MELA stream with
  // nonempty contents. MELA interop therefore rests on our own tests above, not on libpff.
  Bytes text = bytes_of(test::rtf_corpus::native_document(3, 4000));
  Bytes mela = rtf::compress(text, rtf::Form::uncompressed);
  EXPECT_FALSE(libpff_decompress(mela).has_value()) << "libpff decodes MELA after all; use it as a peer here";
  EXPECT_EQ(rtf::decompress(mela), text);
}

// ---- hand-built streams ----------------------------------------------------------------------

TEST(CompressedRtfStreams, ReferenceIntoTheUnwrittenRingReadsZerosAsLibpffDoes) {
  // Control 0x03: reference to ring offset 0x300 (never written: zeros), length 5; then the end
  // marker at write offset 207 + 5 = 212 = 0xD4.
  Bytes stream = make_stream(from_hex("03 3003 0d40"), 5);
  EXPECT_EQ(rtf::decompress(stream), Bytes(5, 0));
  EXPECT_EQ(libpff_decompress(stream), Bytes(5, 0));
}

TEST(CompressedRtfStreams, ReferenceRunningFromThePresetIntoTheOutput) {
  // Literal 'A' at ring 207; reference offset 205 ("tx"... the preset ends "\\tx") length 6 reads
  // "x", then 'A' just written, then the bytes it writes itself.
  Bytes stream = make_stream(from_hex("06 41 0cd4 0d60"), 7);
  Bytes ours = rtf::decompress(stream);
  EXPECT_EQ(ours, bytes_of("Atx" "Atx" "A"));
  EXPECT_EQ(libpff_decompress(stream), ours);
}

TEST(CompressedRtfStreams, RunsOfEightLongReferencesEndingExactlyAtRawSize) {
  // Found by fuzz_rtf_decompress: after 8 references of 17 bytes the unchecked path wrote 8 bytes
  // past the output (caught by the ASan build). Three such runs fill RAWSIZE exactly; offset 0
  // copies the preset and then the output itself.
  Bytes contents;
  for (int run = 0; run < 3; ++run) {
    Bytes r = from_hex("ff 000f 000f 000f 000f 000f 000f 000f 000f");
    contents.insert(contents.end(), r.begin(), r.end());
  }
  const unsigned end_word = ((207 + 408) & 4095) << 4;
  contents.push_back(0x01);
  contents.push_back(static_cast<uint8_t>(end_word >> 8));
  contents.push_back(static_cast<uint8_t>(end_word));
  Bytes stream = make_stream(contents, 408);
  Bytes ours = rtf::decompress(stream);
  ASSERT_EQ(ours.size(), 408u);
  EXPECT_EQ(libpff_decompress(stream), ours);
  EXPECT_EQ(Bytes(ours.begin(), ours.begin() + 17), bytes_of(kRtfPresetForTests.substr(0, 17)));
}

TEST(CompressedRtfStreams, PaddingAfterTheEndMarkerIsIgnored) {
  Bytes stream = make_stream(from_hex("02 41 0d00 ffff"), 1);
  EXPECT_EQ(rtf::decompress(stream), bytes_of("A"));
}

TEST(CompressedRtfStreams, InputEndingExactlyAtRawSizeWithoutEndMarkerIsAccepted) {
  EXPECT_EQ(rtf::decompress(make_stream(from_hex("00 41 42"), 2)), bytes_of("AB"));
  EXPECT_EQ(rtf::decompress(make_stream({}, 0)), Bytes{});
}

// ---- hostile input ---------------------------------------------------------------------------

TEST(CompressedRtfHostile, HeaderFieldsAreChecked) {
  EXPECT_EQ(decode_error([] { rtf::decompress(from_hex("2d000000 2b000000 4c5a")); }).path(), "CompressedRtf.COMPTYPE");
  EXPECT_EQ(decode_error([] { rtf::decompress(from_hex("0c000000 00000000 41424344 00000000")); }).path(),
            "CompressedRtf.COMPTYPE");
  auto e = decode_error([] { rtf::decompress(from_hex("0d000000 00000000 4c5a4675 00000000")); });
  EXPECT_EQ(e.path(), "CompressedRtf.COMPSIZE");
  EXPECT_NE(e.message().find("0 follow"), std::string::npos) << e.message();
  EXPECT_EQ(decode_error([] { rtf::decompress(from_hex("0b000000 00000000 4c5a4675 00000000")); }).path(),
            "CompressedRtf.COMPSIZE");
}

TEST(CompressedRtfHostile, CrcMismatchIsAChecksumError) {
  Bytes stream = rtf::compress(bytes_of("{\\rtf1 hello}"));
  stream[20] ^= 1;
  try {
    rtf::decompress(stream);
    FAIL() << "accepted a corrupted stream";
  } catch (const DecodeError&) {
    FAIL() << "a CRC mismatch is not a decode error";
  } catch (const Error& e) {
    EXPECT_EQ(e.status(), EXMAPI_E_CHECKSUM);
    EXPECT_NE(e.message().find("CRC"), std::string::npos);
  }
}

TEST(CompressedRtfHostile, HugeRawSizeIsRejectedBeforeAllocating) {
  Bytes stream = make_stream(from_hex("01 0cf0"), 0xFFFFFFF0u);
  auto e = decode_error([&] { rtf::decompress(stream); });
  EXPECT_EQ(e.path(), "CompressedRtf.RAWSIZE");
  EXPECT_EQ(e.offset(), 4u);
  // Just at the bound: a control byte and 8 maximal references can give 136 bytes from 17.
  Bytes max_run = from_hex("ff 000f 000f 000f 000f 000f 000f 000f 000f");
  Bytes at_bound = make_stream(max_run, 136);
  EXPECT_EQ(rtf::decompress(at_bound).size(), 136u);
  EXPECT_EQ(decode_error([&] { rtf::decompress(make_stream(max_run, 137)); }).path(), "CompressedRtf.RAWSIZE");
}

TEST(CompressedRtfHostile, OutputNeverGoesPastRawSize) {
  // Literal 'A', 'B' with RAWSIZE 1.
  auto e = decode_error([] { rtf::decompress(make_stream(from_hex("00 41 42"), 1)); });
  EXPECT_EQ(e.path(), "CompressedRtf.CONTENTS.LITERAL");
  EXPECT_EQ(e.offset(), 18u);
  // A 17-byte reference with RAWSIZE 10.
  e = decode_error([] { rtf::decompress(make_stream(from_hex("01 000f 0d90"), 10)); });
  EXPECT_EQ(e.path(), "CompressedRtf.CONTENTS.REFERENCE");
  EXPECT_EQ(e.offset(), 17u);
  // Also in the middle of a long stream (the unchecked fast path must hand over in time).
  Bytes big = rtf::compress(bytes_of(test::rtf_corpus::native_document(5, 20000)));
  uint32_t raw = rtf::read_header(big).raw_size;
  Bytes shortened = make_stream(ByteView(big).subspan(16), raw - 100);
  e = decode_error([&] { rtf::decompress(shortened); });
  EXPECT_NE(e.message().find("past RAWSIZE"), std::string::npos) << e.message();
}

TEST(CompressedRtfHostile, EarlyEndMarkerAndMissingEndMarkerAreErrors) {
  auto e = decode_error([] { rtf::decompress(make_stream(from_hex("02 41 0d00"), 5)); });
  EXPECT_EQ(e.path(), "CompressedRtf.CONTENTS.REFERENCE");
  EXPECT_EQ(e.offset(), 18u);
  EXPECT_NE(e.message().find("RAWSIZE is 5"), std::string::npos) << e.message();
  e = decode_error([] { rtf::decompress(make_stream(from_hex("00 41 42"), 5)); });
  EXPECT_EQ(e.path(), "CompressedRtf.CONTENTS");
  EXPECT_EQ(e.offset(), 19u);
  // A reference cut in half.
  e = decode_error([] { rtf::decompress(make_stream(from_hex("02 41 0d"), 5)); });
  EXPECT_EQ(e.path(), "CompressedRtf.CONTENTS.REFERENCE");
  EXPECT_EQ(e.offset(), 18u);
}

TEST(CompressedRtfHostile, EveryTruncationAndByteFlipFailsCleanly) {
  Bytes good = rtf::compress(bytes_of(test::rtf_corpus::html_document(11, 6000)));
  Bytes text = rtf::decompress(good);
  ByteView contents = ByteView(good).subspan(16);
  uint32_t raw = rtf::read_header(good).raw_size;
  // Cut anywhere: an error, except where only the end marker is lost after all RAWSIZE bytes
  // (accepted by design), and then the text must be complete.
  size_t errors = 0;
  for (size_t cut = 0; cut < contents.size(); cut += 7) {
    Bytes s = make_stream(contents.first(cut), raw);
    try {
      EXPECT_EQ(rtf::decompress(s), text) << cut;
    } catch (const DecodeError&) {
      ++errors;
    }
  }
  EXPECT_GE(errors + 1, (contents.size() + 6) / 7);
  // Flipped bits with the CRC fixed up: either a clean error or some output of exactly RAWSIZE.
  for (size_t at = 0; at < contents.size(); at += 5) {
    Bytes c(contents.begin(), contents.end());
    c[at] ^= static_cast<uint8_t>(1u << (at % 8));
    Bytes s = make_stream(c, raw);
    try {
      EXPECT_EQ(rtf::decompress(s).size(), raw);
    } catch (const DecodeError&) {
    }
  }
}

// ---- C ABI -----------------------------------------------------------------------------------

TEST(CompressedRtfCApi, CompressDecompressWrapAndErrors) {
  std::string text = test::rtf_corpus::native_document(21, 9000);
  exmapi_buf packed{nullptr, 0};
  ASSERT_EQ(exmapi_rtf_compress(&packed, text.data(), text.size()), EXMAPI_OK);
  exmapi_buf plain{nullptr, 0};
  ASSERT_EQ(exmapi_rtf_decompress(&plain, packed.data, packed.size), EXMAPI_OK);
  EXPECT_EQ(std::string(reinterpret_cast<char*>(plain.data), plain.size), text);
  exmapi_buf_dispose(&plain);

  exmapi_buf mela{nullptr, 0};
  ASSERT_EQ(exmapi_rtf_wrap_uncompressed(&mela, text.data(), text.size()), EXMAPI_OK);
  ASSERT_EQ(mela.size, text.size() + 16);
  EXPECT_EQ(std::string(reinterpret_cast<char*>(mela.data) + 8, 4), "MELA");
  ASSERT_EQ(exmapi_rtf_decompress(&plain, mela.data, mela.size), EXMAPI_OK);
  EXPECT_EQ(std::string(reinterpret_cast<char*>(plain.data), plain.size), text);
  exmapi_buf_dispose(&plain);
  exmapi_buf_dispose(&mela);

  packed.data[packed.size - 1] ^= 0x40;  // CRC mismatch
  EXPECT_EQ(exmapi_rtf_decompress(&plain, packed.data, packed.size), EXMAPI_E_CHECKSUM);
  EXPECT_EQ(plain.data, nullptr);
  EXPECT_NE(std::string(exmapi_error_last()->message).find("CRC"), std::string::npos);
  exmapi_buf_dispose(&packed);

  Bytes early = make_stream(from_hex("02 41 0d00"), 5);
  EXPECT_EQ(exmapi_rtf_decompress(&plain, early.data(), early.size()), EXMAPI_E_DECODE);
  EXPECT_EQ(exmapi_error_last()->offset, 18u);

  EXPECT_EQ(exmapi_rtf_decompress(nullptr, early.data(), early.size()), EXMAPI_E_INVALID_ARGUMENT);
  EXPECT_EQ(exmapi_rtf_decompress(&plain, nullptr, 5), EXMAPI_E_INVALID_ARGUMENT);
  ASSERT_EQ(exmapi_rtf_compress(&packed, nullptr, 0), EXMAPI_OK);
  EXPECT_EQ(packed.size, 19u);  // header, a control byte and the end marker
  exmapi_buf_dispose(&packed);
}

// ---- CLI -------------------------------------------------------------------------------------

TEST(CompressedRtfCli, CodecRtfDecompressesReportsOffsetsAndCrc) {
  auto lzfu = msg_rtf_dir() / "note_plain_ansi.lzfu";
  auto expected = test::read_file(msg_rtf_dir() / "note_plain_ansi.rtf");
  Bytes stream = test::read_file(lzfu);
  auto r = test::run_command(test::cli_path() + " codec rtf decompress", std::string(stream.begin(), stream.end()));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, std::string(expected.begin(), expected.end()));

  r = test::run_command(test::cli_path() + " codec rtf compress", std::string(expected.begin(), expected.end()));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(rtf::decompress(bytes_of(r.out)), expected);

  Bytes corrupt = make_stream(from_hex("02 41 0d00"), 5);
  r = test::run_command(test::cli_path() + " codec rtf decompress", std::string(corrupt.begin(), corrupt.end()));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("offset 18"), std::string::npos) << r.err;

  stream[40] ^= 0x10;
  r = test::run_command(test::cli_path() + " codec rtf decompress", std::string(stream.begin(), stream.end()));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("CRC"), std::string::npos) << r.err;
  EXPECT_TRUE(r.out.empty());
}

}  // namespace
}  // namespace exmapi
