#include "util/blocking.h"

#include <atomic>

namespace iron::util {
namespace {
std::atomic<BlockingHook> g_hook{nullptr};
}  // namespace

void set_blocking_hook(BlockingHook hook) { g_hook.store(hook, std::memory_order_release); }

void before_blocking() {
  if (const BlockingHook hook = g_hook.load(std::memory_order_acquire)) hook();
}

}  // namespace iron::util
