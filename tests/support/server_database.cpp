#include "support/server_database.h"

#include <stdexcept>

#include "store/data_dir.h"
#include "store/pg/pg_engine.h"
#include "support/postgres_cluster.h"
#include "support/server_process.h"

namespace iron::test {

std::unique_ptr<store::Database> open_server_database(const std::string& data_dir) {
  if (!on_postgres()) return std::make_unique<store::Database>(store::database_path(data_dir), 1);
  std::string why_not;
  const PostgresCluster* cluster = shared_postgres(why_not);
  if (!cluster) throw std::runtime_error("IRON_TEST_PG_CLUSTER is set but PostgreSQL cannot run: " + why_not);
  return std::make_unique<store::Database>(store::pg::open_postgres(schema_dsn_for(*cluster, data_dir)));
}

}  // namespace iron::test
