#pragma once
// The worker threads that accept and serve connections (one connection holds one worker
// while it is open). An idle worker waits in accept() on the listening socket itself, and
// the kernel wakes exactly one waiting worker per new connection, which serves it: there is
// no accept thread handing connections on. With one, every fresh connection took a second
// wake-up (accept thread → worker), and on a loaded machine that wake-up waited for the other
// core's time slice: 4-19 ms of a fresh request's 0.1 ms (perf sched trace,
// docs/benchmarks.md, "Fifth pass: the edge"). The client's connect wakes a waiting worker
// on the client's own core instead.
//
// A worker that takes a connection starts another when fewer than `kSpare` are left
// waiting, up to `max` workers; a worker idle for a few seconds (the accept timeout) ends
// while `base` others are still waiting, so `base` always wait once started. Workers are detached and counted rather than joined: joining hundreds
// that idled out at once (after a burst of 1,000 connections) stalled the thread that
// joined them for tens of milliseconds.
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>

namespace iron::server {

class WorkerPool final {
 public:
  // `serve` owns the connection it is given (closes it).
  WorkerPool(int listen_fd, size_t base, size_t max, std::function<void(int fd)> serve);
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Accepts and serves until the listening socket is shut down (stop), then waits until
  // every worker has finished its connection and left.
  void run();
  // Wakes every waiting worker and ends accepting; connections being served go on.
  void stop();

 private:
  void start_worker();  // with mutex_ held
  void work();

  const int listen_fd_;
  const size_t base_, max_;
  const std::function<void(int)> serve_;
  std::mutex mutex_;
  std::condition_variable all_left_;
  size_t workers_ = 0;    // started and not yet left
  size_t accepting_ = 0;  // waiting in accept()
  bool stopping_ = false;
};

}  // namespace iron::server
