#pragma once
// SIGTERM/SIGINT handling that works as PID 1: the signals are blocked in every thread
// (block_termination_signals() must run before any thread starts) and received by one
// sigwait thread, which runs the shutdown callback outside signal context.
#include <functional>
#include <thread>

namespace iron::server {

void block_termination_signals();

class SignalWatcher {
 public:
  // Calls on_signal(signo) once for the first SIGTERM/SIGINT.
  explicit SignalWatcher(std::function<void(int)> on_signal);
  ~SignalWatcher();  // wakes and joins the thread if no signal came

 private:
  std::thread thread_;
};

}  // namespace iron::server
