#include "cli/open_database.h"

#include "store/data_dir.h"
#include "store/pg/pg_engine.h"

namespace iron::cli {

store::Database open_database(const config::Config& c, int sqlite_readers) {
  if (!c.database_url.empty()) return store::Database(store::pg::open_postgres(c.database_url));
  return store::Database(store::database_path(c.data_dir), sqlite_readers, c.max_db_mb << 20);
}

}  // namespace iron::cli
