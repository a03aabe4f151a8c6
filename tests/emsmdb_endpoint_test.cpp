// The EMSMDB half of the reference server through its RPC entry point: real NDR stubs built by our
// encoders, real extended buffers and ROP buffers, on a temporary SQLite store seeded like
// `exmapi-server --seed`.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <set>

#include "emsmdb/endpoint.hpp"
#include "emsmdb/rop_processor.hpp"
#include "ndr/emsmdb_methods.hpp"
#include "rop/rop_buffer.hpp"
#include "store/mailbox.hpp"
#include "store/mailbox_seed.hpp"
#include "store/mailbox_tags.hpp"
#include "store/sample_org.hpp"
#include "test_support.hpp"
#include "wire/extended_buffer.hpp"

namespace exmapi {
namespace {

using namespace rop;  // NOLINT
namespace m = ndr::emsmdb;
namespace tag = server::mailbox_tag;
using server::EmsmdbEndpoint;
using server::RpcFault;

constexpr uint32_t kNoHandle = 0xFFFFFFFF;

// One seeded store per test binary run: seeding takes a moment and tests only read it, except the
// write tests, which use their own copy.
class TempStore {
 public:
  TempStore() {
    char pattern[] = "/tmp/exmapi-emsmdb-XXXXXX";
    dir_ = mkdtemp(pattern);
    path_ = dir_ + "/store.sqlite";
    server::seed_mailboxes(path_);
  }
  ~TempStore() {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
  const std::string& path() const { return path_; }

 private:
  std::string dir_, path_;
};

// A client of the endpoint speaking the stubs a real client sends.
class Client {
 public:
  Client(EmsmdbEndpoint& ep, std::string account) : ep_(ep), account_(std::move(account)) {}

  m::EcDoConnectEx::Response connect(std::array<uint16_t, 3> version = {0x1000, 0x8000 | 4266, 1001},
                                     std::string dn = {}) {
    m::EcDoConnectEx::Request req;
    req.user_dn = dn.empty() ? server::sample::user_dn(account_) : dn;
    req.cpid = 1252;
    req.lcid_string = req.lcid_sort = 0x409;
    req.client_version = version;
    req.aux_out_size = 0x1008;
    auto out = ndr::decode_stub<m::EcDoConnectEx::Response>(ep_.call(m::EcDoConnectEx::kOpnum, ndr::encode_stub(req), account_));
    if (out.result == 0) cxh_ = out.cxh;
    return out;
  }

  struct Exchange {
    uint32_t result = 0;
    std::vector<wire::ExtendedBuffer> frames;
    RopResponseBuffer buffer;
  };
  // Sends ROPs with the handle table `handles`; decodes the response against the request.
  Exchange rpc(std::vector<RopRequest> rops, std::vector<uint32_t> handles, uint32_t out_size = 0x40000,
               wire::PackOptions pack = {}, uint32_t flags = 0) {
    RopRequestBuffer request{std::move(rops), std::move(handles)};
    return rpc_bytes(wire::pack(encode_request_buffer(request), pack), request, out_size, flags);
  }
  Exchange rpc_bytes(const Bytes& in, const RopRequestBuffer& request, uint32_t out_size = 0x40000, uint32_t flags = 0) {
    m::EcDoRpcExt2::Request req;
    req.cxh = cxh_;
    req.flags = flags;
    req.in = in;
    req.out_size = out_size;
    auto out = ndr::decode_stub<m::EcDoRpcExt2::Response>(ep_.call(m::EcDoRpcExt2::kOpnum, ndr::encode_stub(req), account_));
    Exchange ex;
    ex.result = out.result;
    EXPECT_LE(out.out.size(), out_size);
    if (out.result != 0) return ex;
    ex.frames = wire::unpack(out.out);
    Bytes payload;
    for (auto& f : ex.frames) payload.insert(payload.end(), f.payload.begin(), f.payload.end());
    ex.buffer = decode_response_buffer(payload, request, &tables_);
    return ex;
  }
  const ndr::ContextHandle& cxh() const { return cxh_; }
  const std::string& account() const { return account_; }

 private:
  EmsmdbEndpoint& ep_;
  std::string account_;
  ndr::ContextHandle cxh_;
  TableColumnsState tables_;
};

RopLogon::Request logon_request(uint8_t out = 0, std::optional<std::string> essdn = std::nullopt) {
  RopLogon::Request r;
  r.logon_id = 0;
  r.output_handle_index = out;
  r.logon_flags = logon_flags::Private;
  r.open_flags = 0x01000000;  // USE_PER_MDB_REPLID_MAPPING
  r.essdn = std::move(essdn);
  return r;
}
RopOpenFolder::Request open_folder(uint8_t in, uint8_t out, uint64_t fid) {
  RopOpenFolder::Request r;
  r.input_handle_index = in;
  r.output_handle_index = out;
  r.folder_id = fid;
  return r;
}
RopSetColumns::Request set_columns(uint8_t in, std::vector<PropTag> tags) {
  RopSetColumns::Request r;
  r.input_handle_index = in;
  r.property_tags = std::move(tags);
  return r;
}
RopQueryRows::Request query_rows(uint8_t in, uint16_t count) {
  RopQueryRows::Request r;
  r.input_handle_index = in;
  r.row_count = count;
  r.forward_read = 1;
  return r;
}
template <class T>
const T& response(const Client::Exchange& ex, size_t i) {
  EXPECT_LT(i, ex.buffer.rops.size());
  const T* p = get_if<T>(&ex.buffer.rops.at(i));
  if (!p) throw std::runtime_error("response " + std::to_string(i) + " has another type: " + to_json(ex.buffer.rops.at(i)));
  return *p;
}
std::string cell_text(const PropertyCell& c) {
  return c.flag == ValueFlag::Present ? c.value.as_string() : std::string();
}

// A deferred reply kept in the test: the answer and the timeout the endpoint set.
struct CapturedReply final : server::DeferredReply {
  std::optional<Bytes> stub;
  std::function<void()> timeout;
  void reply(Bytes b) override {
    if (!stub) stub = std::move(b);
  }
  void fault(uint32_t) override {}
  bool answered() const override { return stub.has_value(); }
  void set_timeout(std::chrono::milliseconds, std::function<void()> fn) override { timeout = std::move(fn); }
  void on_abandon(std::function<void()>) override {}
};

class EmsmdbEndpointTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { store_ = new TempStore(); }
  static void TearDownTestSuite() {
    delete store_;
    store_ = nullptr;
  }
  void SetUp() override { ep_ = std::make_unique<EmsmdbEndpoint>(store_->path()); }

  // Connects `account` and logs on to its mailbox; returns the logon response and the handle table.
  std::pair<RopLogon::Response, std::vector<uint32_t>> logon(Client& c) {
    EXPECT_EQ(c.connect().result, 0u);
    auto ex = c.rpc({logon_request()}, {kNoHandle});
    EXPECT_EQ(ex.result, 0u);
    return {response<RopLogon::Response>(ex, 0), ex.buffer.handles};
  }

  static TempStore* store_;
  std::unique_ptr<EmsmdbEndpoint> ep_;
};
TempStore* EmsmdbEndpointTest::store_ = nullptr;

TEST_F(EmsmdbEndpointTest, ConnectAnswersSessionParameters) {
  Client c(*ep_, "chloe");
  auto out = c.connect();
  ASSERT_EQ(out.result, 0u);
  EXPECT_FALSE(out.cxh.is_null());
  EXPECT_EQ(out.display_name, std::optional<std::string>("Chloé Dubois"));
  EXPECT_GT(out.polls_max, 0u);
  EXPECT_GT(out.retry, 0u);
  EXPECT_EQ(out.server_version[0] >> 8, 15);  // major version 15
  EXPECT_TRUE(out.server_version[1] & 0x8000);
  EXPECT_EQ(ep_->session_count(), 1u);
  // EcDoDisconnect closes it and hands back a null handle.
  m::EcDoDisconnect::Request d{c.cxh()};
  auto closed = ndr::decode_stub<m::EcDoDisconnect::Response>(ep_->call(1, ndr::encode_stub(d), "chloe"));
  EXPECT_TRUE(closed.cxh.is_null());
  EXPECT_EQ(ep_->session_count(), 0u);
}

TEST_F(EmsmdbEndpointTest, ConnectRefusesOldClientsUnknownUsersAndOtherMailboxes) {
  Client old(*ep_, "alice");
  auto out = old.connect({10, 6000, 0});  // 10.0.6000.0: below the 11.0 minimum
  EXPECT_EQ(out.result, 0x80040110u);      // ecVersionMismatch
  EXPECT_EQ(out.best_version[0] >> 8, 11);  // the version the server needs
  Client nobody(*ep_, "");
  EXPECT_EQ(nobody.connect({0x1000, 0x8000 | 4266, 1001}, server::sample::user_dn("zoe")).result, 0x3EBu);  // ecUnknownUser
  Client bob(*ep_, "bob");
  EXPECT_EQ(bob.connect({0x1000, 0x8000 | 4266, 1001}, server::sample::user_dn("alice")).result, 0x80070005u);
  EXPECT_EQ(ep_->session_count(), 0u);
}

TEST_F(EmsmdbEndpointTest, LogonReturnsTheSpecialFolders) {
  Client c(*ep_, "alice");
  auto [l, handles] = logon(c);
  EXPECT_EQ(l.return_value, 0u);
  ASSERT_EQ(l.folder_ids.size(), 13u);
  std::set<uint64_t> distinct(l.folder_ids.begin(), l.folder_ids.end());
  EXPECT_EQ(distinct.size(), 13u);  // 13 distinct folders, none zero
  EXPECT_FALSE(distinct.count(0));
  for (uint64_t fid : l.folder_ids) EXPECT_EQ(ObjectId::from_wire_u64(fid).replica_id, 1);
  EXPECT_EQ(l.replica_id, 1);
  EXPECT_TRUE(l.response_flags & 0x02);  // OwnerRight
  EXPECT_NE(l.mailbox_guid, Guid{});
  EXPECT_NE(handles[0], kNoHandle);
  // The IDs round-trip through long-term IDs.
  RopLongTermIdFromId::Request to_long;
  to_long.object_id = l.folder_ids[4];
  auto ex = c.rpc({to_long}, handles);
  auto& lt = response<RopLongTermIdFromId::Response>(ex, 0);
  ASSERT_EQ(lt.return_value, 0u);
  EXPECT_EQ(lt.long_term_id.gid.database_guid, l.replica_guid);
  RopIdFromLongTermId::Request back;
  back.long_term_id = lt.long_term_id;
  auto ex2 = c.rpc({back}, handles);
  EXPECT_EQ(response<RopIdFromLongTermId::Response>(ex2, 0).object_id, l.folder_ids[4]);
  // RopGetReceiveFolder names the Inbox.
  RopGetReceiveFolder::Request rf;
  rf.message_class = "IPM.Note";
  auto ex3 = c.rpc({rf}, handles);
  auto& rfr = response<RopGetReceiveFolder::Response>(ex3, 0);
  EXPECT_EQ(rfr.folder_id, l.folder_ids[4]);
  EXPECT_EQ(rfr.explicit_message_class, "IPM");
}

TEST_F(EmsmdbEndpointTest, HierarchyTableListsTheDefaultFoldersInOneCall) {
  Client c(*ep_, "dmitri");
  auto [l, handles] = logon(c);
  handles.resize(3, kNoHandle);
  RopGetHierarchyTable::Request ht;
  ht.input_handle_index = 1;
  ht.output_handle_index = 2;
  // Five ROPs in one buffer: open, table, columns, rows, position.
  RopQueryPosition::Request qp;
  qp.input_handle_index = 2;
  auto ex = c.rpc({open_folder(0, 1, l.folder_ids[3]), ht, set_columns(2, {tag::DisplayName, tag::FolderId, tag::ContainerClass}),
                   query_rows(2, 50), qp},
                  handles);
  ASSERT_EQ(ex.buffer.rops.size(), 5u);
  EXPECT_EQ(response<RopOpenFolder::Response>(ex, 0).return_value, 0u);
  EXPECT_EQ(response<RopGetHierarchyTable::Response>(ex, 1).row_count, 10u);
  auto& rows = response<RopQueryRows::Response>(ex, 3);
  std::set<std::string> names;
  for (auto& row : rows.rows) names.insert(cell_text(row.cells[0]));
  for (const char* n : {"Inbox", "Outbox", "Sent Items", "Deleted Items", "Drafts", "Calendar", "Contacts", "Tasks",
                        "Notes", "Journal"})
    EXPECT_TRUE(names.count(n)) << n;
  EXPECT_EQ(rows.origin, 0x02);  // at the end
  auto& pos = response<RopQueryPosition::Response>(ex, 4);
  EXPECT_EQ(pos.numerator, 10u);
  EXPECT_EQ(pos.denominator, 10u);
  // The Inbox row carries its FID and class.
  for (auto& row : rows.rows)
    if (cell_text(row.cells[0]) == "Inbox") {
      EXPECT_EQ(static_cast<uint64_t>(row.cells[1].value.as_int64()), l.folder_ids[4]);
      EXPECT_EQ(cell_text(row.cells[2]), "IPF.Note");
    }
}

TEST_F(EmsmdbEndpointTest, InboxContentsSortRestrictSeekAndFind) {
  Client c(*ep_, "alice");
  auto [l, handles] = logon(c);
  handles.resize(3, kNoHandle);
  RopGetContentsTable::Request ct;
  ct.input_handle_index = 1;
  ct.output_handle_index = 2;
  RopSortTable::Request sort;
  sort.input_handle_index = 2;
  sort.sort_order_set.sort_orders = {{tag::MessageDeliveryTime, sort_order::Descending}};
  auto ex = c.rpc({open_folder(0, 1, l.folder_ids[4]), ct, set_columns(2, {tag::Subject, tag::Mid, tag::HasAttachments}), sort,
                   query_rows(2, 100)},
                  handles);
  EXPECT_EQ(response<RopGetContentsTable::Response>(ex, 1).row_count, 5u);
  auto& rows = response<RopQueryRows::Response>(ex, 4).rows;
  ASSERT_EQ(rows.size(), 5u);
  EXPECT_EQ(cell_text(rows[0].cells[0]), "Lunch on Friday? 🍜");  // the newest first
  EXPECT_EQ(cell_text(rows[4].cells[0]), "Quarterly planning — agenda and budget");
  std::vector<std::string> subjects;
  for (auto& r : rows) subjects.push_back(cell_text(r.cells[0]));
  EXPECT_NE(std::find(subjects.begin(), subjects.end(), "Отчёт о поддержке за неделю"), subjects.end());
  EXPECT_NE(std::find(subjects.begin(), subjects.end(), "新しいデザイン案について"), subjects.end());

  handles = ex.buffer.handles;
  // Only the mails with attachments; then back to the start and find one by subject prefix.
  RopRestrict::Request restrict;
  restrict.input_handle_index = 2;
  restrict.restriction = Restriction(PropertyRestriction{relop::Equal, tag::HasAttachments,
                                                         {tag::HasAttachments, PropertyValue::boolean(true)}});
  RopSeekRow::Request seek;
  seek.input_handle_index = 2;
  seek.origin = 0;
  seek.row_count = 1;
  seek.want_row_moved_count = 1;
  auto ex2 = c.rpc({restrict, query_rows(2, 100), seek}, handles);
  EXPECT_EQ(response<RopQueryRows::Response>(ex2, 1).rows.size(), 3u);
  EXPECT_EQ(response<RopSeekRow::Response>(ex2, 2).rows_sought, 1);

  RopRestrict::Request clear;
  clear.input_handle_index = 2;
  RopFindRow::Request find;
  find.input_handle_index = 2;
  find.restriction = Restriction(ContentRestriction{fuzzy::Prefix, fuzzy::IgnoreCase, tag::Subject,
                                                    {tag::Subject, PropertyValue::string("réunion")}});
  auto ex3 = c.rpc({clear, find}, handles);
  auto& found = response<RopFindRow::Response>(ex3, 1);
  ASSERT_EQ(found.return_value, 0u);
  EXPECT_EQ(cell_text(found.row_data.cells[0]), "Réunion d'équipe : compte rendu");
  RopFindRow::Request missing = find;
  missing.restriction = Restriction(ContentRestriction{fuzzy::Substring, 0, tag::Subject,
                                                       {tag::Subject, PropertyValue::string("no such mail")}});
  auto ex4 = c.rpc({missing}, handles);
  EXPECT_EQ(response<RopFindRow::Response>(ex4, 0).return_value, 0x8004010Fu);
}

// Opens the Inbox and returns the MID of the mail with `subject` (handle 1 holds the Inbox).
uint64_t find_mail(Client& c, std::vector<uint32_t>& handles, uint64_t inbox, const std::string& subject) {
  handles.resize(4, kNoHandle);
  RopGetContentsTable::Request ct;
  ct.input_handle_index = 1;
  ct.output_handle_index = 2;
  RopFindRow::Request find;
  find.input_handle_index = 2;
  find.restriction = Restriction(PropertyRestriction{relop::Equal, tag::Subject, {tag::Subject, PropertyValue::string(subject)}});
  auto ex = c.rpc({open_folder(0, 1, inbox), ct, set_columns(2, {tag::Mid}), find}, handles);
  handles = ex.buffer.handles;
  auto& f = response<RopFindRow::Response>(ex, 3);
  EXPECT_EQ(f.return_value, 0u);
  return static_cast<uint64_t>(f.row_data.cells.at(0).value.as_int64());
}

TEST_F(EmsmdbEndpointTest, OpenMessageAttachmentsAndReadAStream) {
  Client c(*ep_, "bob");
  auto [l, handles] = logon(c);
  uint64_t mid = find_mail(c, handles, l.folder_ids[4], "Quarterly planning — agenda and budget");
  RopOpenMessage::Request om;
  om.input_handle_index = 1;
  om.output_handle_index = 3;
  om.folder_id = l.folder_ids[4];
  om.message_id = mid;
  RopGetPropertiesSpecific::Request gp;
  gp.input_handle_index = 3;
  gp.want_unicode = 1;
  gp.property_tags = {tag::Subject, tag::SenderName, tag::HasAttachments, tag::Html, 0x7FFF001F};
  auto ex = c.rpc({om, gp}, handles);
  auto& opened = response<RopOpenMessage::Response>(ex, 0);
  ASSERT_EQ(opened.return_value, 0u);
  EXPECT_EQ(opened.message.normalized_subject.value, "Quarterly planning — agenda and budget");
  ASSERT_EQ(opened.message.recipient_rows.size(), 1u);
  EXPECT_EQ(opened.message.recipient_rows[0].recipient_row.display_name, "Bob Nguyen");
  auto& props = response<RopGetPropertiesSpecific::Response>(ex, 1);
  EXPECT_TRUE(props.row_data.flagged);  // 0x7FFF001F does not exist
  EXPECT_EQ(cell_text(props.row_data.cells[1]), "Alice Martin");
  EXPECT_TRUE(props.row_data.cells[2].value.as_bool());
  EXPECT_NE(std::string(props.row_data.cells[3].value.as_binary().begin(), props.row_data.cells[3].value.as_binary().end())
                .find("<b>agenda</b>"),
            std::string::npos);
  EXPECT_EQ(props.row_data.cells[4].flag, ValueFlag::Error);
  EXPECT_EQ(props.row_data.cells[4].value.as_error_code(), 0x8004010Fu);
  handles = ex.buffer.handles;

  handles.resize(7, kNoHandle);
  RopReadRecipients::Request rr;
  rr.input_handle_index = 3;
  RopGetAttachmentTable::Request at;
  at.input_handle_index = 3;
  at.output_handle_index = 4;
  RopOpenAttachment::Request oa;
  oa.input_handle_index = 3;
  oa.output_handle_index = 5;
  oa.attachment_id = 0;
  RopOpenStream::Request os;
  os.input_handle_index = 5;
  os.output_handle_index = 6;
  os.property_tag = tag::AttachDataBinary;
  RopReadStream::Request rs;
  rs.input_handle_index = 6;
  rs.byte_count = kReadStreamUseMaximum;
  rs.maximum_byte_count = 0x10000;
  auto ex2 = c.rpc({rr, at, set_columns(4, {tag::AttachNumber, tag::AttachLongFilename, tag::AttachSize}), query_rows(4, 10),
                    oa, os, rs},
                   handles);
  EXPECT_EQ(response<RopReadRecipients::Response>(ex2, 0).recipient_rows.size(), 1u);
  auto& att = response<RopQueryRows::Response>(ex2, 3).rows;
  ASSERT_EQ(att.size(), 2u);
  EXPECT_EQ(cell_text(att[0].cells[1]), "agenda.txt");
  EXPECT_EQ(cell_text(att[1].cells[1]), "budget.csv");
  EXPECT_EQ(response<RopOpenStream::Response>(ex2, 5).stream_size, 41u);
  auto& data = response<RopReadStream::Response>(ex2, 6).data;
  EXPECT_EQ(std::string(data.begin(), data.end()), "1. Review of Q1\n2. Hiring plan\n3. Budget\n");
  // RopRelease frees the stream: it has no response, and the handle no longer resolves.
  handles = ex2.buffer.handles;
  RopRelease::Request release;
  release.input_handle_index = 6;
  RopGetStreamSize::Request size;
  size.input_handle_index = 6;
  auto ex3 = c.rpc({release, size}, handles);
  ASSERT_EQ(ex3.buffer.rops.size(), 1u);
  EXPECT_EQ(response<RopGetStreamSize::Response>(ex3, 0).return_value, 0x4B9u);  // ecNullObject
}

TEST_F(EmsmdbEndpointTest, CompressedAndObfuscatedBuffersBothWays) {
  Client c(*ep_, "emi");
  auto [l, handles] = logon(c);
  handles.resize(3, kNoHandle);
  RopGetHierarchyTable::Request ht;
  ht.input_handle_index = 1;
  ht.output_handle_index = 2;
  ht.table_flags = 0x04;  // Depth: the whole tree, a response that compresses well
  std::vector<RopRequest> rops{open_folder(0, 1, l.folder_ids[0]), ht,
                               set_columns(2, {tag::DisplayName, tag::FolderId, tag::ParentFolderId, tag::ContentCount}),
                               query_rows(2, 100)};
  auto plain = c.rpc(rops, handles);
  ASSERT_EQ(plain.frames.size(), 1u);
  EXPECT_EQ(plain.frames[0].header.flags, wire::kRpcExtLast);

  wire::PackOptions both;
  both.compress = true;
  both.obfuscate = true;
  auto packed = c.rpc(rops, handles, 0x40000, both);
  ASSERT_EQ(packed.frames.size(), 1u);
  EXPECT_EQ(packed.frames[0].header.flags, wire::kRpcExtLast | wire::kRpcExtCompressed | wire::kRpcExtXorMagic);
  EXPECT_LT(packed.frames[0].header.size, packed.frames[0].header.size_actual);
  // The same rows, whatever the framing.
  EXPECT_EQ(response<RopQueryRows::Response>(packed, 3).rows.size(), response<RopQueryRows::Response>(plain, 3).rows.size());
  EXPECT_GE(response<RopQueryRows::Response>(packed, 3).rows.size(), 18u);

  // pulFlags NoCompression | NoXorMagic: the client asks for a plain response.
  auto asked_plain = c.rpc(rops, handles, 0x40000, both, 0x3);
  EXPECT_EQ(asked_plain.frames[0].header.flags, wire::kRpcExtLast);
}

TEST_F(EmsmdbEndpointTest, ResponsesThatDoNotFitComeBackInRopBufferTooSmall) {
  Client c(*ep_, "alice");
  auto [l, handles] = logon(c);
  uint64_t mid = find_mail(c, handles, l.folder_ids[4], "新しいデザイン案について");
  handles.resize(4, kNoHandle);
  RopOpenMessage::Request om;
  om.input_handle_index = 1;
  om.output_handle_index = 3;
  om.folder_id = l.folder_ids[4];
  om.message_id = mid;
  RopGetPropertiesAll::Request all;
  all.input_handle_index = 3;
  all.want_unicode = 1;
  std::vector<RopRequest> rops{om, all};
  auto big = c.rpc(rops, handles);
  ASSERT_EQ(big.buffer.rops.size(), 2u);
  size_t full = encode_response_buffer(big.buffer).size() + wire::kRpcHeaderExtSize;

  // Room for the RopOpenMessage response but not for all the properties.
  auto small = c.rpc(rops, handles, static_cast<uint32_t>(full - 200));
  ASSERT_EQ(small.result, 0u);
  ASSERT_EQ(small.buffer.rops.size(), 2u);
  EXPECT_EQ(response<RopOpenMessage::Response>(small, 0).return_value, 0u);
  auto& too_small = response<RopBufferTooSmall::Response>(small, 1);
  ByteWriter w;
  encode_request(w, RopRequest(all));
  EXPECT_EQ(too_small.request_buffers, w.data());  // the unprocessed request, as sent
  EXPECT_GT(too_small.size_needed, full - 200);
  // Resent with the size it asked for, through the handles the first call returned.
  auto again = c.rpc({all}, small.buffer.handles, too_small.size_needed);
  ASSERT_EQ(again.result, 0u);
  EXPECT_GE(response<RopGetPropertiesAll::Response>(again, 0).property_values.size(), 15u);
  // No room even for the framing: the RPC itself fails with ecBufferTooSmall.
  EXPECT_EQ(c.rpc(rops, handles, 8).result, 0x47Du);
}

TEST_F(EmsmdbEndpointTest, QueryRowsStopsAtTheOutputLimitAndResumes) {
  Client c(*ep_, "bob");
  auto [l, handles] = logon(c);
  handles.resize(3, kNoHandle);
  RopGetHierarchyTable::Request ht;
  ht.input_handle_index = 1;
  ht.output_handle_index = 2;
  ht.table_flags = 0x04;  // Depth
  auto ex = c.rpc({open_folder(0, 1, l.folder_ids[0]), ht, set_columns(2, {tag::DisplayName, tag::FolderId})}, handles);
  uint32_t total = response<RopGetHierarchyTable::Response>(ex, 1).row_count;
  handles = ex.buffer.handles;
  auto first = c.rpc({query_rows(2, 1000)}, handles, 300);
  auto& part = response<RopQueryRows::Response>(first, 0);
  ASSERT_GT(part.rows.size(), 0u);
  ASSERT_LT(part.rows.size(), total);
  EXPECT_EQ(part.origin, 0x01);  // BOOKMARK_CURRENT: more rows follow
  auto rest = c.rpc({query_rows(2, 1000)}, handles);
  auto& tail = response<RopQueryRows::Response>(rest, 0);
  EXPECT_EQ(part.rows.size() + tail.rows.size(), total);
  EXPECT_EQ(tail.origin, 0x02);
  // Not even one row fits: the QueryRows comes back in RopBufferTooSmall, undone (the cursor stays
  // where the RopSeekRow before it put it).
  RopSeekRow::Request seek;
  seek.input_handle_index = 2;
  seek.origin = 0;  // BOOKMARK_BEGINNING
  seek.row_count = 0;
  auto none = c.rpc({seek, query_rows(2, 10)}, handles, 8 + 2 + 4 * 3 + 14 + 8);
  ASSERT_EQ(none.buffer.rops.size(), 2u);
  EXPECT_TRUE(get_if<RopBufferTooSmall::Response>(&none.buffer.rops[1]));
  RopQueryPosition::Request qp;
  qp.input_handle_index = 2;
  auto pos = c.rpc({qp}, handles);
  EXPECT_EQ(response<RopQueryPosition::Response>(pos, 0).numerator, 0u);
}

TEST_F(EmsmdbEndpointTest, UnsupportedRopsAnswerNotSupportedInTheirOwnShape) {
  Client c(*ep_, "alice");
  auto [l, handles] = logon(c);
  handles.resize(3, kNoHandle);
  RopGetSearchCriteria::Request sc;
  sc.input_handle_index = 1;
  RopFastTransferSourceCopyTo::Request ft;
  ft.input_handle_index = 1;
  ft.output_handle_index = 2;
  RopEmptyFolder::Request ef;
  ef.input_handle_index = 1;
  auto ex = c.rpc({open_folder(0, 1, l.folder_ids[4]), sc, ft, ef}, handles);
  ASSERT_EQ(ex.buffer.rops.size(), 4u);
  EXPECT_EQ(response<RopGetSearchCriteria::Response>(ex, 1).return_value, 0x80040102u);
  EXPECT_EQ(response<RopGetSearchCriteria::Response>(ex, 1).input_handle_index, 1);
  EXPECT_EQ(response<RopFastTransferSourceCopyTo::Response>(ex, 2).return_value, 0x80040102u);
  EXPECT_EQ(response<RopEmptyFolder::Response>(ex, 3).return_value, 0x80040102u);
  EXPECT_EQ(ex.buffer.handles[2], kNoHandle);  // a failed ROP creates no object
}

TEST_F(EmsmdbEndpointTest, EverySampledRopIsAnsweredWithoutCrashing) {
  Client c(*ep_, "alice");
  auto [l, handles] = logon(c);
  handles.resize(4, kNoHandle);
  auto opened = c.rpc({open_folder(0, 1, l.folder_ids[4])}, handles);
  handles = opened.buffer.handles;
  size_t answered = 0;
  for (const auto& d : described_rops()) {
    if (!d.request) continue;
    for (uint64_t seed : {1, 2, 3}) {
      RopRequest r = sample_request(d.id, seed);
      RopRequestBuffer request{{r}, handles};
      Bytes in = wire::pack(encode_request_buffer(request));
      m::EcDoRpcExt2::Request req;
      req.cxh = c.cxh();
      req.in = in;
      req.out_size = 0x40000;
      auto out = ndr::decode_stub<m::EcDoRpcExt2::Response>(ep_->call(11, ndr::encode_stub(req), "alice"));
      EXPECT_TRUE(out.result == 0 || out.result == 0x4B6u) << to_json(r);
      if (out.result == 0) {
        auto partial = decode_responses_partial(wire::unpack_concatenated(out.out), RopFraming::Buffer, {});
        ++answered;
        (void)partial;
      }
    }
  }
  EXPECT_GT(answered, 300u);
}

TEST_F(EmsmdbEndpointTest, RpcLevelErrors) {
  // Garbage and truncated stubs, unknown opnums and context handles: faults, never a crash.
  EXPECT_THROW(ep_->call(10, Bytes{1, 2, 3}, "alice"), RpcFault);
  try {
    ep_->call(11, Bytes(7, 0xEE), "alice");
    FAIL();
  } catch (const RpcFault& f) {
    EXPECT_EQ(f.code(), RpcFault::kBadStubData);
  }
  for (uint16_t opnum : {0, 2, 3, 5, 9, 12, 13, 15, 200}) {
    try {
      ep_->call(opnum, {}, "alice");
      FAIL() << opnum;
    } catch (const RpcFault& f) {
      EXPECT_EQ(f.code(), RpcFault::kOpRangeError);
    }
  }
  m::EcDoRpcExt2::Request forged;
  forged.cxh.uuid.bytes[3] = 7;
  forged.out_size = 0x1000;
  try {
    ep_->call(11, ndr::encode_stub(forged), "alice");
    FAIL();
  } catch (const RpcFault& f) {
    EXPECT_EQ(f.code(), RpcFault::kContextMismatch);
  }
  // Another user's handle is as unknown as a forged one.
  Client alice(*ep_, "alice");
  ASSERT_EQ(alice.connect().result, 0u);
  m::EcDummyRpc::Request dummy;
  EXPECT_EQ(ndr::decode_stub<m::EcDummyRpc::Response>(ep_->call(6, ndr::encode_stub(dummy), "bob")).result, 0u);
  m::EcDoAsyncConnectEx::Request ac{alice.cxh()};
  EXPECT_THROW(ep_->call(14, ndr::encode_stub(ac), "bob"), RpcFault);
  auto async = ndr::decode_stub<m::EcDoAsyncConnectEx::Response>(ep_->call(14, ndr::encode_stub(ac), "alice"));
  EXPECT_EQ(async.result, 0u);
  m::EcDoAsyncWaitEx::Request wait{async.acxh, 0};
  // Nothing is pending: the wait is answered when its timeout runs, with no NotificationPending.
  auto reply = std::make_shared<CapturedReply>();
  ep_->call_async(0, ndr::encode_stub(wait), "alice", reply);
  EXPECT_FALSE(reply->answered());
  ASSERT_TRUE(reply->timeout);
  reply->timeout();
  ASSERT_TRUE(reply->stub);
  auto waited = ndr::decode_stub<m::EcDoAsyncWaitEx::Response>(*reply->stub);
  EXPECT_EQ(waited.result, 0u);
  EXPECT_EQ(waited.flags_out, 0u);
  EXPECT_THROW(ep_->call_async(1, {}, "alice", std::make_shared<CapturedReply>()), RpcFault);
  // rgbIn that is no extended buffer, and a ROP buffer that does not decode: ecRpcFormat.
  RopRequestBuffer none;
  EXPECT_EQ(alice.rpc_bytes(Bytes{0, 0, 4, 0, 9, 0, 9, 0, 1}, none).result, 0x4B6u);
  EXPECT_EQ(alice.rpc_bytes(wire::pack(Bytes{5, 0, 0xFE, 0, 0}), none).result, 0x4B6u);
}

TEST_F(EmsmdbEndpointTest, NamedPropertiesAndTheRecurringAppointment) {
  Client c(*ep_, "alice");
  auto [l, handles] = logon(c);
  PropertyName recur;
  recur.kind = property_name_kind::Lid;
  recur.guid = *Guid::parse("{00062002-0000-0000-C000-000000000046}");
  recur.lid = 0x8216;
  PropertyName unknown = recur;
  unknown.lid = 0x8FFF;
  RopGetPropertyIdsFromNames::Request ids;
  ids.property_names = {recur, unknown};
  auto ex = c.rpc({ids}, handles);
  auto& idr = response<RopGetPropertyIdsFromNames::Response>(ex, 0);
  EXPECT_EQ(idr.return_value, 0x00040380u);  // ecWarnWithErrors: one name unknown
  ASSERT_EQ(idr.property_ids.size(), 2u);
  EXPECT_GE(idr.property_ids[0], 0x8000);
  EXPECT_EQ(idr.property_ids[1], 0);
  RopGetNamesFromPropertyIds::Request names;
  names.property_ids = {idr.property_ids[0]};
  auto ex2 = c.rpc({names}, handles);
  EXPECT_EQ(response<RopGetNamesFromPropertyIds::Response>(ex2, 0).property_names.at(0), recur);

  // The calendar's recurring appointment carries an AppointmentRecurrencePattern (MS-OXOCAL 2.2.1.44).
  auto store = server::MailboxStore(store_->path());
  uint64_t calendar = *store.special_folder("alice", "calendar");
  PropTag recur_tag = uint32_t{idr.property_ids[0]} << 16 | ptyp::Binary;
  handles.resize(3, kNoHandle);
  RopGetContentsTable::Request ct;
  ct.input_handle_index = 1;
  ct.output_handle_index = 2;
  auto ex3 = c.rpc({open_folder(0, 1, server::object_id_from_counter(calendar)), ct,
                    set_columns(2, {tag::Subject, recur_tag}), query_rows(2, 10)},
                   handles);
  auto& rows = response<RopQueryRows::Response>(ex3, 3).rows;
  ASSERT_EQ(rows.size(), 3u);
  size_t recurring = 0;
  for (auto& row : rows) {
    if (row.cells[1].flag != ValueFlag::Present) continue;
    ++recurring;
    const Bytes& blob = row.cells[1].value.as_binary();
    ASSERT_GT(blob.size(), 30u);
    Bytes head(blob.begin(), blob.begin() + 10);
    EXPECT_EQ(head, (Bytes{0x04, 0x30, 0x04, 0x30, 0x0B, 0x20, 0x01, 0x00, 0x00, 0x00}));  // weekly
    EXPECT_EQ(cell_text(row.cells[0]), "Team stand-up");
  }
  EXPECT_EQ(recurring, 1u);
}

TEST_F(EmsmdbEndpointTest, AliceSharesHerCalendarWithBobOnly) {
  server::MailboxStore store(store_->path());
  uint64_t calendar = *store.special_folder("alice", "calendar");
  uint64_t inbox = *store.special_folder("alice", "inbox");
  std::string essdn = server::sample::user_dn("alice");
  for (std::string who : {"bob", "chloe"}) {
    Client c(*ep_, who);
    ASSERT_EQ(c.connect().result, 0u);
    auto ex = c.rpc({logon_request(0, essdn)}, {kNoHandle});
    auto& l = response<RopLogon::Response>(ex, 0);
    ASSERT_EQ(l.return_value, 0u);
    EXPECT_FALSE(l.response_flags & 0x02);  // not the owner
    auto handles = ex.buffer.handles;
    handles.resize(4, kNoHandle);
    RopGetContentsTable::Request ct;
    ct.input_handle_index = 1;
    ct.output_handle_index = 2;
    auto ex2 = c.rpc({open_folder(0, 1, server::object_id_from_counter(calendar)), ct,
                      open_folder(0, 3, server::object_id_from_counter(inbox))},
                     handles);
    uint32_t expected = who == "bob" ? 0u : 0x80070005u;
    EXPECT_EQ(response<RopOpenFolder::Response>(ex2, 0).return_value, who == "bob" ? 0u : 0x80070005u) << who;
    if (who == "bob") EXPECT_EQ(response<RopGetContentsTable::Response>(ex2, 1).row_count, 3u);
    else EXPECT_EQ(response<RopGetContentsTable::Response>(ex2, 1).return_value, 0x4B9u);
    (void)expected;
    EXPECT_EQ(response<RopOpenFolder::Response>(ex2, 2).return_value, 0x80070005u);  // the Inbox stays private
  }
  // The owner sees the permission table: default (free/busy) and bob.
  Client alice(*ep_, "alice");
  auto [l, handles] = logon(alice);
  handles.resize(3, kNoHandle);
  RopGetPermissionsTable::Request pt;
  pt.input_handle_index = 1;
  pt.output_handle_index = 2;
  pt.table_flags = 0x02;  // IncludeFreeBusy
  auto ex = alice.rpc({open_folder(0, 1, server::object_id_from_counter(calendar)), pt,
                       set_columns(2, {tag::MemberId, tag::MemberName, tag::MemberRights}), query_rows(2, 10)},
                      handles);
  auto& rows = response<RopQueryRows::Response>(ex, 3).rows;
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(cell_text(rows[1].cells[1]), "Bob Nguyen");
  EXPECT_EQ(rows[1].cells[2].value.as_int32(), 0x401);
  EXPECT_EQ(rows[0].cells[2].value.as_int32(), 0x800);
}

TEST(EmsmdbWrites, CreateSaveMoveDeleteAndChangeNumbers) {
  TempStore store;
  EmsmdbEndpoint ep(store.path());
  Client c(ep, "emi");
  ASSERT_EQ(c.connect().result, 0u);
  auto ex0 = c.rpc({logon_request()}, {kNoHandle});
  auto l = response<RopLogon::Response>(ex0, 0);
  server::MailboxStore direct(store.path());
  uint64_t drafts = *direct.special_folder("emi", "drafts");
  auto handles = ex0.buffer.handles;
  handles.resize(4, kNoHandle);
  RopCreateMessage::Request cm;
  cm.input_handle_index = 1;
  cm.output_handle_index = 2;
  cm.folder_id = server::object_id_from_counter(drafts);
  RopSetProperties::Request sp;
  sp.input_handle_index = 2;
  sp.property_values = {{tag::Subject, PropertyValue::string("Brouillon — 草稿")}, {tag::Mid, PropertyValue::int64(5)}};
  RopSaveChangesMessage::Request save;
  save.response_handle_index = 2;
  save.input_handle_index = 2;
  save.save_flags = 0x02;
  auto ex = c.rpc({open_folder(0, 1, server::object_id_from_counter(drafts)), cm, sp, save}, handles);
  EXPECT_EQ(response<RopCreateMessage::Response>(ex, 1).return_value, 0u);
  auto& problems = response<RopSetProperties::Response>(ex, 2).property_problems;
  ASSERT_EQ(problems.size(), 1u);  // PidTagMid is the store's
  EXPECT_EQ(problems[0].index, 1);
  uint64_t mid = response<RopSaveChangesMessage::Response>(ex, 3).message_id;
  uint64_t counter = server::counter_from_object_id(mid);
  EXPECT_EQ(direct.message_folder("emi", counter), drafts);
  auto first_cn = direct.property("emi", server::ObjectKind::Message, counter, 0, tag::ChangeNumber)->as_int64();
  // A second save advances the change number.
  handles = ex.buffer.handles;
  sp.property_values = {{tag::Importance, PropertyValue::int32(2)}};
  auto ex2 = c.rpc({sp, save}, handles);
  EXPECT_EQ(response<RopSaveChangesMessage::Response>(ex2, 1).message_id, mid);
  auto second_cn = direct.property("emi", server::ObjectKind::Message, counter, 0, tag::ChangeNumber)->as_int64();
  EXPECT_GT(server::counter_from_object_id(static_cast<uint64_t>(second_cn)),
            server::counter_from_object_id(static_cast<uint64_t>(first_cn)));
  // Move it to Deleted Items, then delete it there; a folder created on the way.
  handles.resize(6, kNoHandle);
  RopMoveCopyMessages::Request mv;
  mv.source_handle_index = 1;
  mv.dest_handle_index = 3;
  mv.message_ids = {mid};
  RopCreateFolder::Request cf;
  cf.input_handle_index = 3;
  cf.output_handle_index = 4;
  cf.display_name = "Архив";
  RopDeleteMessages::Request del;
  del.input_handle_index = 3;
  del.message_ids = {mid};
  auto ex3 = c.rpc({open_folder(0, 3, l.folder_ids[7]), mv, cf, cf, del}, handles);
  EXPECT_EQ(response<CopyMoveResponse<RopId::MoveCopyMessages>>(ex3, 1).return_value, 0u);
  EXPECT_EQ(response<RopCreateFolder::Response>(ex3, 2).return_value, 0u);
  EXPECT_EQ(response<RopCreateFolder::Response>(ex3, 3).return_value, 0x80040604u);  // the same name again
  EXPECT_EQ(response<PartialCompletionResponse<RopId::DeleteMessages>>(ex3, 4).partial_completion, 0);
  EXPECT_FALSE(direct.message_folder("emi", counter));
  EXPECT_TRUE(direct.find_child_folder("emi", server::counter_from_object_id(l.folder_ids[7]), "Архив"));
  // A destination handle that resolves to nothing: ecNullDestinationObject with the index.
  mv.dest_handle_index = 5;
  auto ex4 = c.rpc({mv}, ex3.buffer.handles);
  auto& nd = response<CopyMoveResponse<RopId::MoveCopyMessages>>(ex4, 0);
  EXPECT_EQ(nd.return_value, 0x503u);
  EXPECT_EQ(nd.dest_handle_index, 5u);
}

TEST(EmsmdbSeed, RecurrenceBlobMatchesTheSpecExampleLayout) {
  // MS-OXOCAL 4.1.1.2-style series: every Monday, Thursday and Friday at 10:00 for 30 minutes,
  // 12 occurrences from Monday 2007-03-26; the 2007-04-16 occurrence moved to 11:00 with a new
  // subject and location.
  server::WeeklyRecurrence w;
  w.first_start = server::filetime_utc(2007, 3, 26, 10, 0);
  w.duration_minutes = 30;
  w.days_of_week = 0x02 | 0x10 | 0x20;
  w.occurrences = 12;
  w.exceptions.push_back({server::filetime_utc(2007, 4, 16, 10, 0), server::filetime_utc(2007, 4, 16, 11, 0), 30,
                          "Simple Recurrence with exceptions", "34/4141"});
  Bytes blob = server::weekly_recurrence_blob(w);
  // The spec's example BLOB (MS-OXOCAL 4.1.1.2, exception example), byte for byte.
  Bytes expected = test::from_hex(
      "043004300B2001000000C0210000010000000000000032000000222000000C0000000000000001000000A096BC0C01000000A096BC0C8020BC0C"
      "20ADBC0C0630000009300000580200007602000001003499BC0C5299BC0CF898BC0C11002200210053696D706C6520526563757272656E6365"
      "207769746820657863657074696F6E730800070033342F34313431000000000400000000000000000000003499BC0C5299BC0CF898BC0C2100"
      "530069006D0070006C006500200052006500630075007200720065006E006300650020007700690074006800200065007800630065007000740"
      "069006F006E0073000700330034002F0034003100340031000000000000000000");
  EXPECT_EQ(test::to_hex(blob), test::to_hex(expected));
}

}  // namespace
}  // namespace exmapi
