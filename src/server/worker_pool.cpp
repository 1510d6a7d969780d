#include "server/worker_pool.h"

#include <algorithm>
#include <chrono>
#include <thread>

namespace iron::server {
namespace {
constexpr auto kExtraWorkerIdle = std::chrono::seconds(5);
thread_local bool t_overflowing = false;
}

bool WorkerPool::overflowing() { return t_overflowing; }

WorkerPool::WorkerPool(size_t base, size_t max, size_t max_queued)
    : base_(base), max_(std::max(base, max)), max_queued_(max_queued) {
  std::lock_guard lock(mutex_);
  for (size_t i = 0; i < base_; ++i) start_worker(false);
}

WorkerPool::~WorkerPool() { shutdown(); }

void WorkerPool::start_worker(bool extra) {
  ++workers_;
  std::thread([this, extra] { work(extra); }).detach();
}

bool WorkerPool::enqueue(std::function<void()> job) {
  {
    std::unique_lock lock(mutex_);
    if (stopping_) return false;
    if (jobs_.size() >= max_queued_) {
      lock.unlock();
      t_overflowing = true;
      job();
      t_overflowing = false;
      return true;
    }
    jobs_.push_back(std::move(job));
    // Every waiting job needs a free worker of its own; `idle_` counts workers waiting for
    // a job, so compare against the whole queue, not just the job just added.
    if (jobs_.size() > idle_ && workers_ < max_) start_worker(true);
  }
  cv_.notify_one();
  return true;
}

void WorkerPool::shutdown() {
  std::unique_lock lock(mutex_);
  stopping_ = true;
  cv_.notify_all();
  all_left_.wait(lock, [&] { return workers_ == 0; });
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
  // The last thing this thread does with the pool, under its mutex: shutdown() cannot see
  // zero workers (and let the pool be destroyed) before the mutex is released.
  if (--workers_ == 0) all_left_.notify_all();
}

}  // namespace iron::server
