#pragma once
// What a server process needs to run as one of several replicas on one PostgreSQL
// (docs/postgresql.md, "Wiring the replica pieces"), without showing libpq's headers to the
// caller (only src/store/pg/ compiles against them, as with pg_engine.h).
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

namespace iron::store::pg {

class Connection;
class EventListener;
class ReplicaTaskGuard;

// Scheduled tasks one replica at a time: each round of a wrapped task runs only on the replica
// that takes the task's advisory lock (replica_task_guard.h). One guard per scheduler thread;
// it must outlive that scheduler.
class TaskGuard {
 public:
  explicit TaskGuard(std::string url);
  ~TaskGuard();
  TaskGuard(const TaskGuard&) = delete;
  TaskGuard& operator=(const TaskGuard&) = delete;

  std::function<void()> guarded(std::string name, std::function<void()> task);

 private:
  std::unique_ptr<ReplicaTaskGuard> guard_;
};

// Whether other replicas serve this database (this schema) right now, so a start can tell
// "every other replica is stopped: the keys may change" from "others are serving: the keys
// must be theirs" (cli/server_key_check.h). Every serving replica holds a shared advisory
// lock for its life on a connection of its own; a start first tries the exclusive lock,
// which is free only when no replica serves and none is starting. The server drops a lost
// connection's lock, so a replica that dies is no longer counted.
class ReplicaPresence {
 public:
  // Opens the connection and takes the lock: exclusive when free, shared otherwise (waiting
  // while another replica is between its start and serving()). Throws StoreError (PgError).
  explicit ReplicaPresence(std::string url);
  ~ReplicaPresence();  // closing the connection releases the lock

  // True when no other replica was serving or starting when this one started.
  bool first() const { return first_; }
  // After the start's checks: keeps only the shared lock, so the next replica may start.
  void serving();

 private:
  std::unique_ptr<Connection> c_;
  int64_t key_ = 0;
  bool first_ = false;
};

// Live events between replicas over LISTEN/NOTIFY (event_relay.h): publish() sends a payload
// to every replica (this one included), and one listening connection hands every payload it
// receives to on_event, on its own thread.
class EventRelay {
 public:
  struct Handlers {
    std::function<void(std::string_view payload)> on_event;
    std::function<void()> on_gap;                          // after a reconnect: payloads were lost
    std::function<void(const std::string& why)> on_error;  // for the log (no secrets)
  };
  // Starts listening and waits up to `ready_within` for LISTEN to be active, so that a server
  // started after it misses nothing the other replicas publish; false from listening() when
  // that did not happen in time (the listener keeps retrying in the background).
  EventRelay(std::string url, Handlers handlers, std::chrono::milliseconds ready_within);
  ~EventRelay();
  EventRelay(const EventRelay&) = delete;
  EventRelay& operator=(const EventRelay&) = delete;

  // NOTIFY in autocommit on this relay's publishing connection (opened on first use, reopened
  // once when found lost). Throws StoreError when PostgreSQL cannot take it, or when the
  // payload is over max_payload_bytes().
  void publish(std::string_view payload);
  static size_t max_payload_bytes();
  bool listening() const;

 private:
  std::string url_;
  std::mutex publish_mutex_;
  std::unique_ptr<Connection> publisher_;  // guarded by publish_mutex_
  std::mutex ready_mutex_;
  std::condition_variable ready_cv_;
  bool ready_ = false;  // guarded by ready_mutex_
  std::unique_ptr<EventListener> listener_;
};

}  // namespace iron::store::pg
