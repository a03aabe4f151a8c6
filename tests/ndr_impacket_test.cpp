// NDR interop with impacket, an NDR implementation no one here wrote (tests/peers/impacket_ndr.py).
// Each case builds the same values on both sides: impacket's stub must decode here to our values,
// and our stub must parse in impacket to its values and re-marshal there to the very same bytes.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <memory>

#include "ndr/nspi_methods.hpp"
#include "test_support.hpp"

using namespace exmapi;
using namespace exmapi::ndr;
using namespace exmapi::ndr::nspi;

namespace {

const char* kPeer = EXMAPI_SOURCE_DIR "/tests/peers/impacket_ndr.py";

std::string run(const std::string& cmd, int* status) {
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return out;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
  *status = pclose(p);
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

bool impacket_present() {
  int status = 0;
  run("/usr/bin/python3 -c 'import impacket.dcerpc.v5.nspi' 2>/dev/null", &status);
  return status == 0;
}

std::string to_hex(ByteView b) {
  static const char* d = "0123456789abcdef";
  std::string s;
  for (uint8_t x : b) s += d[x >> 4], s += d[x & 15];
  return s;
}

Bytes impacket_encode(const std::string& name) {
  int status = 0;
  std::string out = run(std::string("/usr/bin/python3 ") + kPeer + " encode " + name + " 2>&1", &status);
  EXPECT_EQ(status, 0) << out;
  return test::from_hex(out);
}

void expect_impacket_accepts(const std::string& name, ByteView ours) {
  int status = 0;
  std::string out = run(std::string("/usr/bin/python3 ") + kPeer + " check " + name + " " + to_hex(ours) + " 2>&1", &status);
  EXPECT_EQ(status, 0) << out;
  EXPECT_EQ(out, "OK") << name;
}

template <class T>
void interop(const std::string& name, const T& ours) {
  Bytes theirs = impacket_encode(name);
  ASSERT_FALSE(theirs.empty());
  T decoded;
  try {
    decoded = decode_stub<T>(theirs);
  } catch (const DecodeError& e) {
    FAIL() << name << ": " << e.what();
  }
  EXPECT_EQ(decoded, ours) << name;
  expect_impacket_accepts(name, encode_stub(ours));
}

#define REQUIRE_IMPACKET() \
  if (!impacket_present()) FAIL() << "/usr/bin/python3 cannot import impacket (python3-impacket; scripts/install-deps.sh installs it)"

const Guid kServerGuid = [] {
  Guid g;
  for (uint8_t i = 0; i < 16; ++i) g.bytes[i] = i;
  return g;
}();
const ContextHandle kHandle = [] {
  ContextHandle h;
  for (uint8_t i = 0; i < 16; ++i) h.uuid.bytes[i] = 0x10 + i;
  return h;
}();

Stat stat(uint32_t current_rec = 0, int32_t delta = 0) {
  Stat s;
  s.container_id = 0x1234;
  s.current_rec = current_rec;
  s.delta = delta;
  s.num_pos = 3;
  s.total_recs = 40;
  s.code_page = 1252;
  s.template_locale = s.sort_locale = 0x409;
  return s;
}

Bytes range(uint8_t from, uint8_t to) {
  Bytes b;
  for (unsigned i = from; i < to; ++i) b.push_back(static_cast<uint8_t>(i));
  return b;
}

// The same rows as ROWS in impacket_ndr.py.
std::vector<PropertyRow> rows() {
  using S = std::vector<std::string>;
  PropertyRow a{0,
                {{0x3001001F, 0, std::string("Alice \xC3\x9Cnicode")},
                 {0x3003001E, 0, std::string("alice@example.org")},
                 {0x39000003, 0, int32_t{0}},
                 {0x0FFF0102, 0, range(1, 33)},
                 {0x3A40000B, 0, uint16_t{1}},
                 {0x3A4D0002, 0, int16_t{-2}},
                 {0x8C6A101F, 0, S{"smtp:a@x", "SMTP:b@y"}},
                 {0x80081003, 0, std::vector<int32_t>{7, -8, 9}},
                 {0x30070040, 0, FileTime::from(0x01D9F00DCAFEBABEull)},
                 {0x800F101E, 0, S{"X500:/o=a", "x"}},
                 {0x8C6D1102, 0, std::vector<Bytes>{{1, 2}, {3}}}}};
  PropertyRow b{0,
                {{0x3001001F, 0, std::string("Bob")},
                 {0x3003001E, 0, std::string("bob@example.org")},
                 {0x39000003, 0, int32_t{6}},
                 {0x0FFF0102, 0, Bytes{}},
                 {0x3A40000B, 0, uint16_t{0}},
                 {0x3A4D0002, 0, int16_t{300}},
                 {0x8C6A101F, 0, S{}},
                 {0x80081003, 0, std::vector<int32_t>{}},
                 {0x30070040, 0, FileTime{}},
                 {0x800F101E, 0, S{""}},
                 {0x8C6D1102, 0, std::vector<Bytes>{Bytes{}}}}};
  return {a, b};
}

TEST(NdrImpacket, NspiBind) {
  REQUIRE_IMPACKET();
  NspiBind::Request req;
  req.stat = stat();
  req.server_guid = kServerGuid;
  interop("bind_req", req);
  NspiBind::Response resp;
  resp.server_guid = kServerGuid;
  resp.context_handle = kHandle;
  interop("bind_resp", resp);
}

TEST(NdrImpacket, NspiQueryRows) {
  REQUIRE_IMPACKET();
  NspiQueryRows::Request req;
  req.handle = kHandle;
  req.flags = 1;
  req.stat = stat(0x400);
  req.explicit_table = std::vector<uint32_t>{10, 20, 30};
  req.count = 50;
  req.prop_tags = PropertyTagArray{{0x3001001F, 0x39FE001F, 0x0FFF0102}};
  interop("queryrows_req", req);
  NspiQueryRows::Response resp;
  resp.stat = stat(2, -1);
  resp.rows = PropertyRowSet{rows()};
  interop("queryrows_resp", resp);
}

TEST(NdrImpacket, NspiGetProps) {
  REQUIRE_IMPACKET();
  NspiGetProps::Request req;
  req.handle = kHandle;
  req.flags = 2;
  req.stat = stat(0x1000);
  req.prop_tags = PropertyTagArray{{0x3001001F, 0x0FFF0102}};
  interop("getprops_req", req);
  NspiGetProps::Response resp;
  resp.row = rows()[0];
  resp.result = 0x00040380;
  interop("getprops_resp", resp);
}

TEST(NdrImpacket, NspiResolveNamesW) {
  REQUIRE_IMPACKET();
  NspiResolveNamesW::Request req;
  req.handle = kHandle;
  req.stat = stat();
  req.prop_tags = PropertyTagArray{{0x3001001F, 0x39FE001F}};
  req.names.strings = {"alice", "Bob \xC3\x9C", ""};
  interop("resolvenamesw_req", req);
  NspiResolveNamesW::Response resp;
  resp.mids = PropertyTagArray{{2, 0, 1}};
  resp.rows = PropertyRowSet{{rows()[1]}};
  interop("resolvenamesw_resp", resp);
}

TEST(NdrImpacket, NspiDNToMId) {
  REQUIRE_IMPACKET();
  NspiDNToMId::Request req;
  req.handle = kHandle;
  req.names.strings = {"/o=Org/ou=Site/cn=Recipients/cn=alice", "/o=Org/cn=x"};
  interop("dntomid_req", req);
  NspiDNToMId::Response resp;
  resp.tags = PropertyTagArray{{0x1234, 0}};
  interop("dntomid_resp", resp);
}

TEST(NdrImpacket, NspiGetMatchesWithRestriction) {
  REQUIRE_IMPACKET();
  NspiGetMatches::Request req;
  req.handle = kHandle;
  req.stat = stat();
  Restriction content;
  content.rt = kResContent;
  content.op = 0x10001;
  content.prop_tag = 0x3001001F;
  content.prop = PropertyValue{0x3001001F, 0, std::string("ali")};
  Restriction exist;
  exist.rt = kResExist;
  exist.prop_tag = 0x39FE001F;
  Restriction both;
  both.rt = kResAnd;
  both.children = {content, exist};
  req.filter = both;
  req.requested = 20;
  req.prop_tags = PropertyTagArray{{0x3001001F}};
  interop("getmatches_req", req);
  NspiGetMatches::Response resp;
  resp.stat = stat(5);
  resp.mids = PropertyTagArray{{5, 6}};
  resp.rows = PropertyRowSet{{rows()[1], rows()[1]}};
  interop("getmatches_resp", resp);
}

TEST(NdrImpacket, NspiGetSpecialTable) {
  REQUIRE_IMPACKET();
  NspiGetSpecialTable::Request req;
  req.handle = kHandle;
  req.flags = 4;
  req.stat = stat();
  req.version = 7;
  interop("specialtable_req", req);
  NspiGetSpecialTable::Response resp;
  resp.version = 8;
  resp.rows = PropertyRowSet{{PropertyRow{0,
                                          {{0x3001001F, 0, std::string("Global Address List")},
                                           {0x36000003, 0, int32_t{1}},
                                           {0x0FFF0102, 0, Bytes(8, 0x87)}}}}};
  interop("specialtable_resp", resp);
}

}  // namespace
