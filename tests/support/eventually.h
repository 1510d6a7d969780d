#pragma once
// Waiting on a condition with a deadline, for what a test observes without an event to wait on
// (a lock holder, a backend's last statement, a writer's queue): true as soon as `condition`
// holds, false when it still does not after `timeout`.
#include <chrono>
#include <thread>

namespace iron::test {

template <class Condition>
bool eventually(Condition condition, std::chrono::milliseconds timeout = std::chrono::seconds(15)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));  // polling a condition, not a fixed wait
  }
  return true;
}

}  // namespace iron::test
