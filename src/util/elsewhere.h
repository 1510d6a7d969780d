#pragma once
// Work that must not run on the current thread, because that thread has to return first: the
// database writer hands the lead of its next batch on this way when nobody waits to lead it
// (store/sqlite_database.h), and a connection whose answer was written by that writer is
// served on (server/edge_server.h). On the edge's worker pool the task runs on one of its
// threads, as if an event had arrived; without the edge (a command, a test) on a new thread.
#include <functional>

namespace iron::util {

using ElsewhereHook = void (*)(std::function<void()> task);

// Set once, by the edge, before it serves.
void set_elsewhere_hook(ElsewhereHook hook);
void run_elsewhere(std::function<void()> task);

}  // namespace iron::util
