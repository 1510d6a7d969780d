#include "server/edge_server.h"

#include <poll.h>
#include <strings.h>
#include <sys/eventfd.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>

#include <nlohmann/json.hpp>

#include "server/client_ip.h"
#include "server/request_id.h"
#include "util/log.h"

namespace iron::server {
namespace {

// The connection being served on this worker thread, for the hooks httplib calls back
// (setup, header writer, routing and error handlers) on the same thread.
thread_local RequestStream* t_stream = nullptr;

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

bool iequals(const std::string& a, const char* b) {
  return std::equal(a.begin(), a.end(), b, b + std::char_traits<char>::length(b),
                    [](char x, char y) { return std::tolower(static_cast<unsigned char>(x)) == y; });
}

bool all_digits(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Called by httplib once the head is parsed, before routing: settles how the body is framed.
void frame_request(httplib::Request& req) {
  const size_t encodings = req.get_header_value_count("Transfer-Encoding");
  const size_t lengths = req.get_header_value_count("Content-Length");
  if (encodings > 1 || (encodings == 1 && !iequals(req.get_header_value("Transfer-Encoding"), "chunked"))) {
    t_stream->reject({400, "BAD_REQUEST", "Transfer-Encoding must be exactly \"chunked\""});
  } else if (lengths > 1 || (lengths == 1 && !all_digits(req.get_header_value("Content-Length")))) {
    t_stream->reject({400, "BAD_REQUEST", "Content-Length must be one decimal number"});
  } else if (encodings == 0 && lengths == 0 &&
             (req.method == "POST" || req.method == "PUT" || req.method == "PATCH" || req.method == "DELETE")) {
    // No framing means no body (RFC 9112 §6.3). Said explicitly, httplib reads nothing;
    // otherwise it reads the connection as the body until the read timeout.
    req.set_header("Content-Length", "0");
  }
}

// Bytes from the client are waiting to be read (a shutdown for reading keeps them readable).
bool has_input(int fd) {
  char byte;
  return ::recv(fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT) == 1;
}

}  // namespace

std::string error_envelope(const std::string& code, const std::string& message) {
  return nlohmann::json{{"error", {{"code", code}, {"message", message}, {"details", nlohmann::json::object()}}}}.dump();
}

EdgeServer::EdgeServer(EdgeSettings settings)
    : settings_(std::move(settings)),
      wake_fd_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)),
      timer_fd_(::timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK)) {
  set_header_writer([this](httplib::Stream& strm, httplib::Headers& headers) {
    // A response written once the drain has begun says so, even when its request started
    // before: the client must not send another request on this connection.
    if (draining_) {
      headers.erase("Connection");
      headers.erase("Keep-Alive");
      headers.emplace("Connection", "close");
    }
    const auto [from, to] = headers.equal_range("Connection");
    if (t_stream && std::any_of(from, to, [](const auto& h) { return iequals(h.second, "close"); }))
      t_stream->note_connection_close();
    // One string and one write for the whole block; httplib's own write_headers builds a
    // temporary string per header (a tenth of a static file's cost, docs/benchmarks.md).
    // The edge's own headers replace any of the same name a handler set: appended here as
    // one prepared block rather than erased and inserted into every response's header map.
    size_t size = fixed_block_.size() + 2;
    for (const auto& [k, v] : headers) size += k.size() + v.size() + 4;
    std::string block;
    block.reserve(size);
    for (const auto& [k, v] : headers)
      if (!is_fixed_header(k)) block.append(k).append(": ").append(v).append("\r\n");
    block.append(fixed_block_).append("\r\n");
    return strm.write(block.data(), block.size());
  });
  for (const auto& [k, v] : settings_.headers) fixed_block_.append(k).append(": ").append(v).append("\r\n");
}

bool EdgeServer::is_fixed_header(const std::string& name) const {
  return std::any_of(settings_.headers.begin(), settings_.headers.end(), [&](const auto& h) {
    return h.first.size() == name.size() && ::strncasecmp(h.first.data(), name.data(), name.size()) == 0;
  });
}

struct EdgeServer::Connection {
  Connection(int fd, int wake_fd, const StreamLimits& limits, const std::atomic<bool>* pressure)
      : fd(fd), strm(fd, wake_fd, limits, pressure) {}
  int fd;
  std::string ip, local_ip, group;
  int port = 0, local_port = 0;
  bool capped = false;
  bool closing = false;  // answers its request that has arrived, then closes
  bool watched = false;  // in the worker pool's epoll set
  size_t served = 0;
  RequestStream strm;
  std::list<Waiting>::iterator waiting;
};

EdgeServer::~EdgeServer() {
  if (wake_fd_ >= 0) ::close(wake_fd_);
  if (timer_fd_ >= 0) ::close(timer_fd_);
}

void EdgeServer::adopt(const BoundSocket& socket) {
  listen_fd_ = socket.fd;
  svr_sock_ = socket.fd;  // httplib's content providers (event streams) run while it is set
}

void EdgeServer::run(size_t base_workers, size_t max_workers) {
  {
    std::lock_guard lock(run_mutex_);
    WorkerPool::Handlers handlers{[this](int fd) { accept_connection(fd); }, [this](void* token) { on_ready(token); }};
    pool_ = std::make_unique<WorkerPool>(listen_fd_, base_workers, max_workers, std::move(handlers));
    pool_->watch(timer_fd_, &timer_fd_, true);
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
  svr_sock_ = INVALID_SOCKET;  // ends httplib's content providers: event streams close
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

const Rejection* EdgeServer::current_rejection() {
  return t_stream && t_stream->rejection() ? &*t_stream->rejection() : nullptr;
}

void EdgeServer::accept_connection(int sock) {
  const int on = 1;
  ::setsockopt(sock, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);  // Nagle costs ~44 ms per response
  std::string ip;
  int port = 0;
  peer_address(sock, ip, port);
  const auto refuse = [&](const char* message) {
    RequestStream strm(sock, -1, settings_.limits);
    answer(strm, {503, "TOO_MANY_CONNECTIONS", message});
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
  auto* c = new Connection(sock, wake_fd_, settings_.limits, &under_pressure_);
  c->ip = std::move(ip);
  c->port = port;
  c->capped = capped;
  c->group = std::move(group);
  local_address(sock, c->local_ip, c->local_port);
  // The client usually sends its request right behind the connect: when it is here
  // already, serve it on this thread rather than through another wake-up.
  pollfd p{sock, POLLIN, 0};
  if (::poll(&p, 1, 0) > 0) serve(*c);
  else wait_for_request(*c);
}

void EdgeServer::on_ready(void* token) {
  if (token == &timer_fd_) return expire_waiting();
  auto* c = static_cast<Connection*>(token);
  switch (stop_waiting(c->waiting)) {
    case Shed::no:
      break;
    case Shed::displaced:
      return close_connection(c);
    case Shed::expired:
      // Its time ran out as its request arrived, before a thread took the event: the request
      // is answered (it was sent on a connection still open), then the connection closes.
      if (!has_input(c->fd)) return close_connection(c);
      c->closing = true;
      break;
  }
  serve(*c);
}

// Serves the requests that have arrived (several when pipelined), then hands the connection
// back to the pool to wait for the next one, or closes it. The connection belongs to this
// thread until then.
void EdgeServer::serve(Connection& c) {
  bool open = false;
  try {
    do open = serve_one(c);
    while (open && c.strm.is_readable());
  } catch (const std::exception& e) {  // never out of a worker thread, never a lost slot
    log::error("connection failed", {{"client_ip", c.ip}, {"error", e.what()}});
    open = false;
  }
  if (open) wait_for_request(c);
  else close_connection(&c);
}

bool EdgeServer::serve_one(Connection& c) {
  RequestStream& strm = c.strm;
  strm.begin_request();
  const bool last = draining_ || c.closing || ++c.served >= settings_.keep_alive_max_requests;
  bool closed = false;
  t_stream = &strm;
  const bool ok = process_request(strm, c.ip, c.port, c.local_ip, c.local_port, last, closed, frame_request, nullptr);
  t_stream = nullptr;
  if (const auto& r = strm.rejection(); r && !strm.responded()) {
    log::info("request refused", {{"status", r->status}, {"code", r->code}, {"client_ip", c.ip}});
    answer(strm, *r);
  }
  return ok && !closed && !last && !strm.rejection() && !strm.said_close();
}

// The last thing this thread does with `c`: once watched, another thread may take it.
void EdgeServer::wait_for_request(Connection& c) {
  c.waiting = start_waiting(c.fd);
  const bool first = !c.watched;
  c.watched = true;
  pool_->watch(c.fd, &c, first);
}

void EdgeServer::close_connection(Connection* c) {
  note_serving(-1);
  if (c->capped) release_slot(c->group);
  closer_.close(c->fd, kLinger);
  delete c;
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
  [[maybe_unused]] const auto n = ::read(timer_fd_, &ticks, sizeof ticks);
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
  pool_->watch(timer_fd_, &timer_fd_, false);
}

void EdgeServer::arm_timer(std::chrono::steady_clock::time_point at) {
  if (at >= timer_due_) return;
  timer_due_ = at;
  // steady_clock is CLOCK_MONOTONIC, the timer's clock: `at` is already an absolute time.
  const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(at.time_since_epoch()).count();
  itimerspec spec{};
  spec.it_value.tv_sec = std::max<int64_t>(ns, 1) / 1'000'000'000;
  spec.it_value.tv_nsec = std::max<int64_t>(ns, 1) % 1'000'000'000;
  ::timerfd_settime(timer_fd_, TFD_TIMER_ABSTIME, &spec, nullptr);
}

void EdgeServer::answer(RequestStream& strm, const Rejection& r) {
  const std::string out = answer_bytes(r);
  for (size_t done = 0; done < out.size();) {
    const ssize_t n = strm.write(out.data() + done, out.size() - done);
    if (n <= 0) return;
    done += static_cast<size_t>(n);
  }
}

std::string EdgeServer::answer_bytes(const Rejection& r) const {
  const std::string body = error_envelope(r.code, r.message);
  std::string out = "HTTP/1.1 " + std::to_string(r.status) + " " + httplib::status_message(r.status) + "\r\n";
  for (const auto& [k, v] : settings_.headers) out += k + ": " + v + "\r\n";
  if (r.status == 503) out += "Retry-After: 1\r\n";
  out += "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
         "\r\nConnection: close\r\nX-Request-Id: " + new_request_id() + "\r\n\r\n" + body;
  return out;
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
