// The CHECK, UNIQUE and NOT NULL rules of the two migration sets agree (the schema comparison
// of schema_parity_test.cpp sees columns and indexes, not CHECK expressions): each statement
// below is refused by both engines as a constraint violation, or accepted by both. The budget
// invariant leads the table.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "both_engines.h"
#include "pg_fixture.h"

namespace iron::test {
namespace {

// Valid on both engines: an owner, two agents, a balanced budget for agent 1 (100 = 10 spent
// + 20 reserved + 70 remaining), an active lease, a provider key, a pending request, a limit.
const std::vector<std::string> kSetup = {
    "INSERT INTO users(id, username, email, password_hash, role, created_at, updated_at)"
    " VALUES ('u1', 'u1', 'Owner@Example.org', 'h', 'admin', 0, 0)",
    "INSERT INTO agents(id, name, owner_id, created_at, updated_at) VALUES (1, 'a', 'u1', 0, 0)",
    "INSERT INTO agents(id, name, owner_id, created_at, updated_at) VALUES (2, 'b', 'u1', 0, 0)",
    "INSERT INTO agent_budgets(agent_id, total_allocated, total_spent, total_reserved, budget_remaining, created_at,"
    " updated_at) VALUES (1, 100, 10, 20, 70, 0, 0)",
    "INSERT INTO budget_leases(id, agent_id, granted, spent, created_at, expires_at) VALUES ('l1', 1, 30, 10, 0, 1)",
    "INSERT INTO provider_keys(id, owner_id, provider, ciphertext, nonce, created_at, updated_at)"
    " VALUES (1, 'u1', 'openai', 'c', 'n', 0, 0)",
    "INSERT INTO budget_requests(id, agent_id, requester_id, current_budget_micros, requested_budget_micros,"
    " justification, created_at, updated_at) VALUES ('r1', 1, 'u1', 100, 200, 'more', 0, 0)",
    "INSERT INTO usage_limits(user_id, max_tokens_per_day, created_at, updated_at) VALUES ('u1', 10, 0, 0)",
};

struct Case {
  const char* what;
  std::string sql;
  bool refused;
};

const std::vector<Case> kCases = {
    {"invariant: a new budget that does not add up", "INSERT INTO agent_budgets(agent_id, total_allocated,"
     " total_spent, total_reserved, budget_remaining, created_at, updated_at) VALUES (2, 100, 0, 0, 99, 0, 0)", true},
    {"invariant: money taken from remaining without going anywhere",
     "UPDATE agent_budgets SET budget_remaining = budget_remaining - 1 WHERE agent_id = 1", true},
    {"invariant: money moved from remaining to reserved",
     "UPDATE agent_budgets SET budget_remaining = budget_remaining - 5, total_reserved = total_reserved + 5", false},
    {"overspent: remaining below zero although the sum holds",
     "UPDATE agent_budgets SET total_spent = 105, total_reserved = 0, budget_remaining = -5", true},
    {"carried reservation above the reservation", "UPDATE agent_budgets SET carried_reserved = total_reserved + 1", true},
    {"unknown budget period", "UPDATE agent_budgets SET period = 'hourly'", true},
    {"lease spending more than granted", "UPDATE budget_leases SET spent = 31", true},
    {"lease closed without its closing facts", "UPDATE budget_leases SET status = 'closed'", true},
    {"lease closed with released = granted - spent",
     "UPDATE budget_leases SET status = 'closed', closed_at = 5, released = 20", false},
    {"provider slug with upper case and a space", "INSERT INTO provider_keys(owner_id, provider, ciphertext, nonce,"
     " created_at, updated_at) VALUES ('u1', 'Open AI', 'c', 'n', 0, 0)", true},
    {"provider slug with digits, dash and underscore", "INSERT INTO provider_keys(owner_id, provider, ciphertext,"
     " nonce, created_at, updated_at) VALUES ('u1', 'open-ai_2', 'c', 'n', 0, 0)", false},
    {"key prefix longer than 4", "UPDATE provider_keys SET key_prefix = 'sk-li'", true},
    {"unknown role", "UPDATE users SET role = 'root'", true},
    {"an email differing only in case", "INSERT INTO users(id, username, email, password_hash, role, created_at,"
     " updated_at) VALUES ('u2', 'u2', 'owner@example.ORG', 'h', 'user', 0, 0)", true},
    {"a pending request with a decision time", "UPDATE budget_requests SET decided_at = 1", true},
    {"a rejection reason on a request not rejected", "UPDATE budget_requests SET rejection_reason = 'no'", true},
    {"a second project-less limit for the same user", "INSERT INTO usage_limits(user_id, max_tokens_per_day,"
     " created_at, updated_at) VALUES ('u1', 20, 0, 0)", true},
    {"a limit with a zero maximum", "UPDATE usage_limits SET max_requests_per_minute = 0", true},
    {"an unknown usage counter kind", "INSERT INTO usage_counters(user_id, kind, period_start) VALUES ('u1', 'x', 0)",
     true},
    {"the tokens-per-minute counter kind of 011",
     "INSERT INTO usage_counters(user_id, kind, period_start) VALUES ('u1', 'tokens_minute', 0)", false},
    {"an unknown alert channel kind", "INSERT INTO alert_channels(name, kind, url_display, sealed, nonce, created_by,"
     " created_at, updated_at) VALUES ('c', 'pager', 'x', 's', 'n', 'u1', 0, 0)", true},
    {"the email channel kind of 014", "INSERT INTO alert_channels(name, kind, url_display, sealed, nonce, created_by,"
     " created_at, updated_at) VALUES ('m', 'email', 'mailto:x', 's', 'n', 'u1', 0, 0)", false},
    {"an event without an agent", "INSERT INTO analytics_events(agent_id, event_id, timestamp_ms, day, event_type,"
     " model, provider, created_at) VALUES (NULL, 'e', 0, 'd', 'llm_request_completed', 'm', 'p', 0)", true},
};

// Runs `sql`; true when the engine refused it as a constraint violation. Any other failure
// fails the test (the statement itself must be valid on both engines).
bool refused_by_sqlite(store::Connection& c, const std::string& sql) {
  try {
    c.exec(sql);
    return false;
  } catch (const store::SqliteError& e) {
    EXPECT_TRUE(e.is_constraint()) << sql << ": " << e.what();
    return true;
  }
}

bool refused_by_postgres(store::pg::Connection& c, const std::string& sql) {
  try {
    c.exec(sql);
    return false;
  } catch (const store::pg::PgError& e) {
    EXPECT_TRUE(e.is_constraint()) << sql << ": " << e.what();
    return true;
  }
}

TEST_F(PgTest, BothEnginesRefuseAndAcceptTheSameRows) {
  BothEngines both(dsn());
  for (const auto& sql : kSetup) both.exec(sql);
  // Each case in a transaction rolled back after, so every case starts from the setup.
  for (const auto& k : kCases) {
    both.lite().exec("BEGIN");
    store::pg::Transaction tx(both.pg());
    EXPECT_EQ(refused_by_sqlite(both.lite(), k.sql), k.refused) << "SQLite: " << k.what;
    EXPECT_EQ(refused_by_postgres(both.pg(), k.sql), k.refused) << "PostgreSQL: " << k.what;
    both.lite().exec("ROLLBACK");
  }
}

}  // namespace
}  // namespace iron::test
