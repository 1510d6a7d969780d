#pragma once
// A real PostgreSQL server for tests, started by tests/support/postgres_cluster.sh on first
// use: one per test binary (not per test), stopped and deleted when the binary exits, also
// when it crashes (a watcher process waits for the binary's end). Tests that need it call
// shared_postgres() and skip, with the reason, only when PostgreSQL cannot run here at all.
#include <string>
#include <string_view>

namespace iron::test {

struct PostgresCluster {
  std::string dir;       // the script's DIR: password, ca.crt, log
  int port = 0;
  std::string user = "iron";  // a superuser with a password (SCRAM-SHA-256)
  std::string password;
  std::string ca_file;   // the CA that signed the server's certificate (localhost, 127.0.0.1)

  // A key=value DSN for `database` over loopback TCP. tls: sslmode=verify-full against ca_file
  // (host name localhost, address 127.0.0.1); otherwise sslmode=disable.
  std::string dsn(std::string_view database, bool tls = false) const;
  // Creates a fresh, empty database and returns its name (`prefix` + a unique suffix).
  std::string create_database(std::string_view prefix) const;
};

// The schema that stands for `data_dir` when the API suite runs on PostgreSQL (below): created
// on first use, and a key=value DSN whose search_path is that schema.
std::string schema_dsn_for(const PostgresCluster& cluster, const std::string& data_dir);

// The binary's cluster, started on the first call — or, when IRON_TEST_PG_CLUSTER names the
// directory of a cluster that CTest started for a whole run (tests/CMakeLists.txt), that one. nullptr when PostgreSQL cannot run on this
// machine (the script exited 77), with the reason in `why_not`. Any other failure to start
// throws: on a machine that has PostgreSQL the tests must run, not skip.
const PostgresCluster* shared_postgres(std::string& why_not);

}  // namespace iron::test
