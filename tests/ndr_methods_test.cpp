// Every NDR method stub round-trips through our own encoder and decoder (the ones impacket also
// checks are in ndr_impacket_test.cpp), plus byte layouts worked out by hand from the IDL for the
// EMSMDB and RFR calls, which have no peer here.
#include <gtest/gtest.h>

#include "ndr/ndr_methods.hpp"
#include "test_support.hpp"

using namespace exmapi;
using namespace exmapi::ndr;
using exmapi::test::from_hex;

namespace {

template <class T>
void round_trip(const T& v) {
  Bytes b = encode_stub(v);
  T d = decode_stub<T>(b);
  EXPECT_EQ(d, v) << T::kName;
  EXPECT_EQ(encode_stub(d), b) << T::kName;
}

template <class Methods, size_t... I>
void defaults_round_trip(std::index_sequence<I...>) {
  ((round_trip(typename std::tuple_element_t<I, Methods>::Request{}),
    round_trip(typename std::tuple_element_t<I, Methods>::Response{})),
   ...);
}

TEST(NdrMethods, EveryStubRoundTripsWithDefaultValues) {
  defaults_round_trip<NspiMethods>(std::make_index_sequence<std::tuple_size_v<NspiMethods>>{});
  defaults_round_trip<EmsmdbMethods>(std::make_index_sequence<std::tuple_size_v<EmsmdbMethods>>{});
  // RfrGetFQDNFromServerDN's cbMailboxServerDN has a lower bound of 10: no default value encodes.
  round_trip(rfr::RfrGetNewDSA::Request{});
  round_trip(rfr::RfrGetNewDSA::Response{});
  round_trip(rfr::RfrGetFQDNFromServerDN::Response{});
  EXPECT_THROW(encode_stub(rfr::RfrGetFQDNFromServerDN::Request{}), EncodeError);
}

ContextHandle handle(uint8_t first) {
  ContextHandle h;
  h.attributes = 0;
  for (uint8_t i = 0; i < 16; ++i) h.uuid.bytes[i] = static_cast<uint8_t>(first + i);
  return h;
}

TEST(NdrMethods, NspiStubsWithValuesRoundTrip) {
  using namespace nspi;
  PropertyValue guid{0x8C730048, 0, Guid{}};
  PropertyValue mvguid{0x8C741048, 0, std::vector<Guid>{Guid{}, Guid{}}};
  PropertyValue mvi{0x8C751002, 0, std::vector<int16_t>{1, -1, 3}};
  PropertyValue mvft{0x8C761040, 0, std::vector<FileTime>{FileTime::from(1), FileTime::from(~0ull)}};
  PropertyValue null{0x00000001, 0, int32_t{0}};
  PropertyValue table{0x8C77000D, 0, int32_t{0}};
  PropertyValue err{0x3001000A, 0, int32_t{int32_t(0x8004010F)}};
  PropertyRow row{0, {guid, mvguid, mvi, mvft, null, table, err}};

  NspiSeekEntries::Request seek;
  seek.handle = handle(1);
  seek.target = PropertyValue{0x3001001F, 0, std::string("m")};
  seek.explicit_table = PropertyTagArray{{1, 2}};
  round_trip(seek);
  NspiSeekEntries::Response seek_resp;
  seek_resp.rows = PropertyRowSet{{row}};
  round_trip(seek_resp);

  NspiResortRestriction::Request resort;
  resort.in_mids = PropertyTagArray{{9, 8, 7}};
  resort.out_mids = PropertyTagArray{};
  round_trip(resort);

  NspiModProps::Request mod;
  mod.row = row;
  mod.prop_tags = PropertyTagArray{{0x8C730048}};
  round_trip(mod);

  NspiModLinkAtt::Request link;
  link.entry_ids.values = {Bytes{0x87, 0, 0, 0}, Bytes{}, Bytes{1}};
  round_trip(link);

  NspiGetNamesFromIDs::Request names;
  names.guid = Guid{};
  names.prop_tags = PropertyTagArray{{0x80000003}};
  round_trip(names);
  NspiGetNamesFromIDs::Response names_resp;
  names_resp.returned_tags = PropertyTagArray{{0x80000003}};
  names_resp.names = PropertyNameSet{{PropertyName{Guid{}, 0, 0x8005}, PropertyName{std::nullopt, 1, -1}}};
  round_trip(names_resp);

  NspiGetIDsFromNames::Request ids;
  ids.names = {PropertyName{Guid{}, 0, 1}, PropertyName{std::nullopt, 0, 2}};
  round_trip(ids);

  NspiResolveNames::Request resolve;
  resolve.names.strings = {"a", "bc"};
  round_trip(resolve);

  // Every restriction arm, nested.
  Restriction leaf_prop;
  leaf_prop.rt = kResProperty;
  leaf_prop.op = 4;
  leaf_prop.prop_tag = 0x3A000003;
  leaf_prop.prop = PropertyValue{0x3A000003, 0, int32_t{2}};
  std::vector<Restriction> leaves{leaf_prop};
  for (uint32_t rt : {kResCompareProps, kResBitMask, kResSize, kResExist}) {
    Restriction r;
    r.rt = rt;
    r.op = 1;
    r.prop_tag = 0x3001001F;
    r.operand = 5;
    leaves.push_back(r);
  }
  Restriction sub;
  sub.rt = kResSub;
  sub.op = 0x0E12000D;
  sub.children = {leaf_prop};
  Restriction negation;
  negation.rt = kResNot;
  negation.children = {sub};
  Restriction empty_not;
  empty_not.rt = kResNot;
  Restriction any;
  any.rt = kResOr;
  any.children = leaves;
  any.children.push_back(negation);
  any.children.push_back(empty_not);
  NspiGetMatches::Request matches;
  matches.filter = any;
  matches.prop_name = PropertyName{Guid{}, 0, 7};
  round_trip(matches);
}

TEST(NdrMethods, EcDoRpcExt2Layout) {
  emsmdb::EcDoRpcExt2::Request req;
  req.cxh = handle(0x10);
  req.flags = 3;
  req.in = {0xAA, 0xBB, 0xCC};
  req.out_size = 0x40000;
  req.aux_in = {};
  req.aux_out_size = 0x1008;
  Bytes b = encode_stub(req);
  EXPECT_EQ(b, from_hex("00000000 101112131415161718191a1b1c1d1e1f 03000000"
                        "03000000 aabbcc 00 03000000 00000400"  // rgbIn max_count, bytes, pad, cbIn, pcbOut
                        "00000000 00000000 08100000"));          // rgbAuxIn max_count, cbAuxIn, pcbAuxOut
  EXPECT_EQ(decode_stub<emsmdb::EcDoRpcExt2::Request>(b), req);
  Bytes bad = b;
  bad[32] = 2;  // cbIn disagrees with rgbIn's max_count
  EXPECT_THROW(decode_stub<emsmdb::EcDoRpcExt2::Request>(bad), DecodeError);
  bad = b;
  bad[38] = 5;  // pcbOut above BIG_RANGE_ULONG
  EXPECT_THROW(decode_stub<emsmdb::EcDoRpcExt2::Request>(bad), DecodeError);

  emsmdb::EcDoRpcExt2::Response resp;
  resp.cxh = req.cxh;
  resp.out = {1, 2};
  resp.aux_out = {};
  resp.trans_time = 9;
  Bytes r = encode_stub(resp);
  EXPECT_EQ(r, from_hex("00000000 101112131415161718191a1b1c1d1e1f 00000000"
                        "02000000 00000000 02000000 0102 0000 02000000"  // rgbOut (cv), pad, pcbOut
                        "00000000 00000000 00000000 00000000"            // rgbAuxOut (cv), pcbAuxOut
                        "09000000 00000000"));
  EXPECT_EQ(decode_stub<emsmdb::EcDoRpcExt2::Response>(r), resp);
  Bytes bad_actual = r;
  bad_actual[32] = 1;  // actual_count disagrees with max_count
  EXPECT_THROW(decode_stub<emsmdb::EcDoRpcExt2::Response>(bad_actual), DecodeError);
}

TEST(NdrMethods, EcDoConnectExLayout) {
  emsmdb::EcDoConnectEx::Request req;
  req.user_dn = "/o=a";
  req.cpid = 1252;
  req.client_version = {0x000C, 0x1234, 0x5678};
  req.aux_in = {0x10, 0x00};
  req.aux_out_size = 0x1008;
  Bytes b = encode_stub(req);
  EXPECT_EQ(b, from_hex("05000000 00000000 05000000 2f6f3d6100 000000"  // szUserDN, pad
                        "00000000 00000000 00000000 e4040000 00000000 00000000 00000000"
                        "0000 0c00 3412 7856"          // usFCanConvertCodePages, rgwClientVersion
                        "00000000"                     // pulTimeStamp
                        "02000000 1000 0000 02000000"  // rgbAuxIn, pad, cbAuxIn
                        "08100000"));
  EXPECT_EQ(decode_stub<emsmdb::EcDoConnectEx::Request>(b), req);

  emsmdb::EcDoConnectEx::Response resp;
  resp.cxh = handle(0x20);
  resp.polls_max = 60000;
  resp.icxr = 7;
  resp.dn_prefix = "/o=a/";
  resp.display_name = std::nullopt;
  resp.server_version = {15, 1, 2};
  resp.aux_out = {1, 2, 3, 4, 5};
  round_trip(resp);
}

TEST(NdrMethods, RfrLayouts) {
  rfr::RfrGetNewDSA::Request req;
  req.user_dn = "/o=u";
  req.unused = std::optional<std::string>{};
  req.server = std::optional<std::string>{"srv"};
  Bytes b = encode_stub(req);
  EXPECT_EQ(b, from_hex("00000000 05000000 00000000 05000000 2f6f3d7500 000000"
                        "00000200 00000000"                                    // ppszUnused -> NULL string
                        "04000200 08000200 04000000 00000000 04000000 73727600"));  // ppszServer -> "srv"
  EXPECT_EQ(decode_stub<rfr::RfrGetNewDSA::Request>(b), req);

  rfr::RfrGetFQDNFromServerDN::Request fq;
  fq.server_dn_size = 16;
  fq.server_dn = "/o=a/cn=s";
  Bytes f = encode_stub(fq);
  EXPECT_EQ(f, from_hex("00000000 10000000 10000000 00000000 0a000000 2f6f3d612f636e3d7300"));
  EXPECT_EQ(decode_stub<rfr::RfrGetFQDNFromServerDN::Request>(f), fq);
  Bytes bad = f;
  bad[8] = 0x11;  // max_count must be cbMailboxServerDN
  EXPECT_THROW(decode_stub<rfr::RfrGetFQDNFromServerDN::Request>(bad), DecodeError);

  rfr::RfrGetFQDNFromServerDN::Response resp;
  resp.server_fqdn = "mail.example.org";
  round_trip(resp);
}

TEST(NdrMethods, EntryIds) {
  nspi::EphemeralEntryId e;
  e.provider_uid = nspi::kGuidNspi;
  e.display_type = 0;
  e.mid = 0x1234;
  Bytes b = e.encode();
  ASSERT_EQ(b.size(), 32u);
  EXPECT_EQ(b[0], 0x87);
  EXPECT_EQ(nspi::EphemeralEntryId::decode(b), e);
  b.push_back(0);
  EXPECT_THROW(nspi::EphemeralEntryId::decode(b), DecodeError);

  nspi::PermanentEntryId p;
  p.provider_uid = nspi::kGuidNspi;
  p.distinguished_name = "/o=Org/cn=alice";
  Bytes pb = p.encode();
  EXPECT_EQ(pb.size(), 28u + p.distinguished_name.size() + 1);
  EXPECT_EQ(Bytes(pb.begin() + 4, pb.begin() + 20),
            from_hex("dca740c8c042101ab4b908002b2fe182"));  // GUID_NSPI in wire order
  EXPECT_EQ(nspi::PermanentEntryId::decode(pb), p);
  pb[0] = 0x87;
  EXPECT_THROW(nspi::PermanentEntryId::decode(pb), DecodeError);
}

}  // namespace
