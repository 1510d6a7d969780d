#include "store/pg/event_relay.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <memory>
#include <system_error>

namespace iron::store::pg {
namespace {

// libpq's connection-level message, trimmed. After connecting it never quotes the
// connection string, so it carries no password.
std::string libpq_reason(PGconn* conn) {
  std::string s = PQerrorMessage(conn);
  s.erase(s.find_last_not_of("\n ") + 1);
  return s.empty() ? "connection closed" : s;
}

std::string ms(std::chrono::milliseconds d) { return std::to_string(d.count()) + " ms"; }

const std::string kListenSql = "LISTEN " + std::string(kEventChannel);

}  // namespace

void publish_event(Connection& c, std::string_view payload) {
  if (payload.size() > kMaxEventPayloadBytes) {
    throw PgError("22023", "an event payload of " + std::to_string(payload.size()) +
                               " bytes is over NOTIFY's limit of " + std::to_string(kMaxEventPayloadBytes) +
                               " bytes; publish an id to fetch instead");
  }
  c.exec("SELECT pg_notify($1, $2)", {kEventChannel, payload});
}

EventListener::EventListener(std::string dsn, Handlers handlers, Timing timing)
    : dsn_(std::move(dsn)), handlers_(std::move(handlers)), timing_(timing) {
  wake_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (wake_fd_ < 0) throw std::system_error(errno, std::generic_category(), "eventfd for the event listener");
  thread_ = std::thread([this] { run(); });
}

void EventListener::stop() {
  stopping_ = true;
  if (wake_fd_ >= 0) {
    const uint64_t one = 1;
    // Stays readable from now on, so every later wait_for returns at once as well.
    [[maybe_unused]] const auto written = write(wake_fd_, &one, sizeof one);
  }
  if (thread_.joinable()) thread_.join();
  if (wake_fd_ >= 0) close(wake_fd_);
  wake_fd_ = -1;
}

EventListener::Wait EventListener::wait_for(int socket, bool for_write, Clock::time_point deadline) const {
  for (;;) {
    if (stopping_) return Wait::stopped;
    pollfd fds[2] = {{wake_fd_, POLLIN, 0}, {socket, static_cast<short>(for_write ? POLLOUT : POLLIN), 0}};
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
    const int n = poll(fds, socket >= 0 ? 2 : 1, static_cast<int>(std::max<int64_t>(0, left.count())));
    if (n < 0 && errno == EINTR) continue;
    if (n == 0) return Wait::timed_out;
    if (n > 0 && fds[0].revents) return Wait::stopped;
    return Wait::ready;  // readable, writable, or an error libpq's next call reports
  }
}

void EventListener::report(const std::string& why) const {
  if (!handlers_.on_error) return;
  try {
    handlers_.on_error(why);
  } catch (...) {
    // The log sink failed; the listener keeps going.
  }
}

void EventListener::deliver(PGconn* conn) {
  while (PGnotify* raw = PQnotifies(conn)) {
    const std::unique_ptr<PGnotify, decltype(&PQfreemem)> notification(raw, &PQfreemem);
    try {
      handlers_.on_event(notification->extra);
    } catch (const std::exception& e) {
      report(std::string("an event handler failed: ") + e.what());
    }
  }
}

void EventListener::consume(Connection& c) {
  if (!PQconsumeInput(c.handle()) || PQstatus(c.handle()) == CONNECTION_BAD) {
    throw PgError("08006", "the event listener lost its connection: " + libpq_reason(c.handle()));
  }
  deliver(c.handle());
}

// Sends `sql` and reads its answer, delivering notifications that arrive meanwhile. False
// when stopped; throws PgError when the statement fails, the connection is lost or the
// server does not answer within answer_timeout.
bool EventListener::await_answer(Connection& c, const char* sql) {
  PGconn* conn = c.handle();
  if (!PQsendQuery(conn, sql)) {
    throw PgError("08006", "the event listener lost its connection: " + libpq_reason(conn));
  }
  const auto deadline = Clock::now() + timing_.answer_timeout;
  for (;;) {
    while (!PQisBusy(conn)) {
      const std::unique_ptr<PGresult, decltype(&PQclear)> result(PQgetResult(conn), &PQclear);
      if (!result) return true;
      const auto status = PQresultStatus(result.get());
      if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
        const char* state = PQresultErrorField(result.get(), PG_DIAG_SQLSTATE);
        const char* primary = PQresultErrorField(result.get(), PG_DIAG_MESSAGE_PRIMARY);
        throw PgError(state ? state : "08006", std::string("the event listener's ") + sql + " failed: " +
                                                   (primary ? primary : libpq_reason(conn)));
      }
    }
    switch (wait_for(PQsocket(conn), false, deadline)) {
      case Wait::stopped: return false;
      case Wait::timed_out:
        throw PgError("08006", std::string("PostgreSQL did not answer the event listener's ") + sql + " within " +
                                   ms(timing_.answer_timeout));
      case Wait::ready: consume(c); break;
    }
  }
}

// Returns when stopped; throws PgError when the connection is lost.
void EventListener::listen_until_lost(Connection& c) {
  for (;;) {
    deliver(c.handle());
    switch (wait_for(PQsocket(c.handle()), false, Clock::now() + timing_.ping_interval)) {
      case Wait::stopped: return;
      case Wait::ready: consume(c); break;
      // Silence: a lost peer without a FIN (a half-open TCP connection) shows only when asked.
      case Wait::timed_out:
        if (!await_answer(c, "SELECT 1")) return;
        break;
    }
  }
}

void EventListener::run() {
  auto retry = timing_.first_retry;
  bool had_session = false;
  while (!stopping_) {
    try {
      Wait connecting = Wait::ready;
      const auto deadline = Clock::now() + timing_.answer_timeout;
      std::unique_ptr<Connection> c;
      try {
        c = std::make_unique<Connection>(dsn_, [&](int socket, bool for_write) {
          connecting = wait_for(socket, for_write, deadline);
          return connecting == Wait::ready;
        });
      } catch (const PgError&) {
        if (connecting != Wait::timed_out) throw;
        throw PgError("08001", "cannot connect to PostgreSQL: no answer within " + ms(timing_.answer_timeout));
      }
      if (!await_answer(*c, kListenSql.c_str())) break;
      listening_ = true;
      retry = timing_.first_retry;
      if (handlers_.on_listening) {
        try {
          handlers_.on_listening();
        } catch (const std::exception& e) {
          report(std::string("the listening handler failed: ") + e.what());
        }
      }
      if (had_session && handlers_.on_gap) {
        try {
          handlers_.on_gap();
        } catch (const std::exception& e) {
          report(std::string("the event gap handler failed: ") + e.what());
        }
      }
      had_session = true;
      listen_until_lost(*c);
    } catch (const PgError& e) {
      listening_ = false;
      if (stopping_) break;
      report(std::string(e.what()) + "; the event listener retries in " + ms(retry));
    }
    listening_ = false;
    if (wait_for(-1, false, Clock::now() + retry) == Wait::stopped) break;
    retry = std::min(retry * 2, timing_.max_retry);
  }
  listening_ = false;
}

}  // namespace iron::store::pg
