#include "domain/event_bus.h"

#include <algorithm>
#include <cstdio>
#include <random>

#include "util/blocking.h"

namespace iron::domain {

namespace {

// A relayed event: {"origin", "seq", "type", "owner_id", "data"} (docs/postgresql.md).
std::string encode_relayed(const LiveEvent& e, const std::string& origin, int64_t seq, size_t max_bytes) {
  nlohmann::json j = {{"origin", origin}, {"seq", seq}, {"type", e.type}, {"owner_id", e.owner_id}, {"data", e.data}};
  std::string payload = j.dump();
  if (payload.size() <= max_bytes) return payload;
  j["data"] = nlohmann::json::object();
  j["truncated"] = true;
  return j.dump();
}

}  // namespace

std::string EventBus::new_origin() {
  std::random_device rd;
  char buf[17];
  std::snprintf(buf, sizeof buf, "%08x%08x", rd(), rd());
  return buf;
}

void EventBus::publish(LiveEvent event) {
  if (relay_send_) relay_send_(encode_relayed(event, origin_, ++relay_seq_, relay_max_bytes_));
  deliver(std::move(event), false);
}

void EventBus::relay_through(std::function<void(const std::string& payload)> send, size_t max_payload_bytes) {
  relay_max_bytes_ = max_payload_bytes;
  relay_send_ = std::move(send);
}

void EventBus::receive_relayed(std::string_view payload) {
  const auto j = nlohmann::json::parse(payload, nullptr, false);
  if (!j.is_object() || !j.contains("origin") || !j["origin"].is_string() || j["origin"] == origin_) return;
  if (!j.contains("type") || !j["type"].is_string() || !j.contains("owner_id") || !j["owner_id"].is_string()) return;
  LiveEvent e{0, j["type"], j["owner_id"], j.value("data", nlohmann::json::object())};
  if (j.value("truncated", false)) e.data["truncated"] = true;
  deliver(std::move(e), false);
}

void EventBus::publish_resync() { deliver({0, "stream.resync", "", nlohmann::json::object()}, true); }

void EventBus::deliver(LiveEvent event, bool to_everyone) {
  {
    std::lock_guard lock(mutex_);
    if (closed_) return;
    event.id = next_id_++;
    for (Subscription* s : subscribers_) {
      if (!to_everyone && !s->admin_ && s->user_id_ != event.owner_id) continue;
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
  util::before_blocking();
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
