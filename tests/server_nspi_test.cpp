// exmapi-server's NSPI: impacket's NSPI client against the running server (the interop proof of
// issue 4), the command line's failure paths, and the NSPI service driven in-process through the
// same NDR codec for the STAT and restriction semantics.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "ndr/nspi_methods.hpp"
#include "server/nspi/nspi_service.hpp"
#include "server/store/sample_org.hpp"
#include "server_process.hpp"
#include "test_support.hpp"

namespace exmapi::test {
namespace {

using namespace exmapi::ndr::nspi;
using exmapi::ndr::ContextHandle;
namespace sample = exmapi::server::sample;

constexpr uint32_t kDisplayNameW = 0x3001001F, kDisplayName8 = 0x3001001E, kSmtpW = 0x39FE001F;

TEST(ServerNspiImpacket, ImpacketClientReadsTheSeededDirectory) {
  ServerProcess server;
  auto r = run_command("/usr/bin/python3 " EXMAPI_SOURCE_DIR "/tests/peers/impacket_nspi_client.py " +
                           std::to_string(server.port()),
                       "");
  ASSERT_EQ(r.exit_code, 0) << "the impacket peer failed (python3-impacket is required; scripts/install-deps.sh "
                               "installs it):\n"
                            << r.out << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["bind_result"], 0);
  ASSERT_EQ(j["hierarchy"].size(), 1u);
  EXPECT_EQ(j["hierarchy"][0]["container_id"], 0);
  EXPECT_EQ(j["hierarchy"][0]["entry_dn"], "/");
  EXPECT_EQ(j["hierarchy_version"], 1);

  // The GAL in display-name order, every seeded user with the seeded values.
  ASSERT_EQ(j["gal"].size(), sample::kUsers.size());
  EXPECT_EQ(j["gal_total"], sample::kUsers.size());
  std::vector<std::string> names;
  for (const auto& u : j["gal"]) names.push_back(u["name"]);
  EXPECT_TRUE(std::is_sorted(names.begin(), names.end()));
  for (const sample::User& u : sample::kUsers) {
    auto it = std::find_if(j["gal"].begin(), j["gal"].end(), [&](const auto& g) { return g["name"] == u.display_name; });
    ASSERT_NE(it, j["gal"].end()) << u.display_name;
    EXPECT_EQ((*it)["smtp"], std::string(u.account) + "@example.test");
    EXPECT_EQ((*it)["dn"], sample::user_dn(u.account));
    EXPECT_EQ((*it)["title"], u.title);
  }

  // ResolveNamesW: bob, chloe's SMTP address, nobody, and "Al" (a prefix of Alice only).
  auto mids = j["resolve_mids"];
  ASSERT_EQ(mids.size(), 4u);
  EXPECT_GT(mids[0].get<uint32_t>(), 0x10u);
  EXPECT_GT(mids[1].get<uint32_t>(), 0x10u);
  EXPECT_EQ(mids[2], 0);  // MID_UNRESOLVED
  EXPECT_GT(mids[3].get<uint32_t>(), 0x10u);
  ASSERT_EQ(j["resolve_rows"].size(), 3u);
  EXPECT_EQ(j["resolve_rows"][0]["name"], "Bob Nguyen");
  EXPECT_EQ(j["resolve_rows"][1]["smtp"], "chloe@example.test");
  EXPECT_EQ(j["resolve_rows"][2]["name"], "Alice Martin");

  // DNToMId maps each GAL DN to the MId ResolveNames gave, and an unknown DN to 0.
  auto dn_mids = j["dn_mids"];
  ASSERT_EQ(dn_mids.size(), sample::kUsers.size() + 1);
  EXPECT_EQ(dn_mids[0], mids[3]);  // Alice, first in the GAL
  EXPECT_EQ(dn_mids[1], mids[0]);  // Bob
  EXPECT_EQ(dn_mids.back(), 0);

  // GetProps on Alice: values, a String8 in the client's code page, and a missing property as
  // PtypErrorCode NotFound with ErrorsReturned.
  EXPECT_EQ(j["getprops_result"], 0x00040380);
  EXPECT_EQ(j["getprops"]["3001001f"], "Alice Martin");
  EXPECT_EQ(j["getprops"]["3a18001f"], "Engineering");
  EXPECT_EQ(j["getprops"]["3a1a001e"], "+1 555 0101");
  EXPECT_EQ(j["getprops"]["1234000a"], 0x8004010F);
  EXPECT_EQ(j["unbind_result"], 1);  // UnbindSuccess
}

TEST(ServerNspiCommandLine, MissingOrCorruptStoreFailsWithAReason) {
  auto missing = run_command(server_path() + " --store /nonexistent/dir/store.sqlite", "");
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_NE(missing.err.find("no such store"), std::string::npos) << missing.err;

  char tmpl[] = "/tmp/exmapi-corrupt-XXXXXX";
  int fd = mkstemp(tmpl);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(write(fd, "this is not sqlite at all, just text that is long enough", 56), 56);
  close(fd);
  auto corrupt = run_command(server_path() + " --store " + tmpl, "");
  unlink(tmpl);
  EXPECT_NE(corrupt.exit_code, 0);
  EXPECT_NE(corrupt.err.find("not a usable SQLite store"), std::string::npos) << corrupt.err;

  auto help = run_command(server_path() + " --help", "");
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("--seed"), std::string::npos);
  EXPECT_NE(run_command(server_path() + " --store x --port 70000", "").exit_code, 0);
}

TEST(ServerNspiCommandLine, ReopensTheSeededStoreAndStopsCleanlyOnSigterm) {
  std::string store;
  {
    ServerProcess first;
    store = "/tmp/exmapi-reopen-" + std::to_string(getpid()) + ".sqlite";
    std::filesystem::copy_file(first.store(), store, std::filesystem::copy_options::overwrite_existing);
    int status = first.stop();
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  }
  {
    ServerProcess reopened(store);  // without --seed
    auto r = run_command("/usr/bin/python3 " EXMAPI_SOURCE_DIR "/tests/peers/impacket_nspi_client.py " +
                             std::to_string(reopened.port()),
                         "");
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_EQ(nlohmann::json::parse(r.out)["gal_total"], sample::kUsers.size());
  }
  // A second --seed on an existing file refuses to overwrite it.
  auto again = run_command(server_path() + " --store " + store + " --seed", "");
  EXPECT_NE(again.exit_code, 0);
  EXPECT_NE(again.err.find("already exists"), std::string::npos) << again.err;
  std::filesystem::remove(store);
}

// ---- in-process: the service behind the interface ---------------------------------------------------

class NspiServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/exmapi-nspi-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    db_.emplace((dir_ / "s.sqlite").string(), server::store::Database::Mode::kCreate);
    server::store::Directory::seed(*db_);
    directory_.emplace(*db_);
    service_.emplace(*directory_);
    NspiBind::Request bind;
    bind.stat.code_page = 1252;
    bind.server_guid = Guid{};
    auto rs = call<NspiBind>(bind);
    ASSERT_EQ(rs.result, 0u);
    ASSERT_TRUE(rs.server_guid);
    EXPECT_EQ(*rs.server_guid, directory_->server_guid());
    handle_ = rs.context_handle;
  }
  void TearDown() override {
    service_.reset();
    directory_.reset();
    db_.reset();
    std::filesystem::remove_all(dir_);
  }
  template <class M>
  typename M::Response call(const typename M::Request& rq, uint64_t connection = 1) {
    server::CallerIdentity who;
    who.connection = connection;
    Bytes out = service_->handle(M::kOpnum, ndr::encode_stub(rq), who);
    return ndr::decode_stub<typename M::Response>(out);
  }
  Stat gal_stat() {
    Stat s;
    s.code_page = 1252;
    return s;
  }
  std::vector<std::string> names(const PropertyRowSet& set) {
    std::vector<std::string> out;
    for (const auto& r : set.rows) out.push_back(std::get<std::string>(r.props.at(0).value));
    return out;
  }

  std::filesystem::path dir_;
  std::optional<server::store::Database> db_;
  std::optional<server::store::Directory> directory_;
  std::optional<server::nspi::NspiService> service_;
  ContextHandle handle_;
};

TEST_F(NspiServiceTest, QueryRowsPagesThroughTheGalAndUpdatesStat) {
  NspiQueryRows::Request rq;
  rq.handle = handle_;
  rq.stat = gal_stat();
  rq.count = 2;
  rq.prop_tags = PropertyTagArray{{kDisplayNameW}};
  auto page1 = call<NspiQueryRows>(rq);
  ASSERT_EQ(page1.result, 0u);
  ASSERT_TRUE(page1.rows);
  EXPECT_EQ(names(*page1.rows), (std::vector<std::string>{"Alice Martin", "Bob Nguyen"}));
  EXPECT_EQ(page1.stat.num_pos, 2u);
  EXPECT_EQ(page1.stat.total_recs, 5u);
  EXPECT_EQ(page1.stat.delta, 0);

  rq.stat = page1.stat;
  rq.count = 10;
  auto page2 = call<NspiQueryRows>(rq);
  ASSERT_TRUE(page2.rows);
  EXPECT_EQ(page2.rows->rows.size(), 3u);
  EXPECT_EQ(page2.stat.current_rec, 2u);  // MID_END_OF_TABLE
  EXPECT_EQ(page2.stat.num_pos, 5u);

  // Delta moves the start; moving before the first row clamps to it.
  rq.stat = gal_stat();
  rq.stat.current_rec = 2;
  rq.stat.delta = -1;
  rq.count = 1;
  auto last = call<NspiQueryRows>(rq);
  EXPECT_EQ(names(*last.rows), (std::vector<std::string>{"佐藤 恵美"}));

  // String8 in the client's code page: characters 1252 lacks become '?'.
  rq.stat = gal_stat();
  rq.stat.current_rec = 2;
  rq.stat.delta = -2;
  rq.count = 2;
  rq.prop_tags = PropertyTagArray{{kDisplayName8}};
  auto narrow = call<NspiQueryRows>(rq);
  EXPECT_EQ(names(*narrow.rows), (std::vector<std::string>{"??????? ??????", "?? ??"}));

  // An unknown container: InvalidBookmark, rows NULL, STAT untouched.
  rq.stat = gal_stat();
  rq.stat.container_id = 0x777;
  auto bad = call<NspiQueryRows>(rq);
  EXPECT_EQ(bad.result, 0x80040405u);
  EXPECT_FALSE(bad.rows);
  EXPECT_EQ(bad.stat, rq.stat);
}

TEST_F(NspiServiceTest, UpdateStatReportsTheMovement) {
  NspiUpdateStat::Request rq;
  rq.handle = handle_;
  rq.stat = gal_stat();
  rq.stat.delta = 3;
  rq.delta = 0;
  auto rs = call<NspiUpdateStat>(rq);
  EXPECT_EQ(rs.result, 0u);
  EXPECT_EQ(rs.stat.num_pos, 3u);
  ASSERT_TRUE(rs.delta);
  EXPECT_EQ(*rs.delta, 3);
  rq.stat.delta = 100;
  rs = call<NspiUpdateStat>(rq);
  EXPECT_EQ(*rs.delta, 5);
  EXPECT_EQ(rs.stat.current_rec, 2u);
  rq.stat.current_rec = 0x9999;  // no such row
  rs = call<NspiUpdateStat>(rq);
  EXPECT_EQ(rs.result, 0x8004010Fu);
}

TEST_F(NspiServiceTest, GetMatchesSeekEntriesAndCompareMIds) {
  NspiGetMatches::Request gm;
  gm.handle = handle_;
  gm.stat = gal_stat();
  gm.requested = 100;
  Restriction prefix;
  prefix.rt = kResContent;
  prefix.op = 0x00010002;  // FL_PREFIX | FL_IGNORECASE
  prefix.prop_tag = kDisplayNameW;
  PropertyValue v;
  v.prop_tag = kDisplayNameW;
  v.value = std::string("b");
  prefix.prop = v;
  gm.filter = prefix;
  gm.prop_tags = PropertyTagArray{{kDisplayNameW, kSmtpW}};
  auto rs = call<NspiGetMatches>(gm);
  ASSERT_EQ(rs.result, 0u);
  ASSERT_TRUE(rs.mids && rs.rows);
  ASSERT_EQ(rs.mids->values.size(), 1u);
  EXPECT_EQ(names(*rs.rows), (std::vector<std::string>{"Bob Nguyen"}));
  uint32_t bob = rs.mids->values[0];

  // Department "Engineering" OR title containing "director".
  Restriction eng = prefix, dir = prefix, any;
  eng.op = 0x00010000;  // FL_FULLSTRING | FL_IGNORECASE
  eng.prop_tag = 0x3A18001F;
  eng.prop->prop_tag = 0x3A18001F;
  eng.prop->value = std::string("engineering");
  dir.op = 0x00010001;  // FL_SUBSTRING | FL_IGNORECASE
  dir.prop_tag = 0x3A17001F;
  dir.prop->prop_tag = 0x3A17001F;
  dir.prop->value = std::string("DIRECTOR");
  any.rt = kResOr;
  any.children = {eng, dir};
  gm.filter = any;
  rs = call<NspiGetMatches>(gm);
  EXPECT_EQ(names(*rs.rows), (std::vector<std::string>{"Alice Martin", "Bob Nguyen", "Chloé Dubois"}));
  gm.requested = 2;
  EXPECT_EQ(call<NspiGetMatches>(gm).result, 0x80040403u);  // TableTooBig

  NspiSeekEntries::Request seek;
  seek.handle = handle_;
  seek.stat = gal_stat();
  seek.target.prop_tag = kDisplayNameW;
  seek.target.value = std::string("c");
  auto found = call<NspiSeekEntries>(seek);
  ASSERT_EQ(found.result, 0u);
  EXPECT_EQ(found.stat.num_pos, 2u);  // Chloé

  NspiCompareMIds::Request cmp;
  cmp.handle = handle_;
  cmp.stat = gal_stat();
  cmp.mid1 = bob;
  cmp.mid2 = found.stat.current_rec;
  auto c = call<NspiCompareMIds>(cmp);
  EXPECT_EQ(c.result, 0u);
  EXPECT_LT(c.comparison, 0);
}

TEST_F(NspiServiceTest, ContextHandlesAreCheckedAndScopedToTheirConnection) {
  NspiQueryColumns::Request qc;
  qc.handle = handle_;
  EXPECT_EQ(call<NspiQueryColumns>(qc).result, 0u);
  EXPECT_THROW(call<NspiQueryColumns>(qc, /*connection=*/2), server::RpcFault);
  ContextHandle forged;
  forged.uuid.bytes[0] = 1;
  qc.handle = forged;
  EXPECT_THROW(call<NspiQueryColumns>(qc), server::RpcFault);
  service_->connection_closed(1);
  qc.handle = handle_;
  EXPECT_THROW(call<NspiQueryColumns>(qc), server::RpcFault);
  // A truncated stub is a decode error (the host turns it into an NDR fault), never a crash.
  server::CallerIdentity who;
  who.connection = 1;
  Bytes stub = ndr::encode_stub(qc);
  stub.resize(7);
  EXPECT_THROW(service_->handle(NspiQueryColumns::kOpnum, stub, who), DecodeError);
  EXPECT_THROW(service_->handle(15, {}, who), server::RpcFault);
}

}  // namespace
}  // namespace exmapi::test
