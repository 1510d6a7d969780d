// GET /api/v1/audit over real HTTP: mutations and auth events leave rows carrying actor,
// entity, request id, client IP and user agent; secrets never reach before/after; filters
// and cursor paging; admin only.
#include <gtest/gtest.h>

#include <memory>
#include <set>

#include "support/panel.h"
#include "util/clock.h"

using namespace iron::test;

class IdentityAudit : public PanelSuite {
 protected:
  // Every item matching `query`, following next_cursor to the end.
  std::vector<json> all_items(const std::string& query, int limit = 200) {
    std::vector<json> out;
    std::string cursor;
    for (int guard = 0; guard < 100; ++guard) {
      std::string path = "/api/v1/audit?limit=" + std::to_string(limit) + (query.empty() ? "" : "&" + query);
      if (!cursor.empty()) path += "&cursor=" + cursor;
      const Reply r = get(server(), path, admin());
      EXPECT_EQ(r.status, 200) << r.raw;
      if (r.status != 200) break;
      for (const auto& item : r.body["items"]) out.push_back(item);
      if (r.body["next_cursor"].is_null()) break;
      cursor = r.body["next_cursor"];
    }
    return out;
  }

};

TEST_F(IdentityAudit, MutationsRecordActorEntityAndRequestContext) {
  const httplib::Headers ctx = {{"X-Request-Id", "req-audit-create-1"}, {"User-Agent", "identity-audit-test/1.0"}};
  const std::string username = unique("audited_");
  const Reply created = call(server(), "POST", "/api/v1/users", admin(),
                                  {{"username", username}, {"email", username + "@example.test"},
                                   {"password", "audited-password-1"}, {"role", "user"}},
                                  ctx);
  ASSERT_EQ(created.status, 201) << created.raw;
  const std::string id = created.body["id"];
  ASSERT_EQ(call(server(), "PUT", "/api/v1/users/" + id + "/suspend", admin(), {{"reason", "audit me"}},
                      {{"X-Request-Id", "req-audit-suspend-1"}, {"User-Agent", "identity-audit-test/1.0"}})
                .status,
            200);

  const Reply r = get(server(), "/api/v1/audit?entity_id=" + id, admin());
  ASSERT_EQ(r.status, 200) << r.raw;
  ASSERT_EQ(r.body["items"].size(), 2u) << r.raw;
  const json& suspend = r.body["items"][0];  // newest first
  const json& create = r.body["items"][1];

  EXPECT_EQ(create["action"], "user.create");
  EXPECT_EQ(create["actor_id"], admin_id());
  EXPECT_EQ(create["actor_type"], "user");
  EXPECT_EQ(create["entity_type"], "user");
  EXPECT_EQ(create["entity_id"], id);
  EXPECT_EQ(create["request_id"], "req-audit-create-1");
  EXPECT_EQ(create["client_ip"], "127.0.0.1");
  EXPECT_EQ(create["user_agent"], "identity-audit-test/1.0");
  EXPECT_TRUE(create["before"].is_null());
  EXPECT_EQ(create["after"]["username"], username);
  EXPECT_EQ(create["after"]["role"], "user");
  EXPECT_TRUE(create["id"].is_number_integer());
  ASSERT_TRUE(create["at"].is_string());
  const auto at = iron::util::parse_rfc3339(create["at"].get<std::string>());
  ASSERT_TRUE(at.has_value()) << create["at"];
  EXPECT_LT(std::chrono::abs(iron::util::now() - *at), std::chrono::minutes(5));

  EXPECT_EQ(suspend["action"], "user.suspend");
  EXPECT_EQ(suspend["request_id"], "req-audit-suspend-1");
  EXPECT_EQ(suspend["before"]["is_active"], true);
  EXPECT_EQ(suspend["after"]["is_active"], false);
  EXPECT_EQ(suspend["after"]["suspended_reason"], "audit me");
  EXPECT_GT(suspend["id"].get<int64_t>(), create["id"].get<int64_t>());
}

TEST_F(IdentityAudit, EveryUserMutationAndAuthEventIsRecorded) {
  const Account u = login_as(server(), create_account(server(), admin(), "user", "ev"));
  ASSERT_FALSE(u.token.empty());
  const std::string p = "/api/v1/users/" + u.id;
  ASSERT_EQ(put(server(), p + "/suspend", admin()).status, 200);
  ASSERT_EQ(put(server(), p + "/activate", admin()).status, 200);
  ASSERT_EQ(put(server(), p + "/role", admin(), {{"role", "viewer"}}).status, 200);
  ASSERT_EQ(post(server(), p + "/reset-password", admin(), {{"new_password", "ev-reset-password"}, {"force_change", false}}).status, 200);
  EXPECT_EQ(login_reply(server(), u.email, "ev-wrong-password-xyz").status, 401);
  const std::string t = login(server(), u.email, "ev-reset-password");
  ASSERT_EQ(put(server(), "/api/v1/me/password", t, {{"current_password", "ev-reset-password"}, {"new_password", "ev-own-password-1"}}).status, 200);
  ASSERT_EQ(send(server(), {.method = "POST", .path = "/api/v1/auth/logout", .token = t}).status, 204);
  ASSERT_EQ(del(server(), p, admin()).status, 200);

  std::vector<std::string> actions;
  for (const auto& item : all_items("entity_id=" + u.id)) actions.insert(actions.begin(), item["action"].get<std::string>());
  const std::vector<std::string> want = {"user.create",         "auth.login",       "user.suspend",
                                         "user.activate",       "user.role_change", "user.password_reset",
                                         "auth.login_failed",   "auth.login",       "user.password_change",
                                         "auth.logout",         "user.delete"};
  EXPECT_EQ(actions, want);

  // Login events are attributed: success to the user, failure to nobody (anonymous).
  const auto logins = all_items("action=auth.login&entity_id=" + u.id);
  ASSERT_EQ(logins.size(), 2u);
  EXPECT_EQ(logins[0]["actor_id"], u.id);
  EXPECT_EQ(logins[0]["actor_type"], "user");
  const auto logouts = all_items("action=auth.logout&entity_id=" + u.id);
  ASSERT_EQ(logouts.size(), 1u);
  EXPECT_EQ(logouts[0]["actor_id"], u.id) << "logout is attributed to the user whose token it was";
  EXPECT_EQ(logouts[0]["actor_type"], "user");
  const auto failed = all_items("action=auth.login_failed&entity_id=" + u.id);
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_TRUE(failed[0]["actor_id"].is_null());
  EXPECT_EQ(failed[0]["after"]["email"], u.email);
  EXPECT_EQ(failed[0]["client_ip"], "127.0.0.1");
}

TEST_F(IdentityAudit, BeforeAndAfterNeverHoldSecrets) {
  const Account u = create_account(server(), admin(), "user", "sec");
  const std::string p = "/api/v1/users/" + u.id;
  ASSERT_EQ(post(server(), p + "/reset-password", admin(), {{"new_password", "secret-reset-pass-1"}, {"force_change", false}}).status, 200);
  EXPECT_EQ(login_reply(server(), u.email, "secret-wrong-pass-1").status, 401);
  const std::string t = login(server(), u.email, "secret-reset-pass-1");
  ASSERT_EQ(put(server(), "/api/v1/me/password", t, {{"current_password", "secret-reset-pass-1"}, {"new_password", "secret-own-pass-1"}}).status, 200);
  const Reply whole = get(server(), "/api/v1/audit?limit=200", admin());
  ASSERT_EQ(whole.status, 200);
  for (const std::string& secret : {std::string("password_hash"), std::string("$argon2"), u.password,
                                   std::string("secret-reset-pass-1"), std::string("secret-wrong-pass-1"),
                                   std::string("secret-own-pass-1"), std::string(kAdminPassword), t})
    EXPECT_EQ(whole.raw.find(secret), std::string::npos) << secret;
  for (const auto& item : whole.body["items"]) {
    for (const char* side : {"before", "after"}) {
      if (!item[side].is_object()) continue;
      EXPECT_FALSE(item[side].contains("password")) << item;
      EXPECT_FALSE(item[side].contains("password_hash")) << item;
      EXPECT_FALSE(item[side].contains("new_password")) << item;
    }
  }
}

TEST_F(IdentityAudit, FiltersNarrowTheLog) {
  const Account a = create_account(server(), admin(), "viewer", "flt");
  const Account b = create_account(server(), admin(), "viewer", "flt");
  ASSERT_EQ(put(server(), "/api/v1/users/" + a.id + "/suspend", admin()).status, 200);
  const std::string actor = login(server(), b.email, b.password);  // b acts: a login row by b

  struct Case {
    std::string name;
    std::string query;
    std::function<bool(const json&)> each;  // every item must satisfy this
    size_t min_items;
    std::optional<size_t> exact;
  };
  const std::vector<Case> cases = {
      {"entity_id", "entity_id=" + a.id, [&](const json& i) { return i["entity_id"] == a.id; }, 2, 2},
      {"entity_id+action", "entity_id=" + a.id + "&action=user.suspend",
       [&](const json& i) { return i["action"] == "user.suspend"; }, 1, 1},
      {"action", "action=user.create", [](const json& i) { return i["action"] == "user.create"; }, 2, std::nullopt},
      {"actor_id", "actor_id=" + b.id, [&](const json& i) { return i["actor_id"] == b.id; }, 1, 1},
      {"actor_id admin", "actor_id=" + admin_id(), [&](const json& i) { return i["actor_id"] == admin_id(); }, 3,
       std::nullopt},
      {"entity_type", "entity_type=user", [](const json& i) { return i["entity_type"] == "user"; }, 4, std::nullopt},
      {"no match", "entity_type=nothing-like-this", [](const json&) { return false; }, 0, 0},
      {"from the past", "from=2000-01-01T00:00:00Z&entity_id=" + a.id, [](const json&) { return true; }, 2, 2},
      {"from the future", "from=2200-01-01T00:00:00Z", [](const json&) { return false; }, 0, 0},
      {"to the past", "to=2000-01-01T00:00:00Z", [](const json&) { return false; }, 0, 0},
      {"to the future with offset", "to=2200-01-01T00:00:00.000%2B02:00&entity_id=" + a.id,
       [](const json&) { return true; }, 2, 2},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const auto items = all_items(c.query);
    EXPECT_GE(items.size(), c.min_items);
    if (c.exact) {
      EXPECT_EQ(items.size(), *c.exact);
    }
    for (const auto& i : items) EXPECT_TRUE(c.each(i)) << i;
  }

  // A time window around one row's own timestamp selects it; [at, at) selects nothing.
  const auto rows = all_items("entity_id=" + a.id + "&action=user.suspend");
  ASSERT_EQ(rows.size(), 1u);
  const std::string at = rows[0]["at"];
  const auto t = *iron::util::parse_rfc3339(at);
  const std::string next_ms = iron::util::to_rfc3339_millis(t + std::chrono::milliseconds(1));
  EXPECT_EQ(all_items("entity_id=" + a.id + "&from=" + at + "&to=" + next_ms).size(), 1u);
  EXPECT_EQ(all_items("entity_id=" + a.id + "&from=" + at + "&to=" + at).size(), 0u);
}

TEST_F(IdentityAudit, CursorPagesThroughEverythingOnce) {
  const Account u = create_account(server(), admin(), "user", "page");
  const std::string p = "/api/v1/users/" + u.id;
  for (int i = 0; i < 2; ++i) {
    ASSERT_EQ(put(server(), p + "/suspend", admin()).status, 200);
    ASSERT_EQ(put(server(), p + "/activate", admin()).status, 200);
  }
  // 5 rows for this user: create + 2 × (suspend, activate).
  const std::string q = "/api/v1/audit?entity_id=" + u.id + "&limit=2";
  std::vector<int64_t> ids;
  std::vector<size_t> sizes;
  std::string cursor;
  for (int page = 0; page < 10; ++page) {
    const Reply r = get(server(), q + (cursor.empty() ? "" : "&cursor=" + cursor), admin());
    ASSERT_EQ(r.status, 200) << r.raw;
    sizes.push_back(r.body["items"].size());
    for (const auto& i : r.body["items"]) ids.push_back(i["id"]);
    if (r.body["next_cursor"].is_null()) break;
    ASSERT_TRUE(r.body["next_cursor"].is_string()) << r.raw;
    cursor = r.body["next_cursor"];
  }
  EXPECT_EQ(sizes, (std::vector<size_t>{2, 2, 1}));
  for (size_t i = 1; i < ids.size(); ++i) EXPECT_GT(ids[i - 1], ids[i]) << "strictly newest first, no repeats";
  std::vector<int64_t> whole;
  for (const auto& i : all_items("entity_id=" + u.id)) whole.push_back(i["id"]);
  EXPECT_EQ(ids, whole);

  // Exactly `limit` rows left: the last full page already says there is no next one.
  const Reply four = get(server(), "/api/v1/audit?entity_id=" + u.id + "&limit=5", admin());
  EXPECT_EQ(four.body["items"].size(), 5u);
  EXPECT_TRUE(four.body["next_cursor"].is_null()) << four.raw;
  // The default page size is 50.
  EXPECT_LE(get(server(), "/api/v1/audit", admin()).body["items"].size(), 50u);
}

TEST_F(IdentityAudit, BadParametersAre400) {
  expect_bad_queries(server(), "/api/v1/audit", admin(), {
      {"from=yesterday", "from"},
      {"from=2026-13-01T00:00:00Z", "from"},
      {"from=2026-01-01", "from"},
      {"from=2999-01-01T00:00:00Z", "from"},  // beyond what a timestamp can hold: not silently wrapped
      {"to=2026-01-01T00:00:00", "to"},
      {"limit=0", "limit"},
      {"limit=201", "limit"},
      {"limit=abc", "limit"},
      {"cursor=abc", "cursor"},
      {"cursor=-5", "cursor"},
      {"cursor=", "cursor"},
      {"action=" + std::string(256, 'a'), "action"},
  });
  EXPECT_EQ(get(server(), "/api/v1/audit?limit=200", admin()).status, 200);
  EXPECT_EQ(get(server(), "/api/v1/audit?limit=1", admin()).status, 200);
}

TEST_F(IdentityAudit, OnlyAdminsReadTheLog) {
  const Account u = login_as(server(), create_account(server(), admin(), "user", "ro"));
  const Account v = login_as(server(), create_account(server(), admin(), "viewer", "ro"));
  for (const Account* who : {&u, &v}) {
    const Reply r = get(server(), "/api/v1/audit", who->token);
    EXPECT_EQ(r.status, 403) << r.raw;
    EXPECT_EQ(r.code(), "INSUFFICIENT_PERMISSIONS");
  }
  EXPECT_EQ(get(server(), "/api/v1/audit").status, 401);
  EXPECT_EQ(get(server(), "/api/v1/audit", "not-a-token").status, 401);
}
