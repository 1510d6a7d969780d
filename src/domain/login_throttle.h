#pragma once
// Login throttling per source, never per account. A guess is counted before its password is
// hashed (inside the serialised write transaction), so a parallel burst cannot get more
// guesses evaluated than the limit; it is forgotten when the password turns out right.
// Failures from other sources never deny the right password from a new source: an attacker
// can slow their own address down, not lock the real user out. The answer is the same for
// unknown and existing accounts (the key is the email as typed).
#include <cstdint>
#include <string>

#include "store/login_failure_repo.h"

namespace iron::domain {

struct LoginThrottlePolicy {
  int64_t window_s = 15 * 60;          // failures older than this are forgotten
  int64_t free_failures = 5;           // per (source, account) before the backoff starts
  int64_t backoff_base_s = 30;         // then wait 30 s, 60 s, 120 s, … after the latest failure
  int64_t backoff_max_s = 15 * 60;
  int64_t max_failures_per_source = 20;  // per source across all accounts, within the window
};

// The key a login attempt is counted under for an account: the email, lower-cased.
std::string login_account_key(const std::string& email);

// Seconds the source must wait before it may try this account again; 0 = it may try now.
// `pair` are the source's failures at this account, `source` its failures at any account,
// both within the policy's window.
int64_t login_wait_s(const LoginThrottlePolicy& policy, const store::FailureWindow& pair,
                     const store::FailureWindow& source, int64_t now_ms);

}  // namespace iron::domain
