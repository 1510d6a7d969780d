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
#include <thread>

#include "util/blocking.h"

namespace iron::server {
namespace {
// Threads beyond `base` end once epoll_wait has waited this long without an event.
constexpr int kIdleMs = 5'000;
// A thread that was handed over stays parked this long for the next hand-over, then ends.
constexpr auto kParkedIdle = std::chrono::seconds(5);

// The pool whose event this thread is handling, and whether it has handed its place over.
thread_local WorkerPool* t_pool = nullptr;
thread_local bool t_handed_over = false;
}  // namespace

WorkerPool::WorkerPool(int listen_fd, size_t base, size_t max, Handlers handlers)
    : listen_fd_(listen_fd),
      base_(std::max<size_t>(base, 1)),
      max_(std::max(base_, max)),
      handlers_(std::move(handlers)),
      epoll_fd_(::epoll_create1(EPOLL_CLOEXEC)),
      finish_fd_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {
  util::set_blocking_hook(&WorkerPool::before_blocking);  // the database, event streams, the network
  // Several threads may be woken for one queued connection: the losers must not block.
  ::fcntl(listen_fd_, F_SETFL, ::fcntl(listen_fd_, F_GETFL) | O_NONBLOCK);
  watch(listen_fd_, const_cast<int*>(&listen_fd_), true);
  epoll_event ev{};
  ev.events = EPOLLIN;  // level-triggered, never read: every thread sees it
  ev.data.ptr = &finish_fd_;
  ::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, finish_fd_, &ev);
}

WorkerPool::~WorkerPool() {
  ::close(epoll_fd_);
  ::close(finish_fd_);
}

void WorkerPool::watch(int fd, void* token, bool first) {
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLRDHUP | EPOLLONESHOT;
  ev.data.ptr = token;
  ::epoll_ctl(epoll_fd_, first ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, fd, &ev);
}

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
  ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, listen_fd_, nullptr);
  ::shutdown(listen_fd_, SHUT_RDWR);  // new clients are refused rather than left queued
}

void WorkerPool::finish() {
  {
    std::lock_guard lock(mutex_);
    finished_ = true;
  }
  parked_wake_.notify_all();
  const uint64_t one = 1;
  [[maybe_unused]] const auto n = ::write(finish_fd_, &one, sizeof one);
}

void WorkerPool::before_blocking() {
  WorkerPool* pool = t_pool;
  if (!pool || t_handed_over) return;
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

void WorkerPool::work() {
  std::unique_lock lock(mutex_);
  for (;;) {
    ++waiting_;
    lock.unlock();
    epoll_event ev{};
    const int n = ::epoll_wait(epoll_fd_, &ev, 1, kIdleMs);
    const int err = errno;
    lock.lock();
    --waiting_;
    // Leave only while `base_` others still wait: counting every thread instead let all idle
    // ones leave while long connections (event streams) held `base_` threads busy, and then
    // nobody accepted until one of those ended.
    if (n == 0 && waiting_ >= base_) break;
    if (n == 0 || (n < 0 && err == EINTR)) continue;
    if (n < 0 || ev.data.ptr == &finish_fd_) break;
    lock.unlock();
    t_pool = this;
    if (ev.data.ptr == &listen_fd_) accept_one();
    else handlers_.ready(ev.data.ptr);
    t_pool = nullptr;
    lock.lock();
    if (t_handed_over) {
      t_handed_over = false;
      if (!park(lock)) break;
    }
  }
  // The last thing this thread does with the pool, under its mutex: run() cannot see zero
  // workers (and let the pool be destroyed) before the mutex is released.
  if (--workers_ == 0) all_left_.notify_all();
}

// One connection per event, the listener armed again at once: while this thread serves the
// new connection another takes the next.
void WorkerPool::accept_one() {
  const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
  const int err = errno;
  if (fd < 0 && (err == EMFILE || err == ENFILE || err == ENOBUFS || err == ENOMEM)) {
    // Out of descriptors: the connection stays queued; retry once some are closed.
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  {
    std::lock_guard lock(mutex_);
    if (!stopping_) watch(listen_fd_, const_cast<int*>(&listen_fd_), false);
  }
  if (fd >= 0) handlers_.accepted(fd);
}

}  // namespace iron::server
