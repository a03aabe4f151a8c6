#include "server/store/database.hpp"

#include <sqlite3.h>
#include <sys/stat.h>

namespace exmapi::server::store {

Statement::Statement(Database& db, std::string_view sql) : db_(db), sql_(sql) {
  if (sqlite3_prepare_v2(db.handle(), sql_.data(), static_cast<int>(sql_.size()), &stmt_, nullptr) != SQLITE_OK)
    fail("prepare");
}

Statement::~Statement() { sqlite3_finalize(stmt_); }

void Statement::fail(const char* what) const {
  throw StoreError(db_.path() + ": " + what + " failed for \"" + sql_ + "\": " + sqlite3_errmsg(db_.handle()));
}

Statement& Statement::bind(int index, int64_t v) {
  if (sqlite3_bind_int64(stmt_, index, v) != SQLITE_OK) fail("bind");
  return *this;
}
Statement& Statement::bind(int index, std::string_view text) {
  if (sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT) != SQLITE_OK)
    fail("bind");
  return *this;
}
Statement& Statement::bind(int index, ByteView blob) {
  // A zero-length blob must still be a blob, not NULL: sqlite3_bind_zeroblob keeps the type.
  int rc = blob.empty() ? sqlite3_bind_zeroblob(stmt_, index, 0)
                        : sqlite3_bind_blob(stmt_, index, blob.data(), static_cast<int>(blob.size()), SQLITE_TRANSIENT);
  if (rc != SQLITE_OK) fail("bind");
  return *this;
}
Statement& Statement::bind_null(int index) {
  if (sqlite3_bind_null(stmt_, index) != SQLITE_OK) fail("bind");
  return *this;
}

bool Statement::step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  fail("step");
}

void Statement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

void Statement::run() {
  while (step()) {
  }
}

bool Statement::is_null(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }
int64_t Statement::integer(int column) const { return sqlite3_column_int64(stmt_, column); }
std::string Statement::text(int column) const {
  auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
  return p ? std::string(p, static_cast<size_t>(sqlite3_column_bytes(stmt_, column))) : std::string();
}
Bytes Statement::blob(int column) const {
  auto* p = static_cast<const uint8_t*>(sqlite3_column_blob(stmt_, column));
  return p ? Bytes(p, p + sqlite3_column_bytes(stmt_, column)) : Bytes();
}

Database::Database(const std::string& path, Mode mode) : path_(path) {
  struct stat st {};
  bool exists = ::stat(path.c_str(), &st) == 0;
  if (mode == Mode::kCreate && exists) throw StoreError(path + ": already exists; --seed creates a new store");
  if (mode == Mode::kOpenExisting && !exists)
    throw StoreError(path + ": no such store (create one with --seed)");
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (mode == Mode::kCreate ? SQLITE_OPEN_CREATE : 0);
  if (sqlite3_open_v2(path.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
    std::string why = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    db_ = nullptr;
    throw StoreError(path + ": cannot open: " + why);
  }
  sqlite3_extended_result_codes(db_, 1);
  sqlite3_busy_timeout(db_, 5000);
  // SQLite opens any file lazily; reading the schema is what finds out it is not a database.
  try {
    exec("PRAGMA foreign_keys = ON");
    query_integer("SELECT count(*) FROM sqlite_master");
  } catch (const StoreError& e) {
    sqlite3_close(db_);
    db_ = nullptr;
    throw StoreError(path + ": not a usable SQLite store (" + e.what() + ")");
  }
}

Database::~Database() { sqlite3_close(db_); }

void Database::exec(std::string_view sql) {
  std::string s(sql);
  char* err = nullptr;
  if (sqlite3_exec(db_, s.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::string why = err ? err : sqlite3_errmsg(db_);
    sqlite3_free(err);
    throw StoreError(path_ + ": \"" + s.substr(0, 80) + "\": " + why);
  }
}

int64_t Database::last_insert_rowid() const { return sqlite3_last_insert_rowid(db_); }

std::optional<int64_t> Database::query_integer(std::string_view sql) {
  Statement s(*this, sql);
  if (!s.step()) return std::nullopt;
  return s.integer(0);
}

bool Database::has_table(std::string_view name) {
  Statement s(*this, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?");
  s.bind(1, name);
  return s.step();
}

}  // namespace exmapi::server::store
