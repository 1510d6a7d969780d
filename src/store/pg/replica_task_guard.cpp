#include "store/pg/replica_task_guard.h"

#include <optional>

#include "store/pg/advisory_lock.h"

namespace iron::store::pg {

Connection& ReplicaTaskGuard::connection() {
  if (!c_) c_ = std::make_unique<Connection>(dsn_);
  return *c_;
}

bool ReplicaTaskGuard::run_round(std::string_view name, const std::function<void()>& task) {
  const int64_t key = advisory_lock_key(name);
  const auto lock = [&]() -> std::optional<AdvisoryLock> {
    try {
      return AdvisoryLock::try_acquire(connection(), key);
    } catch (const PgError& e) {
      // An idle connection the server closed (a restart, a failover, a terminated backend)
      // shows only when used; its error is then the server's farewell (57P01) or class 08.
      if (!e.is_connection() && c_ && PQstatus(c_->handle()) != CONNECTION_BAD) throw;
      c_.reset();
      return AdvisoryLock::try_acquire(connection(), key);
    }
  }();
  if (!lock) return false;
  task();
  return true;
}

std::function<void()> ReplicaTaskGuard::guarded(std::string name, std::function<void()> task) {
  return [this, name = std::move(name), task = std::move(task)] { run_round(name, task); };
}

}  // namespace iron::store::pg
