#include "store/pg/pg_database.h"

#include <algorithm>
#include <chrono>
#include <random>
#include <thread>

#include "store/pg/migrations.h"
#include "store/pg/pg_engine.h"
#include "util/blocking.h"

namespace iron::store::pg {
namespace {

void rollback_quietly(PgConnection& c) {
  try {
    c.reset_statements();
    if (c.raw().in_transaction()) c.raw().exec("ROLLBACK");
  } catch (const PgError&) {
    // The connection is gone; the server has rolled the transaction back.
  }
}

// Before retrying a serialization failure: a random wait, up to a bound that doubles with each
// attempt (1 ms, 2 ms, ... 64 ms). Retrying at once makes the transactions that collided on a
// hot row (an owner's usage counter, an agent's ledger) collide again: with 64 runtimes on
// three replicas, reports used up all kMaxAttempts that way (tests/pg/multi_replica_test.cpp).
void back_off(int attempt) {
  thread_local std::minstd_rand random(std::random_device{}());
  const int bound_us = 1000 << std::min(attempt - 1, 6);
  std::this_thread::sleep_for(std::chrono::microseconds(std::uniform_int_distribution<int>(0, bound_us)(random)));
}

}  // namespace

PgDatabase::PgDatabase(std::string url, int pool_size) : url_(std::move(url)), pool_size_(pool_size) {
  auto first = std::make_unique<PgConnection>(url_);
  apply_migrations(first->raw());
  idle_.push_back(std::move(first));
  open_ = 1;
}

PgDatabase::Lease::Lease(PgDatabase& db) : db_(db) {
  util::before_blocking();  // every statement is a round trip to the server
  std::unique_lock lock(db.pool_mutex_);
  ++db.waiting_;
  db.pool_cv_.wait(lock, [&] { return !db.idle_.empty() || db.open_ < db.pool_size_; });
  --db.waiting_;
  if (!db.idle_.empty()) {
    conn_ = std::move(db.idle_.back());
    db.idle_.pop_back();
    return;
  }
  ++db.open_;
  lock.unlock();
  try {
    conn_ = std::make_unique<PgConnection>(db.url_);
  } catch (...) {
    lock.lock();
    --db.open_;
    lock.unlock();
    db.pool_cv_.notify_one();
    throw;
  }
}

PgDatabase::Lease::~Lease() {
  {
    std::lock_guard lock(db_.pool_mutex_);
    if (broken_) {
      --db_.open_;
    } else {
      db_.idle_.push_back(std::move(conn_));
    }
  }
  db_.pool_cv_.notify_one();
}

void PgDatabase::write(WriteCall& call) {
  Lease lease(*this);
  PgConnection& c = lease.conn();
  for (int attempt = 1;; ++attempt) {
    call.error = nullptr;
    try {
      Transaction transaction(c.raw(), "BEGIN ISOLATION LEVEL SERIALIZABLE");  // rolls back unless committed
      const bool keep = call.run(call.body, c);
      c.reset_statements();
      if (keep) transaction.commit();
      storage_full_ = false;
      break;
    } catch (const PgError& e) {
      call.error = std::current_exception();
      rollback_quietly(c);
      storage_full_ = e.is_storage_full();
      if (e.is_connection()) lease.discard();
      if (e.is_retryable() && attempt < kMaxAttempts) {
        back_off(attempt);
        continue;
      }
      break;
    } catch (...) {
      call.error = std::current_exception();
      rollback_quietly(c);
      break;
    }
  }
  {
    std::lock_guard lock(stats_mutex_);
    ++stats_.calls;
    ++stats_.batches;
  }
  if (call.error) std::rethrow_exception(call.error);
}

void PgDatabase::read(ReadCall& call) {
  Lease lease(*this);
  PgConnection& c = lease.conn();
  try {
    Transaction transaction(c.raw(), "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    call.run(call.body, c);
    c.reset_statements();
    transaction.commit();
  } catch (const PgError& e) {
    if (e.is_connection()) lease.discard();
    rollback_quietly(c);
    throw;
  } catch (...) {
    rollback_quietly(c);
    throw;
  }
}

WriteStats PgDatabase::write_stats() {
  std::lock_guard lock(stats_mutex_);
  return stats_;
}

std::unique_ptr<DatabaseEngine> open_postgres(const std::string& url) { return std::make_unique<PgDatabase>(url); }

}  // namespace iron::store::pg
