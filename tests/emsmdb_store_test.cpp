// The mailbox store and its seed, read back directly from the SQLite file.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>

#include "convert/compressed_rtf.hpp"
#include "store/mailbox.hpp"
#include "store/mailbox_seed.hpp"
#include "store/mailbox_tags.hpp"
#include "store/sample_org.hpp"

namespace exmapi {
namespace {

namespace tag = server::mailbox_tag;
using server::MailboxStore;
using server::ObjectKind;

class SeededStore : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/exmapi-mbx-XXXXXX";
    dir_ = mkdtemp(pattern);
    path_ = dir_ + "/store.sqlite";
    server::seed_mailboxes(path_);
  }
  void TearDown() override {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
  std::string dir_, path_;
};

size_t count_in(MailboxStore& s, const std::string& account, const char* role) {
  return s.folder_messages(account, *s.special_folder(account, role), false).size();
}

TEST_F(SeededStore, EveryUserHasEveryDefaultFolderAndItems) {
  MailboxStore s(path_);
  for (const auto& u : server::sample::kUsers) {
    std::string a(u.account);
    ASSERT_TRUE(s.mailbox(a)) << a;
    for (const char* role : server::kLogonFolderRoles) EXPECT_TRUE(s.special_folder(a, role)) << a << " " << role;
    for (const char* role : {"drafts", "calendar", "contacts", "tasks", "notes", "journal"})
      EXPECT_TRUE(s.special_folder(a, role)) << a << " " << role;
    EXPECT_EQ(count_in(s, a, "inbox"), 5u);
    EXPECT_EQ(count_in(s, a, "sent_items"), 1u);
    EXPECT_EQ(count_in(s, a, "drafts"), 1u);
    EXPECT_EQ(count_in(s, a, "calendar"), 3u);
    EXPECT_EQ(count_in(s, a, "contacts"), server::sample::kUsers.size() - 1);
    EXPECT_EQ(count_in(s, a, "tasks"), 3u);
    EXPECT_EQ(count_in(s, a, "notes"), 2u);
    // The IPM subtree holds the ten user-visible folders; the root holds it and eight system folders.
    EXPECT_EQ(s.child_folders(a, *s.special_folder(a, "ipm_subtree")).size(), 10u);
    EXPECT_EQ(s.child_folders(a, *s.special_folder(a, "root")).size(), 8u);
  }
  // Seeding again adds nothing.
  server::seed_mailboxes(path_);
  EXPECT_EQ(count_in(s, "alice", "inbox"), 5u);
}

TEST_F(SeededStore, MailsCarryHtmlRtfAndAttachments) {
  MailboxStore s(path_);
  uint64_t inbox = *s.special_folder("bob", "inbox");
  size_t with_rtf = 0, with_html = 0, attachments = 0;
  for (uint64_t m : s.folder_messages("bob", inbox, false)) {
    auto p = s.properties("bob", ObjectKind::Message, m);
    if (auto it = p.find(tag::RtfCompressed); it != p.end()) {
      ++with_rtf;
      Bytes rtf = rtf::decompress(it->second.as_binary());
      EXPECT_EQ(std::string(rtf.begin(), rtf.begin() + 6), "{\\rtf1");
    }
    if (p.count(tag::Html)) ++with_html;
    bool has = p.at(tag::HasAttachments).as_bool();
    EXPECT_EQ(has, !s.attachments("bob", m).empty());
    for (uint32_t n : s.attachments("bob", m)) {
      auto a = s.properties("bob", ObjectKind::Attachment, m, n);
      EXPECT_EQ(a.at(tag::AttachNumber).as_int32(), static_cast<int32_t>(n));
      EXPECT_EQ(a.at(tag::AttachSize).as_int32(), static_cast<int32_t>(a.at(tag::AttachDataBinary).as_binary().size()));
      ++attachments;
    }
    EXPECT_FALSE(s.recipients("bob", m).empty());
  }
  EXPECT_EQ(with_rtf, 1u);
  EXPECT_EQ(with_html, 2u);
  EXPECT_EQ(attachments, 5u);
}

TEST_F(SeededStore, NamedPropertiesAndPermissionsAndReceiveFolders) {
  MailboxStore s(path_);
  rop::PropertyName start;
  start.kind = rop::property_name_kind::Lid;
  start.guid = *Guid::parse("{00062002-0000-0000-C000-000000000046}");
  start.lid = 0x820D;
  auto id = s.named_property_id("alice", start, false);
  ASSERT_TRUE(id);
  EXPECT_GE(*id, 0x8000);
  EXPECT_EQ(s.named_property("alice", *id), start);
  EXPECT_EQ(s.named_property_id("alice", start, true), id);  // asking again maps to the same ID
  rop::PropertyName by_name;
  by_name.kind = rop::property_name_kind::Name;
  by_name.guid = start.guid;
  by_name.name = "x-exmapi-test";
  EXPECT_FALSE(s.named_property_id("alice", by_name, false));
  auto created = s.named_property_id("alice", by_name, true);
  ASSERT_TRUE(created);
  EXPECT_NE(created, id);

  auto perms = s.permissions("alice", *s.special_folder("alice", "calendar"));
  ASSERT_EQ(perms.size(), 2u);
  EXPECT_EQ(perms[1].member_account, "bob");
  EXPECT_TRUE(s.permissions("bob", *s.special_folder("bob", "calendar")).empty());

  auto rf = s.receive_folder("chloe", "IPM.Note.Custom");
  ASSERT_TRUE(rf);
  EXPECT_EQ(rf->first, *s.special_folder("chloe", "inbox"));
  EXPECT_EQ(rf->second, "IPM");
  EXPECT_EQ(s.receive_folder("chloe", "Other")->second, "");
}

TEST_F(SeededStore, ValuesRoundTripThroughTheirStoredForm) {
  MailboxStore s(path_);
  uint64_t drafts = *s.special_folder("emi", "drafts");
  uint64_t m = s.create_message("emi", drafts, false);
  server::PropertyMap p{{0x0037001F, rop::PropertyValue::string("件名 — Betreff")},
                        {0x0E080003, rop::PropertyValue::int32(-5)},
                        {0x10131102, rop::PropertyValue::multiple_binary({Bytes{1, 2}, Bytes{}})},
                        {0x00390040, rop::PropertyValue::time(133000000000000000ull)}};
  s.set_properties("emi", ObjectKind::Message, m, 0, p);
  EXPECT_EQ(s.properties("emi", ObjectKind::Message, m), p);
  // A new type for the same property ID replaces the value.
  s.set_properties("emi", ObjectKind::Message, m, 0, {{0x0E080014, rop::PropertyValue::int64(7)}});
  auto after = s.properties("emi", ObjectKind::Message, m);
  EXPECT_FALSE(after.count(0x0E080003));
  EXPECT_EQ(after.at(0x0E080014).as_int64(), 7);
  uint64_t copy = s.copy_message("emi", m, *s.special_folder("emi", "inbox"));
  EXPECT_NE(copy, m);
  EXPECT_EQ(s.properties("emi", ObjectKind::Message, copy), after);
  s.delete_message("emi", m);
  EXPECT_FALSE(s.message_folder("emi", m));
  EXPECT_TRUE(s.properties("emi", ObjectKind::Message, m).empty());
}

}  // namespace
}  // namespace exmapi
