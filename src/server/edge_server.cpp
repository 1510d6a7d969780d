#include "server/edge_server.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <algorithm>

#include "server/client_ip.h"
#include "server/request_body.h"
#include "util/log.h"

namespace iron::server {
namespace {

// How long a connection must have waited for a request before a new one may displace it.
constexpr auto kIdleBeforeShed = std::chrono::milliseconds(250);
// How long a drain waits for the workers to take the connections queued at SIGTERM.
constexpr auto kQueuedConnectionsWait = std::chrono::seconds(2);
// How long the accept queue must stay empty before the listener closes: a handshake under
// way when new ones were refused completes within one round trip, which this covers for
// distant clients too.
constexpr auto kHandshakesSettle = std::chrono::milliseconds(100);
// How long a closing connection waits for the client to close its side (LingeringCloser);
// shorter for one refused at the limit, which a flood may send many of.
constexpr auto kLinger = std::chrono::milliseconds(500);
constexpr auto kRefusedLinger = std::chrono::milliseconds(100);
constexpr const char* kAtLimit = "the server is at its connection limit; retry shortly";

}  // namespace

EdgeServer::EdgeServer(EdgeSettings settings, ExchangeHandler handler)
    : settings_(std::move(settings)),
      handler_(std::move(handler)),
      fixed_(settings_.headers),
      keep_alive_("timeout=" +
                  std::to_string(std::chrono::duration_cast<std::chrono::seconds>(settings_.keep_alive).count()) +
                  ", max=" + std::to_string(settings_.keep_alive_max_requests)),
      wake_fd_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)),
      timer_{::timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK)} {}

struct EdgeServer::Connection : Watched {
  // Who serves it: 0 nobody (it waits for a request), n > 0 the thread that took it, which
  // n - 1 events have reached since (take, give_back).
  std::atomic<uint32_t> events{0};
  bool open = false;  // holds a client's connection; false: free for the next one
  std::string ip, group;
  bool capped = false;
  bool closing = false;  // answers its request that has arrived, then closes
  size_t served = 0;
  std::optional<RequestStream> strm;
  bool listed = false;  // in the waiting list, at `waiting`
  std::list<Waiting>::iterator waiting;
  // The request being answered; with an answer that comes later (api::Response::later) it is
  // kept here until then, with what its answer needs, and the connection stays taken.
  std::optional<Exchange> exchange;
  bool last = false;  // its answer closes the connection
  std::atomic<Later> later{Later::none};
  std::optional<api::Response> later_answer;  // handed over by the thread that completed it
};

namespace {
// Takes `c` for this thread; false when another thread serves it, which then looks again.
bool take(std::atomic<uint32_t>& events) { return events.fetch_add(1, std::memory_order_acquire) == 0; }
// Gives it back; false when events reached it meanwhile: this thread still has it and must
// look again (their bytes may have arrived after its last read).
bool give_back(std::atomic<uint32_t>& events) {
  uint32_t only_ours = 1;
  if (events.compare_exchange_strong(only_ours, 0, std::memory_order_acq_rel)) return true;
  events.store(1, std::memory_order_relaxed);  // those events are seen: this look covers them
  return false;
}
}  // namespace

EdgeServer::~EdgeServer() {
  if (wake_fd_ >= 0) ::close(wake_fd_);
  if (timer_.fd >= 0) ::close(timer_.fd);
}

void EdgeServer::adopt(const BoundSocket& socket) { listen_fd_ = socket.fd; }

void EdgeServer::run(size_t base_workers, size_t max_workers) {
  {
    std::lock_guard lock(run_mutex_);
    WorkerPool::Handlers handlers{[this](int fd) { accept_connection(fd); }, [this](Watched& w) { on_ready(w); }};
    pool_ = std::make_unique<WorkerPool>(listen_fd_, base_workers, max_workers, std::move(handlers));
    pool_->watch(timer_, true);
  }
  run_started_.notify_all();
  pool_->run();
  ::close(listen_fd_);
}

void EdgeServer::drain() {
  // A signal can arrive before run() has started the workers: wait for them first.
  {
    std::unique_lock lock(run_mutex_);
    run_started_.wait(lock, [&] { return pool_ != nullptr; });
  }
  draining_ = true;
  const uint64_t one = 1;
  [[maybe_unused]] const auto n = ::write(wake_fd_, &one, sizeof one);
  {
    // Waiting connections get `drain_grace` for a request that may already be on its way,
    // so none is cut off unanswered; then they are closed (expiry()).
    std::lock_guard lock(waiting_mutex_);
    drain_started_ = std::chrono::steady_clock::now();
    arm_timer(drain_started_ + settings_.drain_grace);
  }
  take_queued_connections();
  pool_->stop();
  finishing_ = true;
  if (serving_ == 0) pool_->finish();
}

// Shutting the listener down resets the connections the kernel has queued but no worker has
// taken yet, and their clients already sent a request. So new handshakes are refused first
// (refuse_new_connections), and the workers take what is queued — served like every drained
// connection, with Connection: close — until the queue has stayed empty long enough for the
// handshakes that were under way to have completed.
void EdgeServer::take_queued_connections() {
  const int fd = listen_fd_;
  if (fd < 0) return;
  if (!refuse_new_connections(fd)) log::warn("draining: new connections could not be refused before closing");
  const auto until = std::chrono::steady_clock::now() + kQueuedConnectionsWait;
  auto empty_since = std::chrono::steady_clock::now();
  for (;;) {
    const auto now = std::chrono::steady_clock::now();
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 0) > 0 && (p.revents & POLLIN)) empty_since = now;
    else if (now - empty_since >= kHandshakesSettle) return;
    if (now >= until) return;
    ::poll(nullptr, 0, 2);  // the workers accept on their own threads
  }
}

void EdgeServer::accept_connection(int sock) {
  const int on = 1;
  ::setsockopt(sock, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);  // Nagle costs ~44 ms per response
  std::string ip = peer_ip(sock);
  const auto refuse = [&](const char* message) {
    RequestStream strm(sock, -1, settings_.limits);
    write_refusal(strm, {503, "TOO_MANY_CONNECTIONS", message}, fixed_);
    closer_.close(sock, kRefusedLinger);
  };
  // At the limit, an idle connection makes room (it is counted out as it is closed).
  if (!note_serving(+1) && !shed_longest_waiting()) {
    note_serving(-1);
    log::warn("connection refused: at the connection limit", {{"client_ip", ip}, {"limit", settings_.max_connections}});
    return refuse(kAtLimit);
  }
  const bool capped = !(settings_.uncapped && settings_.uncapped(ip));
  std::string group = connection_group(ip);
  if (capped && !acquire_slot(group)) {
    note_serving(-1);
    log::warn("connection refused: too many from one address",
              {{"client_ip", ip}, {"group", group}, {"limit", settings_.max_connections_per_address}});
    return refuse("too many open connections from your address; retry shortly");
  }
  Connection& c = new_connection();
  c.fd = sock;
  c.ip = std::move(ip);
  c.capped = capped;
  c.group = std::move(group);
  c.closing = false;
  c.served = 0;
  c.strm.emplace(sock, wake_fd_, settings_.limits, &under_pressure_);
  c.open = true;
  pool_->add(c);
  // The client usually sends its request right behind the connect: when it is here
  // already, it is served on this thread rather than through another wake-up.
  serve_while_ready(c);
}

EdgeServer::Connection& EdgeServer::new_connection() {
  std::lock_guard lock(connections_mutex_);
  // The most recently freed first; one that a late event holds right now is skipped.
  for (auto it = free_connections_.rbegin(); it != free_connections_.rend(); ++it) {
    Connection& c = **it;
    uint32_t idle = 0;
    if (c.events.compare_exchange_strong(idle, 1, std::memory_order_acquire)) {
      free_connections_.erase(std::next(it).base());
      return c;
    }
  }
  auto& c = *connections_.emplace_back(std::make_unique<Connection>());
  c.events.store(1, std::memory_order_relaxed);
  return c;
}

void EdgeServer::on_ready(Watched& w) {
  if (&w == &timer_) return expire_waiting();
  auto& c = static_cast<Connection&>(w);
  if (take(c.events)) serve_while_ready(c);
}

// Each round answers what has arrived, then waits for more; a round ends with the connection
// given back, unless an event reached it meanwhile (its bytes may be past the last read).
void EdgeServer::serve_while_ready(Connection& c, bool closed_here) {
  do {
    if (!c.open) continue;  // a late event for a connection closed since
    c.strm->more_may_have_arrived();
    if (c.listed) {
      c.listed = false;
      switch (stop_waiting(c.waiting)) {
        case Shed::no:
          break;
        case Shed::displaced:
          close_connection(c);
          closed_here = true;
          continue;
        case Shed::expired:
          // Its time ran out as its request arrived, before a thread took the event: the
          // request is answered (it was sent on a connection still open), then it closes.
          c.closing = true;
          break;
      }
    }
    for (;;) {
      const auto arrival = c.strm->receive();
      if (arrival == RequestStream::Arrival::nothing && !c.closing) {
        c.waiting = start_waiting(c.fd);
        c.listed = true;
        break;
      }
      const Served served = arrival == RequestStream::Arrival::bytes ? serve(c) : Served::close;
      if (served == Served::later) return;  // still taken: completed() goes on once it is answered
      if (served == Served::close) {
        close_connection(c);
        closed_here = true;
        break;
      }
    }
  } while (!give_back(c.events));
  if (closed_here) {
    std::lock_guard lock(connections_mutex_);
    free_connections_.push_back(&c);
  }
}

EdgeServer::Served EdgeServer::serve(Connection& c) {
  try {
    return serve_one(c);
  } catch (const std::exception& e) {  // never out of a worker thread, never a lost slot
    log::error("connection failed", {{"client_ip", c.ip}, {"error", e.what()}});
    return Served::close;
  }
}

EdgeServer::Served EdgeServer::serve_one(Connection& c) {
  RequestStream& strm = *c.strm;
  strm.begin_request();
  const auto head = strm.read_head();
  if (!head) {  // closed between requests, or refused while the head arrived
    if (const auto& r = strm.rejection()) {
      log::info("request refused", {{"status", r->status}, {"code", r->code}, {"client_ip", c.ip}});
      write_refusal(strm, *r, fixed_);
    }
    return Served::close;
  }
  Exchange& ex = c.exchange.emplace();
  ex.started = std::chrono::steady_clock::now();
  ex.peer_ip = c.ip;
  RequestFraming framing;
  ex.refused = parse_request_head(*head, ex.request, framing);
  c.last = draining_ || c.closing || framing.close || ++c.served >= settings_.keep_alive_max_requests;
  if (!ex.refused) {
    switch (read_request_body(strm, framing, settings_.max_body_bytes, ex.request.body)) {
      case BodyRead::ok: break;
      case BodyRead::closed: return Served::close;
      case BodyRead::refused: ex.refused = strm.rejection(); break;
    }
  }
  api::Response res = handler_(ex);
  if (!res.later) return answer(c, res);
  // Answered later, maybe on another thread before `later` returns: whichever of this thread
  // and the completing one comes second answers (Later).
  c.later.store(Later::starting, std::memory_order_relaxed);
  res.later([this, &c](api::Response r) { completed(c, std::move(r)); });
  Later expected = Later::starting;
  if (c.later.compare_exchange_strong(expected, Later::waiting, std::memory_order_acq_rel, std::memory_order_acquire))
    return Served::later;  // the connection is the completing thread's from now on
  return answer(c, *c.later_answer);
}

// Runs on the thread that completed the answer (the database writer's), which must get on with
// its other completions: nothing is thrown back into it.
void EdgeServer::completed(Connection& c, api::Response r) {
  c.later_answer = std::move(r);
  Later expected = Later::starting;
  if (c.later.compare_exchange_strong(expected, Later::answered, std::memory_order_acq_rel, std::memory_order_acquire))
    return;  // the thread that started it answers
  // The connection waited for this answer: it is answered here, and served on from this
  // thread (it is still taken), exactly as if the answer had come at once.
  Served served = Served::close;
  try {
    served = answer(c, *c.later_answer);
  } catch (const std::exception& e) {
    log::error("connection failed", {{"client_ip", c.ip}, {"error", e.what()}});
  }
  try {
    if (served == Served::close) close_connection(c);
    serve_while_ready(c, served == Served::close);
  } catch (const std::exception& e) {
    log::error("connection failed", {{"client_ip", c.ip}, {"error", e.what()}});
  }
}

EdgeServer::Served EdgeServer::answer(Connection& c, api::Response& res) {
  const Exchange& ex = *c.exchange;
  // After an error the connection closes: what follows a refused request cannot be trusted
  // to start where it seems to (its body may be unread), and a client that erred should
  // reconnect rather than keep sending on a connection in an unknown state. A response
  // written once the drain has begun says so too, even when its request started before.
  const bool close = c.last || ex.refused || res.status >= 400 || draining_;
  const ResponseFraming out{.head_only = ex.request.method == "HEAD", .close = close, .keep_alive = keep_alive_};
  const bool written = write_response(*c.strm, res, out, fixed_);
  c.later_answer.reset();
  c.exchange.reset();
  c.later.store(Later::none, std::memory_order_relaxed);
  return written && !close ? Served::next : Served::close;
}

// Leaves the epoll set first: the lingering close keeps the descriptor open a while, and
// its events must not reach the connection that takes this memory next.
void EdgeServer::close_connection(Connection& c) {
  note_serving(-1);
  if (c.capped) release_slot(c.group);
  pool_->forget(c);
  closer_.close(c.fd, kLinger);
  c.strm.reset();
  c.open = false;
  if (finishing_ && serving_ == 0) pool_->finish();
}

std::chrono::steady_clock::time_point EdgeServer::expiry(const Waiting& w) const {
  const auto idle_until = w.since + settings_.keep_alive;
  if (drain_started_ == std::chrono::steady_clock::time_point::max()) return idle_until;
  // A connection accepted while the drain takes the queued ones (after the grace is over)
  // gets the grace from its own start: its client is sending its request right now.
  return std::min(idle_until, std::max(w.since, drain_started_) + settings_.drain_grace);
}

// Closes the connections whose wait is over (shut down for reading: the thread that takes
// the event closes them), and sets the timer for the next.
void EdgeServer::expire_waiting() {
  std::lock_guard lock(waiting_mutex_);
  uint64_t ticks = 0;
  [[maybe_unused]] const auto n = ::read(timer_.fd, &ticks, sizeof ticks);
  timer_due_ = std::chrono::steady_clock::time_point::max();
  const auto now = std::chrono::steady_clock::now();
  for (auto& w : waiting_) {  // longest waiting first: the earliest expiry first
    if (w.shed != Shed::no) continue;
    if (const auto at = expiry(w); at > now) {
      arm_timer(at);
      break;
    }
    w.shed = Shed::expired;
    ::shutdown(w.fd, SHUT_RD);  // wakes its event; the client's last bytes are still read
  }
  pool_->watch(timer_, false);
}

void EdgeServer::arm_timer(std::chrono::steady_clock::time_point at) {
  if (at >= timer_due_) return;
  timer_due_ = at;
  // steady_clock is CLOCK_MONOTONIC, the timer's clock: `at` is already an absolute time.
  const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(at.time_since_epoch()).count();
  itimerspec spec{};
  spec.it_value.tv_sec = std::max<int64_t>(ns, 1) / 1'000'000'000;
  spec.it_value.tv_nsec = std::max<int64_t>(ns, 1) % 1'000'000'000;
  ::timerfd_settime(timer_.fd, TFD_TIMER_ABSTIME, &spec, nullptr);
}

bool EdgeServer::note_serving(int delta) {
  const size_t now = delta > 0 ? ++serving_ : --serving_;
  under_pressure_ = settings_.pressure_connections > 0 && now >= settings_.pressure_connections;
  return now <= settings_.max_connections;
}

std::list<EdgeServer::Waiting>::iterator EdgeServer::start_waiting(int fd) {
  std::lock_guard lock(waiting_mutex_);
  const auto it = waiting_.insert(waiting_.end(), Waiting{fd, std::chrono::steady_clock::now()});
  arm_timer(expiry(*it));
  return it;
}

EdgeServer::Shed EdgeServer::stop_waiting(std::list<Waiting>::iterator it) {
  std::lock_guard lock(waiting_mutex_);
  const Shed shed = it->shed;
  waiting_.erase(it);
  return shed;
}

// Under the same mutex as start/stop_waiting, so a connection is either still waiting
// (and is closed, even if its request is arriving right now: the client sees a keep-alive
// connection closed, as after an idle timeout) or already serving (and is left alone).
bool EdgeServer::shed_longest_waiting() {
  const auto waited_since = std::chrono::steady_clock::now() - kIdleBeforeShed;
  std::lock_guard lock(waiting_mutex_);
  for (auto& w : waiting_) {  // longest waiting first
    if (w.shed != Shed::no) continue;
    if (w.since > waited_since) return false;
    w.shed = Shed::displaced;
    ::shutdown(w.fd, SHUT_RDWR);  // wakes its poll at once
    return true;
  }
  return false;
}

bool EdgeServer::acquire_slot(const std::string& ip) {
  std::lock_guard lock(slots_mutex_);
  auto& open = slots_[ip];
  if (open >= settings_.max_connections_per_address) {
    if (open == 0) slots_.erase(ip);
    return false;
  }
  ++open;
  return true;
}

void EdgeServer::release_slot(const std::string& ip) {
  std::lock_guard lock(slots_mutex_);
  if (auto it = slots_.find(ip); it != slots_.end() && --it->second == 0) slots_.erase(it);
}

}  // namespace iron::server
