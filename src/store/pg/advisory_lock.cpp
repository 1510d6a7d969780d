#include "store/pg/advisory_lock.h"

#include <bit>

namespace iron::store::pg {

int64_t advisory_lock_key(std::string_view name) {
  uint64_t hash = 0xcbf29ce484222325ULL;  // FNV-1a 64-bit offset basis and prime
  for (const char ch : name) {
    hash ^= static_cast<unsigned char>(ch);
    hash *= 0x100000001b3ULL;
  }
  return std::bit_cast<int64_t>(hash);
}

AdvisoryLock::AdvisoryLock(Connection& c, int64_t key) : c_(&c), key_(key) {
  c.exec("SELECT pg_advisory_lock($1)", {key});
}

std::optional<AdvisoryLock> AdvisoryLock::try_acquire(Connection& c, int64_t key) {
  if (c.exec("SELECT pg_try_advisory_lock($1)", {key}).front().text(0) != "t") return std::nullopt;
  return std::optional<AdvisoryLock>(AdvisoryLock(Held{}, c, key));
}

AdvisoryLock::~AdvisoryLock() {
  if (!c_) return;
  try {
    c_->exec("SELECT pg_advisory_unlock($1)", {key_});
  } catch (const PgError&) {
    // Connection lost: the lock went with it.
  }
}

void lock_for_transaction(Connection& c, std::string_view name) {
  if (!c.in_transaction()) {
    throw PgError("25P01", "a transaction-level advisory lock needs an open transaction");
  }
  c.exec("SELECT pg_advisory_xact_lock($1)", {advisory_lock_key(name)});
}

}  // namespace iron::store::pg
