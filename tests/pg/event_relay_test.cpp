// Live events across replicas (src/store/pg/event_relay.h): what one connection publishes in a
// transaction reaches a listener on another connection when, and only when, it commits, in
// commit order; a listener whose connection is killed reconnects and reports the gap; one
// that cannot connect backs off; an idle one pings; stop() is prompt whatever it waits for.
#include <gtest/gtest.h>

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "support/eventually.h"
#include "pg_fixture.h"
#include "store/pg/connection.h"
#include "store/pg/event_relay.h"

namespace iron::test {
namespace {

using namespace std::chrono_literals;
using store::pg::Connection;
using store::pg::EventListener;
using store::pg::PgError;
using store::pg::publish_event;
using store::pg::Transaction;

// What a listener reported, for the test thread to wait on.
class Inbox {
 public:
  EventListener::Handlers handlers() {
    return {[this](std::string_view payload) { add([&] { events_.emplace_back(payload); }); },
            [this] { add([&] { ++gaps_; }); },
            [this](const std::string& why) { add([&] { errors_.push_back(why); }); }};
  }
  // The events once there are `n` (fewer after 15 s: the test then fails on their content).
  std::vector<std::string> events(size_t n) { return when([&] { return events_.size() >= n; }, [&] { return events_; }); }
  int gaps(int at_least) { return when([&] { return gaps_ >= at_least; }, [&] { return gaps_; }); }
  std::vector<std::string> errors(size_t at_least) {
    return when([&] { return errors_.size() >= at_least; }, [&] { return errors_; });
  }

 private:
  template <class Change>
  void add(Change change) {
    {
      std::lock_guard lock(mutex_);
      change();
    }
    cv_.notify_all();
  }
  template <class Ready, class Read>
  auto when(Ready ready, Read read) -> decltype(read()) {
    std::unique_lock lock(mutex_);
    cv_.wait_for(lock, 15s, ready);
    return read();
  }
  std::mutex mutex_;
  std::condition_variable cv_;
  std::vector<std::string> events_;
  int gaps_ = 0;
  std::vector<std::string> errors_;
};

class EventRelayTest : public PgTest {
 protected:
  // A listener on its own connection, once its LISTEN is active.
  std::unique_ptr<EventListener> listener(EventListener::Timing timing = {}, bool tls = false) {
    auto l = std::make_unique<EventListener>(dsn(tls), inbox_.handlers(), timing);
    EXPECT_TRUE(eventually([&] { return l->listening(); })) << "the listener never listened";
    return l;
  }
  // The listener's backend, seen from another session of the test's database.
  int64_t listener_pid(Connection& c) {
    const auto rows = c.exec(
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        " AND backend_type = 'client backend'");
    return rows.size() == 1 ? rows.front().int64(0) : 0;
  }
  Inbox inbox_;
};

// Each transaction's events leave at its commit: an open transaction's event arrives after one
// that committed later, a rolled-back transaction's never, and one transaction's several
// events in the order published.
TEST_F(EventRelayTest, CommittedEventsReachAnotherConnectionInCommitOrder) {
  auto l = listener();
  Connection a(dsn()), b(dsn());
  {
    Transaction open(a);
    publish_event(a, "published first, committed second");
    publish_event(b, "published second, committed first");  // no transaction: at once
    open.commit();
  }
  {
    Transaction lost(a);
    publish_event(a, "rolled back");
  }
  {
    Transaction several(b);
    for (const char* e : {"one", "two", "three"}) publish_event(b, e);
    several.commit();
  }
  const std::vector<std::string> expected = {"published second, committed first", "published first, committed second",
                                             "one", "two", "three"};
  EXPECT_EQ(inbox_.events(expected.size()), expected);
}

// Connecting without blocking goes through the TLS handshake too (verify-full), where libpq
// asks to wait for reading and writing in turn.
TEST_F(EventRelayTest, AListenerOverTlsReceivesEvents) {
  auto l = listener({}, /*tls=*/true);
  Connection admin(dsn());
  const auto row = admin.exec("SELECT count(*) FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid)"
                              " WHERE a.datname = current_database() AND s.ssl").front();
  EXPECT_EQ(row.int64(0), 1) << "the listener's connection is not encrypted";
  publish_event(admin, "over TLS");
  EXPECT_EQ(inbox_.events(1), std::vector<std::string>{"over TLS"});
}

// The limit is checked before sending, so the transaction survives the refusal and can still
// publish the largest payload NOTIFY takes.
TEST_F(EventRelayTest, AnOversizedPayloadIsRefusedAndTheTransactionGoesOn) {
  auto l = listener();
  Connection a(dsn());
  Transaction tx(a);
  try {
    publish_event(a, std::string(store::pg::kMaxEventPayloadBytes + 1, 'x'));
    ADD_FAILURE() << "an oversized payload was sent";
  } catch (const PgError& e) {
    EXPECT_EQ(e.sqlstate(), "22023");
    EXPECT_NE(std::string(e.what()).find("over NOTIFY's limit"), std::string::npos) << e.what();
  }
  const std::string largest(store::pg::kMaxEventPayloadBytes, 'y');
  publish_event(a, largest);
  tx.commit();
  EXPECT_EQ(inbox_.events(1), std::vector<std::string>{largest});
}

// The listener's session is killed (a failover, an administrator): it reconnects, says that
// events may have been missed, and receives again. Its error report names no secret.
TEST_F(EventRelayTest, AKilledListenerReconnectsAndReportsTheGap) {
  auto l = listener({.first_retry = 20ms});
  Connection admin(dsn());
  const int64_t before = listener_pid(admin);
  ASSERT_NE(before, 0);
  admin.exec("SELECT pg_terminate_backend($1::int)", {before});
  EXPECT_EQ(inbox_.gaps(1), 1);
  EXPECT_TRUE(l->listening());
  EXPECT_TRUE(eventually([&] { return listener_pid(admin) != 0; }));
  EXPECT_NE(listener_pid(admin), before);
  publish_event(admin, "after the gap");
  EXPECT_EQ(inbox_.events(1), std::vector<std::string>{"after the gap"});
  const auto errors = inbox_.errors(1);
  ASSERT_FALSE(errors.empty());
  for (const auto& e : errors) EXPECT_EQ(e.find(cluster_->password), std::string::npos) << e;
}

// A listener with nothing to hear asks the server whether it is still there (a half-open TCP
// connection would stay silent forever) and keeps listening on the same connection.
TEST_F(EventRelayTest, AnIdleListenerPingsAndKeepsListening) {
  auto l = listener({.ping_interval = 20ms});
  Connection admin(dsn());
  const int64_t pid = listener_pid(admin);
  ASSERT_NE(pid, 0);
  EXPECT_TRUE(eventually([&] {
    return admin.exec("SELECT query FROM pg_stat_activity WHERE pid = $1", {pid}).front().text(0) == "SELECT 1";
  }));
  publish_event(admin, "still here");
  EXPECT_EQ(inbox_.events(1), std::vector<std::string>{"still here"});
  EXPECT_EQ(listener_pid(admin), pid);
  EXPECT_EQ(inbox_.gaps(0), 0);
}

// A TCP port that accepts connections and never answers: the listener waits for the server's
// first reply.
class SilentServer {
 public:
  SilentServer() {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (bind(fd_, reinterpret_cast<sockaddr*>(&addr), len) != 0 || listen(fd_, 4) != 0 ||
        getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      ADD_FAILURE() << "cannot listen on loopback";
    }
    port_ = ntohs(addr.sin_port);
  }
  ~SilentServer() {
    if (client_ >= 0) close(client_);
    close(fd_);
  }
  int port() const { return port_; }
  // True once a client connected and sent its first bytes (libpq's startup message).
  bool client_waits_for_an_answer() {
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, 15'000) != 1) return false;
    client_ = accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
    pollfd q{client_, POLLIN, 0};
    return client_ >= 0 && poll(&q, 1, 15'000) == 1;
  }

 private:
  int fd_ = -1;
  int client_ = -1;
  int port_ = 0;
};

// A DSN for a port on loopback where no PostgreSQL runs.
std::string dsn_without_server(int port) {
  return "host=127.0.0.1 sslmode=disable user=iron dbname=x port=" + std::to_string(port);
}

// A port that was free a moment ago: connecting to it is refused.
int refused_port() {
  SilentServer closed_soon;
  return closed_soon.port();
}

// While PostgreSQL refuses connections the listener retries after 10, 20, 40, 40... ms: quickly
// after a blip, without hammering a server that stays down.
TEST_F(EventRelayTest, ARefusedListenerRetriesWithAGrowingBackoff) {
  EventListener l(dsn_without_server(refused_port()), inbox_.handlers(), {.first_retry = 10ms, .max_retry = 40ms});
  const auto errors = inbox_.errors(4);
  ASSERT_GE(errors.size(), 4u);
  const char* waits[] = {"retries in 10 ms", "retries in 20 ms", "retries in 40 ms", "retries in 40 ms"};
  for (int i = 0; i < 4; ++i) {
    EXPECT_NE(errors[i].find("cannot connect to PostgreSQL"), std::string::npos) << errors[i];
    EXPECT_NE(errors[i].find(waits[i]), std::string::npos) << errors[i];
  }
  EXPECT_FALSE(l.listening());
}


// True when a thread of this process other than the caller is blocked in poll() (the kernel's
// view in /proc), i.e. the listener sleeps and only its wake-up can end the wait early.
bool another_thread_sleeps_in_poll() {
  const std::string self = std::to_string(gettid());
  for (const auto& task : std::filesystem::directory_iterator("/proc/self/task")) {
    if (task.path().filename() == self) continue;
    std::ifstream syscall_file(task.path() / "syscall");
    long number = -1;
    syscall_file >> number;  // "running" when not in a system call
    if (number == SYS_poll || number == SYS_ppoll) return true;
  }
  return false;
}

std::chrono::milliseconds time_to_stop(EventListener& l) {
  const auto start = std::chrono::steady_clock::now();
  l.stop();
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
}

// Shutdown must not wait for a timeout: here every timeout is a minute, and stop() returns
// well before, whether the listener is connecting to a server that does not answer or
// waiting to retry after a refused connection.
TEST_F(EventRelayTest, StopIsPromptWhileConnectingOrWaitingToRetry) {
  constexpr auto kMinute = std::chrono::milliseconds(60'000);
  const EventListener::Timing slow{.first_retry = kMinute, .max_retry = kMinute, .answer_timeout = kMinute};
  {
    SilentServer silent;
    EventListener l(dsn_without_server(silent.port()), inbox_.handlers(), slow);
    ASSERT_TRUE(silent.client_waits_for_an_answer());
    ASSERT_TRUE(eventually(another_thread_sleeps_in_poll));
    EXPECT_LT(time_to_stop(l), 5s) << "stopping while connecting";
    EXPECT_FALSE(l.listening());
  }
  {
    Inbox retrying;
    EventListener l(dsn_without_server(refused_port()), retrying.handlers(), slow);
    const auto errors = retrying.errors(1);
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_NE(errors[0].find("retries in 60000 ms"), std::string::npos) << errors[0];
    ASSERT_TRUE(eventually(another_thread_sleeps_in_poll));
    EXPECT_LT(time_to_stop(l), 5s) << "stopping while waiting to retry";
  }
}

}  // namespace
}  // namespace iron::test
