#include "store/db_stats.h"

#include <filesystem>

namespace iron::store {
namespace {

int64_t file_bytes(const std::string& path) {
  std::error_code ec;
  const auto n = std::filesystem::file_size(path, ec);
  return ec ? 0 : static_cast<int64_t>(n);
}

}  // namespace

std::vector<std::pair<std::string, int64_t>> row_counts(Connection& c) {
  // Names are the labels the API shows; the table behind each is fixed here (no SQL built
  // from input).
  static const std::pair<const char*, const char*> kTables[] = {
      {"users", "SELECT COUNT(*) FROM users"},
      {"api_tokens", "SELECT COUNT(*) FROM api_tokens"},
      {"agents", "SELECT COUNT(*) FROM agents"},
      {"provider_keys", "SELECT COUNT(*) FROM provider_keys"},
      {"budget_requests", "SELECT COUNT(*) FROM budget_requests"},
      {"analytics_events", "SELECT COUNT(*) FROM analytics_events"},
      {"audit_log", "SELECT COUNT(*) FROM audit_log"},
  };
  std::vector<std::pair<std::string, int64_t>> out;
  for (const auto& [name, sql] : kTables) {
    auto& s = c.prepare(sql);
    out.emplace_back(name, s.step() ? s.int64(0) : 0);
  }
  return out;
}

DatabaseFiles database_files(const std::string& db_path) {
  return {file_bytes(db_path), file_bytes(db_path + "-wal")};
}

DatabaseFiles database_size(Database& db) {
  if (db.engine() == Engine::sqlite) return database_files(db.path());
  // pg_total_relation_size counts a table with its indexes and TOAST; 'r' = ordinary tables.
  const int64_t bytes = db.read([](Connection& c) {
    auto& s = c.prepare(
        "SELECT COALESCE(SUM(pg_total_relation_size(t.oid)), 0)::bigint FROM pg_class t "
        "JOIN pg_namespace n ON n.oid = t.relnamespace WHERE n.nspname = current_schema() AND t.relkind = 'r'");
    return s.step() ? s.int64(0) : int64_t{0};
  });
  return {bytes, 0};
}

}  // namespace iron::store
