#include "domain/event_bus.h"

#include <algorithm>

namespace iron::domain {

void EventBus::publish(LiveEvent event) {
  {
    std::lock_guard lock(mutex_);
    if (closed_) return;
    event.id = next_id_++;
    for (Subscription* s : subscribers_) {
      if (!s->admin_ && s->user_id_ != event.owner_id) continue;
      // A slow reader loses its oldest events rather than growing without bound.
      if (s->queue_.size() >= queue_limit_) {
        s->queue_.pop_front();
        ++s->dropped_;
      }
      s->queue_.push_back(event);
    }
  }
  cv_.notify_all();
}

std::shared_ptr<Subscription> EventBus::subscribe(const std::string& user_id, bool admin, SubscribeRefusal* why) {
  std::lock_guard lock(mutex_);
  const auto held = std::count_if(subscribers_.begin(), subscribers_.end(),
                                  [&](const Subscription* s) { return s->user_id_ == user_id; });
  const SubscribeRefusal refusal = closed_                                       ? SubscribeRefusal::closed
                                   : subscribers_.size() >= max_subscribers_     ? SubscribeRefusal::bus_full
                                   : static_cast<size_t>(held) >= max_per_user_  ? SubscribeRefusal::user_limit
                                                                                 : SubscribeRefusal::none;
  if (why) *why = refusal;
  if (refusal != SubscribeRefusal::none) return nullptr;
  std::shared_ptr<Subscription> s(new Subscription(*this, user_id, admin));
  subscribers_.push_back(s.get());
  return s;
}

void EventBus::unsubscribe(Subscription* s) {
  std::lock_guard lock(mutex_);
  subscribers_.erase(std::remove(subscribers_.begin(), subscribers_.end(), s), subscribers_.end());
}

void EventBus::close() {
  {
    std::lock_guard lock(mutex_);
    closed_ = true;
  }
  cv_.notify_all();
}

size_t EventBus::subscriber_count() const {
  std::lock_guard lock(mutex_);
  return subscribers_.size();
}

std::vector<LiveEvent> Subscription::wait(std::chrono::milliseconds timeout) {
  std::unique_lock lock(bus_.mutex_);
  bus_.cv_.wait_for(lock, timeout, [&] { return bus_.closed_ || !queue_.empty(); });
  std::vector<LiveEvent> out(queue_.begin(), queue_.end());
  queue_.clear();
  return out;
}

bool Subscription::closed() const {
  std::lock_guard lock(bus_.mutex_);
  return bus_.closed_;
}

Subscription::~Subscription() { bus_.unsubscribe(this); }

}  // namespace iron::domain
