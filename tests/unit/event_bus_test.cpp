#include <gtest/gtest.h>

#include "domain/event_bus.h"

using iron::domain::EventBus;
using iron::domain::LiveEvent;

TEST(EventBus, OwnersSeeTheirEventsAdminsSeeAll) {
  EventBus bus(8);
  auto alice = bus.subscribe("user_alice", false);
  auto admin = bus.subscribe("user_admin", true);
  bus.publish({0, "lease.opened", "user_alice", {{"agent_id", 1}}});
  bus.publish({0, "lease.opened", "user_bob", {{"agent_id", 2}}});
  const auto a = alice->wait(std::chrono::milliseconds(0));
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].data["agent_id"], 1);
  EXPECT_EQ(admin->wait(std::chrono::milliseconds(0)).size(), 2u);
}

TEST(EventBus, IdsIncreaseAndSlowReadersKeepOnlyTheNewest) {
  EventBus bus(2, /*queue_limit=*/3);
  auto s = bus.subscribe("u", false);
  for (int i = 0; i < 5; ++i) bus.publish({0, "usage.tick", "u", {{"n", i}}});
  const auto got = s->wait(std::chrono::milliseconds(0));
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got.front().data["n"], 2);
  EXPECT_LT(got[0].id, got[1].id);
}

TEST(EventBus, SubscribersAreBoundedAndReleasedOnDestruction) {
  EventBus bus(1);
  auto first = bus.subscribe("u", false);
  ASSERT_TRUE(first);
  EXPECT_EQ(bus.subscribe("u", false), nullptr);
  first.reset();
  EXPECT_NE(bus.subscribe("u", false), nullptr);
}

TEST(EventBus, CloseWakesWaitersAndRefusesNewSubscribers) {
  EventBus bus(4);
  auto s = bus.subscribe("u", false);
  bus.close();
  EXPECT_TRUE(s->closed());
  EXPECT_TRUE(s->wait(std::chrono::hours(1)).empty());  // returns at once
  EXPECT_EQ(bus.subscribe("u", false), nullptr);
}

TEST(EventBus, EachUserHoldsAtMostAnEighthOfTheSlots) {
  EventBus bus(16);  // 2 per user
  using iron::domain::SubscribeRefusal;
  SubscribeRefusal why = SubscribeRefusal::none;
  auto a1 = bus.subscribe("viewer", false, &why);
  auto a2 = bus.subscribe("viewer", false, &why);
  ASSERT_TRUE(a1 && a2);
  EXPECT_EQ(bus.subscribe("viewer", false, &why), nullptr);
  EXPECT_EQ(why, SubscribeRefusal::user_limit);
  EXPECT_NE(bus.subscribe("admin", true, &why), nullptr) << "another user still gets a slot";
  EXPECT_EQ(why, SubscribeRefusal::none);
  a1.reset();
  EXPECT_NE(bus.subscribe("viewer", false), nullptr) << "a closed stream frees the user's share";
}
