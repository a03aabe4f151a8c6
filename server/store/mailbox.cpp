#include "store/mailbox.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <cctype>

#include "base/error.hpp"
#include "exmapi/errors.h"
#include "rop/entry_id.hpp"

namespace exmapi::server {

uint64_t object_id_from_counter(uint64_t global_counter) {
  return rop::ObjectId{kLocalReplicaId, global_counter}.to_wire_u64();
}
uint64_t counter_from_object_id(uint64_t wire_id) { return rop::ObjectId::from_wire_u64(wire_id).global_counter; }
uint16_t replica_of_object_id(uint64_t wire_id) { return rop::ObjectId::from_wire_u64(wire_id).replica_id; }

Bytes encode_stored_value(const rop::PropertyValue& value) {
  ByteWriter w;
  rop::encode_property_value(w, value, rop::CountWidth::Wide);
  return w.take();
}
rop::PropertyValue decode_stored_value(uint32_t tag, ByteView blob) {
  ByteReader r(blob);
  rop::PropertyValue v = rop::decode_property_value(r, static_cast<rop::PropType>(tag & 0xFFFF), rop::CountWidth::Wide);
  r.expect_end("stored property value");
  return v;
}

// ---- a prepared statement ------------------------------------------------------------------------
class MailboxStore::Statement {
 public:
  Statement(sqlite3* db, std::string_view sql, const std::string& path) : db_(db), path_(path) {
    if (sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &st_, nullptr) != SQLITE_OK)
      fail("preparing a statement");
  }
  ~Statement() { sqlite3_finalize(st_); }
  Statement(Statement&& o) noexcept : db_(o.db_), st_(o.st_), path_(o.path_), index_(o.index_) { o.st_ = nullptr; }
  Statement(const Statement&) = delete;

  Statement& bind(int64_t v) { return check(sqlite3_bind_int64(st_, ++index_, v)); }
  Statement& bind(uint64_t v) { return bind(static_cast<int64_t>(v)); }
  Statement& bind(uint32_t v) { return bind(static_cast<int64_t>(v)); }
  Statement& bind(int v) { return bind(static_cast<int64_t>(v)); }
  Statement& bind(std::string_view s) {
    return check(sqlite3_bind_text(st_, ++index_, s.data(), static_cast<int>(s.size()), SQLITE_TRANSIENT));
  }
  Statement& bind(ByteView b) {
    return check(sqlite3_bind_blob(st_, ++index_, b.data(), static_cast<int>(b.size()), SQLITE_TRANSIENT));
  }
  Statement& bind(const Guid& g) { return bind(ByteView(g.bytes.data(), g.bytes.size())); }

  // True while a row is available.
  bool step() {
    int rc = sqlite3_step(st_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    fail("running a statement");
  }
  void run() {
    while (step()) {
    }
  }
  int64_t i64(int col) { return sqlite3_column_int64(st_, col); }
  std::string text(int col) {
    auto p = reinterpret_cast<const char*>(sqlite3_column_text(st_, col));
    return p ? std::string(p, static_cast<size_t>(sqlite3_column_bytes(st_, col))) : std::string();
  }
  Bytes blob(int col) {
    auto p = static_cast<const uint8_t*>(sqlite3_column_blob(st_, col));
    return p ? Bytes(p, p + sqlite3_column_bytes(st_, col)) : Bytes();
  }
  Guid guid(int col) {
    Guid g;
    Bytes b = blob(col);
    if (b.size() == 16) std::copy(b.begin(), b.end(), g.bytes.begin());
    return g;
  }

 private:
  Statement& check(int rc) {
    if (rc != SQLITE_OK) fail("binding a parameter");
    return *this;
  }
  [[noreturn]] void fail(std::string_view what) {
    throw Error(EXMAPI_E_IO, "mailbox store " + path_ + ": " + std::string(what) + ": " + sqlite3_errmsg(db_));
  }
  sqlite3* db_;
  sqlite3_stmt* st_ = nullptr;
  std::string path_;
  int index_ = 0;
};

MailboxStore::Statement MailboxStore::prepare(std::string_view sql) { return Statement(db_, sql, path_); }

void MailboxStore::exec(std::string_view sql) {
  char* message = nullptr;
  if (sqlite3_exec(db_, std::string(sql).c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
    std::string text = message ? message : sqlite3_errmsg(db_);
    sqlite3_free(message);
    throw Error(EXMAPI_E_IO, "mailbox store " + path_ + ": " + text);
  }
}

MailboxStore::MailboxStore(const std::string& path) : path_(path) {
  if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                      nullptr) != SQLITE_OK) {
    std::string text = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    db_ = nullptr;
    throw Error(EXMAPI_E_IO, "cannot open the mailbox store " + path + ": " + text);
  }
  // Another connection (the address book) may hold the file briefly.
  sqlite3_busy_timeout(db_, 5000);
  exec(R"sql(
    PRAGMA foreign_keys = ON;
    CREATE TABLE IF NOT EXISTS mbx_mailbox(
      account TEXT PRIMARY KEY, mailbox_guid BLOB NOT NULL, replica_guid BLOB NOT NULL,
      next_counter INTEGER NOT NULL);
    CREATE TABLE IF NOT EXISTS mbx_special_folder(
      account TEXT NOT NULL, role TEXT NOT NULL, folder INTEGER NOT NULL, PRIMARY KEY(account, role));
    CREATE TABLE IF NOT EXISTS mbx_folder(
      account TEXT NOT NULL, folder INTEGER NOT NULL, parent INTEGER NOT NULL, PRIMARY KEY(account, folder));
    CREATE INDEX IF NOT EXISTS mbx_folder_parent ON mbx_folder(account, parent);
    CREATE TABLE IF NOT EXISTS mbx_message(
      account TEXT NOT NULL, message INTEGER NOT NULL, folder INTEGER NOT NULL, associated INTEGER NOT NULL,
      PRIMARY KEY(account, message));
    CREATE INDEX IF NOT EXISTS mbx_message_folder ON mbx_message(account, folder);
    CREATE TABLE IF NOT EXISTS mbx_recipient(
      account TEXT NOT NULL, message INTEGER NOT NULL, row_id INTEGER NOT NULL, PRIMARY KEY(account, message, row_id));
    CREATE TABLE IF NOT EXISTS mbx_attachment(
      account TEXT NOT NULL, message INTEGER NOT NULL, attach_num INTEGER NOT NULL,
      PRIMARY KEY(account, message, attach_num));
    CREATE TABLE IF NOT EXISTS mbx_property(
      account TEXT NOT NULL, kind INTEGER NOT NULL, object INTEGER NOT NULL, sub INTEGER NOT NULL,
      tag INTEGER NOT NULL, value BLOB NOT NULL, PRIMARY KEY(account, kind, object, sub, tag));
    CREATE TABLE IF NOT EXISTS mbx_named_property(
      account TEXT NOT NULL, prop_id INTEGER NOT NULL, guid BLOB NOT NULL, kind INTEGER NOT NULL,
      lid INTEGER NOT NULL, name TEXT NOT NULL, PRIMARY KEY(account, prop_id),
      UNIQUE(account, guid, kind, lid, name));
    CREATE TABLE IF NOT EXISTS mbx_permission(
      account TEXT NOT NULL, folder INTEGER NOT NULL, member_id INTEGER NOT NULL, member_account TEXT NOT NULL,
      member_name TEXT NOT NULL, rights INTEGER NOT NULL, PRIMARY KEY(account, folder, member_id));
    CREATE TABLE IF NOT EXISTS mbx_receive_folder(
      account TEXT NOT NULL, message_class TEXT NOT NULL, folder INTEGER NOT NULL,
      PRIMARY KEY(account, message_class));
  )sql");
}

MailboxStore::~MailboxStore() { sqlite3_close(db_); }

void MailboxStore::begin() { exec("BEGIN IMMEDIATE"); }
void MailboxStore::commit() { exec("COMMIT"); }
void MailboxStore::rollback() noexcept { sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr); }

// ---- mailboxes -------------------------------------------------------------------------------------
std::optional<MailboxInfo> MailboxStore::mailbox(std::string_view account) {
  auto st = prepare("SELECT account, mailbox_guid, replica_guid FROM mbx_mailbox WHERE account = ?");
  st.bind(account);
  if (!st.step()) return std::nullopt;
  return MailboxInfo{st.text(0), st.guid(1), st.guid(2)};
}

namespace {
Guid random_guid() {
  Guid g;
  sqlite3_randomness(static_cast<int>(g.bytes.size()), g.bytes.data());
  g.bytes[7] = static_cast<uint8_t>((g.bytes[7] & 0x0F) | 0x40);  // version 4 (Data3 is little-endian)
  g.bytes[8] = static_cast<uint8_t>((g.bytes[8] & 0x3F) | 0x80);  // RFC 4122 variant
  return g;
}
}  // namespace

MailboxInfo MailboxStore::create_mailbox(std::string_view account) {
  MailboxInfo info{std::string(account), random_guid(), random_guid()};
  // Counters start at 1; 0 is never an object.
  prepare("INSERT INTO mbx_mailbox(account, mailbox_guid, replica_guid, next_counter) VALUES (?, ?, ?, 1)")
      .bind(account)
      .bind(info.mailbox_guid)
      .bind(info.replica_guid)
      .run();
  return info;
}

uint64_t MailboxStore::allocate_counter(std::string_view account) {
  auto st = prepare("UPDATE mbx_mailbox SET next_counter = next_counter + 1 WHERE account = ? RETURNING next_counter - 1");
  st.bind(account);
  if (!st.step()) throw Error(EXMAPI_E_INVALID_ARGUMENT, "no mailbox for " + std::string(account));
  uint64_t v = static_cast<uint64_t>(st.i64(0));
  st.run();
  if (v > rop::kMaxGlobalCounter) throw Error(EXMAPI_E_LIMIT, "the mailbox's global counter is exhausted");
  return v;
}

void MailboxStore::set_special_folder(std::string_view account, std::string_view role, uint64_t folder) {
  prepare("INSERT OR REPLACE INTO mbx_special_folder(account, role, folder) VALUES (?, ?, ?)")
      .bind(account)
      .bind(role)
      .bind(folder)
      .run();
}
std::optional<uint64_t> MailboxStore::special_folder(std::string_view account, std::string_view role) {
  auto st = prepare("SELECT folder FROM mbx_special_folder WHERE account = ? AND role = ?");
  st.bind(account).bind(role);
  if (!st.step()) return std::nullopt;
  return static_cast<uint64_t>(st.i64(0));
}

// ---- folders ---------------------------------------------------------------------------------------
bool MailboxStore::folder_exists(std::string_view account, uint64_t folder) {
  return folder_parent(account, folder).has_value();
}
std::optional<uint64_t> MailboxStore::folder_parent(std::string_view account, uint64_t folder) {
  auto st = prepare("SELECT parent FROM mbx_folder WHERE account = ? AND folder = ?");
  st.bind(account).bind(folder);
  if (!st.step()) return std::nullopt;
  return static_cast<uint64_t>(st.i64(0));
}
std::vector<uint64_t> MailboxStore::child_folders(std::string_view account, uint64_t folder) {
  auto st = prepare("SELECT folder FROM mbx_folder WHERE account = ? AND parent = ? ORDER BY folder");
  st.bind(account).bind(folder);
  std::vector<uint64_t> out;
  while (st.step()) out.push_back(static_cast<uint64_t>(st.i64(0)));
  return out;
}
uint64_t MailboxStore::create_folder(std::string_view account, uint64_t parent, const PropertyMap& properties) {
  uint64_t folder = allocate_counter(account);
  prepare("INSERT INTO mbx_folder(account, folder, parent) VALUES (?, ?, ?)").bind(account).bind(folder).bind(parent).run();
  set_properties(account, ObjectKind::Folder, folder, 0, properties);
  return folder;
}
std::optional<uint64_t> MailboxStore::find_child_folder(std::string_view account, uint64_t parent,
                                                        std::string_view display_name) {
  for (uint64_t child : child_folders(account, parent)) {
    auto name = property(account, ObjectKind::Folder, child, 0, 0x3001001F);
    if (name && name->as_string() == display_name) return child;
  }
  return std::nullopt;
}
void MailboxStore::delete_folder(std::string_view account, uint64_t folder) {
  for (uint64_t child : child_folders(account, folder)) delete_folder(account, child);
  for (bool associated : {false, true})
    for (uint64_t m : folder_messages(account, folder, associated)) delete_message(account, m);
  prepare("DELETE FROM mbx_property WHERE account = ? AND kind = ? AND object = ?")
      .bind(account)
      .bind(static_cast<int>(ObjectKind::Folder))
      .bind(folder)
      .run();
  clear_permissions(account, folder);
  prepare("DELETE FROM mbx_folder WHERE account = ? AND folder = ?").bind(account).bind(folder).run();
}

// ---- messages --------------------------------------------------------------------------------------
std::vector<uint64_t> MailboxStore::folder_messages(std::string_view account, uint64_t folder, bool associated) {
  auto st = prepare("SELECT message FROM mbx_message WHERE account = ? AND folder = ? AND associated = ? ORDER BY message");
  st.bind(account).bind(folder).bind(associated ? 1 : 0);
  std::vector<uint64_t> out;
  while (st.step()) out.push_back(static_cast<uint64_t>(st.i64(0)));
  return out;
}
std::optional<uint64_t> MailboxStore::message_folder(std::string_view account, uint64_t message) {
  auto st = prepare("SELECT folder FROM mbx_message WHERE account = ? AND message = ?");
  st.bind(account).bind(message);
  if (!st.step()) return std::nullopt;
  return static_cast<uint64_t>(st.i64(0));
}
uint64_t MailboxStore::create_message(std::string_view account, uint64_t folder, bool associated) {
  uint64_t message = allocate_counter(account);
  prepare("INSERT INTO mbx_message(account, message, folder, associated) VALUES (?, ?, ?, ?)")
      .bind(account)
      .bind(message)
      .bind(folder)
      .bind(associated ? 1 : 0)
      .run();
  return message;
}
void MailboxStore::delete_message(std::string_view account, uint64_t message) {
  for (int kind : {static_cast<int>(ObjectKind::Message), static_cast<int>(ObjectKind::Recipient),
                   static_cast<int>(ObjectKind::Attachment)})
    prepare("DELETE FROM mbx_property WHERE account = ? AND kind = ? AND object = ?")
        .bind(account)
        .bind(kind)
        .bind(message)
        .run();
  prepare("DELETE FROM mbx_recipient WHERE account = ? AND message = ?").bind(account).bind(message).run();
  prepare("DELETE FROM mbx_attachment WHERE account = ? AND message = ?").bind(account).bind(message).run();
  prepare("DELETE FROM mbx_message WHERE account = ? AND message = ?").bind(account).bind(message).run();
}
void MailboxStore::move_message(std::string_view account, uint64_t message, uint64_t folder) {
  prepare("UPDATE mbx_message SET folder = ? WHERE account = ? AND message = ?")
      .bind(folder)
      .bind(account)
      .bind(message)
      .run();
}
uint64_t MailboxStore::copy_message(std::string_view account, uint64_t message, uint64_t folder) {
  auto st = prepare("SELECT associated FROM mbx_message WHERE account = ? AND message = ?");
  st.bind(account).bind(message);
  bool associated = st.step() && st.i64(0) != 0;
  uint64_t copy = create_message(account, folder, associated);
  set_properties(account, ObjectKind::Message, copy, 0, properties(account, ObjectKind::Message, message));
  for (uint32_t row : recipients(account, message))
    set_properties(account, ObjectKind::Recipient, copy, row, properties(account, ObjectKind::Recipient, message, row));
  for (uint32_t row : recipients(account, message))
    prepare("INSERT INTO mbx_recipient(account, message, row_id) VALUES (?, ?, ?)").bind(account).bind(copy).bind(row).run();
  for (uint32_t n : attachments(account, message)) {
    prepare("INSERT INTO mbx_attachment(account, message, attach_num) VALUES (?, ?, ?)")
        .bind(account)
        .bind(copy)
        .bind(n)
        .run();
    set_properties(account, ObjectKind::Attachment, copy, n, properties(account, ObjectKind::Attachment, message, n));
  }
  return copy;
}

// ---- properties ------------------------------------------------------------------------------------
PropertyMap MailboxStore::properties(std::string_view account, ObjectKind kind, uint64_t object, uint32_t sub) {
  auto st = prepare("SELECT tag, value FROM mbx_property WHERE account = ? AND kind = ? AND object = ? AND sub = ?");
  st.bind(account).bind(static_cast<int>(kind)).bind(object).bind(sub);
  PropertyMap out;
  while (st.step()) {
    uint32_t tag = static_cast<uint32_t>(st.i64(0));
    out.emplace(tag, decode_stored_value(tag, st.blob(1)));
  }
  return out;
}
std::optional<rop::PropertyValue> MailboxStore::property(std::string_view account, ObjectKind kind, uint64_t object,
                                                         uint32_t sub, uint32_t tag) {
  auto st = prepare("SELECT value FROM mbx_property WHERE account = ? AND kind = ? AND object = ? AND sub = ? AND tag = ?");
  st.bind(account).bind(static_cast<int>(kind)).bind(object).bind(sub).bind(tag);
  if (!st.step()) return std::nullopt;
  return decode_stored_value(tag, st.blob(0));
}
void MailboxStore::set_properties(std::string_view account, ObjectKind kind, uint64_t object, uint32_t sub,
                                  const PropertyMap& properties) {
  for (const auto& [tag, value] : properties) {
    // A property is stored under one type: a new type for the same ID replaces the old value.
    prepare("DELETE FROM mbx_property WHERE account = ? AND kind = ? AND object = ? AND sub = ? AND (tag >> 16) = ?")
        .bind(account)
        .bind(static_cast<int>(kind))
        .bind(object)
        .bind(sub)
        .bind(tag >> 16)
        .run();
    prepare("INSERT INTO mbx_property(account, kind, object, sub, tag, value) VALUES (?, ?, ?, ?, ?, ?)")
        .bind(account)
        .bind(static_cast<int>(kind))
        .bind(object)
        .bind(sub)
        .bind(tag)
        .bind(ByteView(encode_stored_value(value)))
        .run();
  }
}
void MailboxStore::delete_property(std::string_view account, ObjectKind kind, uint64_t object, uint32_t sub,
                                   uint32_t tag) {
  prepare("DELETE FROM mbx_property WHERE account = ? AND kind = ? AND object = ? AND sub = ? AND (tag >> 16) = ?")
      .bind(account)
      .bind(static_cast<int>(kind))
      .bind(object)
      .bind(sub)
      .bind(tag >> 16)
      .run();
}
void MailboxStore::replace_properties(std::string_view account, ObjectKind kind, uint64_t object, uint32_t sub,
                                      const PropertyMap& properties) {
  prepare("DELETE FROM mbx_property WHERE account = ? AND kind = ? AND object = ? AND sub = ?")
      .bind(account)
      .bind(static_cast<int>(kind))
      .bind(object)
      .bind(sub)
      .run();
  set_properties(account, kind, object, sub, properties);
}

// ---- recipients and attachments --------------------------------------------------------------------
std::vector<uint32_t> MailboxStore::recipients(std::string_view account, uint64_t message) {
  auto st = prepare("SELECT row_id FROM mbx_recipient WHERE account = ? AND message = ? ORDER BY row_id");
  st.bind(account).bind(message);
  std::vector<uint32_t> out;
  while (st.step()) out.push_back(static_cast<uint32_t>(st.i64(0)));
  return out;
}
uint32_t MailboxStore::add_recipient(std::string_view account, uint64_t message, const PropertyMap& properties) {
  auto rows = recipients(account, message);
  uint32_t row = rows.empty() ? 0 : rows.back() + 1;
  prepare("INSERT INTO mbx_recipient(account, message, row_id) VALUES (?, ?, ?)").bind(account).bind(message).bind(row).run();
  set_properties(account, ObjectKind::Recipient, message, row, properties);
  return row;
}
std::vector<uint32_t> MailboxStore::attachments(std::string_view account, uint64_t message) {
  auto st = prepare("SELECT attach_num FROM mbx_attachment WHERE account = ? AND message = ? ORDER BY attach_num");
  st.bind(account).bind(message);
  std::vector<uint32_t> out;
  while (st.step()) out.push_back(static_cast<uint32_t>(st.i64(0)));
  return out;
}
uint32_t MailboxStore::add_attachment(std::string_view account, uint64_t message, const PropertyMap& properties) {
  auto all = attachments(account, message);
  uint32_t n = all.empty() ? 0 : all.back() + 1;
  prepare("INSERT INTO mbx_attachment(account, message, attach_num) VALUES (?, ?, ?)")
      .bind(account)
      .bind(message)
      .bind(n)
      .run();
  PropertyMap with_number = properties;
  with_number[0x0E210003] = rop::PropertyValue::int32(static_cast<int32_t>(n));  // PidTagAttachNumber
  set_properties(account, ObjectKind::Attachment, message, n, with_number);
  return n;
}

// ---- named properties ------------------------------------------------------------------------------
std::optional<uint16_t> MailboxStore::named_property_id(std::string_view account, const rop::PropertyName& name,
                                                        bool create) {
  bool by_name = name.kind == rop::property_name_kind::Name;
  uint32_t lid = by_name ? 0 : name.lid;
  std::string text = by_name ? name.name : std::string();
  auto st = prepare(
      "SELECT prop_id FROM mbx_named_property WHERE account = ? AND guid = ? AND kind = ? AND lid = ? AND name = ?");
  st.bind(account).bind(name.guid).bind(by_name ? 1 : 0).bind(lid).bind(std::string_view(text));
  if (st.step()) return static_cast<uint16_t>(st.i64(0));
  if (!create) return std::nullopt;
  auto next = prepare("SELECT COALESCE(MAX(prop_id) + 1, 32768) FROM mbx_named_property WHERE account = ?");
  next.bind(account);
  next.step();
  int64_t id = next.i64(0);
  if (id > 0xFFFE) return std::nullopt;
  prepare("INSERT INTO mbx_named_property(account, prop_id, guid, kind, lid, name) VALUES (?, ?, ?, ?, ?, ?)")
      .bind(account)
      .bind(id)
      .bind(name.guid)
      .bind(by_name ? 1 : 0)
      .bind(lid)
      .bind(std::string_view(text))
      .run();
  return static_cast<uint16_t>(id);
}
std::optional<rop::PropertyName> MailboxStore::named_property(std::string_view account, uint16_t id) {
  auto st = prepare("SELECT guid, kind, lid, name FROM mbx_named_property WHERE account = ? AND prop_id = ?");
  st.bind(account).bind(static_cast<int>(id));
  if (!st.step()) return std::nullopt;
  rop::PropertyName name;
  name.guid = st.guid(0);
  name.kind = st.i64(1) ? rop::property_name_kind::Name : rop::property_name_kind::Lid;
  name.lid = static_cast<uint32_t>(st.i64(2));
  name.name = st.text(3);
  return name;
}

// ---- permissions -----------------------------------------------------------------------------------
std::vector<FolderPermission> MailboxStore::permissions(std::string_view account, uint64_t folder) {
  auto st = prepare(
      "SELECT member_id, member_account, member_name, rights FROM mbx_permission WHERE account = ? AND folder = ? "
      "ORDER BY member_id");
  st.bind(account).bind(folder);
  std::vector<FolderPermission> out;
  while (st.step()) out.push_back({st.i64(0), st.text(1), st.text(2), static_cast<uint32_t>(st.i64(3))});
  return out;
}
void MailboxStore::set_permission(std::string_view account, uint64_t folder, const FolderPermission& p) {
  prepare(
      "INSERT OR REPLACE INTO mbx_permission(account, folder, member_id, member_account, member_name, rights) "
      "VALUES (?, ?, ?, ?, ?, ?)")
      .bind(account)
      .bind(folder)
      .bind(p.member_id)
      .bind(std::string_view(p.member_account))
      .bind(std::string_view(p.member_name))
      .bind(p.rights)
      .run();
}
void MailboxStore::remove_permission(std::string_view account, uint64_t folder, int64_t member_id) {
  prepare("DELETE FROM mbx_permission WHERE account = ? AND folder = ? AND member_id = ?")
      .bind(account)
      .bind(folder)
      .bind(member_id)
      .run();
}
void MailboxStore::clear_permissions(std::string_view account, uint64_t folder) {
  prepare("DELETE FROM mbx_permission WHERE account = ? AND folder = ?").bind(account).bind(folder).run();
}

// ---- receive folders -------------------------------------------------------------------------------
void MailboxStore::set_receive_folder(std::string_view account, std::string_view message_class, uint64_t folder) {
  prepare("INSERT OR REPLACE INTO mbx_receive_folder(account, message_class, folder) VALUES (?, ?, ?)")
      .bind(account)
      .bind(message_class)
      .bind(folder)
      .run();
}
std::optional<std::pair<uint64_t, std::string>> MailboxStore::receive_folder(std::string_view account,
                                                                            std::string_view message_class) {
  auto lower = [](std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
  };
  std::string wanted = lower(message_class);
  auto st = prepare("SELECT message_class, folder FROM mbx_receive_folder WHERE account = ?");
  st.bind(account);
  std::optional<std::pair<uint64_t, std::string>> best;
  while (st.step()) {
    std::string cls = st.text(0);
    std::string l = lower(cls);
    // A class matches itself and the classes below it ("IPM" covers "IPM.Note"); "" covers all.
    bool prefix = l.empty() || wanted == l || (wanted.size() > l.size() && wanted.compare(0, l.size(), l) == 0 &&
                                               wanted[l.size()] == '.');
    if (prefix && (!best || cls.size() > best->second.size())) best = {static_cast<uint64_t>(st.i64(1)), cls};
  }
  return best;
}

}  // namespace exmapi::server
