// apitok_ tokens as bearer credentials, over real HTTP: revoked, expired and suspended-owner
// tokens refused, a token acting with its owner's current role, validate revealing nothing
// for unknown tokens, and the caps on active tokens and on the creation rate.
#include <gtest/gtest.h>

#include "api_tokens_support.h"

using namespace api_tokens_test;

TEST(IdentityApiTokens, revoked_token_refused) {
  Panel p;
  const auto [a, t, secret] = p.user_with_token();
  auto me = p.call("GET", "/api/v1/me", secret);
  ASSERT_EQ(me.status, 200) << me.raw;
  EXPECT_EQ(me.body["id"], a.id);
  ASSERT_EQ(p.call("DELETE", id_path(t["id"]), a.token).status, 200);
  expect_error(p.call("GET", "/api/v1/me", secret), 401, "AUTH_TOKEN_REVOKED");
  expect_error(p.call("GET", kBase, secret), 401, "AUTH_TOKEN_REVOKED");
  auto v = p.call("POST", kBase + "/validate", "", json{{"token", secret}});
  EXPECT_EQ(v.status, 200);
  EXPECT_EQ(v.body, json({{"valid", false}}));
}

TEST(IdentityApiTokens, expired_token_refused) {
  Panel p;
  const auto [a, t, secret] = p.user_with_token({{"name", "n"}, {"expires_at", rfc3339_in(3600'000)}});
  ASSERT_EQ(p.call("GET", "/api/v1/me", secret).status, 200);
  EXPECT_EQ(p.call("POST", kBase + "/validate", "", json{{"token", secret}}).body["valid"], true);
  // Test setup: move the expiry into the past instead of waiting for it.
  p.db().exec_with_id("UPDATE api_tokens SET expires_at = " + std::to_string(now_ms() - 1000) + " WHERE id = ?",
                      t["id"].get<int64_t>());
  expect_error(p.call("GET", "/api/v1/me", secret), 401, "AUTH_TOKEN_EXPIRED");
  EXPECT_EQ(p.call("POST", kBase + "/validate", "", json{{"token", secret}}).body, json({{"valid", false}}));
  expect_error(p.call("POST", id_path(t["id"]) + "/rotate", a.token), 409, "TOKEN_EXPIRED");
  // Still listed; the list reports the expiry.
  auto one = p.call("GET", id_path(t["id"]), a.token);
  ASSERT_EQ(one.status, 200);
  EXPECT_TRUE(one.body["expires_at"].is_string());
}

TEST(IdentityApiTokens, suspended_owner_token_refused) {
  Panel p;
  const auto [a, t, secret] = p.user_with_token();
  ASSERT_EQ(p.call("GET", "/api/v1/me", secret).status, 200);
  // Test setup (Db, api_tokens_support.h): the owner's row is suspended without the
  // revocations PUT /users/:id/suspend performs, so what refuses the token is the live check
  // of its owner, and re-activating the row brings the same token back.
  p.db().exec_with_id("UPDATE users SET is_active = 0, suspended_at = 1 WHERE id = ?", a.id);
  expect_error(p.call("GET", "/api/v1/me", secret), 401, "AUTH_ACCOUNT_DISABLED");
  EXPECT_EQ(p.call("POST", kBase + "/validate", "", json{{"token", secret}}).body, json({{"valid", false}}));
  // Re-activated: the same token works again (the owner is re-read on every request).
  p.db().exec_with_id("UPDATE users SET is_active = 1, suspended_at = NULL WHERE id = ?", a.id);
  EXPECT_EQ(p.call("GET", "/api/v1/me", secret).status, 200);
  // Deleted owner: refused.
  p.db().exec_with_id("UPDATE users SET is_active = 0, deleted_at = 1 WHERE id = ?", a.id);
  expect_error(p.call("GET", "/api/v1/me", secret), 401, "AUTH_ACCOUNT_DISABLED");
  EXPECT_EQ(p.call("POST", kBase + "/validate", "", json{{"token", secret}}).body, json({{"valid", false}}));
}

TEST(IdentityApiTokens, token_acts_with_owner_current_role) {
  Panel p;
  const auto [a, t, secret] = p.user_with_token();
  const std::string path = id_path(t["id"]);
  auto me = p.call("GET", "/api/v1/me", secret);
  ASSERT_EQ(me.status, 200);
  EXPECT_EQ(me.body["role"], "user");
  EXPECT_EQ(p.call("PUT", path, secret, json{{"provider", "as-user"}}).status, 200);

  // The admin demotes the owner; the token follows at once.
  const std::string role_path = "/api/v1/users/" + a.id + "/role";
  ASSERT_EQ(p.call("PUT", role_path, p.admin.token, json{{"role", "viewer"}}).status, 200);
  EXPECT_EQ(p.call("GET", "/api/v1/me", secret).body["role"], "viewer");
  expect_error(p.call("PUT", path, secret, json{{"provider", "as-viewer"}}), 403, "INSUFFICIENT_PERMISSIONS");

  ASSERT_EQ(p.call("PUT", role_path, p.admin.token, json{{"role", "admin"}}).status, 200);
  EXPECT_EQ(p.call("GET", "/api/v1/me", secret).body["role"], "admin");
  EXPECT_EQ(p.call("PUT", path, secret, json{{"provider", "as-admin"}}).status, 200);
  EXPECT_EQ(p.call("GET", path, a.token).body["provider"], "as-admin");
}

TEST(IdentityApiTokens, validate_reveals_nothing_for_unknown) {
  Panel p;
  const auto [a, t, secret] = p.user_with_token({{"name", "n"}, {"project_id", "proj-9"}});

  auto ok = p.call("POST", kBase + "/validate", "", json{{"token", secret}});
  ASSERT_EQ(ok.status, 200);
  EXPECT_EQ(ok.body, json({{"valid", true}, {"user_id", a.id}, {"project_id", "proj-9"}, {"token_id", t["id"]}}));

  std::string flipped = secret;
  flipped.back() = flipped.back() == 'a' ? 'b' : 'a';
  for (const std::string& unknown : {std::string("apitok_") + std::string(64, '0'), flipped, std::string("apitok_"),
                                    std::string("hello"), secret.substr(7), secret + "x"}) {
    SCOPED_TRACE(unknown);
    auto r = p.call("POST", kBase + "/validate", "", json{{"token", unknown}});
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.raw, R"({"valid":false})");
  }
  // Bad requests are 400 in the envelope, never a hint about tokens.
  expect_error(p.call("POST", kBase + "/validate", "", json::object()), 400, "MISSING_FIELD", "token");
  expect_error(p.call("POST", kBase + "/validate", "", json{{"token", 5}}), 400, "VALIDATION_ERROR", "token");
  expect_error(p.call("POST", kBase + "/validate", "", json{{"token", ""}}), 400, "VALIDATION_ERROR", "token");
  expect_error(p.call("POST", kBase + "/validate", "", std::optional<std::string>("{")), 400, "MALFORMED_JSON");
  // Validation is not use: no last_used_at.
  EXPECT_TRUE(p.call("GET", id_path(t["id"]), a.token).body["last_used_at"].is_null());
}

TEST(IdentityApiTokens, token_limit_429) {
  Panel p;
  const Account u = p.add_user("user", "ulla");
  // The admin issues ten tokens to ulla: the cap counts the OWNER's active tokens, while
  // the per-minute budget is the caller's, so ulla's own creation budget stays untouched.
  for (int i = 0; i < 10; ++i) p.create_ok(p.admin.token, {{"name", numbered("t", i)}, {"user_id", u.id}});
  auto r = p.create(u.token, {{"name", "eleventh"}});
  expect_error(r, 429, "TOKEN_LIMIT_EXCEEDED");
  EXPECT_FALSE(r.header("Retry-After").empty());
  EXPECT_EQ(p.call("GET", kBase, u.token).body.size(), 10u);
  // Revoking one frees a slot.
  const auto list = p.call("GET", kBase, u.token).body;
  ASSERT_EQ(p.call("DELETE", id_path(list[0]["id"]), u.token).status, 200);
  p.create_ok(u.token, {{"name", "replacement"}});
  expect_error(p.create(u.token, {{"name", "twelfth"}}), 429, "TOKEN_LIMIT_EXCEEDED");
  // An expired token does not hold a slot either (test setup: expire one in the database).
  p.db().exec_with_id("UPDATE api_tokens SET expires_at = 1 WHERE id = ?", list[1]["id"].get<int64_t>());
  p.create_ok(u.token, {{"name", "after expiry"}});
}

TEST(IdentityApiTokens, creation_rate_429) {
  Panel p;
  const Account u = p.add_user("user", "ulla");
  std::vector<int64_t> ids;
  for (int i = 0; i < 10; ++i) ids.push_back(p.create_ok(u.token, {{"name", numbered("t", i)}})["id"].get<int64_t>());
  // Stay under the active cap, so only the rate can refuse the next one.
  for (int i = 0; i < 5; ++i) ASSERT_EQ(p.call("DELETE", id_path(ids[i]), u.token).status, 200);
  auto r = p.create(u.token, {{"name", "eleventh in a minute"}});
  expect_error(r, 429, "RATE_LIMIT_EXCEEDED");
  ASSERT_FALSE(r.header("Retry-After").empty());
  const int retry = std::stoi(r.header("Retry-After"));
  EXPECT_GE(retry, 1);
  EXPECT_LE(retry, 60);
  EXPECT_EQ(r.body["error"]["details"]["retry_after"], retry);
  EXPECT_EQ(p.call("GET", kBase, u.token).body.size(), 10u) << "the refused creation left no row";
  // Other users have their own budget.
  const Account v = p.add_user("user", "vic");
  p.create_ok(v.token, {{"name", "unaffected"}});
}
