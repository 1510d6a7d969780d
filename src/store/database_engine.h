#pragma once
// What store::Database asks of the engine under it (SQLite in the data dir, or PostgreSQL):
// run a write or a read transaction around a call, and say how the storage is doing. The
// calls are type-erased here so the engines are ordinary classes (database.h has the typed
// front).
#include <cstdint>
#include <exception>
#include <string>

#include "store/connection.h"

namespace iron::store {

// One write() call: run returns whether to keep the call's work; the engine records the
// call's exception (or its transaction's failure) in `error`. A call given to write_async
// has `done`, which the engine calls once the outcome is known (and never touches the call
// after).
struct WriteCall {
  bool (*run)(void* body, Connection& c);
  void* body;
  std::exception_ptr error;
  void (*done)(WriteCall& call) = nullptr;
};

// One read() call; its exception propagates.
struct ReadCall {
  void (*run)(void* body, Connection& c);
  void* body;
};

// write() calls that finished, and the transactions they ran in (calls / batches is the
// average group-commit batch size); delayed: batches whose leader took in calls that queued
// while it ran (SQLite's commit delay, store/sqlite_database.h).
struct WriteStats {
  int64_t calls = 0;
  int64_t batches = 0;
  int64_t delayed = 0;
};

class DatabaseEngine {
 public:
  virtual ~DatabaseEngine() = default;
  virtual Engine kind() const = 0;
  // Runs the call in a write transaction and returns once its work is durably committed (or
  // rolled back); rethrows the call's exception or the commit's failure.
  virtual void write(WriteCall& call) = 0;
  // The same, without waiting: call.done(call) runs once the work is durably committed or
  // rolled back (call.error set), on whichever thread finished it — maybe this one, before
  // write_async returns. An engine that cannot do better runs the call here.
  virtual void write_async(WriteCall& call) {
    try {
      write(call);
    } catch (...) {
      call.error = std::current_exception();
    }
    call.done(call);
  }
  // Runs the call in a read-only transaction: one consistent snapshot.
  virtual void read(ReadCall& call) = 0;

  virtual WriteStats write_stats() = 0;
  // Changes whenever a write may have committed; equal before and after a read means nothing
  // was committed in between (api/agent_list_cache.h).
  virtual uint64_t data_version() = 0;
  virtual size_t queued_writes() = 0;
  // Whether the latest write was refused for lack of space.
  virtual bool storage_full() const = 0;

  // The data dir's database file, for backups and the files report; "" on PostgreSQL (its
  // backups are the operator's pg_dump or WAL archiving).
  virtual const std::string& path() const = 0;
  // Folds SQLite's WAL into the main file at shutdown; nothing to do on PostgreSQL.
  virtual void checkpoint() = 0;
  virtual int64_t file_size_bytes() const = 0;
  virtual int64_t wal_size_bytes() const = 0;
};

}  // namespace iron::store
