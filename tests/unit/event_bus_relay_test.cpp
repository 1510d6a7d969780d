// The event bus joined to other replicas' buses (docs/postgresql.md, "Wiring the replica
// pieces"): two buses in one process stand for two replicas, the relay for NOTIFY/LISTEN.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "domain/event_bus.h"

using iron::domain::EventBus;
using iron::domain::LiveEvent;

namespace {

constexpr auto kNow = std::chrono::milliseconds(0);

// Two replicas' buses; every payload either sends reaches both (NOTIFY reaches the sender too).
struct TwoReplicas {
  explicit TwoReplicas(size_t max_payload_bytes = 7999) {
    for (EventBus* from : {&a, &b}) {
      from->relay_through(
          [this](const std::string& payload) {
            sent.push_back(payload);
            a.receive_relayed(payload);
            b.receive_relayed(payload);
          },
          max_payload_bytes);
    }
  }
  EventBus a{8}, b{8};
  std::vector<std::string> sent;
};

}  // namespace

TEST(EventBusRelay, AnEventReachesTheOtherBusOnceAndItsOwnOnce) {
  TwoReplicas r;
  auto on_a = r.a.subscribe("admin", true);
  auto on_b = r.b.subscribe("admin", true);
  r.a.publish({0, "lease.opened", "alice", {{"agent_id", 7}}});
  const auto got_b = on_b->wait(kNow);
  ASSERT_EQ(got_b.size(), 1u);
  EXPECT_EQ(got_b[0].type, "lease.opened");
  EXPECT_EQ(got_b[0].owner_id, "alice");
  EXPECT_EQ(got_b[0].data["agent_id"], 7);
  EXPECT_EQ(on_a->wait(kNow).size(), 1u) << "a bus skips its own events when they come back";
}

TEST(EventBusRelay, RelayedEventsStayOwnerScopedAndAreNotRelayedAgain) {
  TwoReplicas r;
  auto alice = r.b.subscribe("alice", false);
  auto bob = r.b.subscribe("bob", false);
  r.a.publish({0, "budget.alert", "alice", {}});
  EXPECT_EQ(alice->wait(kNow).size(), 1u);
  EXPECT_TRUE(bob->wait(kNow).empty());
  EXPECT_EQ(r.sent.size(), 1u) << "only the publishing bus sends";
}

TEST(EventBusRelay, EqualEventsGetDistinctPayloads) {
  TwoReplicas r;
  r.a.publish({0, "usage.tick", "u", {{"n", 1}}});
  r.a.publish({0, "usage.tick", "u", {{"n", 1}}});
  ASSERT_EQ(r.sent.size(), 2u);
  EXPECT_NE(r.sent[0], r.sent[1]) << "PostgreSQL folds identical payloads of one transaction";
}

TEST(EventBusRelay, AnEventOverTheLimitLosesItsDataAndSaysSo) {
  TwoReplicas r(200);
  auto on_b = r.b.subscribe("admin", true);
  r.a.publish({0, "lease.opened", "alice", {{"note", std::string(500, 'x')}}});
  ASSERT_EQ(r.sent.size(), 1u);
  EXPECT_LE(r.sent[0].size(), 200u);
  const auto got = on_b->wait(kNow);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].type, "lease.opened");
  EXPECT_EQ(got[0].data, nlohmann::json({{"truncated", true}}));
}

TEST(EventBusRelay, PayloadsThatAreNotRelayedEventsAreIgnored) {
  EventBus bus(8);
  auto s = bus.subscribe("admin", true);
  for (const char* payload : {"", "not json", "[]", R"({"type":"x","owner_id":"u"})",
                              R"({"origin":1,"type":"x","owner_id":"u"})", R"({"origin":"o","owner_id":"u"})",
                              R"({"origin":"o","type":"x","owner_id":2})"}) {
    SCOPED_TRACE(payload);
    bus.receive_relayed(payload);
  }
  EXPECT_TRUE(s->wait(kNow).empty());
  bus.receive_relayed(R"({"origin":"o","seq":1,"type":"x","owner_id":"u","data":{}})");
  EXPECT_EQ(s->wait(kNow).size(), 1u) << "the check can pass";
}

TEST(EventBusRelay, AResyncGoesToEveryStream) {
  EventBus bus(8);
  auto alice = bus.subscribe("alice", false);
  auto admin = bus.subscribe("admin", true);
  bus.publish_resync();
  for (auto* s : {&alice, &admin}) {
    const auto got = (*s)->wait(kNow);
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].type, "stream.resync");
  }
}
