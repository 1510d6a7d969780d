#pragma once
// The X-Request-Id of a request: the client's own when it is a sane token, otherwise a new
// one of 16 lowercase hex digits.
#include <string>

namespace iron::server {

// A client-chosen id is kept when it is 1-128 characters of [A-Za-z0-9-_.:].
bool valid_request_id(const std::string& id);

// A new id, unique for this process's lifetime in practice. It names a request in logs and
// answers and guards nothing, so it comes from a per-thread generator seeded once from the
// CSPRNG rather than a getrandom() system call per request (docs/benchmarks.md).
std::string new_request_id();

}  // namespace iron::server
