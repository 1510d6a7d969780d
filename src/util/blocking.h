#pragma once
// Code that is about to wait — for the database writer's commit, a pooled connection, the
// network, an event, a password hash — calls before_blocking() first. On a thread of the
// edge's worker pool, that thread's place among those waiting for requests then goes to
// another (server/worker_pool.h), so a waiting handler never leaves requests unserved;
// elsewhere it does nothing. A handler that only computes and reads through SQLite never
// calls it and is spared the hand-over, two context switches per request
// (docs/benchmarks.md, "Seventh pass").
namespace iron::util {

using BlockingHook = void (*)();

// Set once, by the edge, before it serves.
void set_blocking_hook(BlockingHook hook);
void before_blocking();

}  // namespace iron::util
