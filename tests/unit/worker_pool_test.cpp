// The edge's worker pool: one epoll_wait takes several ready descriptors, and a thread about
// to wait must not hold the rest of them back, however they were added.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <set>
#include <thread>

#include "server/worker_pool.h"

namespace iron::server {
namespace {

int loopback_listener() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd, 16) != 0) return -1;
  return fd;
}

// Two descriptors readable before the pool starts reach its one thread in one epoll_wait.
// Whichever is handled first waits, announced through before_blocking(), until the other has
// been handled: that can only happen on another thread, so the waiting thread must have given
// the rest of its batch back (and, with nobody else in epoll_wait, handed its place over).
// A one-shot descriptor is armed again; an edge-triggered one, whose event the kernel does not
// report twice, is handed off.
struct Registration {
  const char* name;
  void (*add)(WorkerPool&, Watched&);
};
class WorkerPoolBatch : public ::testing::TestWithParam<Registration> {};

TEST_P(WorkerPoolBatch, AThreadAboutToWaitReleasesTheRestOfItsBatch) {
  const int listen_fd = loopback_listener();
  ASSERT_GE(listen_fd, 0);
  Watched first{::eventfd(1, EFD_CLOEXEC | EFD_NONBLOCK)}, second{::eventfd(1, EFD_CLOEXEC | EFD_NONBLOCK)};
  std::mutex m;
  std::condition_variable cv;
  int handled = 0;
  bool other_handled_meanwhile = false;
  std::set<std::thread::id> threads;
  const auto ready = [&](Watched&) {
    std::unique_lock lock(m);
    threads.insert(std::this_thread::get_id());
    if (++handled == 1) {
      lock.unlock();
      WorkerPool::before_blocking();
      lock.lock();
      other_handled_meanwhile = cv.wait_for(lock, std::chrono::seconds(10), [&] { return handled == 2; });
    }
    cv.notify_all();
  };
  WorkerPool pool(listen_fd, 1, 2, {[](int fd) { ::close(fd); }, ready});
  GetParam().add(pool, first);
  GetParam().add(pool, second);
  std::thread runner([&] { pool.run(); });
  {
    std::unique_lock lock(m);
    cv.wait_for(lock, std::chrono::seconds(20), [&] { return handled == 2 && threads.size() == 2; });
  }
  pool.stop();
  pool.finish();
  runner.join();
  ::close(first.fd);
  ::close(second.fd);
  ::close(listen_fd);
  EXPECT_EQ(handled, 2);
  EXPECT_TRUE(other_handled_meanwhile) << "the second descriptor waited for the first one's handler";
  EXPECT_EQ(threads.size(), 2u);
}

INSTANTIATE_TEST_SUITE_P(
    Registrations, WorkerPoolBatch,
    ::testing::Values(Registration{"OneShot", [](WorkerPool& p, Watched& w) { p.watch(w, true); }},
                      Registration{"EdgeTriggered", [](WorkerPool& p, Watched& w) { p.add(w); }}),
    [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace iron::server
