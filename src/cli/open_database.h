#pragma once
// The database a command works on: PostgreSQL when a database URL is configured, else
// iron.db in the data dir (docs/postgresql.md).
#include "config/config.h"
#include "store/database.h"

namespace iron::cli {

store::Database open_database(const config::Config& c, int sqlite_readers = store::Database::kDefaultReaders);

}  // namespace iron::cli
