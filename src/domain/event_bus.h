#pragma once
// Live events for the dashboard (budget alerts, lease changes, usage ticks): published by
// domain operations after they commit, fanned out to a bounded number of subscribers,
// each with a bounded queue. Owner-scoped: a subscriber sees its own agents' events, an
// admin sees all. With several replicas (PostgreSQL) the buses are joined by a relay
// (docs/postgresql.md, "Wiring the replica pieces"): each event also leaves encoded for the
// other replicas, and their events come back through receive_relayed().
#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace iron::domain {

struct LiveEvent {
  int64_t id = 0;          // assigned by publish, increasing
  std::string type;        // e.g. lease.opened, budget.alert, usage.tick
  std::string owner_id;    // user who owns the subject (agent owner)
  nlohmann::json data;
};

class EventBus;

class Subscription {
 public:
  // Waits up to `timeout` for events; returns them (empty on timeout). `closed()` turns
  // true on shutdown, and then wait returns at once.
  std::vector<LiveEvent> wait(std::chrono::milliseconds timeout);
  bool closed() const;
  ~Subscription();

 private:
  friend class EventBus;
  Subscription(EventBus& bus, std::string user_id, bool admin) : bus_(bus), user_id_(std::move(user_id)), admin_(admin) {}
  EventBus& bus_;
  std::string user_id_;
  bool admin_;
  std::deque<LiveEvent> queue_;  // guarded by bus_.mutex_
  int64_t dropped_ = 0;
};

// Why subscribe refused.
enum class SubscribeRefusal { none, closed, bus_full, user_limit };

class EventBus {
 public:
  // Each user may hold at most an eighth of the streams (at least one), so one viewer with
  // many tabs or a script cannot take every slot and lock the admin out of live events.
  explicit EventBus(size_t max_subscribers, size_t queue_limit = 256)
      : max_subscribers_(max_subscribers),
        max_per_user_(std::max<size_t>(1, max_subscribers / 8)),
        queue_limit_(queue_limit) {}
  void publish(LiveEvent event);

  // Sends every event published from now on to `send` as well, encoded for the other replicas
  // (call before serving). `send` must not throw: the operation behind the event has committed.
  // Encoded events fit in `max_payload_bytes`; one that would not loses its data and carries
  // "truncated": true, so the dashboard refetches.
  void relay_through(std::function<void(const std::string& payload)> send, size_t max_payload_bytes);
  // An event a relay delivered: published here unless this bus sent it (it has it already);
  // never relayed again. Payloads that are not relayed events are ignored.
  void receive_relayed(std::string_view payload);
  // Every subscriber, whoever owns what, gets a "stream.resync" event: events may have been
  // lost (a relay's connection was down), so what the dashboard shows must be refetched.
  void publish_resync();

  // nullptr when the bus is closed or full or the user holds their share; `why` says which.
  std::shared_ptr<Subscription> subscribe(const std::string& user_id, bool admin, SubscribeRefusal* why = nullptr);
  size_t max_per_user() const { return max_per_user_; }
  void close();  // shutdown: every waiting stream wakes and ends
  size_t subscriber_count() const;

 private:
  friend class Subscription;
  void unsubscribe(Subscription* s);
  void deliver(LiveEvent event, bool to_everyone);
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  std::vector<Subscription*> subscribers_;
  size_t max_subscribers_;
  size_t max_per_user_;
  size_t queue_limit_;
  int64_t next_id_ = 1;
  bool closed_ = false;
  // Set once before serving, then only read.
  std::function<void(const std::string&)> relay_send_;
  size_t relay_max_bytes_ = 0;
  // This bus's id in relayed events, random per process; fixed before any listener runs.
  static std::string new_origin();
  const std::string origin_ = new_origin();
  std::atomic<int64_t> relay_seq_{0};  // keeps equal events apart: PostgreSQL folds identical NOTIFYs of a transaction
};

}  // namespace iron::domain
