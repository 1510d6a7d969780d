#include "store/database.h"

#include "store/migrations.h"
#include "store/sqlite_database.h"

namespace iron::store {

Database::Database(std::string path, int reader_count, int64_t max_bytes)
    : engine_(std::make_unique<SqliteDatabase>(std::move(path), reader_count, max_bytes)) {}

int Database::schema_version() {
  return read([](Connection& c) { return current_schema_version(c); });
}

bool Database::ping() {
  try {
    return read([](Connection& c) { return c.prepare("SELECT 1").value<int64_t>() == 1; });
  } catch (const std::exception&) {
    return false;
  }
}

}  // namespace iron::store
