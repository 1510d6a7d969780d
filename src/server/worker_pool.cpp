#include "server/worker_pool.h"

#include <algorithm>
#include <chrono>

namespace iron::server {
namespace {
constexpr auto kExtraWorkerIdle = std::chrono::seconds(5);
}

WorkerPool::WorkerPool(size_t base, size_t max, size_t max_queued)
    : base_(base), max_(std::max(base, max)), max_queued_(max_queued) {
  std::lock_guard lock(mutex_);
  for (size_t i = 0; i < base_; ++i) workers_.emplace_back([this] { work(false); });
}

WorkerPool::~WorkerPool() { shutdown(); }

bool WorkerPool::enqueue(std::function<void()> job) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ || jobs_.size() >= max_queued_) return false;
    jobs_.push_back(std::move(job));
    join_finished();
    // Every waiting job needs a free worker of its own; `idle_` counts workers waiting for
    // a job, so compare against the whole queue, not just the job just added.
    if (jobs_.size() > idle_ && workers_.size() < max_) workers_.emplace_back([this] { work(true); });
  }
  cv_.notify_one();
  return true;
}

void WorkerPool::shutdown() {
  std::list<std::thread> workers;
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    workers.swap(workers_);
  }
  cv_.notify_all();
  for (auto& t : workers)
    if (t.joinable()) t.join();
  std::lock_guard lock(mutex_);
  finished_.clear();
}

void WorkerPool::work(bool extra) {
  std::unique_lock lock(mutex_);
  for (;;) {
    ++idle_;
    const auto ready = [&] { return !jobs_.empty() || stopping_; };
    const bool woke = extra ? cv_.wait_for(lock, kExtraWorkerIdle, ready) : (cv_.wait(lock, ready), true);
    --idle_;
    if (jobs_.empty()) {
      if (stopping_ || !woke) break;
      continue;
    }
    auto job = std::move(jobs_.front());
    jobs_.pop_front();
    lock.unlock();
    job();
    lock.lock();
  }
  // An extra worker that idled out leaves; the next enqueue (or shutdown) joins it.
  if (!stopping_) finished_.push_back(std::this_thread::get_id());
}

void WorkerPool::join_finished() {
  for (const auto id : finished_) {
    auto it = std::find_if(workers_.begin(), workers_.end(), [&](const std::thread& t) { return t.get_id() == id; });
    if (it == workers_.end()) continue;
    it->join();  // it has left work(); at most the unlock remains
    workers_.erase(it);
  }
  finished_.clear();
}

}  // namespace iron::server
