// The store is one SQLite file. A thin RAII layer over the sqlite3 C API: every failure throws a
// StoreError naming the file and the statement, so a broken store is reported, never ignored.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "base/bytes.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace exmapi::server::store {

class StoreError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Database;

// One prepared statement. Parameters are 1-based, columns 0-based (as in SQLite).
class Statement {
 public:
  Statement(Database& db, std::string_view sql);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& bind(int index, int64_t v);
  Statement& bind(int index, std::string_view text);
  Statement& bind(int index, ByteView blob);
  Statement& bind_null(int index);
  // Next row: true while there is one. A statement without rows returns false at once.
  bool step();
  void reset();
  // Runs to completion (INSERT, UPDATE...).
  void run();

  bool is_null(int column) const;
  int64_t integer(int column) const;
  std::string text(int column) const;
  Bytes blob(int column) const;

 private:
  [[noreturn]] void fail(const char* what) const;
  Database& db_;
  sqlite3_stmt* stmt_ = nullptr;
  std::string sql_;
};

class Database {
 public:
  enum class Mode { kCreate, kOpenExisting };
  // kCreate makes a new file and fails if one exists; kOpenExisting fails if none does or if it
  // is not an SQLite database.
  Database(const std::string& path, Mode mode);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  void exec(std::string_view sql);
  // Runs fn inside one transaction: committed when fn returns, rolled back when it throws.
  template <class Fn>
  void transaction(Fn&& fn) {
    exec("BEGIN IMMEDIATE");
    try {
      fn();
    } catch (...) {
      exec("ROLLBACK");
      throw;
    }
    exec("COMMIT");
  }
  int64_t last_insert_rowid() const;
  // The value of a single-column, single-row query, or nullopt when it returns no row.
  std::optional<int64_t> query_integer(std::string_view sql);
  bool has_table(std::string_view name);

  const std::string& path() const noexcept { return path_; }
  sqlite3* handle() const noexcept { return db_; }

 private:
  sqlite3* db_ = nullptr;
  std::string path_;
};

}  // namespace exmapi::server::store
