// Hostile and broken ROP bytes: every failure is a DecodeError naming the offset and the field path,
// never a crash or a read past the end.
#include <gtest/gtest.h>

#include "rop/rop_buffer.hpp"
#include "test_support.hpp"

namespace exmapi::rop {
namespace {

using test::from_hex;

DecodeError request_buffer_error(const Bytes& b) {
  try {
    decode_request_buffer(b);
  } catch (const DecodeError& e) {
    return e;
  }
  ADD_FAILURE() << "decoded: " << test::to_hex(b);
  return DecodeError(0, "", "");
}

Bytes buffer_of(const Bytes& rops, const std::vector<uint32_t>& handles = {0}) {
  ByteWriter w;
  w.u16(static_cast<uint16_t>(rops.size() + 2));
  w.bytes(rops);
  for (uint32_t h : handles) w.u32(h);
  return w.take();
}

TEST(RopMalformed, PathNamesRopIndexRopAndElement) {
  // RopRelease, RopGetStatus, then a RopSetColumns claiming 3 tags with 1.5 present.
  Bytes rops = from_hex("01 00 00" "16 00 00" "12 00 00 00 0300 1400 4867 1400");
  Bytes b = buffer_of(rops);
  DecodeError e = request_buffer_error(b);
  EXPECT_EQ(e.path(), "RopsList[2].RopSetColumns.PropertyTags");
  // The count is checked before anything is allocated: 3 tags need 12 bytes, 6 are there.
  EXPECT_EQ(e.offset(), 2u + 6 + 6);
  EXPECT_NE(std::string(e.what()).find("count 3"), std::string::npos) << e.what();

  // Within the count, a short element names its index: two PropertyNames (at least 17 bytes each),
  // the second cut inside its LID.
  Bytes rops2 = from_hex("56 00 00 00 0200");
  Bytes name(21, 0);
  rops2.insert(rops2.end(), name.begin(), name.end());
  Bytes cut(19, 0);
  rops2.insert(rops2.end(), cut.begin(), cut.end());
  DecodeError e2 = request_buffer_error(buffer_of(rops2, {}));
  EXPECT_EQ(e2.path(), "RopsList[0].RopGetPropertyIdsFromNames.PropertyNames[1].LID") << e2.what();
  EXPECT_EQ(e2.offset(), 2u + 6 + 21 + 17);
}

TEST(RopMalformed, ReservedAndResponseOnlyRopIds) {
  DecodeError e = request_buffer_error(buffer_of(from_hex("28 00 00")));
  EXPECT_EQ(e.path(), "RopsList[0].RopId");
  EXPECT_EQ(e.offset(), 2u);
  EXPECT_NE(std::string(e.what()).find("reserved"), std::string::npos);
  DecodeError e2 = request_buffer_error(buffer_of(from_hex("16 00 00 6E 00 00")));
  EXPECT_EQ(e2.path(), "RopsList[1].RopId");
  EXPECT_EQ(e2.offset(), 5u);
  EXPECT_NE(std::string(e2.what()).find("RopPending (0x6E) has no request"), std::string::npos) << e2.what();
}

TEST(RopMalformed, BufferFraming) {
  EXPECT_EQ(request_buffer_error(from_hex("01 00")).path(), "RopSize");
  EXPECT_EQ(request_buffer_error(from_hex("09 00 16 00 00")).path(), "RopsList");
  DecodeError e = request_buffer_error(from_hex("05 00 16 00 00 01 02 03"));
  EXPECT_EQ(e.path(), "ServerObjectHandleTable");
  EXPECT_EQ(e.offset(), 5u);
}

TEST(RopMalformed, CountedStringsMustEndInTheirTerminator) {
  // RopLogon with EssdnSize 3 over "ab" and no NUL.
  Bytes rops = from_hex("FE 00 00 01 00000000 00000000 0300 61 62 63");
  DecodeError e = request_buffer_error(buffer_of(rops));
  EXPECT_EQ(e.path(), "RopsList[0].RopLogon.Essdn");
  EXPECT_EQ(e.offset(), 2u + 14);
  // A NUL before the end would make the string re-encode shorter.
  Bytes rops2 = from_hex("FE 00 00 01 00000000 00000000 0300 61 00 00");
  EXPECT_EQ(request_buffer_error(buffer_of(rops2)).offset(), 2u + 15);
}

TEST(RopMalformed, RestrictionMustFillItsSize) {
  // RopRestrict: RestrictionDataSize 6 holding an ExistRestriction (5 bytes) and one byte more.
  Bytes rops = from_hex("14 00 00 00 0600 08 1F003700 FF");
  DecodeError e = request_buffer_error(buffer_of(rops));
  EXPECT_EQ(e.path(), "RopsList[0].RopRestrict.RestrictionDataSize");
  EXPECT_NE(std::string(e.what()).find("trailing"), std::string::npos) << e.what();
  // Size larger than the bytes left.
  Bytes rops2 = from_hex("14 00 00 00 0900 08 1F003700");
  EXPECT_EQ(request_buffer_error(buffer_of(rops2)).path(), "RopsList[0].RopRestrict.RestrictionDataSize");
}

TEST(RopMalformed, PropertyNameKind) {
  // RopGetPropertyIdsFromNames with one PropertyName of Kind 0x02.
  Bytes rops = from_hex("56 00 00 00 0100 02 00000000000000000000000000000000");
  DecodeError e = request_buffer_error(buffer_of(rops));
  EXPECT_EQ(e.path(), "RopsList[0].RopGetPropertyIdsFromNames.PropertyNames[0].Kind");
  EXPECT_EQ(e.offset(), 2u + 6);
}

TEST(RopMalformed, ResponsesNeedTheirContextAndMatchTheirRequest) {
  Bytes resp = from_hex("07 00 00000000 00 0300");
  ByteReader r(resp);
  try {
    decode_response(r, nullptr);
    FAIL();
  } catch (const DecodeError& e) {
    EXPECT_EQ(e.path(), "RopGetPropertiesSpecific.RowData");
    EXPECT_EQ(e.offset(), 6u);
  }
  // A response whose RopId is not the next request's.
  RopRequestBuffer req;
  req.rops.push_back(RopGetStatus::Request{});
  Bytes b = buffer_of(from_hex("17 00 00000000 00000000 00000000"));
  try {
    decode_response_buffer(b, req);
    FAIL();
  } catch (const DecodeError& e) {
    EXPECT_EQ(e.path(), "RopsList[0].RopId");
    EXPECT_NE(std::string(e.what()).find("RopGetStatus"), std::string::npos) << e.what();
  }
}

// Every prefix of every sampled request and response either decodes or fails with an offset inside
// the bytes, never past them.
TEST(RopMalformed, EveryTruncationFailsCleanly) {
  for (const DescribedRop& d : described_rops()) {
    std::vector<Bytes> encodings;
    ResponseContext context = sample_context(5);
    if (d.request) {
      ByteWriter w;
      encode_request(w, sample_request(d.id, 5));
      encodings.push_back(w.take());
    }
    if (d.response) {
      ByteWriter w;
      encode_response(w, sample_response(d.id, 5, ec::Success, context));
      encodings.push_back(w.take());
    }
    for (size_t which = 0; which < encodings.size(); ++which) {
      const Bytes& full = encodings[which];
      bool request = d.request && which == 0;
      for (size_t len = 0; len < full.size(); ++len) {
        Bytes cut(full.begin(), full.begin() + len);
        ByteReader r(cut);
        try {
          if (request)
            decode_request(r, &context);
          else
            decode_response(r, &context);
          // RopBufferTooSmall's RequestBuffers runs to the end, so a prefix is still a response.
          EXPECT_EQ(d.id, RopId::BufferTooSmall) << rop_name(d.id) << " decoded from a " << len << "-byte prefix";
        } catch (const DecodeError& e) {
          EXPECT_LE(e.offset(), len) << rop_name(d.id);
          EXPECT_FALSE(e.path().empty()) << rop_name(d.id);
        }
      }
    }
  }
}

}  // namespace
}  // namespace exmapi::rop
