#pragma once
// Sizes and row counts of the database, for the admin's System page (GET /api/v1/system).
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "store/database.h"

namespace iron::store {

// Rows in the tables an operator asks about, as (name, count) in a fixed order:
// users, api_tokens, agents, provider_keys, budget_requests, analytics_events, audit_log.
std::vector<std::pair<std::string, int64_t>> row_counts(Connection& c);

// Bytes of iron.db and of its WAL on disk (0 when the WAL is absent).
struct DatabaseFiles {
  int64_t database_bytes = 0;
  int64_t wal_bytes = 0;
};
DatabaseFiles database_files(const std::string& db_path);

// What this panel's data takes: on SQLite, database_files; on PostgreSQL, the tables and
// indexes of its schema (several panels may share one database, each in a schema), and no
// WAL of its own (the server's is shared by every database on it).
DatabaseFiles database_size(Database& db);

}  // namespace iron::store
