#pragma once
// The load balancer of the multi-replica tests (issue 16, docs/postgresql.md): a TCP proxy on
// an ephemeral loopback port that hands each new connection to the next of several servers in
// turn and relays bytes both ways until both sides are done. The test clients open one
// connection per request (tests/support/api_client.h), so requests rotate over the replicas.
// A server that refuses the connection (a killed replica) is passed over for the next one, as a
// load balancer's health check would; a connection whose server dies mid-request is closed, so
// its client sees no answer — never another server's.
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

namespace iron::test {

class RoundRobinProxy {
 public:
  explicit RoundRobinProxy(std::vector<int> backend_ports);
  ~RoundRobinProxy();  // closes every relayed connection and waits for its thread
  RoundRobinProxy(const RoundRobinProxy&) = delete;
  RoundRobinProxy& operator=(const RoundRobinProxy&) = delete;

  int port() const { return port_; }
  // Connections handed to each backend so far, in the order of backend_ports.
  std::vector<int> connections_per_backend() const;

 private:
  void accept_loop();
  void relay(int client);
  int connect_next();  // a connected backend socket, or -1 when none accepts

  std::vector<int> backends_;
  std::vector<std::atomic<int>> handed_;
  std::atomic<unsigned> next_{0};
  int listen_fd_ = -1;
  int port_ = 0;
  int stop_pipe_[2] = {-1, -1};  // readable once the proxy stops: wakes every poll()
  std::thread acceptor_;
  std::mutex mutex_;
  std::condition_variable idle_;
  int relays_ = 0;  // relay threads still running (they are detached)
};

}  // namespace iron::test
