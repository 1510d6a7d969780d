// The rollup triggers of migrations 009 and 013 (SQLite triggers, PL/pgSQL trigger functions on
// PostgreSQL) keep the same sums: one sequence of statements valid on both engines, then the
// per-model and per-agent rollups compared row by row.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "both_engines.h"
#include "pg_fixture.h"

namespace iron::test {
namespace {

std::string upsert(const std::string& day, int agent, const std::string& model, int completed, int failed,
                   const std::string& cost) {
  const std::string n = std::to_string(completed + failed);
  const std::string min_max = cost == "NULL" ? "NULL, NULL" : cost + ", " + cost;
  // SQLite's two-argument min() does not exist in PostgreSQL: CASE is portable.
  return "INSERT INTO usage_rollups_daily(day, agent_id, provider, model, requests, completed, failed, input_tokens,"
         " output_tokens, cost_micros, min_cost_micros, max_cost_micros) VALUES ('" + day + "', " +
         std::to_string(agent) + ", 'openai', '" + model + "', " + n + ", " + std::to_string(completed) + ", " +
         std::to_string(failed) + ", 10, 20, " + (cost == "NULL" ? "0" : cost) + ", " + min_max + ")"
         " ON CONFLICT (day, agent_id, provider, model) DO UPDATE SET"
         " requests = usage_rollups_daily.requests + excluded.requests,"
         " completed = usage_rollups_daily.completed + excluded.completed,"
         " failed = usage_rollups_daily.failed + excluded.failed,"
         " cost_micros = usage_rollups_daily.cost_micros + excluded.cost_micros,"
         " min_cost_micros = CASE WHEN excluded.min_cost_micros IS NULL OR usage_rollups_daily.min_cost_micros <"
         " excluded.min_cost_micros THEN usage_rollups_daily.min_cost_micros ELSE excluded.min_cost_micros END,"
         " max_cost_micros = CASE WHEN excluded.max_cost_micros IS NULL OR usage_rollups_daily.max_cost_micros >"
         " excluded.max_cost_micros THEN usage_rollups_daily.max_cost_micros ELSE excluded.max_cost_micros END";
}

const std::vector<std::string>& statements() {
  static const std::vector<std::string> all = {
      "INSERT INTO users(id, username, email, password_hash, role, created_at, updated_at)"
      " VALUES ('u1', 'u1', 'u1@example.org', 'h', 'admin', 0, 0)",
      "INSERT INTO agents(id, name, owner_id, created_at, updated_at) VALUES (1, 'a', 'u1', 0, 0)",
      "INSERT INTO agents(id, name, owner_id, created_at, updated_at) VALUES (2, 'b', 'u1', 0, 0)",
      upsert("2026-01-01", 1, "gpt", 0, 1, "NULL"),  // failed only: no cost, NULL min/max
      upsert("2026-01-01", 1, "gpt", 1, 0, "500"),   // the upsert's UPDATE path
      upsert("2026-01-01", 2, "gpt", 1, 0, "200"),
      upsert("2026-01-01", 2, "gpt", 1, 0, "900"),
      upsert("2026-01-01", 2, "claude", 2, 0, "300"),
      upsert("2026-01-02", 1, "gpt", 1, 1, "700"),
      "UPDATE usage_rollups_daily SET failed = failed + 2, requests = requests + 2 WHERE agent_id = 1",
      // Deleting recomputes min/max from the rows left, and drops emptied rollup rows.
      "DELETE FROM usage_rollups_daily WHERE agent_id = 2 AND model = 'gpt'",
      "DELETE FROM usage_rollups_daily WHERE day = '2026-01-02'",
  };
  return all;
}

const std::vector<std::string> kQueries = {
    "SELECT day, provider, model, requests, completed, failed, input_tokens, output_tokens, cost_micros,"
    " min_cost_micros, max_cost_micros FROM usage_rollups_daily_models ORDER BY day, provider, model",
    "SELECT day, agent_id, requests, completed, failed, input_tokens, output_tokens, cost_micros,"
    " min_cost_micros, max_cost_micros FROM usage_rollups_daily_agents ORDER BY day, agent_id",
};

// Each row as "v1|v2|...", NULL as "NULL", for comparing the engines' answers.
std::vector<std::string> sqlite_rows(store::SqliteConnection& c, const std::string& sql) {
  sqlite3_stmt* stmt = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(c.handle(), sql.c_str(), -1, &stmt, nullptr), SQLITE_OK) << sql;
  std::vector<std::string> rows;
  while (sqlite3_step(stmt) == SQLITE_ROW) {
    std::string row;
    for (int i = 0; i < sqlite3_column_count(stmt); ++i) {
      const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, i));
      row += (i ? "|" : "") + std::string(text ? text : "NULL");
    }
    rows.push_back(row);
  }
  sqlite3_finalize(stmt);
  return rows;
}

std::vector<std::string> postgres_rows(store::pg::Connection& c, const std::string& sql) {
  std::vector<std::string> rows;
  const auto result = c.exec(sql);
  for (const auto row : result) {
    std::string line;
    for (int i = 0; i < result.columns(); ++i) line += (i ? "|" : "") + (row.is_null(i) ? "NULL" : row.text(i));
    rows.push_back(line);
  }
  return rows;
}

TEST_F(PgTest, RollupTriggersKeepTheSameSumsOnBothEngines) {
  BothEngines both(dsn());
  // Compared after every statement: a later delete recomputes min/max and would hide an
  // earlier difference.
  for (const auto& sql : statements()) {
    both.exec(sql);
    for (const auto& query : kQueries)
      EXPECT_EQ(postgres_rows(both.pg(), query), sqlite_rows(both.lite(), query)) << "after " << sql;
  }
  for (const auto& query : kQueries) EXPECT_FALSE(sqlite_rows(both.lite(), query).empty()) << query;  // rows were compared
}

}  // namespace
}  // namespace iron::test
