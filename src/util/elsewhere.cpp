#include "util/elsewhere.h"

#include <atomic>
#include <thread>

namespace iron::util {
namespace {
std::atomic<ElsewhereHook> g_elsewhere_hook{nullptr};
}  // namespace

void set_elsewhere_hook(ElsewhereHook hook) { g_elsewhere_hook.store(hook, std::memory_order_release); }

void run_elsewhere(std::function<void()> task) {
  if (const ElsewhereHook hook = g_elsewhere_hook.load(std::memory_order_acquire)) return hook(std::move(task));
  std::thread(std::move(task)).detach();
}

}  // namespace iron::util
