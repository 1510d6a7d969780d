#include "domain/login_throttle.h"

#include <algorithm>
#include <cctype>

namespace iron::domain {
namespace {

int64_t seconds_until(int64_t until_ms, int64_t now_ms) {
  return until_ms <= now_ms ? 0 : (until_ms - now_ms + 999) / 1000;
}

}  // namespace

std::string login_account_key(const std::string& email) {
  std::string key = email;
  for (auto& ch : key) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return key;
}

int64_t login_wait_s(const LoginThrottlePolicy& policy, const store::FailureWindow& pair,
                     const store::FailureWindow& source, int64_t now_ms) {
  int64_t wait = 0;
  if (source.count >= policy.max_failures_per_source && source.oldest_at)
    wait = seconds_until(*source.oldest_at + policy.window_s * 1000, now_ms);
  if (pair.count >= policy.free_failures && pair.newest_at) {
    // Doubling per failure beyond the free ones; the shift is bounded before it can overflow.
    const int64_t doublings = std::min<int64_t>(pair.count - policy.free_failures, 20);
    const int64_t backoff_s = std::min(policy.backoff_max_s, policy.backoff_base_s << doublings);
    wait = std::max(wait, seconds_until(*pair.newest_at + backoff_s * 1000, now_ms));
  }
  return wait;
}

}  // namespace iron::domain
