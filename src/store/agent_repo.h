#pragma once
// Agents table access (the part the budget ledger needs: insert, find, delete). Plain
// structs in, plain structs out.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/sqlite.h"

namespace iron::store {

struct Agent {
  int64_t id = 0;
  std::string name;
  std::string owner_id;
  std::optional<int64_t> provider_key_id;
  std::vector<std::string> providers;
  int64_t created_at = 0;
  int64_t updated_at = 0;
  std::optional<std::string> ic_token_hash;
  std::optional<int64_t> ic_token_created_at;
};

namespace agents {
// Inserts the agent (its id is ignored) and returns the new id. The caller inserts the
// budget row in the same transaction (budgets::insert).
int64_t insert(Connection& c, const Agent& a);
std::optional<Agent> find_by_id(Connection& c, int64_t id);
// Hard delete; the budget, leases, reports and history rows cascade. False if absent.
bool remove(Connection& c, int64_t id);
}  // namespace agents

}  // namespace iron::store
