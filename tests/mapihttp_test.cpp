// MS-OXCMAPIHTTP codec: header tables and identifiers, the streamed response (fed whole, byte by
// byte and split at every offset), generated round trips of every request and response body in
// every shape, malformed bodies (truncated at every offset, trailing bytes, bad HasValue/Flag
// bytes, over-limit counts), and the byte-exact vectors of tests/data/mapihttp.
#include <gtest/gtest.h>

#include <exmapi/mapihttp.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "mapihttp/bodies.hpp"
#include "rop/rop_buffer.hpp"
#include "test_support.hpp"
#include "wire/extended_buffer.hpp"

namespace exmapi::mapihttp {
namespace {

namespace fs = std::filesystem;
constexpr uint64_t kSeeds = 16;
// A failure StatusCode (any nonzero value selects the failure form).
constexpr uint32_t kFailure = 0x00000005;

std::string name(RequestType t) { return std::string(request_type_name(t)); }

// ---- framing ---------------------------------------------------------------------------------------------

TEST(MapiHttpFraming, RequestTypeNamesRoundTripAndMatchTheSpecTable) {
  EXPECT_EQ(all_request_types().size(), kRequestTypeCount);
  for (RequestType t : all_request_types()) {
    auto back = parse_request_type(request_type_name(t));
    ASSERT_TRUE(back) << name(t);
    EXPECT_EQ(*back, t);
  }
  EXPECT_EQ(request_type_name(RequestType::CompareMIds), "CompareMIds");
  EXPECT_EQ(request_type_name(RequestType::DNToMId), "DNToMId");
  EXPECT_EQ(request_type_name(RequestType::Ping), "PING");
  EXPECT_EQ(parse_request_type("ping"), RequestType::Ping);
  EXPECT_EQ(parse_request_type(" Execute "), RequestType::Execute);
  EXPECT_FALSE(parse_request_type("CompareMinIds"));
  EXPECT_FALSE(parse_request_type(""));
  EXPECT_EQ(request_type_endpoint(RequestType::NotificationWait), Endpoint::Mailbox);
  EXPECT_EQ(request_type_endpoint(RequestType::GetAddressBookUrl), Endpoint::AddressBook);
  EXPECT_EQ(request_type_endpoint(RequestType::Ping), Endpoint::Both);
  EXPECT_EQ(endpoint_path(Endpoint::AddressBook), "/mapi/nspi/");
}

TEST(MapiHttpFraming, ResponseCodesHaveTheSpecNamesAndMeanings) {
  EXPECT_STREQ(response_code_name(0), "Success");
  EXPECT_STREQ(response_code_name(6), "Invalid Context Cookie");
  EXPECT_STREQ(response_code_meaning(10), "The Session Context is not found.");
  EXPECT_STREQ(response_code_name(18), "Endpoint Shutting Down");
  EXPECT_EQ(response_code_name(19), nullptr);
  EXPECT_EQ(response_code_meaning(0xFFFFFFFF), nullptr);
  for (uint32_t c = 0; c <= kMaxResponseCode; ++c) EXPECT_NE(response_code_meaning(c), nullptr) << c;
  EXPECT_EQ(parse_decimal(" 12 "), 12u);
  EXPECT_FALSE(parse_decimal("-1"));
  EXPECT_FALSE(parse_decimal("1x"));
  EXPECT_FALSE(parse_decimal("99999999999999999999999"));
}

TEST(MapiHttpFraming, SequencedIdsAcceptBothSpecExamples) {
  // 2.2.3.3.2 writes the GUID bare, 2.2.3.3.4 in braces.
  auto a = parse_sequenced_id("E2EA6C1C-E61B-49E9-9CFB-38184F907552:123456");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->counter, 123456u);
  EXPECT_EQ(a->guid.to_string(), "{E2EA6C1C-E61B-49E9-9CFB-38184F907552}");
  auto b = parse_sequenced_id("{2EF33C39-49C8-421C-B876-CDF7F2AC3AA0}:123");
  ASSERT_TRUE(b);
  EXPECT_EQ(format_sequenced_id(*b), "{2EF33C39-49C8-421C-B876-CDF7F2AC3AA0}:123");
  for (std::string_view bad : {"", ":1", "{2EF33C39-49C8-421C-B876-CDF7F2AC3AA0}", "{2EF33C39-49C8-421C-B876-CDF7F2AC3AA0}:",
                               "{2EF33C39-49C8-421C-B876-CDF7F2AC3AA0}:x", "nonsense:12", "{2EF33C39-49C8-421C-B876}:1"})
    EXPECT_FALSE(parse_sequenced_id(bad)) << bad;
  RequestIdSequence seq(a->guid, 7);
  EXPECT_EQ(seq.next(), "{E2EA6C1C-E61B-49E9-9CFB-38184F907552}:7");
  EXPECT_EQ(seq.next(), "{E2EA6C1C-E61B-49E9-9CFB-38184F907552}:8");
  EXPECT_EQ(http_date(0), "Thu, 01 Jan 1970 00:00:00 GMT");
  EXPECT_EQ(http_date(1795763560), "Fri, 27 Nov 2026 07:12:40 GMT");
}

// ---- the response stream ---------------------------------------------------------------------------------

std::string stream_text(size_t pendings, std::string_view body) {
  std::string s = "PROCESSING\r\n";
  for (size_t i = 0; i < pendings; ++i) s += "PENDING\r\n";
  s += "DONE\r\nX-ElapsedTime: 12\r\nX-StartTime: Fri, 27 Nov 2026 07:12:40 GMT\r\n\r\n";
  s += body;
  return s;
}
ByteView view(const std::string& s) { return {reinterpret_cast<const uint8_t*>(s.data()), s.size()}; }

void expect_parsed(const ResponseStreamParser& p, size_t pendings, std::string_view body) {
  p.finish();
  EXPECT_EQ(p.pending_count(), pendings);
  ASSERT_EQ(p.headers().size(), 2u);
  EXPECT_EQ(p.header("x-elapsedtime"), "12");
  EXPECT_EQ(p.header(header::StartTime), "Fri, 27 Nov 2026 07:12:40 GMT");
  EXPECT_FALSE(p.header(header::ResponseCode));
  EXPECT_EQ(std::string(p.body().begin(), p.body().end()), body);
}

TEST(MapiHttpStream, ParsesWholeByteByByteAndSplitAnywhere) {
  std::string body("\x00\x00\x00\x00\x0d\x0a\xff binary", 15);
  std::string s = stream_text(3, body);
  {
    ResponseStreamParser p;
    std::vector<MetaTag> tags;
    p.on_meta_tag = [&](MetaTag t) { tags.push_back(t); };
    p.feed(view(s));
    expect_parsed(p, 3, body);
    EXPECT_EQ(tags, (std::vector<MetaTag>{MetaTag::Processing, MetaTag::Pending, MetaTag::Pending, MetaTag::Pending,
                                          MetaTag::Done}));
  }
  {
    ResponseStreamParser p;
    for (size_t i = 0; i < s.size(); ++i) {
      EXPECT_EQ(p.complete_headers(), i >= s.size() - body.size()) << i;
      p.feed(view(s).subspan(i, 1));
    }
    expect_parsed(p, 3, body);
  }
  for (size_t cut = 0; cut <= s.size(); ++cut) {
    ResponseStreamParser p;
    p.feed(view(s).first(cut));
    p.feed(view(s).subspan(cut));
    expect_parsed(p, 3, body);
  }
}

TEST(MapiHttpStream, WriterOutputParsesBack) {
  std::string out = response_stream_meta_tag(MetaTag::Processing) + response_stream_meta_tag(MetaTag::Pending);
  Bytes body = test::from_hex("00000000 00000000 0000000000000000 0000000000000000 00000000");
  std::vector<HeaderField> headers = timing_headers(12, 1795763560);
  Bytes final = response_stream_final(headers, body);
  out.append(final.begin(), final.end());
  EXPECT_EQ(out.substr(0, 27), "PROCESSING\r\nPENDING\r\nDONE\r\n");
  ResponseStreamParser p;
  p.feed(view(out));
  p.finish();
  EXPECT_EQ(p.pending_count(), 1u);
  EXPECT_EQ(p.headers(), headers);
  EXPECT_EQ(p.body(), body);
  EXPECT_THROW(response_stream_final(std::vector<HeaderField>{{"X-Bad Name", "1"}}, {}), EncodeError);
  EXPECT_THROW(response_stream_final(std::vector<HeaderField>{{"X-A", "1\r\nX-Injected: 2"}}, {}), EncodeError);
}

TEST(MapiHttpStream, LateFailureHeadersAndEmptyBody) {
  // 3.2.5.2: a failure after PROCESSING comes back as X-ResponseCode (and Content-Type) after DONE.
  std::string s = "PROCESSING\r\nDONE\r\nX-ResponseCode: 10\r\nContent-Type: text/html\r\n\r\n";
  ResponseStreamParser p;
  p.feed(view(s));
  p.finish();
  ASSERT_TRUE(p.header(header::ResponseCode));
  EXPECT_EQ(parse_decimal(*p.header(header::ResponseCode)), 10u);
  EXPECT_TRUE(p.body().empty());
}

void expect_stream_error(const std::string& s, size_t offset, std::string_view reason_part, bool at_finish = false,
                         ResponseStreamParser::Limits limits = {}) {
  ResponseStreamParser p(limits);
  try {
    p.feed(view(s));
    if (!at_finish) ADD_FAILURE() << "no error for " << test::to_hex(view(s));
    p.finish();
    ADD_FAILURE() << "finish() accepted " << s;
  } catch (const DecodeError& e) {
    EXPECT_EQ(e.offset(), offset) << e.what();
    EXPECT_NE(e.reason().find(reason_part), std::string::npos) << e.what();
  }
}

TEST(MapiHttpStream, MalformedStreamsFailWithTheirOffset) {
  expect_stream_error("PROCESSING\nDONE\r\n\r\n", 10, "LF without CR");
  expect_stream_error("PROCESSING\r\nPEND\r\n", 12, "expected a meta-tag");
  expect_stream_error("DONE\r\n\r\n", 0, "before PROCESSING");
  expect_stream_error("PENDING\r\n", 0, "before PROCESSING");
  expect_stream_error("PROCESSING\r\nPROCESSING\r\n", 12, "repeated");
  expect_stream_error("PROCESSING\rX", 10, "CR not followed by LF");
  expect_stream_error("PROCESSING\r\nDONE\r\nNoColonHere\r\n", 18, "without a colon");
  expect_stream_error("PROCESSING\r\nDONE\r\nBad Name: 1\r\n", 18, "not an HTTP token");
  expect_stream_error("PROCESSING\r\nPENDING\r\n", 21, "before the DONE", true);
  expect_stream_error("", 0, "before any meta-tag", true);
  expect_stream_error("PROCESSING\r\nDONE\r\nX-A: 1\r\n", 26, "inside the additional headers", true);
  ResponseStreamParser::Limits small;
  small.max_line = 16;
  expect_stream_error("PROCESSING\r\n" + std::string(40, 'P'), 12, "longer than 16", false, small);
  small = {};
  small.max_headers = 1;
  expect_stream_error("PROCESSING\r\nDONE\r\nA: 1\r\nB: 2\r\n", 24, "more than 1", false, small);
  small = {};
  small.max_body = 3;
  expect_stream_error("PROCESSING\r\nDONE\r\n\r\n1234", 20, "exceeds 3", false, small);
}

// ---- bodies: generated round trips -------------------------------------------------------------------------

template <class Body>
void expect_round_trip(const Body& body, const std::string& label) {
  Bytes bytes = visit([](const auto& b) { return encode_body(b); }, body);
  Body back = [&] {
    if constexpr (std::is_same_v<Body, RequestBody>)
      return decode_request(type_of(body), bytes);
    else
      return decode_response(type_of(body), bytes);
  }();
  ASSERT_TRUE(back == body) << label << ": " << to_json(body) << " vs " << to_json(back);
  Bytes again = visit([](const auto& b) { return encode_body(b); }, back);
  ASSERT_EQ(test::to_hex(again), test::to_hex(bytes)) << label;
  auto json = nlohmann::json::parse(to_json(back), nullptr, false);
  ASSERT_FALSE(json.is_discarded()) << to_json(back);
  EXPECT_EQ(json.at("RequestType").template get<std::string>(), name(type_of(body)));
}

TEST(MapiHttpBodies, EveryRequestRoundTrips) {
  for (RequestType t : all_request_types()) {
    if (!has_body(t)) continue;
    for (uint64_t seed = 0; seed < kSeeds; ++seed) expect_round_trip(sample_request(t, seed), name(t) + " seed " + std::to_string(seed));
  }
}

TEST(MapiHttpBodies, EveryResponseRoundTripsInSuccessAndFailureForm) {
  for (RequestType t : all_request_types()) {
    if (!has_body(t)) continue;
    for (uint64_t seed = 0; seed < kSeeds; ++seed) {
      expect_round_trip(sample_response(t, seed, 0), name(t) + " success seed " + std::to_string(seed));
      ResponseBody failure = sample_response(t, seed, kFailure);
      expect_round_trip(failure, name(t) + " failure seed " + std::to_string(seed));
      // The failure form is StatusCode, AuxiliaryBufferSize, AuxiliaryBuffer: nothing else.
      Bytes bytes = encode_response(failure);
      ByteReader r(bytes);
      EXPECT_EQ(r.u32("StatusCode"), kFailure);
      uint32_t aux = r.u32("AuxiliaryBufferSize");
      EXPECT_EQ(r.remaining(), aux) << name(t);
    }
  }
}

TEST(MapiHttpBodies, SamplesReachTheOptionalShapes) {
  // The generated values must exercise both sides of the HasX bytes, or the round trips prove little.
  size_t states = 0, no_states = 0, rows = 0, absent_values = 0, absent_elements = 0, flagged = 0;
  for (uint64_t seed = 0; seed < 64; ++seed) {
    auto g = get<GetPropsResponse>(sample_response(RequestType::GetProps, seed, 0));
    if (g.property_values)
      for (const AbTaggedValue& v : *g.property_values) {
        absent_values += !v.value.value;
        absent_elements += !v.value.absent_elements.empty();
      }
    auto q = get<QueryRowsResponse>(sample_response(RequestType::QueryRows, seed, 0));
    (q.state ? states : no_states)++;
    if (!q.columns_and_rows) continue;
    for (const AbRow& row : q.columns_and_rows->rows) {
      ++rows;
      flagged += row.flags;
    }
  }
  EXPECT_GT(states, 0u);
  EXPECT_GT(no_states, 0u);
  EXPECT_GT(rows, 0u);
  EXPECT_GT(flagged, 0u);
  EXPECT_GT(absent_values, 0u);
  EXPECT_GT(absent_elements, 0u);
}

// ---- bodies: hostile input ----------------------------------------------------------------------------------

template <class Decode>
void expect_every_truncation_fails(const Bytes& bytes, Decode&& decode, const std::string& label) {
  for (size_t n = 0; n < bytes.size(); ++n) {
    try {
      decode(ByteView(bytes).first(n));
      ADD_FAILURE() << label << ": " << n << " of " << bytes.size() << " bytes decoded";
    } catch (const DecodeError& e) {
      EXPECT_LE(e.offset(), n) << label << " cut at " << n << ": " << e.what();
    }
  }
  Bytes longer = bytes;
  longer.push_back(0);
  try {
    decode(longer);
    ADD_FAILURE() << label << ": a trailing byte was accepted";
  } catch (const DecodeError& e) {
    EXPECT_EQ(e.offset(), bytes.size()) << e.what();
  }
}

TEST(MapiHttpBodies, TruncatedAtEveryOffsetGivesADecodeError) {
  for (RequestType t : all_request_types()) {
    if (!has_body(t)) continue;
    for (uint64_t seed = 0; seed < 4; ++seed) {
      expect_every_truncation_fails(encode_request(sample_request(t, seed)),
                                    [&](ByteView b) { return decode_request(t, b); }, name(t) + " request");
      for (uint32_t status : {0u, kFailure})
        expect_every_truncation_fails(encode_response(sample_response(t, seed, status)),
                                      [&](ByteView b) { return decode_response(t, b); }, name(t) + " response");
    }
  }
}

TEST(MapiHttpBodies, PingHasNoBody) {
  EXPECT_FALSE(has_body(RequestType::Ping));
  try {
    decode_request(RequestType::Ping, {});
    ADD_FAILURE();
  } catch (const DecodeError&) {
    ADD_FAILURE() << "PING is a caller error, not a decode error";
  } catch (const Error& e) {
    EXPECT_EQ(e.status(), EXMAPI_E_INVALID_ARGUMENT);
  }
}

TEST(MapiHttpBodies, CountsAreCheckedBeforeAllocating) {
  // QueryRows with ExplicitTableCount 0xFFFFFFFF: over the spec's 100,000 limit.
  Bytes b = test::from_hex("00000000 00 ffffffff");
  try {
    decode_request(RequestType::QueryRows, b);
    ADD_FAILURE();
  } catch (const DecodeError& e) {
    EXPECT_EQ(e.offset(), 5u);
    EXPECT_NE(std::string(e.what()).find("ExplicitTableCount"), std::string::npos) << e.what();
  }
  // DNToMId with NameCount 100,000 but four bytes left: refused by the bytes left, not allocated.
  Bytes d = test::from_hex("00000000 ff a0860100 41 00 42 00");
  EXPECT_THROW(decode_request(RequestType::DNToMId, d), DecodeError);
  QueryRowsRequest big;
  big.explicit_table.assign(kMaxLargeCount + 1, 1);
  EXPECT_THROW(encode_body(big), EncodeError);
}

// ---- address book values --------------------------------------------------------------------------------

TEST(MapiHttpAbValues, HasValueIsStrictlyTrueOrFalse) {
  // GetProps response: StatusCode 0, ErrorCode 0, CodePage, HasPropertyValues, one PidTagDisplayName.
  std::string head = "00000000 00000000 e4040000 ff 01000000 1f000130";
  auto ok = get<GetPropsResponse>(decode_response(RequestType::GetProps, test::from_hex(head + " ff 4100 0000 00000000")));
  ASSERT_TRUE(ok.property_values);
  ASSERT_EQ(ok.property_values->size(), 1u);
  EXPECT_EQ((*ok.property_values)[0].value.value->as_string(), "A");
  auto absent = get<GetPropsResponse>(decode_response(RequestType::GetProps, test::from_hex(head + " 00 00000000")));
  EXPECT_FALSE((*absent.property_values)[0].value.value);
  try {
    decode_response(RequestType::GetProps, test::from_hex(head + " 01 4100 0000 00000000"));
    ADD_FAILURE();
  } catch (const DecodeError& e) {
    EXPECT_EQ(e.offset(), 21u);
    EXPECT_NE(std::string(e.what()).find("HasValue"), std::string::npos) << e.what();
  }
  // An Integer32 value has no HasValue byte and cannot be absent.
  AbTaggedValue v{0x39000003, {}};
  ByteWriter w;
  EXPECT_THROW(encode_ab_tagged_value(w, v), EncodeError);
}

TEST(MapiHttpAbValues, MultiValuedStringsCarryAHasValuePerElement) {
  // PidTagAddressBookProxyAddresses: HasValue, Count 3, then ["SMTP:a", absent, "b"].
  Bytes b = test::from_hex(
      "1f10 0f80 ff 03000000 ff 53004d0054005000 3a00 6100 0000 00 ff 6200 0000");
  ByteReader r(b);
  AbTaggedValue v = decode_ab_tagged_value(r);
  EXPECT_TRUE(r.empty());
  ASSERT_TRUE(v.value.value);
  EXPECT_EQ(v.value.value->as_multiple_string(), (std::vector<std::string>{"SMTP:a", "", "b"}));
  EXPECT_EQ(v.value.absent_elements, (std::vector<size_t>{1}));
  ByteWriter w;
  encode_ab_tagged_value(w, v);
  EXPECT_EQ(test::to_hex(w.view()), test::to_hex(b));
}

TEST(MapiHttpAbValues, RowsFollowFlagsAndColumnTypes) {
  // Columns: PidTagDisplayName (Unicode), an unspecified-type column, PidTagObjectType (Integer32).
  std::vector<PropTag> columns = {0x3001001F, 0x39FE0000, 0x0FFE0003};
  // Flags 1: Present "A"; WithType PtypString8 Absent; Error NotFound.
  Bytes flagged = test::from_hex("01  00 ff 4100 0000  1e00 01  0a 0f010480");
  ByteReader r(flagged);
  AbRow row = decode_ab_row(r, columns);
  EXPECT_TRUE(r.empty());
  ASSERT_EQ(row.cells.size(), 3u);
  EXPECT_EQ(row.cells[0].value.value->as_string(), "A");
  EXPECT_EQ(row.cells[1].type, rop::ptyp::String8);
  EXPECT_EQ(row.cells[1].flag, ValueFlag::Absent);
  EXPECT_EQ(row.cells[2].flag, ValueFlag::Error);
  EXPECT_EQ(row.cells[2].value.value->as_error_code(), 0x8004010Fu);
  ByteWriter w;
  encode_ab_row(w, row, columns);
  EXPECT_EQ(test::to_hex(w.view()), test::to_hex(flagged));
  // Flags 0: the unspecified column is an AddressBookTypedPropertyValue.
  Bytes plain = test::from_hex("00  ff 4100 0000  0300 07000000  06000000");
  ByteReader r2(plain);
  AbRow row2 = decode_ab_row(r2, columns);
  EXPECT_EQ(row2.cells[1].value.value->as_int32(), 7);
  EXPECT_EQ(row2.cells[2].value.value->as_int32(), 6);
  // Flags other than 0/1, Flag other than 0/1/0xA.
  Bytes bad_bytes = test::from_hex("02"), bad_flag_bytes = test::from_hex("01 05");
  ByteReader bad(bad_bytes);
  EXPECT_THROW(decode_ab_row(bad, columns), DecodeError);
  ByteReader bad_flag(bad_flag_bytes);
  try {
    decode_ab_row(bad_flag, columns);
    ADD_FAILURE();
  } catch (const DecodeError& e) {
    EXPECT_EQ(e.offset(), 1u);
  }
}

// ---- vectors ------------------------------------------------------------------------------------------------

fs::path vector_dir() { return fs::path(EXMAPI_SOURCE_DIR) / "tests" / "data" / "mapihttp"; }
nlohmann::json load_vector(const std::string& file) {
  std::ifstream in(vector_dir() / file);
  return nlohmann::json::parse(in);
}

Stat nspi_example_stat() {
  Stat s;
  s.code_page = 1252;
  s.template_locale = 0x409;
  s.sort_locale = 0x409;
  return s;
}

TEST(MapiHttpVectors, EveryVectorDecodesAndReencodesByteForByte) {
  size_t n = 0;
  for (auto& e : fs::directory_iterator(vector_dir())) {
    auto v = load_vector(e.path().filename().string());
    Bytes bytes = test::from_hex(v.at("hex").get<std::string>());
    ASSERT_EQ(bytes.size(), v.at("length").get<size_t>()) << e.path();
    auto type = parse_request_type(v.at("request_type").get<std::string>());
    ASSERT_TRUE(type) << e.path();
    std::string kind = v.at("kind");
    if (kind == "mapihttp_request") {
      EXPECT_EQ(test::to_hex(encode_request(decode_request(*type, bytes))), test::to_hex(bytes)) << e.path();
    } else if (kind == "mapihttp_response") {
      EXPECT_EQ(test::to_hex(encode_response(decode_response(*type, bytes))), test::to_hex(bytes)) << e.path();
    } else {
      ASSERT_EQ(kind, "mapihttp_response_stream");
      ResponseStreamParser p;
      for (uint8_t b : bytes) p.feed(ByteView(&b, 1));
      p.finish();
      EXPECT_EQ(test::to_hex(encode_response(decode_response(*type, p.body()))), test::to_hex(p.body()));
    }
    ++n;
  }
  EXPECT_EQ(n, 5u);
}

TEST(MapiHttpVectors, BindRequestCarriesTheNspiExampleStat) {
  auto v = load_vector("2_2_5_1_1_bind_request.json");
  auto body = decode_body<BindRequest>(test::from_hex(v.at("hex").get<std::string>()));
  EXPECT_EQ(body.flags, 0u);
  ASSERT_TRUE(body.state);
  EXPECT_EQ(*body.state, nspi_example_stat());
  EXPECT_TRUE(body.auxiliary_buffer.empty());
}

TEST(MapiHttpVectors, BindResponseCarriesTheNspiExampleServerGuid) {
  auto v = load_vector("2_2_5_1_2_bind_response.json");
  auto body = decode_body<BindResponse>(test::from_hex(v.at("hex").get<std::string>()));
  EXPECT_EQ(body.status_code, 0u);
  EXPECT_EQ(body.error_code, 0u);
  EXPECT_EQ(body.server_guid.to_string(), "{868BBCAB-3379-48C4-A1EF-1B53E63BDC46}");
}

TEST(MapiHttpVectors, GetSpecialTableRequestAsksForUnicodeStrings) {
  auto v = load_vector("2_2_5_8_1_getspecialtable_request.json");
  auto body = decode_body<GetSpecialTableRequest>(test::from_hex(v.at("hex").get<std::string>()));
  EXPECT_EQ(body.flags, 4u);
  EXPECT_EQ(body.state, nspi_example_stat());
  EXPECT_FALSE(body.version);
}

TEST(MapiHttpVectors, ExecuteRequestCarriesAFramedRopBuffer) {
  auto v = load_vector("2_2_4_2_1_execute_request.json");
  auto body = decode_body<ExecuteRequest>(test::from_hex(v.at("hex").get<std::string>()));
  EXPECT_EQ(body.flags, 3u);
  EXPECT_EQ(body.max_rop_out, 0x40000u);
  auto buffers = wire::unpack(body.rop_buffer);
  ASSERT_EQ(buffers.size(), 1u);
  EXPECT_EQ(buffers[0].header.flags, wire::kRpcExtLast);
  rop::RopRequestBuffer rops = rop::decode_request_buffer(buffers[0].payload);
  ASSERT_EQ(rops.rops.size(), 1u);
  auto* get_table = get_if<rop::RopGetContentsTable::Request>(&rops.rops[0]);
  ASSERT_NE(get_table, nullptr);
  EXPECT_EQ(get_table->output_handle_index, 1);
  EXPECT_EQ(rops.handles, (std::vector<uint32_t>{0x12}));
}

TEST(MapiHttpVectors, StreamVectorHasTheMetaTagsAndHeaders) {
  auto v = load_vector("2_2_7_response_stream_bind.json");
  Bytes bytes = test::from_hex(v.at("hex").get<std::string>());
  ResponseStreamParser p;
  p.feed(bytes);
  p.finish();
  EXPECT_EQ(p.pending_count(), 2u);
  EXPECT_EQ(p.header(header::ElapsedTime), "2");
  auto body = decode_body<BindResponse>(p.body());
  EXPECT_EQ(body.server_guid.to_string(), "{868BBCAB-3379-48C4-A1EF-1B53E63BDC46}");
}

}  // namespace
}  // namespace exmapi::mapihttp

namespace exmapi::mapihttp {
namespace {

// ---- the C ABI and `exmapi decode mapihttp-*` -----------------------------------------------------------------

TEST(MapiHttpCapi, DecodesABodyToJsonAndReportsBadBytes) {
  Bytes bind = test::from_hex(load_vector("2_2_5_1_2_bind_response.json").at("hex").get<std::string>());
  exmapi_buf out{nullptr, 0};
  ASSERT_EQ(exmapi_mapihttp_decode(&out, "bind", 1, bind.data(), bind.size()), EXMAPI_OK);
  auto json = nlohmann::json::parse(std::string(reinterpret_cast<const char*>(out.data), out.size));
  EXPECT_EQ(reinterpret_cast<const char*>(out.data)[out.size], '\0');
  exmapi_buf_dispose(&out);
  EXPECT_EQ(json.at("RequestType"), "Bind");
  EXPECT_EQ(json.at("Body"), "BindResponse");
  EXPECT_EQ(json.at("ServerGuid"), "{868BBCAB-3379-48C4-A1EF-1B53E63BDC46}");
  EXPECT_EQ(exmapi_mapihttp_decode(&out, "Bind", 1, bind.data(), bind.size() - 1), EXMAPI_E_DECODE);
  EXPECT_EQ(out.data, nullptr);
  EXPECT_EQ(exmapi_error_last()->offset, 24u);
  EXPECT_EQ(exmapi_mapihttp_decode(&out, "NoSuchType", 0, nullptr, 0), EXMAPI_E_INVALID_ARGUMENT);
  EXPECT_EQ(exmapi_mapihttp_decode(&out, "PING", 0, nullptr, 0), EXMAPI_E_INVALID_ARGUMENT);
}

TEST(MapiHttpCli, DecodeMapiHttpRequestAndResponse) {
  std::string hex = load_vector("2_2_5_1_1_bind_request.json").at("hex");
  auto r = test::run_command(test::cli_path() + " decode mapihttp-request --type Bind " + hex, "");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto json = nlohmann::json::parse(r.out);
  EXPECT_EQ(json.at("Body"), "BindRequest");
  EXPECT_EQ(json.at("State").at("CodePage"), 1252);
  auto bad = test::run_command(test::cli_path() + " decode mapihttp-response --type Bind 00000000", "");
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_NE(bad.err.find("offset"), std::string::npos) << bad.err;
  auto usage = test::run_command(test::cli_path() + " decode mapihttp-response 00", "");
  EXPECT_NE(usage.exit_code, 0);
  EXPECT_NE(usage.err.find("--type"), std::string::npos) << usage.err;
}

}  // namespace
}  // namespace exmapi::mapihttp
