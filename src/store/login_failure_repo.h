#pragma once
// login_failures table: failed (and in-flight) login attempts per source address and account.
#include <cstdint>
#include <optional>
#include <string>

#include "store/sqlite.h"

namespace iron::store {

// The failures of one key (a source, or a source + account) since some instant.
struct FailureWindow {
  int64_t count = 0;
  std::optional<int64_t> oldest_at;
  std::optional<int64_t> newest_at;
};

namespace login_failures {
void record(Connection& c, const std::string& source, const std::string& account, int64_t at);
FailureWindow for_pair(Connection& c, const std::string& source, const std::string& account, int64_t since);
FailureWindow for_source(Connection& c, const std::string& source, int64_t since);
// Forget one source's failures at one account (the right password came from it).
void clear_pair(Connection& c, const std::string& source, const std::string& account);
// Forget every source's failures at one account (admin unlock, password reset); returns the count.
int64_t clear_account(Connection& c, const std::string& account);
int64_t purge_before(Connection& c, int64_t cutoff);
}  // namespace login_failures

}  // namespace iron::store
