#pragma once
// PostgreSQL advisory locks, so several replicas on one database coordinate without a table
// (docs/postgresql.md, "Per-process state that moves into the database"):
// - AdvisoryLock: a session-level lock on one connection (the migration runner's, and the
//   scheduled-task guard's in replica_task_guard.h). The server releases it when the
//   connection ends, so a replica that dies never blocks the others.
// - lock_for_transaction: a transaction-level lock that serialises "count, then insert"
//   windows (login throttle, key-fetch limit) across replicas until COMMIT or ROLLBACK.
#include <cstdint>
#include <optional>
#include <string_view>

#include "store/pg/connection.h"

namespace iron::store::pg {

// A stable 64-bit lock key for a name: FNV-1a over its bytes, the same on every replica,
// build and architecture (PostgreSQL's hashtext() is 32-bit and not a documented contract).
int64_t advisory_lock_key(std::string_view name);

// A session-level advisory lock held by this object on `c`; released when it is destroyed,
// or by the server when the connection is lost.
class AdvisoryLock {
 public:
  // Waits for the lock (pg_advisory_lock). Throws PgError.
  AdvisoryLock(Connection& c, int64_t key);
  // The lock when it is free now, nullopt when another session holds it
  // (pg_try_advisory_lock: never waits). Throws PgError.
  static std::optional<AdvisoryLock> try_acquire(Connection& c, int64_t key);
  AdvisoryLock(AdvisoryLock&& other) noexcept : c_(other.c_), key_(other.key_) { other.c_ = nullptr; }
  AdvisoryLock(const AdvisoryLock&) = delete;
  AdvisoryLock& operator=(const AdvisoryLock&) = delete;
  AdvisoryLock& operator=(AdvisoryLock&&) = delete;
  ~AdvisoryLock();

 private:
  struct Held {};
  AdvisoryLock(Held, Connection& c, int64_t key) : c_(&c), key_(key) {}
  Connection* c_;  // nullptr once moved from
  int64_t key_;
};

// Takes pg_advisory_xact_lock(advisory_lock_key(name)) in the transaction open on `c`: other
// transactions asking for the same name wait until this one commits or rolls back. Throws
// PgError 25P01 when `c` has no open transaction (the lock would be released at once).
void lock_for_transaction(Connection& c, std::string_view name);

}  // namespace iron::store::pg
