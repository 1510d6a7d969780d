#pragma once
// Closes connections gracefully without holding their worker threads. Closing a socket with
// unread input resets the connection, and a reset can destroy the answer before the client
// has read it; so a closing connection is half-closed at once, then what the client still
// sends is read and dropped until it closes its side or a short time passes. That wait used
// to hold the connection's worker thread: a flood of refused connections, or a thousand
// clients leaving at once, then kept hundreds of threads busy doing nothing. One thread
// here waits for all of them.
#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

namespace iron::server {

class LingeringCloser {
 public:
  LingeringCloser();
  ~LingeringCloser();  // closes whatever still lingers
  LingeringCloser(const LingeringCloser&) = delete;
  LingeringCloser& operator=(const LingeringCloser&) = delete;

  // Half-closes `fd` now and closes it once the client has closed its side, or after `linger`.
  void close(int fd, std::chrono::milliseconds linger);

 private:
  using Clock = std::chrono::steady_clock;
  struct Entry {
    int fd;
    Clock::time_point until;
  };
  void run();

  int wake_fd_ = -1;
  std::mutex mutex_;
  std::vector<Entry> incoming_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace iron::server
