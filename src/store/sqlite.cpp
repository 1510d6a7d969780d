#include "store/sqlite.h"

#include <cerrno>
#include <cstring>

namespace iron::store {

SqliteError last_error(sqlite3* db, const std::string& message) {
  const int code = sqlite3_extended_errcode(db);
  // SQLite reports most ENOSPC as SQLITE_FULL, but a failed fsync, ftruncate or shm growth
  // surfaces as an SQLITE_IOERR_* whose OS error says why.
  const int os_error = sqlite3_system_errno(db);
  const bool no_space = (code & 0xff) == SQLITE_IOERR && (os_error == ENOSPC || os_error == EDQUOT);
  return SqliteError(code, message, no_space);
}

void throw_sqlite(sqlite3* db, int rc, std::string_view context) {
  std::string msg(context);
  msg += ": ";
  msg += db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  if (db) throw last_error(db, msg);
  throw SqliteError(rc, msg);
}

Statement& SqliteStatement::bind_int64(int i, int64_t v) {
  if (int rc = sqlite3_bind_int64(stmt_, i, v); rc != SQLITE_OK) throw_sqlite(db_, rc, "bind");
  return *this;
}
Statement& SqliteStatement::bind_double(int i, double v) {
  if (int rc = sqlite3_bind_double(stmt_, i, v); rc != SQLITE_OK) throw_sqlite(db_, rc, "bind");
  return *this;
}
Statement& SqliteStatement::bind_text(int i, std::string_view v) {
  if (int rc = sqlite3_bind_text64(stmt_, i, v.data(), v.size(), SQLITE_TRANSIENT, SQLITE_UTF8); rc != SQLITE_OK)
    throw_sqlite(db_, rc, "bind");
  return *this;
}
Statement& SqliteStatement::bind_bytes(int i, std::string_view v) {
  if (int rc = sqlite3_bind_blob64(stmt_, i, v.data(), v.size(), SQLITE_TRANSIENT); rc != SQLITE_OK)
    throw_sqlite(db_, rc, "bind");
  return *this;
}
Statement& SqliteStatement::bind_null(int i) {
  if (int rc = sqlite3_bind_null(stmt_, i); rc != SQLITE_OK) throw_sqlite(db_, rc, "bind");
  return *this;
}

bool SqliteStatement::step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  // Reset so the cached statement is reusable; keep the original error for the message.
  SqliteError error = last_error(db_, std::string("step: ") + sqlite3_errmsg(db_));
  sqlite3_reset(stmt_);
  throw error;
}

void SqliteStatement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

std::string SqliteStatement::text(int col) const {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
  const int n = sqlite3_column_bytes(stmt_, col);
  return p ? std::string(p, static_cast<size_t>(n)) : std::string();
}

namespace {
// Process-wide settings that sqlite3_config() only accepts before SQLite initialises, i.e.
// before the first connection opens. Every connection of the process opens here, so the
// first one applies them.
void configure_sqlite() {
  // Memory statistics make every allocation take a process-wide mutex and update counters
  // (~230 instructions per malloc/free pair; a budget report makes ~64 of them). Nothing reads
  // them: the panel sets no soft or hard heap limit and never asks sqlite3_memory_used().
  // SQLITE_MISUSE when SQLite is already initialised (something opened a database without
  // us): then it merely stays on.
  sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}
}  // namespace

size_t SqlTextHash::operator()(const std::string& sql) const noexcept {
  const size_t n = sql.size();
  const char* p = sql.data();
  auto word = [p](size_t at) {
    uint64_t w;
    std::memcpy(&w, p + at, sizeof w);
    return w;
  };
  uint64_t h = n * 0x9E3779B97F4A7C15ull;
  if (n < 8) {
    for (size_t i = 0; i < n; ++i) h = (h ^ static_cast<unsigned char>(p[i])) * 0x100000001B3ull;
    return h;
  }
  const size_t last = n - 8;
  for (size_t at : {size_t{0}, n / 4, n / 2, n / 4 * 3, last})
    h = (h ^ word(at < last ? at : last)) * 0x9E3779B97F4A7C15ull;
  return h ^ (h >> 29);
}

SqliteConnection::SqliteConnection(const std::string& path, bool read_only) {
  static const bool configured = (configure_sqlite(), true);
  (void)configured;
  const int flags = (read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) |
                    SQLITE_OPEN_NOMUTEX;
  if (int rc = sqlite3_open_v2(path.c_str(), &db_, flags, nullptr); rc != SQLITE_OK) {
    std::string msg = "open " + path + ": " + (db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc));
    sqlite3_close_v2(db_);
    db_ = nullptr;
    throw SqliteError(rc, msg);
  }
  sqlite3_extended_result_codes(db_, 1);
}

SqliteConnection::~SqliteConnection() {
  cache_.clear();  // finalize statements before closing
  if (db_) sqlite3_close_v2(db_);
}

void SqliteConnection::exec(std::string_view sql) {
  char* err = nullptr;
  const std::string s(sql);
  if (int rc = sqlite3_exec(db_, s.c_str(), nullptr, nullptr, &err); rc != SQLITE_OK) {
    std::string msg = err ? err : sqlite3_errstr(rc);
    sqlite3_free(err);
    throw last_error(db_, "exec: " + msg);
  }
}

void SqliteConnection::reset_statements() {
  for (auto* stmt : in_use_) {
    stmt->reset();
    stmt->in_use = false;
  }
  in_use_.clear();
}

SqliteStatement& SqliteConnection::hand_out(SqliteStatement& stmt) {
  if (!stmt.in_use) {
    stmt.in_use = true;
    in_use_.push_back(&stmt);
  }
  return stmt;
}

Statement& SqliteConnection::prepare(const std::string& sql) {
  if (auto it = cache_.find(sql); it != cache_.end()) {
    // A statement not handed out since the last reset_statements() is reset already.
    if (it->second->in_use) it->second->reset();
    return hand_out(*it->second);
  }
  sqlite3_stmt* stmt = nullptr;
  if (int rc = sqlite3_prepare_v3(db_, sql.c_str(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &stmt,
                                  nullptr);
      rc != SQLITE_OK) {
    throw_sqlite(db_, rc, "prepare");
  }
  auto [it, _] = cache_.emplace(sql, std::make_unique<SqliteStatement>(db_, stmt));
  return hand_out(*it->second);
}

}  // namespace iron::store
