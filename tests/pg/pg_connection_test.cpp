// The libpq layer (src/store/pg/connection.h) against a real PostgreSQL: password (SCRAM)
// and TLS (verify-full) over loopback TCP, parameters, errors and transactions.
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "pg_fixture.h"
#include "store/pg/connection.h"

namespace iron::test {
namespace {

using store::pg::Bytes;
using store::pg::Connection;
using store::pg::PgError;
using store::pg::Transaction;

// The error of connecting with `dsn`; fails the test when it connects.
std::string connect_error(const std::string& dsn) {
  try {
    Connection c(dsn);
  } catch (const PgError& e) {
    EXPECT_TRUE(e.is_connection()) << e.sqlstate();
    return e.what();
  }
  ADD_FAILURE() << "connected although it should not";
  return {};
}

TEST_F(PgTest, PasswordAuthOverLoopbackRunsAQuery) {
  Connection c(dsn());
  EXPECT_TRUE(PQconnectionUsedPassword(c.handle()));
  EXPECT_FALSE(c.ssl_in_use());
  // The server asked for SCRAM: the cluster's pg_hba allows nothing else on TCP.
  EXPECT_EQ(c.exec("SELECT rule.auth_method FROM pg_hba_file_rules rule WHERE rule.type = 'host' LIMIT 1")
                .front().text(0), "scram-sha-256");
  EXPECT_EQ(c.exec("SELECT $1::bigint + $2::bigint", {40, 2}).front().int64(0), 42);
}

TEST_F(PgTest, VerifyFullTlsAgainstTheTestCa) {
  Connection c(dsn(/*tls=*/true));
  EXPECT_TRUE(c.ssl_in_use());
  const auto row = c.exec("SELECT ssl, version FROM pg_stat_ssl WHERE pid = pg_backend_pid()").front();
  EXPECT_EQ(row.text(0), "t");
  EXPECT_EQ(row.text(1).substr(0, 4), "TLSv") << row.text(1);
}

TEST_F(PgTest, VerifyFullRefusesACertificateForAnotherHost) {
  std::string other = dsn(true);
  other.replace(other.find("host=localhost"), 14, "host=db.example.org");
  const std::string error = connect_error(other);
  EXPECT_NE(error.find("does not match host name"), std::string::npos) << error;
}

// A refused connection's message names the reason, never the password, however the
// connection string is written (URL or key=value, valid or malformed).
TEST_F(PgTest, ConnectionErrorsNeverContainThePassword) {
  const std::string secret = "Wr0ng-Secret-Value-x9";
  const std::string port = std::to_string(cluster_->port);
  struct Case {
    std::string dsn;
    std::string reason;  // expected in the message
  };
  const std::vector<Case> cases = {
      {"host=127.0.0.1 port=" + port + " user=iron dbname=postgres sslmode=disable password=" + secret,
       "password authentication failed"},
      {"postgresql://iron:" + secret + "@127.0.0.1:" + port + "/postgres?sslmode=disable",
       "password authentication failed"},
      {"postgresql://iron:" + secret + "@127.0.0.1:" + port + "/postgres?sslmode=verify-full&sslrootcert=" +
           cluster_->ca_file,
       "password authentication failed"},
      {"host=127.0.0.1 port=" + port + " password=" + secret + " " + secret + "-without-equals", "not valid"},
      {"postgresql://iron:" + secret + "%zz@127.0.0.1:" + port + "/postgres", "not valid"},
      {"host=127.0.0.1 port=" + port + " password=" + secret + " nosuchoption=1", "not valid"},
  };
  for (const auto& c : cases) {
    const std::string error = connect_error(c.dsn);
    EXPECT_EQ(error.find(secret), std::string::npos) << c.dsn << "\n -> " << error;
    EXPECT_EQ(error.find("Secret"), std::string::npos) << error;
    EXPECT_NE(error.find(c.reason), std::string::npos) << c.dsn << "\n -> " << error;
  }
}

TEST_F(PgTest, ParametersRoundTripExactly) {
  Connection c(dsn());
  const int64_t big = std::numeric_limits<int64_t>::max(), small = std::numeric_limits<int64_t>::min();
  EXPECT_EQ(c.exec("SELECT $1::bigint", {big}).front().int64(0), big);
  EXPECT_EQ(c.exec("SELECT $1::bigint", {small}).front().int64(0), small);
  EXPECT_EQ(c.exec("SELECT $1::bigint", {true}).front().int64(0), 1);
  EXPECT_EQ(c.exec("SELECT $1::float8", {0.1}).front().real(0), 0.1);
  EXPECT_EQ(c.exec("SELECT $1::float8", {1e300 / 3}).front().real(0), 1e300 / 3);
  const std::string text = "h\xC3\xA9llo 'quoted' $1 \\ \xF0\x9F\x98\x80";
  EXPECT_EQ(c.exec("SELECT $1::text", {text}).front().text(0), text);
  const std::string blob("\0\x01\xff\x80 bytes\0", 11);
  EXPECT_EQ(c.exec("SELECT $1::bytea", {Bytes{blob}}).front().bytes(0), blob);
  EXPECT_EQ(c.exec("SELECT length($1::bytea)", {Bytes{blob}}).front().int64(0), 11);
  const auto nulls = c.exec("SELECT $1::text, $2::bigint", {std::nullopt, std::optional<int64_t>()}).front();
  EXPECT_TRUE(nulls.is_null(0));
  EXPECT_EQ(nulls.opt_int64(1), std::nullopt);
  EXPECT_EQ(c.exec("SELECT $1::bigint", {std::optional<int64_t>(7)}).front().opt_int64(0), 7);
  try {
    c.exec("SELECT $1::text", {std::string("a\0b", 3)});
    ADD_FAILURE() << "a NUL in text was accepted";
  } catch (const PgError& e) {
    EXPECT_EQ(e.sqlstate(), "22021");
  }
}

TEST_F(PgTest, ErrorsCarryTheSqlstateButNoRowValues) {
  Connection c(dsn());
  c.exec("CREATE TABLE t (id BIGINT PRIMARY KEY, secret TEXT NOT NULL CHECK (length(secret) < 5))");
  c.exec("INSERT INTO t VALUES (1, 'abc')");
  struct Case {
    std::string sql;
    std::string sqlstate;
    bool constraint;
  };
  const std::vector<Case> cases = {
      {"INSERT INTO t VALUES (1, 'sk-live-duplicate')", "23514", true},  // CHECK fails first
      {"INSERT INTO t VALUES (1, 'dup')", "23505", true},
      {"INSERT INTO t VALUES (2, NULL)", "23502", true},
      {"SELEC 1", "42601", false},
      {"SELECT * FROM no_such_table", "42P01", false},
  };
  for (const auto& k : cases) {
    try {
      c.exec(k.sql);
      ADD_FAILURE() << k.sql << " succeeded";
    } catch (const PgError& e) {
      EXPECT_EQ(e.sqlstate(), k.sqlstate) << k.sql << ": " << e.what();
      EXPECT_EQ(e.is_constraint(), k.constraint) << k.sql;
      EXPECT_EQ(std::string(e.what()).find("sk-live"), std::string::npos) << e.what();
      EXPECT_EQ(std::string(e.what()).find("Failing row"), std::string::npos) << e.what();
    }
  }
  try {
    c.exec("INSERT INTO t VALUES (1, 'dup')");
  } catch (const PgError& e) {
    EXPECT_EQ(e.constraint(), "t_pkey");
  }
}

TEST_F(PgTest, TransactionsCommitOrRollBack) {
  Connection c(dsn());
  c.exec("CREATE TABLE t (v BIGINT)");
  {
    Transaction tx(c);
    c.exec("INSERT INTO t VALUES (1)");
  }  // not committed
  EXPECT_FALSE(c.in_transaction());
  {
    Transaction tx(c);
    c.exec("INSERT INTO t VALUES (2)");
    tx.commit();
  }
  {
    Transaction tx(c);
    c.exec("INSERT INTO t VALUES (3)");
    EXPECT_THROW(c.exec("SELECT 1/0"), PgError);
    // COMMIT after a failed statement rolls back; commit() says so instead of pretending.
    EXPECT_THROW(tx.commit(), PgError);
  }
  const auto rows = c.exec("SELECT v FROM t ORDER BY v");
  ASSERT_EQ(rows.size(), 1);
  EXPECT_EQ(rows.front().int64(0), 2);
  EXPECT_EQ(c.exec("UPDATE t SET v = v + 1").affected(), 1);
}

}  // namespace
}  // namespace iron::test
