#pragma once
// The HTTP/1.1 server: connections are accepted and served here, requests are read
// (request_head, request_body) and answered (response_writer), and what a request means is
// left to the ExchangeHandler (HttpServer). Serving connections ourselves means that:
//  - a connection waiting for its next request holds no thread: it waits in the worker
//    pool's epoll set (WorkerPool), and a worker serves the request that arrives on it, then
//    gives it back (a timer closes connections idle past the keep-alive timeout). It stays in
//    the set, edge-triggered, from accept to close: an event may reach a thread while another
//    still serves the connection, so a connection counts its events (take/give_back) and
//    only the thread that took it from zero serves it; its memory is kept for the next
//    connection, never freed while the server runs, so a late event stays harmless;
//  - slow clients are bounded (RequestStream's whole-request deadlines) and one client
//    address (an IPv6 /64) cannot hold more than its share of the worker threads;
//  - at the connection limit a new connection takes the place of the connection that has
//    waited longest for a request (an idle keep-alive connection, or one that never sent
//    anything; at least 250 ms), as nginx reuses its idle connections; only when every connection is busy is
//    it answered 503 at once, instead of waiting in a queue behind connections that may stay
//    open for minutes;
//  - malformed framing is answered (400/408/413/414/431 in the error envelope) and the
//    connection closed, rather than held or dropped without a word;
//  - a response that says `Connection: close` is followed by a close, every response written
//    while draining says it, and a closing connection is shut down gracefully (unread input
//    would turn the close into a reset that destroys the answer before the client reads it).
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "api/http_types.h"
#include "server/lingering_closer.h"
#include "server/listener.h"
#include "server/request_head.h"
#include "server/request_stream.h"
#include "server/response_writer.h"
#include "server/worker_pool.h"

namespace iron::server {

struct EdgeSettings {
  StreamLimits limits;
  Millis keep_alive{2'000};
  size_t keep_alive_max_requests = 100;
  Millis drain_grace{250};                 // idle connections wait this long for a request in flight
  size_t max_connections_per_address = 16;
  size_t max_connections = 1024;           // served at once; beyond, 503 at once
  size_t max_body_bytes = 1 << 20;         // larger bodies: 413
  size_t pressure_connections = 0;         // from this many open connections on, heads get the short deadline
  std::function<bool(const std::string& ip)> uncapped;  // trusted proxies multiplex many clients
  // Added to every answer, replacing any header of the same name a handler set.
  std::vector<std::pair<std::string, std::string>> headers;
};

// One request as read from a connection, for the handler to answer.
struct Exchange {
  api::Request request;  // method, path (decoded, base path not yet stripped), query, headers, body
  std::string peer_ip;   // the connection's peer: a client, or a proxy (server/client_ip.h)
  std::chrono::steady_clock::time_point started;
  std::optional<Rejection> refused;  // the edge refused the request: the answer is this error
};
using ExchangeHandler = std::function<api::Response(Exchange&)>;

class EdgeServer {
 public:
  EdgeServer(EdgeSettings settings, ExchangeHandler handler);
  ~EdgeServer();

  // Serves on an already listening socket (open_listener), with run().
  void adopt(const BoundSocket& socket);
  // Accepts and serves with `base_workers` to `max_workers` threads (WorkerPool) until
  // drain(); returns once every connection is done.
  void run(size_t base_workers, size_t max_workers);
  // Graceful stop: waiting readers give way, responses say `Connection: close`, accepting
  // ends. Waits for run() to have started, so an early SIGTERM is not lost.
  void drain();

 private:
  struct Connection;
  void take_queued_connections();
  void accept_connection(int fd);  // owns fd
  void on_ready(Watched& w);
  Connection& new_connection();    // a free one, taken by this thread
  // Serves `c`, which this thread has taken, until it waits for a request with nobody serving
  // it (or is closed: `closed_here` when it was already), or until its answer comes later.
  void serve_while_ready(Connection& c, bool closed_here = false);
  // What serving one request left: the next may follow, the connection is done, or the answer
  // comes later (completed()) and the connection stays taken until then.
  enum class Served { next, close, later };
  // Where a later answer is (Connection::later): `starting` while the thread that read the
  // request starts it; of that thread (waiting) and the completing one (answered), the second
  // answers.
  enum class Later { none, starting, waiting, answered };
  Served serve(Connection& c);  // the request that has arrived
  Served serve_one(Connection& c);
  void completed(Connection& c, api::Response r);  // a later answer is ready
  Served answer(Connection& c, api::Response& res);
  void close_connection(Connection& c);
  void expire_waiting();           // the timer fired: idle timeouts and the drain's grace
  void arm_timer(std::chrono::steady_clock::time_point at);  // with waiting_mutex_ held
  // Counts a connection in (+1) or out (-1); false when counting in went past the limit.
  bool note_serving(int delta);
  // A connection waiting for its next request, which a new connection may displace once it
  // has waited a little (a client that just connected, or just got an answer, is usually
  // sending its request right now).
  enum class Shed { no, expired, displaced };  // expired: its request may still be read
  struct Waiting {
    int fd;
    std::chrono::steady_clock::time_point since;
    Shed shed = Shed::no;
  };
  std::chrono::steady_clock::time_point expiry(const Waiting& w) const;
  std::list<Waiting>::iterator start_waiting(int fd);
  Shed stop_waiting(std::list<Waiting>::iterator it);  // whether it was shed meanwhile
  bool shed_longest_waiting();
  bool acquire_slot(const std::string& group);  // connection_group() of the peer
  void release_slot(const std::string& group);

  EdgeSettings settings_;
  ExchangeHandler handler_;
  FixedHeaders fixed_;
  std::string keep_alive_;  // the Keep-Alive header's value
  int listen_fd_ = -1;
  int wake_fd_ = -1;
  Watched timer_;  // a timerfd: due when the longest waiting connection's time is up
  std::mutex run_mutex_;
  std::condition_variable run_started_;
  std::unique_ptr<WorkerPool> pool_;  // set once run() starts
  std::atomic<bool> draining_{false};
  std::atomic<bool> finishing_{false};  // accepting has ended: the last connection closed ends the workers
  std::atomic<size_t> serving_{0};       // connections being served
  std::atomic<bool> under_pressure_{false};
  std::mutex waiting_mutex_;
  std::list<Waiting> waiting_;  // longest waiting first
  std::chrono::steady_clock::time_point timer_due_ = std::chrono::steady_clock::time_point::max();
  std::chrono::steady_clock::time_point drain_started_ = std::chrono::steady_clock::time_point::max();
  LingeringCloser closer_;
  std::mutex slots_mutex_;
  std::unordered_map<std::string, size_t> slots_;
  std::mutex connections_mutex_;
  std::vector<std::unique_ptr<Connection>> connections_;  // every connection's memory, kept for the next
  std::vector<Connection*> free_connections_;
};

}  // namespace iron::server
