#include "store/migrations.h"

#include <set>
#include <stdexcept>
#include <string>

namespace iron::store {

int latest_schema_version() {
  int latest = 0;
  for (const auto& m : embedded_migrations()) latest = std::max(latest, m.version);
  return latest;
}

int current_schema_version(Connection& c) {
  auto& exists = c.prepare(c.engine() == Engine::sqlite
                               ? "SELECT count(*) FROM sqlite_master WHERE type='table' AND name='schema_migrations'"
                               : "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema() AND tablename = 'schema_migrations'");
  if (!exists.step() || exists.int64(0) == 0) {
    exists.reset();
    return 0;
  }
  auto& s = c.prepare("SELECT coalesce(max(version), 0) FROM schema_migrations");
  const int version = s.step() ? static_cast<int>(s.int64(0)) : 0;
  exists.reset();
  s.reset();
  return version;
}

int apply_migrations(Connection& c) {
  c.exec("CREATE TABLE IF NOT EXISTS schema_migrations ("
         " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)");
  // Applied versions as a set, not just the maximum: a migration merged with a lower number
  // than one already applied (parallel branches) still runs instead of being skipped.
  std::set<int> applied_versions;
  {
    auto& s = c.prepare("SELECT version FROM schema_migrations");
    while (s.step()) applied_versions.insert(static_cast<int>(s.int64(0)));
    s.reset();
  }
  const int latest = latest_schema_version();
  if (!applied_versions.empty() && *applied_versions.rbegin() > latest) {
    throw std::runtime_error("database schema version " + std::to_string(*applied_versions.rbegin()) +
                             " is newer than this ironpanel supports (" + std::to_string(latest) +
                             "); run the newer binary or restore a backup");
  }
  int applied = 0;
  for (const auto& m : embedded_migrations()) {
    if (applied_versions.count(m.version)) continue;
    c.exec("BEGIN IMMEDIATE");
    try {
      c.exec(m.sql);
      auto& rec = c.prepare(
          "INSERT INTO schema_migrations(version, name, applied_at) VALUES(?, ?, strftime('%Y-%m-%dT%H:%M:%SZ','now'))");
      rec.bind(1, m.version).bind(2, m.name).run();
      c.exec("COMMIT");
    } catch (const std::exception& e) {
      c.exec("ROLLBACK");
      throw std::runtime_error(std::string("migration ") + m.name + " failed: " + e.what());
    }
    ++applied;
  }
  return applied;
}

}  // namespace iron::store
