#include "store/pg/migrations.h"

#include <algorithm>
#include <set>
#include <stdexcept>
#include <string>

#include "store/pg/advisory_lock.h"

namespace iron::store::pg {

int latest_schema_version() {
  int latest = 0;
  for (const auto& m : embedded_migrations()) latest = std::max(latest, m.version);
  return latest;
}

int current_schema_version(Connection& c) {
  if (c.exec("SELECT to_regclass('schema_migrations') IS NOT NULL").front().text(0) != "t") return 0;
  return static_cast<int>(c.exec("SELECT coalesce(max(version), 0) FROM schema_migrations").front().int64(0));
}

int apply_migrations(Connection& c, std::span<const store::Migration> migrations) {
  AdvisoryLock lock(c, kMigrationLockKey);
  // The same bookkeeping table as SQLite's (store/migrations.cpp).
  c.exec("CREATE TABLE IF NOT EXISTS schema_migrations ("
         " version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)");
  // Applied versions as a set, as with SQLite: a migration merged with a lower number than
  // one already applied still runs.
  std::set<int> applied_versions;
  for (const auto row : c.exec("SELECT version FROM schema_migrations")) {
    applied_versions.insert(static_cast<int>(row.int64(0)));
  }
  int latest = 0;
  for (const auto& m : migrations) latest = std::max(latest, m.version);
  const int newest_applied = applied_versions.empty() ? 0 : *applied_versions.rbegin();
  if (newest_applied > latest) {
    throw std::runtime_error("database schema version " + std::to_string(newest_applied) +
                             " is newer than this ironpanel supports (" + std::to_string(latest) +
                             "); run the newer binary or restore a backup");
  }
  int applied = 0;
  for (const auto& m : migrations) {
    if (applied_versions.count(m.version)) continue;
    try {
      Transaction tx(c);
      c.exec_script(m.sql);
      c.exec("INSERT INTO schema_migrations(version, name, applied_at)"
             " VALUES($1, $2, to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'))",
             {m.version, m.name});
      tx.commit();
    } catch (const PgError& e) {
      throw std::runtime_error(std::string("migration ") + m.name + " failed: " + e.what());
    }
    ++applied;
  }
  return applied;
}

}  // namespace iron::store::pg
