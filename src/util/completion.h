#pragma once
// How an operation that finishes later hands over its outcome: it calls the completion once,
// on whichever thread finished it, with `outcome`, which returns the value or rethrows what
// prevented it (the caller maps exceptions exactly as for a call that returned).
#include <exception>
#include <functional>
#include <optional>

namespace iron::util {

template <class T>
using Completion = std::function<void(const std::function<T()>& outcome)>;

// Hands `outcome` on to `done`, running on_ok(value) first when it is a success (a Result
// that is ok): what a use case does once its write is durable, such as publishing a live event.
template <class T, class F>
void hand_on(const std::function<T()>& outcome, const Completion<T>& done, F&& on_ok) {
  std::optional<T> value;
  std::exception_ptr failed;
  try {
    value.emplace(outcome());
  } catch (...) {
    failed = std::current_exception();
  }
  if (value && value->ok()) on_ok(value->value());
  done([&]() -> T {
    if (failed) std::rethrow_exception(failed);
    return std::move(*value);
  });
}

}  // namespace iron::util
