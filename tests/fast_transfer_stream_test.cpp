// FastTransfer stream decoding (MS-OXCFXICS 2.2.4): a stream assembled by hand from the lexical
// grammar of 2.2.4.1, decoded whole, split at every byte position, fed byte by byte, and broken.
#include <gtest/gtest.h>

#include <algorithm>

#include "rop/fast_transfer_stream.hpp"
#include "test_support.hpp"

namespace exmapi::rop {
namespace {

using test::from_hex;
using test::to_hex;

Guid guid_of(std::string_view text) { return *Guid::parse(text); }

// One element of each lexical form, in the order a message stream could carry them.
const char* kStreamHex =
    "03000C40"                                          // StartMessage
    "1F003700 06000000 4800690000 00"                   // PidTagSubject "Hi" with its terminator
    "0300070E 01000000"                                 // PidTagMessageFlags 1
    "0B001B0E 0100"                                     // PidTagHasAttachments: PtypBoolean in 2 bytes
    "03000180 0820060000000000C000000000000046 00 01850000 0F000000"  // named, LID 0x8501 = 15
    "1F100280 2903020000000000C000000000000046 01 4B00 6500 7900 7700 6F00 7200 6400 7300 0000"
    "02000000 04000000 61000000 06000000 6200630000 00"  // named "Keywords", PtypMultipleString {a, bc}
    "0201FF0F 03000000 AABBCC"                          // PidTagEntryId, 3 bytes
    "03100468 02000000 01000000 02000000"               // a PtypMultipleInteger32 {1, 2}
    "FB000167 15000000 01 0100000000000A00 0100000000000B00 07000000"  // a PtypServerId
    "03001640 0D00120E"                                 // MetaTagFXDelProp PidTagMessageRecipients
    "03000340 1F000130 04000000 6100 0000 03000440"     // StartRecip, PidTagDisplayName "a", EndToRecip
    "B0840130 04000000 41000000"                        // a code-page string (0x84B0: code page 1200)
    "03001740 02000000 0102"                            // MetaTagIdsetGiven: binary under a PtypInteger32 tag
    "03000D40";                                         // EndMessage

std::vector<FxElement> expected_elements() {
  std::vector<FxElement> e;
  e.push_back(FxElement::marker(fx_marker::StartMessage));
  e.push_back(FxElement::property(0x0037001F, PropertyValue::string("Hi")));
  e.push_back(FxElement::property(0x0E070003, PropertyValue::int32(1)));
  e.push_back(FxElement::property(0x0E1B000B, PropertyValue::boolean(true)));
  FxNamedPropInfo lid{guid_of("{00062008-0000-0000-C000-000000000046}"), fx_name_kind::Dispid, 0x8501, ""};
  e.push_back(FxElement::property(0x80010003, PropertyValue::int32(15), lid));
  FxNamedPropInfo name{guid_of("{00020329-0000-0000-C000-000000000046}"), fx_name_kind::Name, 0, "Keywords"};
  e.push_back(FxElement::property(0x8002101F, PropertyValue::multiple_string({"a", "bc"}), name));
  e.push_back(FxElement::property(0x0FFF0102, PropertyValue::binary(from_hex("AABBCC"))));
  e.push_back(FxElement::property(0x68041003, PropertyValue::multiple_int32({1, 2})));
  ServerId sid;
  sid.ours = 1;
  sid.folder_id = 0x000A000000000001;
  sid.message_id = 0x000B000000000001;
  sid.instance = 7;
  e.push_back(FxElement::property(0x670100FB, PropertyValue::server_id(sid)));
  e.push_back(FxElement::property(fx_meta::FXDelProp, PropertyValue::int32(0x0E12000D)));
  e.push_back(FxElement::marker(fx_marker::StartRecip));
  e.push_back(FxElement::property(0x3001001F, PropertyValue::string("a")));
  e.push_back(FxElement::marker(fx_marker::EndToRecip));
  e.push_back(FxElement::property(0x300184B0, PropertyValue::string8(std::string("A\0\0\0", 4))));
  e.push_back(FxElement::property(fx_state::IdsetGiven, PropertyValue::binary(from_hex("0102"))));
  e.push_back(FxElement::marker(fx_marker::EndMessage));
  return e;
}

std::vector<FxElement> decode_in_parts(const Bytes& b, std::initializer_list<size_t> cuts) {
  FastTransferStreamDecoder d;
  std::vector<FxElement> out;
  size_t from = 0;
  auto feed = [&](size_t to) {
    for (FxElement& e : d.feed(ByteView(b).subspan(from, to - from))) out.push_back(std::move(e));
    from = to;
  };
  for (size_t c : cuts) feed(c);
  feed(b.size());
  d.finish();
  return out;
}

TEST(FastTransferStream, EveryLexicalForm) {
  Bytes b = from_hex(kStreamHex);
  std::vector<FxElement> got = decode_fast_transfer_stream(b);
  std::vector<FxElement> want = expected_elements();
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) EXPECT_EQ(got[i], want[i]) << i << ": " << describe(got[i]);
  EXPECT_EQ(got[0].kind, FxElementKind::Marker);
  EXPECT_EQ(got[9].kind, FxElementKind::MetaProperty);
  EXPECT_EQ(got[1].kind, FxElementKind::PropertyValue);
  // Offsets point at each element's first byte.
  EXPECT_EQ(got[0].offset, 0u);
  EXPECT_EQ(got[1].offset, 4u);
  EXPECT_EQ(got[2].offset, 4u + 14);
  // The encoder writes the same bytes back (strings with their terminators).
  EXPECT_EQ(to_hex(encode_fast_transfer_stream(want)), to_hex(b));
  EXPECT_EQ(describe(got[0]), "StartMessage");
  EXPECT_NE(describe(got[9]).find("MetaTagFXDelProp"), std::string::npos) << describe(got[9]);
}

TEST(FastTransferStream, SplitAtEveryPositionAndPair) {
  Bytes b = from_hex(kStreamHex);
  std::vector<FxElement> want = expected_elements();
  for (size_t i = 0; i <= b.size(); ++i) {
    ASSERT_EQ(decode_in_parts(b, {i}), want) << "split at " << i;
    for (size_t j = i; j <= b.size(); j += 7) ASSERT_EQ(decode_in_parts(b, {i, j}), want) << i << ", " << j;
  }
  // One byte per buffer, elements appearing exactly when their last byte arrives.
  FastTransferStreamDecoder d;
  std::vector<FxElement> got;
  for (size_t i = 0; i < b.size(); ++i) {
    std::vector<FxElement> part = d.feed(ByteView(b).subspan(i, 1));
    for (FxElement& e : part) got.push_back(std::move(e));
    EXPECT_EQ(d.at_element_boundary(), !part.empty()) << i;
  }
  d.finish();
  EXPECT_EQ(got, want);
}

TEST(FastTransferStream, StringsWithoutTerminatorAreKeptWhole) {
  // 2.2.4.1.3: the terminator is dropped only when the last bytes are zero.
  auto e = decode_fast_transfer_stream(from_hex("1F003700 04000000 48006900  1E001A00 02000000 4142"));
  EXPECT_EQ(e[0].value.as_string(), "Hi");
  EXPECT_EQ(e[1].value.as_string(), "AB");
  // Empty values and empty multi-valued properties.
  auto empty = decode_fast_transfer_stream(from_hex("0201FF0F 00000000 02110010 00000000"));
  EXPECT_TRUE(empty[0].value.as_binary().empty());
  EXPECT_EQ(empty[1].value.multiple_count(), 0u);
}

DecodeError stream_error(const Bytes& b, FastTransferStreamDecoder::Limits limits = {}) {
  try {
    decode_fast_transfer_stream(b, limits);
  } catch (const DecodeError& e) {
    return e;
  }
  ADD_FAILURE() << "decoded: " << to_hex(b);
  return DecodeError(0, "", "");
}

TEST(FastTransferStream, Malformed) {
  // A type with no FastTransfer form, after a good element: the offset is the bad tag's.
  DecodeError bad_type = stream_error(from_hex("03000C40 99000100"));
  EXPECT_EQ(bad_type.path(), "FastTransferStream.PropertyTag");
  EXPECT_EQ(bad_type.offset(), 4u);
  // PtypObject and the Null/Unspecified types: Object has a length form, the others none.
  EXPECT_EQ(decode_fast_transfer_stream(from_hex("0D000137 01000000 FF"))[0].value.as_binary(), from_hex("FF"));
  EXPECT_EQ(stream_error(from_hex("01000100")).path(), "FastTransferStream.PropertyTag");
  // A PropertyName kind other than LID or name.
  DecodeError kind = stream_error(from_hex("03000180 0820060000000000C000000000000046 02"));
  EXPECT_EQ(kind.path(), "FastTransferStream.PropertyName.Kind");
  // Lengths and counts beyond the limit fail before their bytes are awaited or stored.
  FastTransferStreamDecoder::Limits small{16};
  FastTransferStreamDecoder d(small);
  try {
    d.feed(from_hex("02010000 FFFFFF7F"));
    FAIL();
  } catch (const DecodeError& e) {
    EXPECT_EQ(e.path(), "FastTransferStream.Length");
    EXPECT_NE(std::string(e.what()).find("limit"), std::string::npos) << e.what();
  }
  // The decoder stays failed.
  EXPECT_THROW(d.feed(from_hex("03000C40")), DecodeError);
  EXPECT_THROW(d.finish(), DecodeError);
  EXPECT_EQ(stream_error(from_hex("03100000 05000000"), small).path(), "FastTransferStream.Count");
  EXPECT_EQ(stream_error(from_hex("02110000 01000000 11000000"), small).path(), "FastTransferStream.ElementLength");
  Bytes long_name = from_hex("03000180 0820060000000000C000000000000046 01");
  for (int i = 0; i < 9; ++i) long_name.insert(long_name.end(), {0x41, 0x00});
  EXPECT_EQ(stream_error(long_name, small).path(), "FastTransferStream.PropertyName.Name");
  // An odd UTF-16 length is reported at the value with the tag in the path.
  DecodeError odd = stream_error(from_hex("1F003700 03000000 480069"));
  EXPECT_EQ(odd.path(), "FastTransferStream.0x0037001F.PtypString");
  // A ServerId too short for its Ours byte.
  EXPECT_EQ(stream_error(from_hex("FB000167 00000000")).path(), "FastTransferStream.0x670100FB.Ours");
}

TEST(FastTransferStream, EndingInsideAnElement) {
  Bytes b = from_hex(kStreamHex);
  std::vector<size_t> boundaries;
  for (const FxElement& e : decode_fast_transfer_stream(b)) boundaries.push_back(e.offset);
  boundaries.push_back(b.size());
  // Every truncation either ends on an element boundary or fails in finish(), naming where the
  // unfinished element started.
  for (size_t n = 0; n <= b.size(); ++n) {
    size_t start = *(std::upper_bound(boundaries.begin(), boundaries.end(), n) - 1);
    FastTransferStreamDecoder d;
    d.feed(ByteView(b).first(n));
    if (start == n) {
      EXPECT_NO_THROW(d.finish()) << n;
      continue;
    }
    try {
      d.finish();
      ADD_FAILURE() << n;
    } catch (const DecodeError& e) {
      EXPECT_EQ(e.offset(), start) << n;
      EXPECT_NE(std::string(e.what()).find("ended inside"), std::string::npos) << e.what();
    }
  }
}

TEST(FastTransferStream, EncoderRefusesMismatches) {
  auto encode_one = [](FxElement e) { return encode_fast_transfer_stream(std::vector<FxElement>{std::move(e)}); };
  EXPECT_THROW(encode_one(FxElement::property(0x0037001F, PropertyValue::int32(1))), EncodeError);
  EXPECT_THROW(encode_one(FxElement::property(0x80010003, PropertyValue::int32(1))), EncodeError);
  EXPECT_THROW(encode_one(FxElement::marker(0x0037001F)), EncodeError);
  // A property whose tag equals a marker would read back as the marker.
  EXPECT_THROW(encode_one(FxElement::property(fx_marker::StartMessage, PropertyValue::int32(0))), EncodeError);
}

}  // namespace
}  // namespace exmapi::rop

namespace exmapi::rop {
namespace {

// The fuzz seeds of fuzz/corpus/fxs that are streams (byte 0 is the fuzzer's split seed) decode whole.
TEST(FastTransferStream, FuzzSeedsDecode) {
  for (const char* name : {"message_every_form.bin", "contents_sync.bin"}) {
    Bytes b = test::read_file(std::filesystem::path(EXMAPI_SOURCE_DIR) / "fuzz" / "corpus" / "fxs" / name);
    ASSERT_GT(b.size(), 1u) << name;
    std::vector<FxElement> e = decode_fast_transfer_stream(ByteView(b).subspan(1));
    EXPECT_GT(e.size(), 5u) << name;
  }
}

}  // namespace
}  // namespace exmapi::rop
