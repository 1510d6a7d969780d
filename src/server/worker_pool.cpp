#include "server/worker_pool.h"

#include <sys/socket.h>
#include <sys/time.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <thread>

namespace iron::server {
namespace {
// Workers beyond `base` end once accept() has waited this long without a connection.
constexpr timeval kExtraWorkerIdle{5, 0};
// Workers kept waiting in accept(): a connection that arrives while the last waiting worker
// is still starting the next one finds another waiting instead of the backlog.
constexpr size_t kSpare = 2;
}  // namespace

WorkerPool::WorkerPool(int listen_fd, size_t base, size_t max, std::function<void(int fd)> serve)
    : listen_fd_(listen_fd), base_(std::max<size_t>(base, 1)), max_(std::max(base_, max)), serve_(std::move(serve)) {
  // accept() honours the receive timeout: that is how an extra worker notices it is idle.
  setsockopt(listen_fd_, SOL_SOCKET, SO_RCVTIMEO, &kExtraWorkerIdle, sizeof kExtraWorkerIdle);
}

void WorkerPool::run() {
  std::unique_lock lock(mutex_);
  for (size_t i = 0; i < base_; ++i) start_worker();
  all_left_.wait(lock, [&] { return workers_ == 0; });
}

void WorkerPool::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  // Wakes every worker blocked in accept() (it fails with EINVAL from then on).
  ::shutdown(listen_fd_, SHUT_RDWR);
}

void WorkerPool::start_worker() {
  ++workers_;
  std::thread([this] { work(); }).detach();
}

void WorkerPool::work() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    ++accepting_;
    lock.unlock();
    const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    const int err = errno;
    lock.lock();
    --accepting_;
    if (fd < 0) {
      if (err == EAGAIN || err == EWOULDBLOCK) {  // idle for kExtraWorkerIdle
        // Leave only while `base_` others still wait in accept(): counting every worker
        // instead let all idle ones leave while long connections held `base_` workers
        // busy, and then no thread accepted until one of those connections ended.
        if (accepting_ >= base_) break;
        continue;
      }
      if (err == EMFILE || err == ENFILE || err == ENOBUFS || err == ENOMEM) {
        // Out of descriptors: the connection stays queued; retry once some are closed.
        lock.unlock();
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
        lock.lock();
        continue;
      }
      if (err == EINTR || err == ECONNABORTED || err == EPROTO) continue;
      break;  // the listening socket was shut down (stop) or closed
    }
    if (accepting_ < kSpare && workers_ < max_ && !stopping_) start_worker();
    lock.unlock();
    serve_(fd);
    lock.lock();
  }
  // The last thing this thread does with the pool, under its mutex: run() cannot see zero
  // workers (and let the pool be destroyed) before the mutex is released.
  if (--workers_ == 0) all_left_.notify_all();
}

}  // namespace iron::server
