#pragma once
// The worker threads of the edge, waiting together on one epoll set that holds the listening
// socket and every connection waiting for its next request (leader/followers). A thread that
// takes an event handles it on its own thread — accepts a connection, or serves the request
// that has arrived on one — and then goes back to epoll_wait, which returns at once while
// other connections are ready: under load one wake-up serves many requests. With a thread
// blocked on each keep-alive connection instead, every request woke its own thread: ~1.1
// context switches per request against nginx's 0.15 (docs/benchmarks.md, "Fifth pass: the
// edge" and "Sixth pass: the edge").
//
// The listener and timers are armed EPOLLONESHOT: one event goes to one thread, and the
// descriptor stays silent until it is armed again (`watch`). Connections are added once,
// edge-triggered (`add`): an event comes each time bytes arrive, with no system call to
// re-arm after every request (that was a quarter of a small request's system calls,
// docs/benchmarks.md, "Eleventh pass"); the edge (EdgeServer) makes sure that only one thread
// serves a connection at a time, and keeps a connection's memory for the next one, so a late
// event never points at freed memory. Only `base` threads wait for events, so that under load the few
// that run take ready events one after another instead of each event waking a sleeping
// thread. Code that is about to wait — RequestStream for a slow client; below the edge, through
// util::before_blocking(), the database writer, an event stream, the network — first calls
// before_blocking(): when no other thread is in epoll_wait, another takes its place there, and
// it parks once done, to take the place of the next thread that waits (threads parked for a
// few seconds end). Threads are detached and counted rather than joined: joining hundreds
// that ended at once (after a burst of 1,000 connections) stalled the thread that joined them
// for tens of milliseconds.
#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>

namespace iron::server {

// A descriptor in the pool's epoll set; its owner's state for it derives from this, and
// `ready` hands it back.
struct Watched {
  int fd = -1;
  bool edge_triggered = false;  // added by add(): its events are handed to another thread, never re-armed
};

class WorkerPool final {
 public:
  struct Handlers {
    std::function<void(int fd)> accepted;  // a new connection; the handler owns it
    std::function<void(Watched&)> ready;   // a watched descriptor has an event
  };
  // `listen_fd` is made non-blocking.
  WorkerPool(int listen_fd, size_t base, size_t max, Handlers handlers);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Arms `w.fd` for one readable (or hung-up) event, handed to `ready(w)` on some thread.
  // The first call for a descriptor adds it; it leaves the set when it is closed.
  void watch(Watched& w, bool first);
  // Adds `w.fd` edge-triggered: `ready(w)` runs on some thread each time bytes arrive or the
  // peer hangs up, also while another thread is still in `ready(w)` for an earlier event.
  void add(Watched& w);
  // Takes an added descriptor out of the set before it is handed elsewhere (closed later).
  void forget(Watched& w);
  // Accepts and serves until finish(), then waits until every thread has left.
  void run();
  // Ends accepting; watched connections are still served.
  void stop();
  // Every thread leaves once its current handler returns.
  void finish();
  // Called on a thread about to wait (for a slow client, the database, an event stream): when
  // it is handling this pool's event and no other thread is in epoll_wait, another takes its
  // place there — a parked one, else a new one up to `max` — and it parks itself once its
  // handler returns.
  static void before_blocking();
  // Runs `task` on one of the pool's threads, as if an event had arrived (util::run_elsewhere).
  void post(std::function<void()> task);

 private:
  void start_worker();  // with mutex_ held
  void work();
  void handle(Watched& w);
  void accept_one();
  void arm_listener();
  void release_pending();  // this thread's events not yet handled: armed again, or handed off
  void take_handed_off();
  bool park(std::unique_lock<std::mutex>& lock);

  Watched listener_;
  const size_t base_, max_;
  const Handlers handlers_;
  int epoll_fd_ = -1;
  Watched finish_;  // an eventfd, written once: readable for every thread from then on
  // Events of edge-triggered descriptors that a thread about to wait could not handle (the
  // kernel reports them only once), and posted tasks: they wait here for another thread.
  // `handoff_` is an eventfd, readable while the queue holds any.
  Watched handoff_;
  std::mutex handoff_mutex_;
  std::deque<std::function<void()>> handed_off_;
  std::mutex mutex_;
  std::condition_variable all_left_;
  size_t workers_ = 0;  // started and not yet left
  std::atomic<size_t> waiting_{0};  // in epoll_wait
  bool stopping_ = false;
  bool finished_ = false;
  std::condition_variable parked_wake_;
  size_t parked_ = 0;  // handed over, waiting for a call
  size_t calls_ = 0;   // calls not yet taken by a parked thread
};

}  // namespace iron::server
