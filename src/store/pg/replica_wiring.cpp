#include "store/pg/replica_wiring.h"

#include "store/pg/advisory_lock.h"
#include "store/pg/event_relay.h"
#include "store/pg/replica_task_guard.h"

namespace iron::store::pg {

TaskGuard::TaskGuard(std::string url) : guard_(std::make_unique<ReplicaTaskGuard>(std::move(url))) {}
TaskGuard::~TaskGuard() = default;

std::function<void()> TaskGuard::guarded(std::string name, std::function<void()> task) {
  return guard_->guarded(std::move(name), std::move(task));
}

ReplicaPresence::ReplicaPresence(std::string url) : c_(std::make_unique<Connection>(url)) {
  // Per schema: the test servers share one database, each in a schema of its own.
  key_ = advisory_lock_key("ironpanel serving replicas: " + c_->exec("SELECT current_schema()").front().text(0));
  first_ = c_->exec("SELECT pg_try_advisory_lock($1)", {key_}).front().text(0) == "t";
  if (!first_) c_->exec("SELECT pg_advisory_lock_shared($1)", {key_});
}

ReplicaPresence::~ReplicaPresence() = default;

void ReplicaPresence::serving() {
  if (!first_) return;
  c_->exec("SELECT pg_advisory_lock_shared($1)", {key_});
  c_->exec("SELECT pg_advisory_unlock($1)", {key_});
}

EventRelay::EventRelay(std::string url, Handlers handlers, std::chrono::milliseconds ready_within)
    : url_(std::move(url)) {
  const auto ready = [this] {
    {
      std::lock_guard lock(ready_mutex_);
      ready_ = true;
    }
    ready_cv_.notify_all();
  };
  listener_ = std::make_unique<EventListener>(url_, EventListener::Handlers{.on_event = std::move(handlers.on_event),
                                                                            .on_gap = std::move(handlers.on_gap),
                                                                            .on_error = std::move(handlers.on_error),
                                                                            .on_listening = ready});
  std::unique_lock lock(ready_mutex_);
  ready_cv_.wait_for(lock, ready_within, [this] { return ready_; });
}

EventRelay::~EventRelay() { listener_->stop(); }

bool EventRelay::listening() const { return listener_->listening(); }

size_t EventRelay::max_payload_bytes() { return kMaxEventPayloadBytes; }

void EventRelay::publish(std::string_view payload) {
  std::lock_guard lock(publish_mutex_);
  if (!publisher_) publisher_ = std::make_unique<Connection>(url_);
  try {
    publish_event(*publisher_, payload);
  } catch (const PgError& e) {
    // An idle connection the server closed shows only when used: reopen it once.
    if (!e.is_connection() && PQstatus(publisher_->handle()) != CONNECTION_BAD) throw;
    publisher_ = std::make_unique<Connection>(url_);
    publish_event(*publisher_, payload);
  }
}

}  // namespace iron::store::pg
