#pragma once
// Scheduled jobs with several replicas on one PostgreSQL (docs/postgresql.md): each replica
// runs the same scheduler (util/scheduler.h), and a task's round runs on the replica that
// takes the task's session-level advisory lock; replicas that find it taken skip that round.
// The lock is released when the round ends, or by the server when the replica dies, so the
// task never stops running while one replica is alive. The tasks act on due rows and are
// idempotent, so the guarantee needed is "never two at once", which this gives.
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "store/pg/connection.h"

namespace iron::store::pg {

// One dedicated connection holding the locks. Not shared between threads: one guard per
// scheduler thread.
class ReplicaTaskGuard {
 public:
  explicit ReplicaTaskGuard(std::string dsn) : dsn_(std::move(dsn)) {}

  // Runs `task` when this replica takes task `name`'s lock, and releases it after; false when
  // another replica holds it (its round). A lost lock connection is reopened once per round.
  // Throws PgError when PostgreSQL cannot be reached (the round is skipped; the next retries),
  // and what `task` throws.
  bool run_round(std::string_view name, const std::function<void()>& task);

  // The scheduler's form: scheduler.every(30s, "expire_stale_leases",
  // guard.guarded("expire_stale_leases", [&] { ... })). The guard must outlive the scheduler.
  std::function<void()> guarded(std::string name, std::function<void()> task);

 private:
  Connection& connection();  // opens it when there is none

  std::string dsn_;
  std::unique_ptr<Connection> c_;
};

}  // namespace iron::store::pg
