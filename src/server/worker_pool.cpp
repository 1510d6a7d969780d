#include "server/worker_pool.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <span>
#include <thread>

#include "util/blocking.h"
#include "util/elsewhere.h"

namespace iron::server {
namespace {
// Threads beyond `base` end once epoll_wait has waited this long without an event.
constexpr int kIdleMs = 5'000;
// A thread that was handed over stays parked this long for the next hand-over, then ends.
constexpr auto kParkedIdle = std::chrono::seconds(5);

// Events one epoll_wait takes at most. Under load one call returns several ready
// connections, and the system call is paid once for them: at 128 keep-alive connections a
// request cost 4 system calls, one of them this (strace -c, docs/benchmarks.md, tenth pass).
// A thread whose handler waited (a write, nearly always) had to arm the rest of its batch
// again for others, a system call each: it takes one event next time, and doubles its batch
// again after each round in which nothing waited.
constexpr int kEventsPerWait = 8;

// The pool whose event this thread is handling, whether it has handed its place over, the
// events of its epoll_wait still to handle after the current one, and whether a handler waited.
thread_local WorkerPool* t_pool = nullptr;
thread_local bool t_handed_over = false;
thread_local std::span<epoll_event> t_pending;
thread_local bool t_waited = false;  // a handler of its current batch called before_blocking
// The pool util::run_elsewhere posts to: the edge runs one.
std::atomic<WorkerPool*> g_posting_pool{nullptr};
void post_to_pool(std::function<void()> task) {
  if (WorkerPool* pool = g_posting_pool.load(std::memory_order_acquire)) return pool->post(std::move(task));
  std::thread(std::move(task)).detach();
}
}  // namespace

WorkerPool::WorkerPool(int listen_fd, size_t base, size_t max, Handlers handlers)
    : listener_{listen_fd},
      base_(std::max<size_t>(base, 1)),
      max_(std::max(base_, max)),
      handlers_(std::move(handlers)),
      epoll_fd_(::epoll_create1(EPOLL_CLOEXEC)),
      finish_{::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)},
      handoff_{::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)} {
  util::set_blocking_hook(&WorkerPool::before_blocking);  // the database, event streams, the network
  g_posting_pool.store(this, std::memory_order_release);
  util::set_elsewhere_hook(&post_to_pool);  // the database writer's next leader, answered connections
  // Several threads may be woken for one queued connection: the losers must not block.
  ::fcntl(listener_.fd, F_SETFL, ::fcntl(listener_.fd, F_GETFL) | O_NONBLOCK);
  watch(listener_, true);
  epoll_event ev{};
  ev.events = EPOLLIN;  // level-triggered, never read: every thread sees it
  ev.data.ptr = &finish_;
  ::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, finish_.fd, &ev);
  ev.data.ptr = &handoff_;  // level-triggered too: any thread in epoll_wait takes the next one
  ::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, handoff_.fd, &ev);
}

WorkerPool::~WorkerPool() {
  WorkerPool* self = this;
  g_posting_pool.compare_exchange_strong(self, nullptr);
  ::close(epoll_fd_);
  ::close(finish_.fd);
  ::close(handoff_.fd);
}

void WorkerPool::watch(Watched& w, bool first) {
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLRDHUP | EPOLLONESHOT;
  ev.data.ptr = &w;
  ::epoll_ctl(epoll_fd_, first ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, w.fd, &ev);
}

void WorkerPool::add(Watched& w) {
  // Written once: a connection's memory is added again for each connection it holds, while
  // a late event for it may be read on another thread.
  if (!w.edge_triggered) w.edge_triggered = true;
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLRDHUP | EPOLLET;
  ev.data.ptr = &w;
  ::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, w.fd, &ev);
}

void WorkerPool::forget(Watched& w) { ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, w.fd, nullptr); }

void WorkerPool::run() {
  {
    std::lock_guard lock(mutex_);
    for (size_t i = 0; i < base_; ++i) start_worker();
  }
  std::unique_lock lock(mutex_);
  all_left_.wait(lock, [&] { return workers_ == 0; });
}

void WorkerPool::stop() {
  std::lock_guard lock(mutex_);
  stopping_ = true;
  ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, listener_.fd, nullptr);
  ::shutdown(listener_.fd, SHUT_RDWR);  // new clients are refused rather than left queued
}

void WorkerPool::finish() {
  {
    std::lock_guard lock(mutex_);
    finished_ = true;
  }
  parked_wake_.notify_all();
  const uint64_t one = 1;
  [[maybe_unused]] const auto n = ::write(finish_.fd, &one, sizeof one);
}

void WorkerPool::before_blocking() {
  WorkerPool* pool = t_pool;
  if (!pool) return;
  t_waited = true;
  pool->release_pending();
  if (t_handed_over) return;
  // Another thread waits for events already: it serves them while this one waits, and this
  // one goes back to epoll_wait afterwards instead of parking. Under a write-heavy load that
  // saves a wake-up and a park per request; were every thread waiting like this one, the
  // last to block finds none in epoll_wait and hands over.
  if (pool->waiting_.load() > 0) return;
  t_handed_over = true;
  std::lock_guard lock(pool->mutex_);
  if (pool->parked_ > 0) {
    --pool->parked_;
    ++pool->calls_;
    pool->parked_wake_.notify_one();
  } else if (pool->workers_ < pool->max_ && !pool->finished_) {
    pool->start_worker();
  }
}

// A thread that handed its place over waits here to take the place of the next one that does.
bool WorkerPool::park(std::unique_lock<std::mutex>& lock) {
  ++parked_;
  const bool called = parked_wake_.wait_for(lock, kParkedIdle, [&] { return calls_ > 0 || finished_; });
  if (called && calls_ > 0) {
    --calls_;
    return true;
  }
  --parked_;  // parked threads are `parked_ + calls_`: without a call, this one was not counted in `calls_`
  return false;
}

void WorkerPool::start_worker() {
  ++workers_;
  std::thread([this] { work(); }).detach();
}

// The path every request takes holds no lock: `waiting_` is atomic, and mutex_ is taken
// only to park, to leave or to hand over. Taking it twice around every epoll_wait made it
// the most contended lock of the server (perf sched_switch: ~1 context switch per request
// of single-event ingestion was a thread blocked on it, docs/benchmarks.md, tenth pass).
void WorkerPool::work() {
  epoll_event events[kEventsPerWait];
  int batch = kEventsPerWait;
  for (;;) {
    waiting_.fetch_add(1);
    const int n = ::epoll_wait(epoll_fd_, events, batch, kIdleMs);
    const int err = errno;
    // Leave only while `base_` others still wait: counting every thread instead let all idle
    // ones leave while long connections (event streams) held `base_` threads busy, and then
    // nobody accepted until one of those ended. Each thread counts itself out before it
    // looks, so of threads idling out together the last always stays.
    const size_t others = waiting_.fetch_sub(1) - 1;
    if (n == 0 && others >= base_) break;
    if (n == 0 || (n < 0 && err == EINTR)) continue;
    if (n < 0) break;
    bool finished = false;
    t_pool = this;
    t_waited = false;
    for (int i = 0; i < n; ++i) {
      t_pending = std::span(events + i + 1, events + n);
      auto* w = static_cast<Watched*>(events[i].data.ptr);
      if (w == &finish_) finished = true;
      else handle(*w);
      if (t_pending.empty()) break;  // released to other threads while this one waited
    }
    batch = t_waited ? 1 : std::min(batch * 2, kEventsPerWait);
    t_pending = {};
    t_pool = nullptr;
    if (finished) break;
    if (t_handed_over) {
      t_handed_over = false;
      std::unique_lock lock(mutex_);
      if (!park(lock)) break;
    }
  }
  // The last thing this thread does with the pool, under its mutex: run() cannot see zero
  // workers (and let the pool be destroyed) before the mutex is released.
  std::lock_guard lock(mutex_);
  if (--workers_ == 0) all_left_.notify_all();
}

void WorkerPool::handle(Watched& w) {
  if (&w == &listener_) accept_one();
  else if (&w == &handoff_) take_handed_off();
  else handlers_.ready(w);
}

// A thread about to wait must not hold ready descriptors back. A one-shot one is armed again,
// so that its event (still pending: the bytes are unread) goes to another thread; an
// edge-triggered one would not be reported again, so its event is handed off. The finish and
// hand-off signals are level-triggered and stay seen.
void WorkerPool::release_pending() {
  for (const epoll_event& ev : t_pending) {
    auto* w = static_cast<Watched*>(ev.data.ptr);
    if (w == &listener_) arm_listener();
    else if (w == &finish_ || w == &handoff_) continue;
    else if (w->edge_triggered) post([this, w] { handlers_.ready(*w); });
    else watch(*w, false);
  }
  t_pending = {};
}

void WorkerPool::post(std::function<void()> task) {
  std::lock_guard lock(handoff_mutex_);
  if (handed_off_.empty()) {
    const uint64_t one = 1;
    [[maybe_unused]] const auto n = ::write(handoff_.fd, &one, sizeof one);
  }
  handed_off_.push_back(std::move(task));
}

// One handed-off event or task per call: while more wait, the signal stays readable for others.
void WorkerPool::take_handed_off() {
  std::function<void()> task;
  {
    std::lock_guard lock(handoff_mutex_);
    if (handed_off_.empty()) return;  // another thread took the last one
    task = std::move(handed_off_.front());
    handed_off_.pop_front();
    if (handed_off_.empty()) {
      uint64_t count = 0;
      [[maybe_unused]] const auto n = ::read(handoff_.fd, &count, sizeof count);
    }
  }
  task();
}

// One connection per event, the listener armed again at once: while this thread serves the
// new connection another takes the next.
void WorkerPool::accept_one() {
  const int fd = ::accept4(listener_.fd, nullptr, nullptr, SOCK_CLOEXEC);
  const int err = errno;
  if (fd < 0 && (err == EMFILE || err == ENFILE || err == ENOBUFS || err == ENOMEM)) {
    // Out of descriptors: the connection stays queued; retry once some are closed.
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  arm_listener();
  if (fd >= 0) handlers_.accepted(fd);
}

void WorkerPool::arm_listener() {
  std::lock_guard lock(mutex_);
  if (!stopping_) watch(listener_, false);
}

}  // namespace iron::server
