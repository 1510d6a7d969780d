#pragma once
// How an operation that finishes later hands over its outcome: it calls the completion once,
// on whichever thread finished it, with `outcome`, which returns the value or rethrows what
// prevented it (the caller maps exceptions exactly as for a call that returned).
#include <functional>

namespace iron::util {

template <class T>
using Completion = std::function<void(const std::function<T()>& outcome)>;

}  // namespace iron::util
