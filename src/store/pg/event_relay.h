#pragma once
// Live events across replicas with PostgreSQL's LISTEN/NOTIFY (docs/postgresql.md, "Per-process
// state that moves into the database"): a replica publishes an event inside the transaction
// that caused it, so it leaves only if that transaction commits; every replica keeps one
// dedicated connection listening and hands each payload to its local event bus. Payloads are
// opaque text here (domain/ encodes them); nothing here logs.
#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <thread>

#include "store/pg/connection.h"

namespace iron::store::pg {

inline constexpr std::string_view kEventChannel = "iron_events";
// NOTIFY's payload must be shorter than 8000 bytes (PostgreSQL's default build).
inline constexpr size_t kMaxEventPayloadBytes = 7999;

// Queues `payload` on kEventChannel with pg_notify in the transaction open on `c`: listeners get
// it when that transaction commits, never when it rolls back (outside a transaction: at once).
// Transactions' notifications arrive in commit order, each one's in the order published.
// PostgreSQL folds identical payloads of one transaction into one, so payloads should carry
// something unique (an origin and a sequence number). Throws PgError 22023 without sending
// anything when the payload is over kMaxEventPayloadBytes: the transaction stays usable, so the
// caller can publish a smaller form (an id to fetch) instead.
void publish_event(Connection& c, std::string_view payload);

// One dedicated connection that LISTENs on kEventChannel on a background thread (started by
// the constructor) and calls `on_event` for every notification, in the order received. When
// the connection is lost it reconnects with exponential backoff, then calls `on_gap`: what was
// published meanwhile is lost, so the caller refreshes whatever it derives from events. A
// connection that goes silent (a half-open TCP connection) is found by a ping after
// `ping_interval` without traffic. stop() (and the destructor) returns promptly in every state,
// connecting included: the thread waits with poll() on the socket and a wake-up eventfd.
class EventListener {
 public:
  struct Handlers {
    std::function<void(std::string_view payload)> on_event;
    std::function<void()> on_gap;                           // optional; after a reconnect
    std::function<void(const std::string& why)> on_error;   // optional; for the log (no secrets)
    std::function<void()> on_listening;                     // optional; each time LISTEN is active
  };
  struct Timing {
    std::chrono::milliseconds first_retry{100};
    std::chrono::milliseconds max_retry{10'000};
    std::chrono::milliseconds ping_interval{30'000};
    std::chrono::milliseconds answer_timeout{10'000};  // for connecting, LISTEN and pings
  };

  // Handlers are called on the listener's thread; one that throws is reported to on_error.
  EventListener(std::string dsn, Handlers handlers, Timing timing);
  EventListener(std::string dsn, Handlers handlers) : EventListener(std::move(dsn), std::move(handlers), Timing{}) {}
  EventListener(const EventListener&) = delete;
  EventListener& operator=(const EventListener&) = delete;
  ~EventListener() { stop(); }

  void stop();  // idempotent
  // True while LISTEN is active on a connection believed alive (false until the first connect).
  bool listening() const { return listening_.load(); }

 private:
  enum class Wait { ready, timed_out, stopped };
  using Clock = std::chrono::steady_clock;
  void run();
  void listen_until_lost(Connection& c);
  bool await_answer(Connection& c, const char* sql);
  Wait wait_for(int socket, bool for_write, Clock::time_point deadline) const;
  void consume(Connection& c);
  void deliver(PGconn* conn);
  void report(const std::string& why) const;

  std::string dsn_;
  Handlers handlers_;
  Timing timing_;
  int wake_fd_ = -1;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> listening_{false};
  std::thread thread_;
};

}  // namespace iron::store::pg
