// Auxiliary blocks (MS-OXCRPC 2.2.2.2): for every block structure, bytes assembled by hand from the
// spec's field table decode to the expected fields and the fields encode back to exactly those
// bytes; the BG_/FG_ type variants; unknown blocks kept raw; hostile blocks; the rgbAux framing.
#include <exmapi/wire.h>

#include <string>

#include "test_support.hpp"
#include "wire/aux_blocks.hpp"

namespace exmapi::wire {
namespace {

using test::from_hex;
using test::to_hex;

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

// {00112233-4455-6677-8899-AABBCCDDEEFF}: Data1..Data3 little-endian on the wire (MS-DTYP 2.3.4.2).
const char* kGuidHex = "33221100 5544 7766 8899aabbccddeeff";
Guid test_guid() { return *Guid::parse("{00112233-4455-6677-8899-AABBCCDDEEFF}"); }

struct Case {
  const char* name;
  std::string hex;  // AUX_HEADER (Size, Version, Type) then the fields in table order
  AuxBlock block;
};

std::vector<Case> cases() {
  const std::string g = kGuidHex;
  std::vector<Case> v;

  // 2.2.2.2.1: SessionID, RequestID.
  v.push_back({"AUX_PERF_REQUESTID", "0800 01 01" "0201" "0403", {1, 0x01, AuxPerfRequestId{0x0102, 0x0304}}});

  // 2.2.2.2.4: 28 fixed bytes after the header, so variable data starts at offset 0x20.
  {
    AuxPerfClientInfo c;
    c.adapter_speed = 100000;
    c.client_id = 7;
    c.machine_name = "PC1";
    c.user_name = "bob";
    c.client_ip = Bytes{192, 168, 1, 10};
    c.client_ip_mask = Bytes{255, 255, 255, 0};
    c.adapter_name = "eth";
    c.mac_address = Bytes{0x00, 0x11, 0x22, 0x33, 0x44, 0x55};
    c.client_mode = kAuxClientModeCached;
    v.push_back({"AUX_PERF_CLIENTINFO",
                 "4600 01 02"
                 "a0860100"     // AdapterSpeed 100000
                 "0700"         // ClientID
                 "2000"         // MachineNameOffset
                 "2800"         // UserNameOffset
                 "0400 3000"    // ClientIPSize, ClientIPOffset
                 "0400 3400"    // ClientIPMaskSize, ClientIPMaskOffset
                 "3800"         // AdapterNameOffset
                 "0600 4000"    // MacAddressSize, MacAddressOffset
                 "0200"         // ClientMode CLIENTMODE_CACHED
                 "0000"         // Reserved
                 "5000430031000000"  // 0x20 "PC1"
                 "62006f0062000000"  // 0x28 "bob"
                 "c0a8010a"          // 0x30 192.168.1.10
                 "ffffff00"          // 0x34 255.255.255.0
                 "6500740068000000"  // 0x38 "eth"
                 "001122334455",     // 0x40 MAC
                 {1, 0x02, c}});
  }

  // 2.2.2.2.5: ServerID, ServerType, ServerDNOffset, ServerNameOffset; strings from 0x0C.
  v.push_back({"AUX_PERF_SERVERINFO",
               "1e00 01 03" "0100" "0100" "0c00" "1600"
               "2f006f003d0078000000"  // 0x0C "/o=x"
               "6500780031000000",     // 0x16 "ex1"
               {1, 0x03, AuxPerfServerInfo{1, kAuxServerTypePrivate, "/o=x", "ex1"}}});

  // 2.2.2.2.2 and 2.2.2.2.3.
  v.push_back({"AUX_PERF_SESSIONINFO", "1800 01 04" "0500" "0000" + g,
               {1, 0x04, AuxPerfSessionInfo{5, 0, test_guid()}}});
  v.push_back({"AUX_PERF_SESSIONINFO_V2", "1c00 02 04" "0500" "0000" + g + "78563412",
               {2, 0x04, AuxPerfSessionInfoV2{5, 0, test_guid(), 0x12345678}}});

  // 2.2.2.2.7: TimeSinceRequest, TimeToCompleteRequest, RequestID, Reserved.
  v.push_back({"AUX_PERF_DEFMDB_SUCCESS", "1000 01 05" "e8030000" "fa000000" "0900" "0000",
               {1, 0x05, AuxPerfDefMdbSuccess{1000, 250, 9, 0}}});
  // 2.2.2.2.8: ServerID, SessionID, TimeSinceRequest, TimeToCompleteRequest, RequestOperation, Reserved(3).
  v.push_back({"AUX_PERF_DEFGC_SUCCESS", "1400 01 06" "0200" "0500" "e8030000" "fa000000" "03" "000000",
               {1, 0x06, AuxPerfDefGcSuccess{2, 5, 1000, 250, 3, {}}}});
  // 2.2.2.2.9: ClientID, ServerID, SessionID, RequestID, TimeSinceRequest, TimeToCompleteRequest.
  v.push_back({"AUX_PERF_MDB_SUCCESS", "1400 01 07" "0100" "0200" "0500" "0900" "e8030000" "fa000000",
               {1, 0x07, AuxPerfMdbSuccess{1, 2, 5, 9, 1000, 250}}});
  // 2.2.2.2.10: ProcessID, ClientID, ServerID, SessionID, RequestID, Reserved, times.
  v.push_back({"AUX_PERF_MDB_SUCCESS_V2", "1800 02 07" "3412" "0100" "0200" "0500" "0900" "0000" "e8030000" "fa000000",
               {2, 0x07, AuxPerfMdbSuccessV2{0x1234, 1, 2, 5, 9, 0, 1000, 250}}});
  // 2.2.2.2.11: ClientID, ServerID, SessionID, Reserved_1, times, RequestOperation, Reserved_2(3).
  v.push_back({"AUX_PERF_GC_SUCCESS", "1800 01 08" "0100" "0200" "0500" "0000" "e8030000" "fa000000" "03" "000000",
               {1, 0x08, AuxPerfGcSuccess{1, 2, 5, 0, 1000, 250, 3, {}}}});
  // 2.2.2.2.12: ProcessID, ClientID, ServerID, SessionID, times, RequestOperation, Reserved(3).
  v.push_back({"AUX_PERF_GC_SUCCESS_V2", "1800 02 08" "3412" "0100" "0200" "0500" "e8030000" "fa000000" "03" "000000",
               {2, 0x08, AuxPerfGcSuccessV2{0x1234, 1, 2, 5, 1000, 250, 3, {}}}});
  // 2.2.2.2.13: ClientID, ServerID, SessionID, RequestID, TimeSinceRequest, TimeToFailRequest,
  // ResultCode, RequestOperation, Reserved(3).
  v.push_back({"AUX_PERF_FAILURE",
               "1c00 01 09" "0100" "0200" "0500" "0900" "e8030000" "fa000000" "15010480" "03" "000000",
               {1, 0x09, AuxPerfFailure{1, 2, 5, 9, 1000, 250, 0x80040115, 3, {}}}});
  // 2.2.2.2.14: ProcessID, ClientID, ServerID, SessionID, RequestID, Reserved_1, times, ResultCode,
  // RequestOperation, Reserved_2(3).
  v.push_back({"AUX_PERF_FAILURE_V2",
               "2000 02 09" "3412" "0100" "0200" "0500" "0900" "0000" "e8030000" "fa000000" "15010480" "03" "000000",
               {2, 0x09, AuxPerfFailureV2{0x1234, 1, 2, 5, 9, 0, 1000, 250, 0x80040115, 3, {}}}});
  // 2.2.2.2.15: EnableFlags (all five), ExpiryTime 604800000 ms = 0x240C8400.
  v.push_back({"AUX_CLIENT_CONTROL", "0c00 01 0a" "1f000000" "00840c24",
               {1, 0x0A, AuxClientControl{0x1F, 604800000}}});
  // 2.2.2.2.6: ProcessID, Reserved_1, ProcessGuid, ProcessNameOffset, Reserved_2; name at 0x1C.
  {
    AuxPerfProcessInfo p{0x1234, 0, test_guid(), "outlook.exe", 0};
    v.push_back({"AUX_PERF_PROCESSINFO",
                 "3400 01 0b" "3412" "0000" + g + "1c00" "0000" "6f00750074006c006f006f006b002e00650078006500" "0000",
                 {1, 0x0B, p}});
  }
  // 2.2.2.2.16: OSVersionInfoSize, Major, Minor, Build, Reserved1(132), SP major/minor, Reserved2.
  {
    AuxOsVersionInfo o;
    o.os_version_info_size = 0x9C;
    o.major_version = 10;
    o.minor_version = 0;
    o.build_number = 17763;
    o.service_pack_major = 1;
    o.service_pack_minor = 2;
    v.push_back({"AUX_OSVERSIONINFO",
                 "a000 01 16" "9c000000" "0a000000" "00000000" "63450000" + std::string(264, '0') + "0100" "0200" "00000000",
                 {1, 0x16, o}});
  }
  // 2.2.2.2.17 to 2.2.2.2.20.
  v.push_back({"AUX_EXORGINFO", "0800 01 17" "03000000", {1, 0x17, AuxExOrgInfo{3}}});
  v.push_back({"AUX_PERF_ACCOUNTINFO", "1800 01 18" "0700" "0000" + g, {1, 0x18, AuxPerfAccountInfo{7, 0, test_guid()}}});
  v.push_back({"AUX_SERVER_CAPABILITIES", "0800 01 46" "0b000000", {1, 0x46, AuxServerCapabilities{0x0B}}});
  v.push_back({"AUX_ENDPOINT_CAPABILITIES", "0800 01 48" "01000000", {1, 0x48, AuxEndpointCapabilities{1}}});
  // 2.2.2.2.21: ConnectionGUID, OffsetConnectionContextInfo, Reserved, ConnectionAttempts,
  // ConnectionFlags; string at 0x20.
  v.push_back({"AUX_CLIENT_CONNECTION_INFO",
               "2800 01 4a" + g + "2000" "0000" "03000000" "01000000" "6300740078000000",
               {1, 0x4A, AuxClientConnectionInfo{test_guid(), "ctx", 0, 3, kAuxConnectionFlagCachedMode}}});
  // 2.2.2.2.22: OffsetServerSessionContextInfo; string at 0x06.
  v.push_back({"AUX_SERVER_SESSION_INFO", "0e00 01 4b" "0600" "7300720076000000",
               {1, 0x4B, AuxServerSessionInfo{"srv"}}});
  // 2.2.2.2.23: five string offsets; serial number absent (offset 0), firmware version present but
  // empty (a bare terminator).
  v.push_back({"AUX_PROTOCOL_DEVICE_IDENTIFICATION",
               "2800 01 4e" "0e00" "1800" "0000" "1e00" "2600"
               "410063006d0065000000"  // 0x0E "Acme"
               "4d0031000000"          // 0x18 "M1"
               "31002e0030000000"      // 0x1E "1.0"
               "0000",                 // 0x26 ""
               {1, 0x4E, AuxProtocolDeviceIdentification{"Acme", "M1", std::nullopt, "1.0", ""}}});
  return v;
}

TEST(AuxBlocks, EveryStructureDecodesFromHandAssembledBytes) {
  for (const Case& c : cases()) {
    SCOPED_TRACE(c.name);
    Bytes bytes = from_hex(c.hex);
    ASSERT_EQ(bytes.size(), size_t(bytes[0] | bytes[1] << 8)) << "AUX_HEADER.Size of the test vector";
    auto blocks = decode_aux_blocks(bytes);
    ASSERT_EQ(blocks.size(), 1u);
    EXPECT_EQ(blocks[0], c.block);
    EXPECT_STREQ(aux_block_name(blocks[0].version, blocks[0].type), c.name);
  }
}

TEST(AuxBlocks, EveryStructureEncodesToTheSameBytesAndBack) {
  for (const Case& c : cases()) {
    SCOPED_TRACE(c.name);
    AuxBlock block = c.block;
    EXPECT_EQ(to_hex(encode_aux_blocks(std::span<const AuxBlock>(&block, 1))), to_hex(from_hex(c.hex)));
    EXPECT_EQ(make_aux_block(c.block.type, c.block.body), c.block) << "make_aux_block picks the version";
  }
  // All of them in one payload, as a client's rgbAuxIn carries several blocks.
  std::vector<AuxBlock> all;
  std::string hex;
  for (const Case& c : cases()) all.push_back(c.block), hex += c.hex;
  Bytes payload = encode_aux_blocks(all);
  EXPECT_EQ(to_hex(payload), to_hex(from_hex(hex)));
  EXPECT_EQ(decode_aux_blocks(payload), all);
}

TEST(AuxBlocks, BackgroundAndForegroundTypesShareTheirStructures) {
  // 2.2.2.2 type tables: BG_ (0x0C..0x10) and FG_ (0x11..0x15) use the plain types' structures.
  const struct {
    uint8_t version, plain, bg, fg;
  } families[] = {{1, 0x05, 0x0C, 0x11}, {1, 0x06, 0x0D, 0x12}, {1, 0x07, 0x0E, 0x13}, {1, 0x08, 0x0F, 0x14},
                  {1, 0x09, 0x10, 0x15}, {2, 0x07, 0x0E, 0x13}, {2, 0x08, 0x0F, 0x14}, {2, 0x09, 0x10, 0x15}};
  auto all = cases();
  for (const auto& f : families) {
    const Case* base = nullptr;
    for (const Case& c : all)
      if (c.block.version == f.version && c.block.type == f.plain) base = &c;
    ASSERT_NE(base, nullptr);
    for (uint8_t type : {f.bg, f.fg}) {
      SCOPED_TRACE(std::string(base->name) + " as type " + std::to_string(type));
      Bytes bytes = from_hex(base->hex);
      bytes[3] = type;
      auto blocks = decode_aux_blocks(bytes);
      ASSERT_EQ(blocks.size(), 1u);
      EXPECT_EQ(blocks[0].type, type);
      EXPECT_EQ(blocks[0].body, base->block.body);
      EXPECT_STREQ(aux_block_name(f.version, type), base->name);
      EXPECT_EQ(encode_aux_blocks(blocks), bytes);
    }
  }
  // AUX_PERF_PROCESSINFO is listed under both versions.
  EXPECT_STREQ(aux_block_name(2, 0x0B), "AUX_PERF_PROCESSINFO");
  // Types the version 2 table lacks.
  EXPECT_EQ(aux_block_name(2, 0x05), nullptr);
  EXPECT_EQ(aux_block_name(2, 0x02), nullptr);
}

TEST(AuxBlocks, UnknownBlocksAreKeptRaw) {
  // Version 1 type 0x49 is not in the spec's table; version 3 is no AUX_VERSION at all.
  Bytes bytes = from_hex("0900 01 49" "0100000041" "0600 03 01" "ffee" "0400 01 99");
  auto blocks = decode_aux_blocks(bytes);
  ASSERT_EQ(blocks.size(), 3u);
  EXPECT_EQ(blocks[0], (AuxBlock{1, 0x49, AuxUnknown{from_hex("0100000041")}}));
  EXPECT_EQ(blocks[1], (AuxBlock{3, 0x01, AuxUnknown{from_hex("ffee")}}));
  EXPECT_EQ(blocks[2], (AuxBlock{1, 0x99, AuxUnknown{}}));
  EXPECT_EQ(encode_aux_blocks(blocks), bytes);
  EXPECT_EQ(aux_block_name(1, 0x49), nullptr);
}

TEST(AuxBlocks, StringsAnywhereAfterTheFixedFieldsAreAccepted) {
  // ServerName before ServerDN, with a gap: decodes; re-encodes in the canonical layout.
  Bytes bytes = from_hex("2000 01 03" "0100" "0100" "1600" "0c00" "6500780031000000" "aaaa" "2f006f003d0078000000");
  auto blocks = decode_aux_blocks(bytes);
  ASSERT_EQ(blocks.size(), 1u);
  EXPECT_EQ(blocks[0].body, AuxBody(AuxPerfServerInfo{1, 1, "/o=x", "ex1"}));
  EXPECT_EQ(to_hex(encode_aux_blocks(blocks)),
            to_hex(from_hex("1e00 01 03" "0100" "0100" "0c00" "1600" "2f006f003d0078000000" "6500780031000000")));
}

struct Hostile {
  const char* what;
  const char* hex;
  size_t offset;
  const char* path;
};

TEST(AuxBlocks, HostileBlocksAreRejectedWithOffsetAndField) {
  const Hostile list[] = {
      {"truncated header", "0800 01", 0, "AuxBlock[0].AUX_HEADER"},
      {"Size below 4", "0300 01 01", 0, "AuxBlock[0].AUX_HEADER.Size"},
      {"Size beyond payload", "0900 01 01 02010403", 0, "AuxBlock[0].AUX_HEADER.Size"},
      {"fixed block too short", "0600 01 01 0201", 6, "AuxBlock[0].AUX_PERF_REQUESTID.RequestID"},
      {"fixed block too long", "0900 01 01 02010403 ff", 8, "AuxBlock[0].AUX_PERF_REQUESTID.TrailingBytes"},
      {"second block bad", "0800 01 01 02010403 0800 01 17 0300", 8, "AuxBlock[1].AUX_HEADER.Size"},
      {"offset into fixed fields", "0e00 01 4b 0200 7300720076000000", 4,
       "AuxBlock[0].AUX_SERVER_SESSION_INFO.OffsetServerSessionContextInfo"},
      {"offset past block", "0e00 01 4b 0e00 7300720076000000", 4,
       "AuxBlock[0].AUX_SERVER_SESSION_INFO.OffsetServerSessionContextInfo"},
      {"unterminated string", "0c00 01 4b 0600 730072007600", 6, "AuxBlock[0].AUX_SERVER_SESSION_INFO.ServerSessionContextInfo"},
      {"binary past block",
       "2400 01 02 a0860100 0700 0000 0000 0800 2000 0000 0000 0000 0000 0000 0200 0000 c0a8010a", 14,
       "AuxBlock[0].AUX_PERF_CLIENTINFO.ClientIPSize"},
      {"size without offset",
       "2000 01 02 a0860100 0700 0000 0000 0400 0000 0000 0000 0000 0000 0000 0200 0000", 14,
       "AuxBlock[0].AUX_PERF_CLIENTINFO.ClientIPSize"},
  };
  for (const auto& c : list) {
    SCOPED_TRACE(c.what);
    Bytes in = from_hex(c.hex);
    auto e = decode_error([&] { decode_aux_blocks(in); });
    EXPECT_EQ(e.offset(), c.offset) << e.what();
    EXPECT_EQ(e.path(), c.path) << e.what();
  }
}

TEST(AuxBlocks, EncodeRefusesBodiesThatDoNotFitTheType) {
  AuxBlock wrong{1, kAuxTypePerfMdbSuccess, AuxPerfFailure{}};
  EXPECT_THROW(encode_aux_blocks(std::span<const AuxBlock>(&wrong, 1)), EncodeError);
  AuxBlock raw_for_known{1, kAuxTypeExOrgInfo, AuxUnknown{Bytes{1, 0, 0, 0}}};
  EXPECT_THROW(encode_aux_blocks(std::span<const AuxBlock>(&raw_for_known, 1)), EncodeError);
  EXPECT_THROW(make_aux_block(kAuxTypePerfDefMdbSuccess, AuxPerfFailureV2{}), EncodeError);
  AuxServerSessionInfo huge{std::string(40000, 'x')};
  AuxBlock big = make_aux_block(kAuxTypeServerSessionInfo, huge);
  EXPECT_THROW(encode_aux_blocks(std::span<const AuxBlock>(&big, 1)), EncodeError);
}

TEST(AuxBuffer, FramedInOneHeaderFlaggedLast) {
  auto all = cases();
  std::vector<AuxBlock> blocks = {all[0].block, all[1].block, all[3].block};  // REQUESTID, CLIENTINFO, SESSIONINFO
  for (bool compress : {false, true})
    for (bool obfuscate : {false, true}) {
      SCOPED_TRACE(std::to_string(compress) + std::to_string(obfuscate));
      Bytes buf = encode_aux_buffer(blocks, PackOptions{compress, obfuscate});
      EXPECT_EQ(buf[2] & 0x04, 0x04);
      EXPECT_EQ(decode_aux_buffer(buf), blocks);
    }
  Bytes plain = encode_aux_buffer(blocks);
  EXPECT_EQ(to_hex(ByteView(plain).subspan(8)), to_hex(encode_aux_blocks(blocks)));
  EXPECT_TRUE(decode_aux_buffer({}).empty());  // cbAuxIn 0

  // Two extended buffers are not allowed in an auxiliary buffer.
  Bytes one = encode_aux_blocks(std::span<const AuxBlock>(blocks.data(), 1));
  std::vector<ByteView> two = {one, one};
  Bytes packed_two = pack(two);
  auto e = decode_error([&] { decode_aux_buffer(packed_two); });
  EXPECT_EQ(e.offset(), 16u) << e.what();

  // A block error inside the payload names the payload and the block.
  Bytes bad_payload = from_hex("0300 01 01");
  auto e2 = decode_error([&] { decode_aux_buffer(pack(bad_payload)); });
  EXPECT_EQ(e2.path(), "AuxPayload.AuxBlock[0].AUX_HEADER.Size");

  // Over 0x1008 bytes in all.
  std::vector<AuxBlock> many(600, all[0].block);
  EXPECT_THROW(encode_aux_buffer(many), Error);
  Bytes big = pack(encode_aux_blocks(many));
  ASSERT_GT(big.size(), kMaxAuxBuffer);
  EXPECT_THROW(decode_aux_buffer(big), Error);
}

TEST(AuxBuffer, CApiValidatesTheBlocks) {
  auto all = cases();
  std::vector<AuxBlock> blocks = {all[20].block, all[21].block};
  Bytes buf = encode_aux_buffer(blocks, PackOptions{true, true});
  exmapi_buf payload{};
  ASSERT_EQ(exmapi_aux_buffer_unpack(&payload, buf.data(), buf.size()), EXMAPI_OK);
  EXPECT_EQ(Bytes(payload.data, payload.data + payload.size), encode_aux_blocks(blocks));
  exmapi_buf_dispose(&payload);
  Bytes bad = pack(from_hex("0900 01 01 02010403"));
  EXPECT_EQ(exmapi_aux_buffer_unpack(&payload, bad.data(), bad.size()), EXMAPI_E_DECODE);
  EXPECT_EQ(payload.data, nullptr);
  EXPECT_EQ(exmapi_aux_buffer_unpack(&payload, nullptr, 0), EXMAPI_OK);
  EXPECT_EQ(payload.size, 0u);
  exmapi_buf_dispose(&payload);
}

}  // namespace
}  // namespace exmapi::wire
