#include "util/scheduler.h"

#include "util/log.h"

namespace iron::util {

void Scheduler::every(std::chrono::milliseconds period, std::string name, std::function<void()> task) {
  tasks_.push_back({period, std::move(name), std::move(task), std::chrono::steady_clock::now() + period});
}

void Scheduler::start() {
  if (!tasks_.empty()) thread_ = std::thread([this] { loop(); });
}

void Scheduler::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Scheduler::loop() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    auto next = tasks_.front().next;
    for (const auto& t : tasks_) next = std::min(next, t.next);
    if (cv_.wait_until(lock, next, [this] { return stopping_; })) break;
    const auto now = std::chrono::steady_clock::now();
    for (auto& t : tasks_) {
      if (t.next > now) continue;
      t.next = now + t.period;
      lock.unlock();
      try {
        t.fn();
      } catch (const std::exception& e) {
        log::error("background task failed", {{"task", t.name}, {"error", e.what()}});
      }
      lock.lock();
      if (stopping_) break;
    }
  }
}

}  // namespace iron::util
