#pragma once
// The worker threads that serve connections (one connection holds one worker while it is
// open). cpp-httplib's ThreadPool grows only when it sees no idle worker at the moment a
// connection is queued, and it counts a worker as idle until that worker has woken up: a
// burst of connections queues behind busy workers without ever starting a new one, and
// waits there as long as those connections last. This pool starts a worker whenever more
// connections wait than workers are free, up to `max`; workers beyond `base` end after
// a few idle seconds.
//
// Workers are detached and counted rather than joined: joining hundreds of workers that
// idled out at once (after a burst of 1,000 connections) stalled the accept thread that
// queues the next connection for tens of milliseconds.
#include <httplib.h>

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>

namespace iron::server {

class WorkerPool final : public httplib::TaskQueue {
 public:
  WorkerPool(size_t base, size_t max, size_t max_queued);
  ~WorkerPool() override;

  // When `max_queued` connections already wait, the job runs at once on the calling thread
  // (the accept loop) with overflowing() true, so the connection is answered 503 there
  // instead of closed without a word (httplib closes it when enqueue returns false).
  bool enqueue(std::function<void()> job) override;
  // True while a job runs inline because the queue was full.
  static bool overflowing();
  // Runs every queued job, then waits until every worker has left.
  void shutdown() override;

 private:
  void start_worker(bool extra);  // with mutex_ held
  void work(bool extra);

  const size_t base_, max_, max_queued_;
  std::mutex mutex_;
  std::condition_variable cv_;       // a job was queued, or the pool is stopping
  std::condition_variable all_left_;
  std::deque<std::function<void()>> jobs_;
  size_t workers_ = 0;  // started and not yet left
  size_t idle_ = 0;
  bool stopping_ = false;
};

}  // namespace iron::server
