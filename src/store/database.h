#pragma once
// The database every use case runs in: each runs inside one transaction opened here, and a
// domain Result that carries an error rolls it back. The engine under it is SQLite in the
// data dir (store/sqlite_database.h: one serialised writer with group commit plus a pool of
// readers) or PostgreSQL (store/pg/pg_database.h: a pool of connections, serializable writes).
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>

#include "store/database_engine.h"
#include "util/completion.h"
#include "util/result.h"

namespace iron::store {

template <class T> struct is_result : std::false_type {};
template <class T> struct is_result<Result<T>> : std::true_type {};

class Database {
 public:
  // SQLite: opens (creating if needed) the file, sets pragmas, applies pending migrations.
  // Throws std::runtime_error with a clear message on failure (e.g. a DB newer than us).
  // max_bytes > 0 caps the database file: a write that would grow it past the cap fails as
  // storage full.
  static constexpr int kDefaultReaders = 4;
  explicit Database(std::string path, int reader_count = kDefaultReaders, int64_t max_bytes = 0);
  explicit Database(std::unique_ptr<DatabaseEngine> engine) : engine_(std::move(engine)) {}

  // Runs f(Connection&) inside a write transaction and returns once that transaction is
  // durably committed. f's work is kept unless f throws or returns a Result holding an error
  // — except with commit_on_error, for operations whose refusal must itself be recorded (a
  // failed login's counter and audit row). A call sees the committed work of the calls
  // before it, exactly as if all ran one by one. f may run on another caller's thread (group
  // commit) or more than once (PostgreSQL retries a serialization failure; SQLite runs a batch
  // again with a savepoint per call when one of its calls fails), so it has no effect outside
  // the database: it assigns what it hands out (never appends or adds to captured state), and
  // anything published or sent happens after write() returns. It must not call write() itself.
  template <class F>
  auto write(F&& f, bool commit_on_error = false) -> decltype(f(std::declval<Connection&>())) {
    using R = decltype(f(std::declval<Connection&>()));
    std::optional<R> result;
    auto body = [&](Connection& c) -> bool {
      result.emplace(f(c));
      if constexpr (is_result<R>::value) {
        return result->ok() || commit_on_error;
      } else {
        (void)commit_on_error;
        return true;
      }
    };
    WriteCall call{[](void* b, Connection& c) { return (*static_cast<decltype(body)*>(b))(c); }, &body, {}, nullptr};
    engine_->write(call);  // rethrows f's exception, or the commit's failure
    return std::move(*result);
  }

  // write() without waiting for the commit: returns at once, and done(outcome) runs once the
  // write is durably committed or rolled back, on whichever thread finished it (this one,
  // before write_async returns, when it led the batch or on PostgreSQL). outcome() returns
  // f's result or rethrows f's exception or the commit's failure. f follows write()'s rules.
  template <class F>
  void write_async(F f, util::Completion<decltype(f(std::declval<Connection&>()))> done) {
    using R = decltype(f(std::declval<Connection&>()));
    static_assert(is_result<R>::value, "an asynchronous write answers with a Result");
    struct Pending {
      F f;
      util::Completion<R> done;
      std::optional<R> result;
      WriteCall call;
    };
    auto* p = new Pending{std::move(f), std::move(done), std::nullopt, {}};
    p->call.run = [](void* b, Connection& c) {
      auto& self = *static_cast<Pending*>(b);
      self.result.emplace(self.f(c));
      return self.result->ok();
    };
    p->call.body = p;
    p->call.done = [](WriteCall& call) {
      std::unique_ptr<Pending> self(static_cast<Pending*>(call.body));
      self->done([&]() -> R {
        if (self->call.error) std::rethrow_exception(self->call.error);
        return std::move(*self->result);
      });
    };
    engine_->write_async(p->call);
  }

  // Runs f(Connection&) in a read transaction (one consistent snapshot).
  template <class F>
  auto read(F&& f) -> decltype(f(std::declval<Connection&>())) {
    using R = decltype(f(std::declval<Connection&>()));
    if constexpr (std::is_void_v<R>) {
      auto body = [&](Connection& c) { f(c); };
      ReadCall call{[](void* b, Connection& c) { (*static_cast<decltype(body)*>(b))(c); }, &body};
      engine_->read(call);
    } else {
      std::optional<R> result;
      auto body = [&](Connection& c) { result.emplace(f(c)); };
      ReadCall call{[](void* b, Connection& c) { (*static_cast<decltype(body)*>(b))(c); }, &body};
      engine_->read(call);
      return std::move(*result);
    }
  }

  Engine engine() const { return engine_->kind(); }
  WriteStats write_stats() { return engine_->write_stats(); }
  uint64_t data_version() { return engine_->data_version(); }
  size_t queued_writes() { return engine_->queued_writes(); }
  bool storage_full() const { return engine_->storage_full(); }
  const std::string& path() const { return engine_->path(); }
  void checkpoint() { engine_->checkpoint(); }
  int64_t file_size_bytes() const { return engine_->file_size_bytes(); }
  int64_t wal_size_bytes() const { return engine_->wal_size_bytes(); }

  int schema_version();
  bool ping();  // a trivial read succeeds

 private:
  std::unique_ptr<DatabaseEngine> engine_;
};

}  // namespace iron::store
