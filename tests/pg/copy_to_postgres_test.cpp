// `ironpanel copy-to-postgres` (src/cli/copy_to_postgres.cpp, src/store/pg/sqlite_copy.h):
// a data dir the real binary filled through its API, copied by the real binary into a real
// PostgreSQL database, then compared with the source table by table and row by row; and
// the refusals, each of which must leave the target without a row.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "pg_fixture.h"
#include "store/data_dir.h"
#include "store/pg/connection.h"
#include "store/sqlite.h"
#include "support/panel.h"

namespace iron::test {
namespace {

using store::pg::Connection;

// A stopped server's data dir with rows in most tables: users signed in, provider keys,
// agents with budgets, IC tokens, leases with usage reports (one returned, one active).
std::string filled_data_dir() {
  Panel p;
  const Account alice = p.add_user("user", "alice");
  p.add_user("viewer", "vera");
  const int64_t key = p.add_key(alice, "openai", "sk-copy-0123456789abcdef");
  for (int agent = 0; agent < 2; ++agent) {
    const int64_t id = p.create_agent({{"name", "copied-" + std::to_string(agent)},
                                       {"initial_budget_microdollars", 40'000'000},
                                       {"owner_id", alice.id},
                                       {"provider_key_id", key}})
                           .value("id", int64_t{0});
    EXPECT_GT(id, 0);
    const std::string ic = p.ic_token(id, alice.token);
    for (int lease = 0; lease < 2; ++lease) {
      const Reply hs = p.call("POST", "/api/v1/budget/handshake", "",
                              {{"ic_token", ic}, {"provider", "openai"}, {"requested_budget", 5'000'000}});
      EXPECT_EQ(hs.status, 200) << hs.raw;
      const std::string lease_id = hs.body.value("lease_id", "");
      for (int report = 0; report < 2; ++report) {
        const Reply r = p.call("POST", "/api/v1/budget/report", "",
                               {{"ic_token", ic}, {"lease_id", lease_id}, {"request_id", "r" + std::to_string(report)},
                                {"tokens", 10 + report}, {"cost_microdollars", 125'000 * (report + 1)},
                                {"model", "gpt-x"}, {"provider", "openai"}});
        EXPECT_EQ(r.status, 200) << r.raw;
      }
      if (lease == 0) {
        const Reply back = p.call("POST", "/api/v1/budget/return", "", {{"ic_token", ic}, {"lease_id", lease_id}});
        EXPECT_EQ(back.status, 200) << back.raw;
      }
    }
  }
  EXPECT_EQ(p.server().stop(), 0);
  return p.server().data_dir();
}

// Shared by the suite: the copy only reads it.
const std::string& source_dir() {
  static const std::string dir = filled_data_dir();
  return dir;
}
std::string source_db() { return store::database_path(source_dir()); }

// A data dir of its own holding the source's database, after `change` (SQL, if any) is applied
// to it: states the API cannot produce.
std::string copy_of_source(const std::string& change = "") {
  const std::string dir = make_temp_dir();
  for (const std::string suffix : {"", "-wal"}) {
    if (std::filesystem::exists(source_db() + suffix))
      std::filesystem::copy_file(source_db() + suffix, store::database_path(dir) + suffix);
  }
  if (!change.empty()) store::SqliteConnection(store::database_path(dir), false).exec(change);
  return dir;
}

RunResult copy(const std::string& data_dir, const std::map<std::string, std::string>& env) {
  return run_binary({"copy-to-postgres", "--data", data_dir}, env, "", 120);
}

std::set<std::string> sqlite_tables() {
  store::SqliteConnection c(source_db(), true);
  auto& s = c.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%' "
                      "AND name <> 'schema_migrations'");
  std::set<std::string> out;
  while (s.step()) out.insert(s.text(0));
  return out;
}

std::set<std::string> pg_tables(Connection& pg) {
  std::set<std::string> out;
  for (const auto& r : pg.exec("SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() "
                               "AND table_type = 'BASE TABLE' AND table_name <> 'schema_migrations'")) {
    out.insert(r.text(0));
  }
  return out;
}

int64_t pg_rows_in_all_tables(Connection& pg) {
  int64_t n = 0;
  for (const auto& t : pg_tables(pg)) n += pg.exec("SELECT count(*) FROM \"" + t + "\"").front().int64(0);
  return n;
}

int column_count(const std::string& columns) { return static_cast<int>(std::count(columns.begin(), columns.end(), ',')) + 1; }

using Table = std::vector<std::vector<std::string>>;

// Every value of `columns` of `table` as text, sorted here (the engines' text collations
// differ), from each engine.
Table sorted(Table t) {
  std::sort(t.begin(), t.end());
  return t;
}

Table sqlite_rows(const std::string& table, const std::string& columns) {
  store::SqliteConnection c(source_db(), true);
  auto& s = c.prepare("SELECT " + columns + " FROM " + table);
  Table out;
  while (s.step()) {
    auto& row = out.emplace_back();
    for (int i = 0; i < column_count(columns); ++i) row.push_back(s.is_null(i) ? "NULL" : s.text(i));
  }
  return sorted(out);
}

Table pg_rows(Connection& pg, const std::string& table, const std::string& columns) {
  Table out;
  for (const auto& r : pg.exec("SELECT " + columns + " FROM " + table)) {
    auto& row = out.emplace_back();
    for (int i = 0; i < column_count(columns); ++i) row.push_back(r.is_null(i) ? "NULL" : r.text(i));
  }
  return sorted(out);
}

class CopyToPostgres : public PgTest {
 protected:
  std::map<std::string, std::string> target_env() const { return {{"IRON_DATABASE_URL", dsn()}}; }
};

TEST_F(CopyToPostgres, CopiesEveryTableWithTheSameRowsAndTheLedgerIntact) {
  const std::string url_file = make_temp_dir() + "/database_url";
  std::ofstream(url_file) << dsn() << "\n";
  const RunResult r = copy(source_dir(), {{"IRON_DATABASE_URL_FILE", url_file}});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  Connection pg(dsn());

  // Every table of the schema, with the same number of rows: a table the copy skipped fails here.
  const auto tables = sqlite_tables();
  ASSERT_EQ(pg_tables(pg), tables);
  store::SqliteConnection src(source_db(), true);
  int filled = 0;
  for (const auto& t : tables) {
    SCOPED_TRACE(t);
    const int64_t want = *src.prepare("SELECT count(*) FROM \"" + t + "\"").value<int64_t>();
    EXPECT_EQ(pg.exec("SELECT count(*) FROM \"" + t + "\"").front().int64(0), want);
    filled += want > 0;
    EXPECT_NE(r.out.find("\n" + t + " "), std::string::npos) << "not in the summary:\n" << r.out;
  }
  EXPECT_GE(filled, 10) << "the source should exercise most tables";

  // Row by row, ids included, for the tables that hold the money and who owns it.
  const struct { const char* table; const char* columns; } compared[] = {
      {"users", "id, username, email, role, password_hash, created_at, last_login"},
      {"agents", "id, owner_id, name, provider_key_id, providers, ic_token_hash, created_at"},
      {"agent_budgets", "agent_id, total_allocated, total_spent, total_reserved, budget_remaining, carried_reserved"},
      {"budget_leases", "id, agent_id, granted, spent, status, closed_at, released"},
      {"lease_reports", "lease_id, request_id, tokens, cost_microdollars, model, lease_spent_after, created_at"},
      {"audit_log", "id, at, actor_id, action, entity_id, before_json, after_json"},
  };
  for (const auto& c : compared) {
    SCOPED_TRACE(c.table);
    const auto want = sqlite_rows(c.table, c.columns);
    EXPECT_FALSE(want.empty());
    EXPECT_EQ(pg_rows(pg, c.table, c.columns), want);
  }

  // The invariant on the target, and its reservations agree with the active leases.
  EXPECT_EQ(pg.exec("SELECT count(*) FROM agent_budgets WHERE total_allocated <> total_spent + total_reserved + "
                    "budget_remaining OR total_reserved <> (SELECT coalesce(sum(granted - spent), 0) FROM budget_leases l "
                    "WHERE l.agent_id = agent_budgets.agent_id AND l.status = 'active')")
                .front()
                .int64(0),
            0);
  EXPECT_NE(r.out.find("the budget invariant holds on 2 agent budget(s)"), std::string::npos) << r.out;

  // New rows get new ids: each identity sequence continues past the copied ids.
  for (const auto& row : pg.exec("SELECT table_name, column_name FROM information_schema.columns "
                                 "WHERE table_schema = current_schema() AND is_identity = 'YES'")) {
    const std::string t = row.text(0), col = row.text(1);
    SCOPED_TRACE(t);
    const int64_t max_id = pg.exec("SELECT coalesce(max(\"" + col + "\"), 0) FROM \"" + t + "\"").front().int64(0);
    EXPECT_GT(pg.exec("SELECT nextval(pg_get_serial_sequence($1, $2))", {"\"" + t + "\"", col}).front().int64(0), max_id);
  }
  // The rollup triggers were off for the copy only.
  EXPECT_EQ(pg.exec("SELECT count(*) FROM pg_trigger WHERE NOT tgisinternal AND tgenabled <> 'O'").front().int64(0), 0);
}

// Each refusal exits non-zero with a clear message, never shows the password, and leaves
// the target without a row.
TEST_F(CopyToPostgres, RefusesAndLeavesTheTargetWithoutARow) {
  const std::string password = cluster_->password;
  ASSERT_GE(password.size(), 8u);
  struct Case {
    std::string name;
    std::function<std::string()> data_dir;  // prepares the source; returns --data
    std::function<std::map<std::string, std::string>()> env;
    int exit_code;
    std::string message;
  };
  std::unique_ptr<ServerProcess> running;
  const auto source = [] { return source_dir(); };
  const auto target = [this] { return target_env(); };
  const std::vector<Case> cases = {
      {"no target given", source, [] { return std::map<std::string, std::string>{}; }, 2, "needs the target"},
      {"no database in the data dir", [] { return make_temp_dir(); }, target, 2, "no database to copy"},
      {"a server holds the data dir",
       [&] {
         auto options = admin_options({}, {{"IRON_IP_TOKEN_KEY", kIpTokenKey}});  // the source's keys
         options.data_dir = source_dir();
         running = std::make_unique<ServerProcess>(options);
         return source_dir();
       },
       target, 1, "in use by another ironpanel process"},
      {"a source at an older schema version",
       [] { return copy_of_source("DELETE FROM schema_migrations WHERE version = (SELECT max(version) FROM schema_migrations)"); },
       target, 1, "run `ironpanel migrate --data"},
      {"a table PostgreSQL's schema lacks", [] { return copy_of_source("CREATE TABLE extra_table(x INTEGER)"); }, target,
       1, "tables only in SQLite: [extra_table], only in PostgreSQL: []"},
      {"a column PostgreSQL's schema lacks", [] { return copy_of_source("ALTER TABLE settings ADD COLUMN extra TEXT"); },
       target, 1, "columns of table settings only in SQLite: [extra]"},
      {"unreachable server", source,
       [&] {
         return std::map<std::string, std::string>{
             {"IRON_DATABASE_URL", "postgresql://iron:" + password + "@127.0.0.1:1/nothing?connect_timeout=5"}};
       },
       1, "cannot connect to PostgreSQL"},
      {"wrong password", source,
       [&] {
         return std::map<std::string, std::string>{
             {"IRON_DATABASE_URL", dsn() + " password=" + password + "-wrong"}};
       },
       1, "password authentication failed"},
      {"malformed URL", source,
       [&] { return std::map<std::string, std::string>{{"IRON_DATABASE_URL", "postgres://iron:" + password + "@[::1"}}; },
       1, "not valid"},
      {"a target that already holds rows",
       [&] {
         EXPECT_EQ(copy(source_dir(), target_env()).exit_code, 0);
         return source_dir();
       },
       target, 1, "is not empty"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    database_ = cluster_->create_database("refuse");
    const std::string dir = c.data_dir();
    Connection pg(dsn());
    const int64_t rows_before = pg_rows_in_all_tables(pg);
    const RunResult r = copy(dir, c.env());
    if (running) {
      EXPECT_EQ(running->stop(), 0);  // SIGTERM: the shared source stays checkpointed
    }
    running.reset();
    EXPECT_EQ(r.exit_code, c.exit_code) << r.out << r.err;
    EXPECT_NE(r.err.find(c.message), std::string::npos) << r.err;
    EXPECT_EQ((r.out + r.err).find(password), std::string::npos) << "the password was shown";
    EXPECT_EQ(pg_rows_in_all_tables(pg), rows_before) << "the target changed";
  }
}

// Two copies into one database at once: one commits, the other waits for it and is then
// refused for the rows it finds (not for a duplicate key half-way through its own copy).
TEST_F(CopyToPostgres, OfTwoCopiesStartedTogetherOneWinsAndTheOtherFindsRows) {
  const std::string sources[2] = {copy_of_source(), copy_of_source()};  // each copy locks its own
  RunResult results[2];
  std::thread other([&] { results[1] = copy(sources[1], target_env()); });
  results[0] = copy(sources[0], target_env());
  other.join();
  const int winners = (results[0].exit_code == 0) + (results[1].exit_code == 0);
  EXPECT_EQ(winners, 1) << results[0].err << results[1].err;
  for (const auto& r : results) {
    if (r.exit_code != 0) {
      EXPECT_NE(r.err.find("is not empty"), std::string::npos) << r.err;
    }
  }
}

// A value PostgreSQL refuses (SQLite stores text that is not UTF-8; the API never writes
// one) fails the copy half-way: the error names no value, and no row of the tables copied
// before it stays.
TEST_F(CopyToPostgres, AFailureHalfWayKeepsNoRow) {
  const std::string dir = copy_of_source(
      "UPDATE audit_log SET action = CAST(x'ff736563726574' AS TEXT) WHERE id = (SELECT max(id) FROM audit_log)");
  const RunResult r = copy(dir, target_env());
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.err.find("copying table audit_log failed"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("UTF8"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("secret"), std::string::npos) << "the refused value was shown: " << r.err;
  Connection pg(dsn());
  EXPECT_EQ(pg_rows_in_all_tables(pg), 0);
  // And the same target then takes a good copy (the URL given as the flag this time).
  EXPECT_EQ(run_binary({"copy-to-postgres", "--data", source_dir(), "--database-url", dsn()}).exit_code, 0);
  EXPECT_GT(pg_rows_in_all_tables(pg), 0);
}

}  // namespace
}  // namespace iron::test
