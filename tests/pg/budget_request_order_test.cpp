// Budget requests filed in one millisecond list newest filed first on both engines, also
// after one of them was decided: the ids are random UUIDs, and the tie-breaks used before
// migration 018 were SQLite's rowid (renumbered by VACUUM) and PostgreSQL's ctid (moved by
// every UPDATE). The repository runs on each engine through the storage seam.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "pg_fixture.h"
#include "store/budget_request_repo.h"
#include "store/database.h"
#include "store/pg/pg_engine.h"
#include "support/files.h"

namespace iron::test {
namespace {

constexpr int64_t kOneMillisecond = 1'767'225'600'000;

// Files three requests with one created_at, decides the first, and lists them.
std::vector<std::string> listed_after_filing_three_and_deciding_the_first(store::Database& db) {
  return db.write([](store::Connection& c) {
    c.exec("INSERT INTO users(id, username, email, password_hash, role, created_at, updated_at) "
           "VALUES('u1', 'owner', 'owner@example.com', 'x', 'user', 0, 0)");
    c.exec("INSERT INTO agents(id, name, owner_id, created_at, updated_at) VALUES(7, 'a', 'u1', 0, 0)");
    for (const char* id : {"breq_c", "breq_a", "breq_b"}) {  // not in id order
      store::BudgetRequest r;
      r.id = id;
      r.agent_id = 7;
      r.requester_id = "u1";
      r.requested_budget_micros = 5;
      r.justification = "one millisecond";
      r.created_at = r.updated_at = kOneMillisecond;
      store::budget_requests::insert(c, r);
    }
    EXPECT_TRUE(store::budget_requests::decide(c, "breq_c", "approved", "u1", std::nullopt, kOneMillisecond));
    std::vector<std::string> ids;
    for (const auto& r : store::budget_requests::list(c, {})) ids.push_back(r.id);
    return ids;
  });
}

class BudgetRequestOrder : public PgTest {};

TEST_F(BudgetRequestOrder, OneMillisecondsRequestsListNewestFiledFirstOnBothEngines) {
  const std::vector<std::string> newest_filed_first = {"breq_b", "breq_a", "breq_c"};
  const TempDir dir;
  store::Database lite(dir.path() + "/iron.db", 1);
  EXPECT_EQ(listed_after_filing_three_and_deciding_the_first(lite), newest_filed_first) << "SQLite";
  store::Database pg(store::pg::open_postgres(dsn()));
  EXPECT_EQ(listed_after_filing_three_and_deciding_the_first(pg), newest_filed_first) << "PostgreSQL";
}

}  // namespace
}  // namespace iron::test
