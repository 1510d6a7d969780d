// Assigning a provider key to a project over real HTTP: assign, replace, unassign, the
// ownership rules the predecessor lacked (its unassign checked nobody), and project ids that
// belong to their owner.
#include <gtest/gtest.h>

#include "provider_keys_support.h"

#include "util/clock.h"

using namespace providers_test;

TEST_F(GovernanceProviders, AssignAndUnassignAProject) {
  auto k1 = create(alice_, "openai", fresh_secret());
  auto k2 = create(alice_, "anthropic", fresh_secret());
  const std::string project = unique_project("proj");
  const int64_t before = iron::util::to_unix_ms(iron::util::now());

  auto r = call("POST", project_path(project), alice_, json{{"provider_key_id", k1["id"]}});
  ASSERT_EQ(r.status, 200) << r.raw;
  EXPECT_EQ(r.body["project_id"], project);
  EXPECT_EQ(r.body["provider_key_id"], k1["id"]);
  EXPECT_EQ(r.body["assigned_by"], alice_.id);
  EXPECT_GE(r.body.value("assigned_at", int64_t{0}), before);
  EXPECT_EQ(call("GET", key_path(k1), alice_).body["assigned_projects"], json::array({project}));

  // A project uses one key: assigning another of the owner's keys moves it.
  ASSERT_EQ(call("POST", project_path(project), alice_, json{{"provider_key_id", k2["id"]}}).status, 200);
  EXPECT_EQ(call("GET", key_path(k1), alice_).body["assigned_projects"], json::array());
  EXPECT_EQ(call("GET", key_path(k2), alice_).body["assigned_projects"], json::array({project}));
  // Assigning the same key again is harmless.
  EXPECT_EQ(call("POST", project_path(project), alice_, json{{"provider_key_id", k2["id"]}}).status, 200);

  auto un = call("DELETE", project_path(project), alice_);
  EXPECT_EQ(un.status, 204);
  EXPECT_TRUE(un.raw.empty());
  EXPECT_EQ(call("GET", key_path(k2), alice_).body["assigned_projects"], json::array());
  // Nothing assigned any more.
  expect_error(call("DELETE", project_path(project), alice_), 404, "NOT_FOUND");
  expect_error(call("DELETE", project_path(unique_project("never")), admin_), 404, "NOT_FOUND");
}

TEST_F(GovernanceProviders, project_assign_requires_key_ownership) {
  auto alices = create(alice_, "openai", fresh_secret());
  const std::string project = unique_project("steal");
  // Bob cannot point any project at Alice's key (he would spend her provider account).
  expect_error(call("POST", project_path(project), bob_, json{{"provider_key_id", alices["id"]}}), 404, "NOT_FOUND",
               "provider_key_id");
  // A key id that does not exist looks the same.
  expect_error(call("POST", project_path(project), bob_, json{{"provider_key_id", INT64_MAX}}), 404, "NOT_FOUND",
               "provider_key_id");
  EXPECT_EQ(call("GET", key_path(alices), alice_).body["assigned_projects"], json::array());
  expect_error(call("DELETE", project_path(project), admin_), 404, "NOT_FOUND");  // nothing was assigned
  // The owner can.
  EXPECT_EQ(call("POST", project_path(project), alice_, json{{"provider_key_id", alices["id"]}}).status, 200);
}

TEST_F(GovernanceProviders, project_unassign_requires_ownership) {
  // The predecessor let any authenticated user unassign any project's key.
  auto k = create(alice_, "openai", fresh_secret());
  const std::string project = unique_project("unassign");
  ASSERT_EQ(call("POST", project_path(project), alice_, json{{"provider_key_id", k["id"]}}).status, 200);

  expect_error(call("DELETE", project_path(project), bob_), 404, "NOT_FOUND");
  expect_error(call("DELETE", project_path(project), vera_), 403, "INSUFFICIENT_PERMISSIONS");
  EXPECT_EQ(call("GET", key_path(k), alice_).body["assigned_projects"], json::array({project})) << "still assigned";

  // Project ids are per owner: the admin's own "project" is another one...
  expect_error(call("DELETE", project_path(project), admin_), 404, "NOT_FOUND");
  // ...and an admin unassigns a user's project by naming its owner.
  EXPECT_EQ(call("DELETE", project_path(project) + "?owner_id=" + alice_.id, admin_).status, 204);
  EXPECT_EQ(call("GET", key_path(k), alice_).body["assigned_projects"], json::array());
}

// Project ids used to be one global namespace, so the first user to assign
// "prod" blocked everyone else's "prod" (409). They are per owner now.
TEST_F(GovernanceProviders, SameProjectIdOfTwoUsersAreTwoProjects) {
  auto alices = create(alice_, "openai", fresh_secret());
  auto bobs = create(bob_, "openai", fresh_secret());
  const std::string project = unique_project("taken");
  ASSERT_EQ(call("POST", project_path(project), alice_, json{{"provider_key_id", alices["id"]}}).status, 200);
  auto b = call("POST", project_path(project), bob_, json{{"provider_key_id", bobs["id"]}});
  ASSERT_EQ(b.status, 200) << b.raw;
  EXPECT_EQ(b.body["owner_id"], bob_.id);
  // Each key lists its own owner's project; Bob did not redirect Alice's.
  EXPECT_EQ(call("GET", key_path(alices), alice_).body["assigned_projects"], json::array({project}));
  EXPECT_EQ(call("GET", key_path(bobs), bob_).body["assigned_projects"], json::array({project}));
}
