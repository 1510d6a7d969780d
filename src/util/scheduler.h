#pragma once
// The one background thread: periodic maintenance tasks (purges, retention, flushes,
// lease expiry) run here, one at a time, and stop cleanly on shutdown.
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace iron::util {

class Scheduler {
 public:
  // Registers a task; call before start().
  void every(std::chrono::milliseconds period, std::string name, std::function<void()> task);
  void start();
  void stop();  // waits for a running task to finish; idempotent
  ~Scheduler() { stop(); }

 private:
  struct Task {
    std::chrono::milliseconds period;
    std::string name;
    std::function<void()> fn;
    std::chrono::steady_clock::time_point next;
  };
  void loop();
  std::vector<Task> tasks_;
  std::thread thread_;
  std::mutex mutex_;
  std::condition_variable cv_;
  bool stopping_ = false;
};

}  // namespace iron::util
