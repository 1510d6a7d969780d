#pragma once
// The worker threads that serve connections (one connection holds one worker while it is
// open). cpp-httplib's ThreadPool grows only when it sees no idle worker at the moment a
// connection is queued, and it counts a worker as idle until that worker has woken up: a
// burst of connections queues behind busy workers without ever starting a new one, and
// waits there as long as those connections last. This pool starts a worker whenever more
// connections wait than workers are free, up to `max`; workers beyond `base` end after
// a few idle seconds.
#include <httplib.h>

#include <condition_variable>
#include <deque>
#include <functional>
#include <list>
#include <mutex>
#include <thread>

namespace iron::server {

class WorkerPool final : public httplib::TaskQueue {
 public:
  WorkerPool(size_t base, size_t max, size_t max_queued);
  ~WorkerPool() override;

  // false (the connection is refused) when `max_queued` connections already wait.
  bool enqueue(std::function<void()> job) override;
  // Runs every queued job, then joins every worker.
  void shutdown() override;

 private:
  void work(bool extra);
  void join_finished();  // with mutex_ held

  const size_t base_, max_, max_queued_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> jobs_;
  std::list<std::thread> workers_;
  std::list<std::thread::id> finished_;
  size_t idle_ = 0;
  bool stopping_ = false;
};

}  // namespace iron::server
