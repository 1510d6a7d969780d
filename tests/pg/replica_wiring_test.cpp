// Two real ironpanel processes on one PostgreSQL database, sharing their keys as replicas
// must (docs/deploy.md): a live event raised on one reaches a stream on the other (once, and
// never twice on its own), a lost listening connection tells the streams to resync, and a
// shared scheduled task runs under its advisory lock: not at all while another session holds
// it, then exactly once (docs/postgresql.md, "Wiring the replica pieces").
#include <poll.h>
#include <unistd.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "api/alerts_support.h"
#include "pg_fixture.h"
#include "store/pg/advisory_lock.h"
#include "support/panel.h"
#include "support/raw_http.h"

using namespace iron::test;
using alerts_test::Receiver;
using nlohmann::json;
namespace pg = iron::store::pg;

namespace {

using Clock = std::chrono::steady_clock;

// GET /api/v1/events/stream on a raw connection; what arrived so far is kept, so a test can
// wait for one event and later count what came before it.
class EventStream {
 public:
  EventStream(const ServerProcess& server, const std::string& token) : conn_(server.port()) {
    conn_.send("GET /api/v1/events/stream HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token + "\r\n\r\n");
  }
  // Reads until `needle` has arrived (up to 15 s); true when it did.
  bool wait_for(const std::string& needle) {
    const auto deadline = Clock::now() + std::chrono::seconds(15);
    while (in_.find(needle) == std::string::npos) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
      pollfd p{conn_.fd(), POLLIN, 0};
      if (left <= 0 || poll(&p, 1, static_cast<int>(left)) <= 0) return false;
      char buf[4096];
      const ssize_t n = read(conn_.fd(), buf, sizeof buf);
      if (n <= 0) return false;
      in_.append(buf, static_cast<size_t>(n));
    }
    return true;
  }
  size_t count(const std::string& needle) const {
    size_t n = 0;
    for (size_t at = in_.find(needle); at != std::string::npos; at = in_.find(needle, at + 1)) ++n;
    return n;
  }
  const std::string& text() const { return in_; }

 private:
  RawConnection conn_;
  std::string in_;
};

class ReplicaWiring : public PgTest {
 protected:
  void SetUp() override {
    PgTest::SetUp();
    if (IsSkipped()) return;
    // Replicas share the database and the three server keys; nothing else.
    const std::map<std::string, std::string> env = alerts_test::loopback_env(
        {{"IRON_DATABASE_URL", dsn()},
         {"IRON_JWT_SECRET", "5f0c2a9e71d84b36a0e5c97f1b2d3e48c6a9071f5e2d8b4c3a6f90e1d7b25c84"},
         {"IRON_SECRETS_MASTER_KEY", "c41e8a7d02b95f63e1a4d8c07b29f5e36d1a0c8b74e2f9a5d3c6b1e08f7a42d9"},
         {"IRON_IP_TOKEN_KEY", kIpTokenKey}});
    a_ = std::make_unique<alerts_test::AlertPanel>(env);
    b_ = std::make_unique<alerts_test::AlertPanel>(env);
  }

  // Backends of this test's database whose latest statement contains `sql` and started after
  // `since` (the server's clock, as now()::text).
  int64_t backends_run_since(const std::string& sql, const std::string& since) {
    pg::Connection c(dsn());
    return c.exec("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
                  " AND state = 'idle' AND position($1 in query) > 0 AND query_start > $2::timestamptz",
                  {sql, since})
        .front()
        .int64(0);
  }
  std::string server_now() {
    pg::Connection c(dsn());
    return c.exec("SELECT now()::text").front().text(0);
  }
  // Waits (up to 15 s) until every replica's alert worker has had a round after `since`: its
  // guard's latest statement (pg_try_advisory_lock, or pg_advisory_unlock after a round it
  // ran) started later.
  bool both_replicas_tried_since(const std::string& since) {
    const auto deadline = Clock::now() + std::chrono::seconds(15);
    while (backends_run_since("advisory_", since) < 2) {
      if (Clock::now() > deadline) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));  // polling a condition, not a fixed wait
    }
    return true;
  }

  std::unique_ptr<alerts_test::AlertPanel> a_, b_;
};

Reply ask_for_budget(Panel& p, const Account& who, int64_t agent) {
  return p.call("POST", "/api/v1/budget/requests", who.token,
                {{"agent_id", agent}, {"requested_budget_usd", 5},
                 {"justification", "the replicas test needs a live event to cross over"}});
}

}  // namespace

TEST_F(ReplicaWiring, AnEventRaisedOnOneReplicaReachesStreamsOnTheOtherOnce) {
  const Account alice = a_->add_user("user", "alice");
  const Account alice_on_b = login_as(b_->server(), alice);
  ASSERT_FALSE(alice_on_b.token.empty()) << "a session is valid on every replica";
  const int64_t agent = a_->add_agent(alice.id);

  EventStream on_b(b_->server(), alice_on_b.token), admin_on_a(a_->server(), a_->admin.token);
  ASSERT_TRUE(on_b.wait_for(": connected"));
  ASSERT_TRUE(admin_on_a.wait_for(": connected"));

  const Reply first = ask_for_budget(*a_, alice, agent);
  ASSERT_EQ(first.status, 201) << first.raw;
  const std::string first_id = first.body["request_id"];
  ASSERT_TRUE(on_b.wait_for(first_id)) << on_b.text();
  EXPECT_NE(on_b.text().find("event: budget_request.created"), std::string::npos) << on_b.text();

  // A second event, raised on B, arrives on A after the first: by then A's stream holds every
  // copy of the first it will ever get, and its own event must not have come back to it.
  ASSERT_EQ(b_->call("PATCH", "/api/v1/budget/requests/" + first_id + "/cancel", alice_on_b.token, json::object()).status,
            200);
  ASSERT_TRUE(admin_on_a.wait_for("event: budget_request.cancelled")) << admin_on_a.text();
  EXPECT_EQ(admin_on_a.count("event: budget_request.created"), 1u) << admin_on_a.text();
  ASSERT_TRUE(on_b.wait_for("event: budget_request.cancelled"));
  EXPECT_EQ(on_b.count("event: budget_request.cancelled"), 1u) << on_b.text();
}

TEST_F(ReplicaWiring, ALostListeningConnectionTellsEveryStreamToResync) {
  const Account bob = b_->add_user("user", "bob");
  EventStream on_b(b_->server(), bob.token);
  ASSERT_TRUE(on_b.wait_for(": connected"));
  {
    pg::Connection c(dsn());
    const auto killed = c.exec(
        "SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = "
        "current_database() AND query LIKE 'LISTEN %') t");
    ASSERT_EQ(killed.front().int64(0), 2) << "one listening connection per replica";
  }
  // Owner-scoped events go to their owner; a resync goes to everyone, bob included.
  EXPECT_TRUE(on_b.wait_for("event: stream.resync")) << on_b.text();

  // The relay listens again: events cross over as before.
  const Account alice = a_->add_user("user", "alice");
  const int64_t agent = a_->add_agent(alice.id);
  EventStream admin_on_b(b_->server(), login(b_->server(), kAdminEmail, kAdminPassword));
  ASSERT_TRUE(admin_on_b.wait_for(": connected"));
  const Reply r = ask_for_budget(*a_, alice, agent);
  ASSERT_EQ(r.status, 201) << r.raw;
  EXPECT_TRUE(admin_on_b.wait_for(r.body["request_id"].get<std::string>())) << admin_on_b.text();
}

TEST_F(ReplicaWiring, AlertDeliveryWaitsForItsLockThenRunsOnceAcrossReplicas) {
  Receiver receiver;
  const int64_t channel = a_->add_channel(receiver.url())["id"];
  a_->add_rule({"provider_key.disabled"}, channel);

  // This test's session takes the task's lock, as a third replica in its round would.
  pg::Connection holder(dsn());
  auto held = std::make_optional<pg::AdvisoryLock>(holder, pg::advisory_lock_key("deliver_alerts"));
  const int64_t key = a_->add_key(a_->admin);
  ASSERT_EQ(a_->call("PUT", "/api/v1/providers/" + std::to_string(key), a_->admin.token, {{"is_enabled", false}}).status,
            200);
  // Only the alert workers ask for locks this early (the other tasks' first rounds are 30 s
  // or more after start).
  ASSERT_TRUE(both_replicas_tried_since(server_now()));
  EXPECT_TRUE(receiver.received().empty()) << "no replica delivers while another holds the task";
  EXPECT_EQ(a_->call("GET", "/api/v1/alert-channels/" + std::to_string(channel), a_->admin.token).body["pending_deliveries"],
            1);

  held.reset();
  ASSERT_EQ(receiver.wait_for(1).size(), 1u);
  // Once the log row is committed, every later round on either replica finds nothing due.
  ASSERT_EQ(a_->wait_for_deliveries(channel, 1).size(), 1u);
  ASSERT_TRUE(both_replicas_tried_since(server_now()));
  EXPECT_EQ(receiver.received().size(), 1u) << "delivered once across the replicas";
  EXPECT_EQ(b_->deliveries(channel).size(), 1u);
}
