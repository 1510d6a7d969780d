// Who reaches which API token, over real HTTP: authentication on every route, viewers read
// only, owners only (another user's token is 403, a missing one 404), rotate only by the owner
// and never anonymously (the predecessor let anyone rotate any id and receive the secret),
// and the user_id owner override for admins only (the predecessor honoured it from anyone).
#include <gtest/gtest.h>

#include <set>

#include "api_tokens_support.h"

using namespace api_tokens_test;

TEST(IdentityApiTokens, EveryProtectedRouteRequiresAuthentication) {
  Panel p;
  const auto t = p.create_ok(p.admin.token);
  const std::string id = std::to_string(t["id"].get<int64_t>());
  struct Case {
    std::string method, path;
    std::optional<std::string> body;
  };
  const std::vector<Case> routes = {
      {"POST", kBase, R"({"name":"x"})"}, {"GET", kBase, std::nullopt},
      {"GET", kBase + "/" + id, std::nullopt}, {"PUT", kBase + "/" + id, R"({"provider":"x"})"},
      {"DELETE", kBase + "/" + id, std::nullopt}, {"POST", kBase + "/" + id + "/rotate", std::nullopt},
  };
  for (const auto& c : routes) {
    SCOPED_TRACE(c.method + " " + c.path);
    expect_error(p.call(c.method, c.path, "", c.body), 401, "AUTH_MISSING_TOKEN");
    expect_error(p.call(c.method, c.path, "apitok_" + std::string(64, 'A'), c.body), 401, "AUTH_INVALID_TOKEN");
    expect_error(p.call(c.method, c.path, "not-a-jwt", c.body), 401, "AUTH_INVALID_TOKEN");
  }
  // Nothing changed: the token is still the only one, active.
  auto list = p.call("GET", kBase, p.admin.token);
  ASSERT_EQ(list.body.size(), 1u);
  EXPECT_EQ(list.body[0]["is_active"], true);
  // validate is public.
  auto v = p.call("POST", kBase + "/validate", "", json{{"token", t["token"]}});
  EXPECT_EQ(v.status, 200);
  EXPECT_EQ(v.body["valid"], true);
}

TEST(IdentityApiTokens, PathIdMustBeAPositiveInteger) {
  Panel p;
  for (const std::string& bad : std::vector<std::string>{"abc", "0", "-1", "1.5", "12abc", "99999999999999999999999"}) {
    for (const auto& [method, suffix] : std::vector<std::pair<std::string, std::string>>{
             {"GET", ""}, {"PUT", ""}, {"DELETE", ""}, {"POST", "/rotate"}}) {
      SCOPED_TRACE(method + " " + bad + suffix);
      std::optional<std::string> body;
      if (method == "PUT") body = R"({"provider":"x"})";
      expect_error(p.call(method, kBase + "/" + bad + suffix, p.admin.token, body), 400, "INVALID_PARAMETER", "id");
    }
  }
}

TEST(IdentityApiTokens, ViewerIsReadOnly) {
  Panel p;
  const Account v = p.add_user("viewer", "vera");
  expect_error(p.create(v.token, {{"name", "x"}}), 403, "INSUFFICIENT_PERMISSIONS");
  // An admin issues a token to the viewer: the viewer may read it, never change it.
  const auto t = p.create_ok(p.admin.token, {{"name", "for vera"}, {"user_id", v.id}});
  EXPECT_EQ(t["user_id"], v.id);
  auto list = p.call("GET", kBase, v.token);
  ASSERT_EQ(list.status, 200);
  ASSERT_EQ(list.body.size(), 1u);
  EXPECT_EQ(p.call("GET", id_path(t["id"]), v.token).status, 200);
  expect_error(p.call("PUT", id_path(t["id"]), v.token, json{{"provider", "x"}}), 403, "INSUFFICIENT_PERMISSIONS");
  expect_error(p.call("DELETE", id_path(t["id"]), v.token), 403, "INSUFFICIENT_PERMISSIONS");
  expect_error(p.call("POST", id_path(t["id"]) + "/rotate", v.token), 403, "INSUFFICIENT_PERMISSIONS");
  // Through the viewer's API token the same rule holds.
  const std::string secret = t["token"];
  EXPECT_EQ(p.call("GET", kBase, secret).status, 200);
  expect_error(p.call("PUT", id_path(t["id"]), secret, json{{"provider", "x"}}), 403, "INSUFFICIENT_PERMISSIONS");
  expect_error(p.call("DELETE", id_path(t["id"]), secret), 403, "INSUFFICIENT_PERMISSIONS");
  EXPECT_EQ(p.call("GET", id_path(t["id"]), v.token).body["is_active"], true);
}

TEST(IdentityApiTokens, AnotherUsersTokenIs403ForGetUpdateRevokeAnd404WhenMissing) {
  Panel p;
  const Account a = p.add_user("user", "alice");
  const Account b = p.add_user("user", "bob");
  const auto t = p.create_ok(a.token, {{"name", "alice's"}, {"provider", "openai"}});
  const std::string path = id_path(t["id"]);
  // The predecessor's contract answers 403 here (kept for compatibility), for admins too
  // except revoke (AdminListsAndRevokesOtherUsersTokens).
  for (const auto& who : {b.token, p.admin.token}) {
    expect_error(p.call("GET", path, who), 403, "NOT_TOKEN_OWNER");
    expect_error(p.call("PUT", path, who, json{{"provider", "stolen"}}), 403, "NOT_TOKEN_OWNER");
  }
  expect_error(p.call("DELETE", path, b.token), 403, "NOT_TOKEN_OWNER");
  auto mine = p.call("GET", path, a.token);
  ASSERT_EQ(mine.status, 200);
  EXPECT_EQ(mine.body["provider"], "openai");
  EXPECT_EQ(mine.body["is_active"], true);
  // Missing ids.
  const std::string missing = id_path(t["id"].get<int64_t>() + 1000);
  expect_error(p.call("GET", missing, a.token), 404, "NOT_FOUND");
  expect_error(p.call("PUT", missing, a.token, json{{"provider", "x"}}), 404, "NOT_FOUND");
  expect_error(p.call("DELETE", missing, a.token), 404, "NOT_FOUND");
  expect_error(p.call("POST", missing + "/rotate", a.token), 404, "NOT_FOUND");
}

TEST(IdentityApiTokens, rotate_requires_owner) {
  Panel p;
  const Account a = p.add_user("user", "alice");
  const Account b = p.add_user("user", "bob");
  const auto t = p.create_ok(a.token, {{"name", "alice's"}});
  // Neither another user nor an admin can rotate it (and learn a fresh secret); no 403
  // here: rotate never had the predecessor's 403 contract, so existence is not revealed.
  for (const auto& who : {b.token, p.admin.token}) {
    auto r = p.call("POST", id_path(t["id"]) + "/rotate", who);
    expect_error(r, 404, "NOT_FOUND");
    EXPECT_FALSE(r.body.contains("token")) << r.raw;
  }
  // Untouched: still one active token, and its secret still works.
  auto list = p.call("GET", kBase, a.token);
  ASSERT_EQ(list.body.size(), 1u);
  EXPECT_EQ(list.body[0]["is_active"], true);
  EXPECT_EQ(p.call("GET", "/api/v1/me", tok(t)).status, 200);
  EXPECT_TRUE(p.call("GET", kBase, b.token).body.empty());
}

TEST(IdentityApiTokens, rotate_requires_auth) {
  Panel p;
  const Account a = p.add_user("user", "alice");
  const auto t = p.create_ok(a.token, {{"name", "alice's"}});
  const std::string path = id_path(t["id"]) + "/rotate";
  auto anonymous = p.call("POST", path);
  expect_error(anonymous, 401, "AUTH_MISSING_TOKEN");
  EXPECT_FALSE(anonymous.body.contains("token"));
  expect_error(p.call("POST", path, "garbage"), 401, "AUTH_INVALID_TOKEN");
  auto list = p.call("GET", kBase, a.token);
  ASSERT_EQ(list.body.size(), 1u);
  EXPECT_EQ(list.body[0]["is_active"], true);
  EXPECT_EQ(p.call("GET", "/api/v1/me", tok(t)).status, 200);
}

TEST(IdentityApiTokens, TokenCannotMintTokens) {
  Panel p;
  const auto [a, t, secret] = p.user_with_token({{"name", "alice's"}});
  expect_error(p.create(secret, {{"name", "child"}}), 403, "SESSION_REQUIRED");
  expect_error(p.call("POST", id_path(t["id"]) + "/rotate", secret), 403, "SESSION_REQUIRED");
  EXPECT_EQ(p.call("GET", kBase, a.token).body.size(), 1u);
}
TEST(IdentityApiTokens, user_id_override_admin_only) {
  Panel p;
  const Account a = p.add_user("user", "alice");
  const Account b = p.add_user("user", "bob");
  // A non-admin naming someone else: 403, and nothing is created for anyone.
  expect_error(p.create(a.token, {{"name", "hijack"}, {"user_id", b.id}}), 403, "USER_ID_OVERRIDE_FORBIDDEN");
  EXPECT_TRUE(p.call("GET", kBase, b.token).body.empty());
  EXPECT_TRUE(p.call("GET", kBase, a.token).body.empty());
  // Naming yourself is fine.
  auto own = p.create_ok(a.token, {{"name", "mine"}, {"user_id", a.id}});
  EXPECT_EQ(own["user_id"], a.id);
  // An admin may issue for another user; the token then acts as that user.
  auto issued = p.create_ok(p.admin.token, {{"name", "for bob"}, {"user_id", b.id}});
  EXPECT_EQ(issued["user_id"], b.id);
  auto blist = p.call("GET", kBase, b.token);
  ASSERT_EQ(blist.body.size(), 1u);
  EXPECT_EQ(blist.body[0]["id"], issued["id"]);
  auto me = p.call("GET", "/api/v1/me", tok(issued));
  ASSERT_EQ(me.status, 200);
  EXPECT_EQ(me.body["id"], b.id);
  EXPECT_EQ(me.body["role"], "user");
  // Unknown or deleted owner.
  expect_error(p.create(p.admin.token, {{"name", "x"}, {"user_id", "user_does-not-exist"}}), 404, "USER_NOT_FOUND",
               "user_id");
  ASSERT_EQ(p.call("DELETE", "/api/v1/users/" + a.id, p.admin.token).status, 200);
  expect_error(p.create(p.admin.token, {{"name", "x"}, {"user_id", a.id}}), 404, "USER_NOT_FOUND", "user_id");
}

TEST(IdentityApiTokens, AdminListsOtherUsersTokensByUserIdQuery) {
  Panel p;
  const Account a = p.add_user("user", "alice");
  const Account b = p.add_user("user", "bob");
  const auto ta = p.create_ok(a.token, {{"name", "alice's"}});
  const auto tb = p.create_ok(b.token, {{"name", "bob's"}});
  const auto tadmin = p.create_ok(p.admin.token, {{"name", "admin's"}});
  const auto admin_tok = p.create_ok(p.admin.token, {{"name", "admin scope"}, {"scope", "admin"}});
  const auto admin_read = p.create_ok(p.admin.token, {{"name", "admin read"}, {"scope", "read"}});
  const auto admin_user = p.create_ok(p.admin.token, {{"name", "admin user"}, {"scope", "user"}});
  const auto alice_read = p.create_ok(a.token, {{"name", "alice read"}, {"scope", "read"}});
  const std::string alice_q = kBase + "?user_id=" + a.id;
  const std::string bob_q = kBase + "?user_id=" + b.id;
  const std::string all_q = kBase + "?user_id=*";
  auto ids_of = [](const json& rows) {
    std::set<int64_t> out;
    for (const auto& r : rows) out.insert(r["id"].get<int64_t>());
    return out;
  };
  const std::set<int64_t> alice_ids{ta["id"].get<int64_t>(), alice_read["id"].get<int64_t>()};
  struct Case {
    const char* name;
    std::string bearer;
    std::string path;
    int status;
    std::string code;              // on errors
    std::set<int64_t> must_have;   // on 200
    std::set<std::string> owners;  // on 200: exactly these user_ids appear
  };
  const std::vector<Case> cases = {
      {"admin session lists alice's", p.admin.token, alice_q, 200, "", alice_ids, {a.id}},
      {"admin-scoped token lists alice's", tok(admin_tok), alice_q, 200, "", alice_ids, {a.id}},
      {"admin lists everyone's", p.admin.token, all_q, 200, "",
       {ta["id"].get<int64_t>(), tb["id"].get<int64_t>(), tadmin["id"].get<int64_t>()}, {a.id, b.id, p.admin.id}},
      {"admin lists own by default", p.admin.token, kBase, 200, "", {tadmin["id"].get<int64_t>()}, {p.admin.id}},
      {"admin, unknown user: empty", p.admin.token, kBase + "?user_id=user_nobody", 200, "", {}, {}},
      {"user cannot list bob's", a.token, bob_q, 403, "USER_ID_OVERRIDE_FORBIDDEN", {}, {}},
      {"user cannot list everyone's", a.token, all_q, 403, "USER_ID_OVERRIDE_FORBIDDEN", {}, {}},
      {"user may name themselves", a.token, alice_q, 200, "", alice_ids, {a.id}},
      {"read token of a user names itself", tok(alice_read), alice_q, 200, "", alice_ids, {a.id}},
      {"read token of a user cannot list others", tok(alice_read), bob_q, 403, "USER_ID_OVERRIDE_FORBIDDEN", {}, {}},
      {"read token of an admin is capped", tok(admin_read), alice_q, 403, "USER_ID_OVERRIDE_FORBIDDEN", {}, {}},
      {"user token of an admin is capped", tok(admin_user), all_q, 403, "USER_ID_OVERRIDE_FORBIDDEN", {}, {}},
      {"empty user_id is a validation error", p.admin.token, kBase + "?user_id=", 400, "VALIDATION_ERROR", {}, {}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto r = p.call("GET", c.path, c.bearer);
    if (c.status != 200) {
      expect_error(r, c.status, c.code);
      continue;
    }
    ASSERT_EQ(r.status, 200) << r.raw;
    ASSERT_TRUE(r.body.is_array());
    const auto ids = ids_of(r.body);
    for (auto id : c.must_have) EXPECT_TRUE(ids.count(id)) << id;
    std::set<std::string> owners;
    for (const auto& row : r.body) {
      owners.insert(row["user_id"].get<std::string>());
      EXPECT_FALSE(row.contains("token")) << row.dump();
      EXPECT_FALSE(row.contains("token_hash")) << row.dump();
    }
    EXPECT_EQ(owners, c.owners);
  }
}

TEST(IdentityApiTokens, AdminRevokesAnotherUsersTokenButCannotRotateIt) {
  Panel p;
  const Account a = p.add_user("user", "alice");
  const Account b = p.add_user("user", "bob");
  const auto t = p.create_ok(a.token, {{"name", "alice's"}});
  const std::string path = id_path(t["id"]);
  ASSERT_EQ(p.call("GET", "/api/v1/me", tok(t)).status, 200);
  // Rotating someone else's token stays refused: the new secret would reach the admin.
  expect_error(p.call("POST", path + "/rotate", p.admin.token), 404, "NOT_FOUND");
  // A non-admin still cannot revoke it; a user-scoped token of an admin is capped too.
  expect_error(p.call("DELETE", path, b.token), 403, "NOT_TOKEN_OWNER");
  const auto admin_user = p.create_ok(p.admin.token, {{"name", "capped"}, {"scope", "user"}});
  expect_error(p.call("DELETE", path, tok(admin_user)), 403, "NOT_TOKEN_OWNER");
  // The admin revokes it; alice's token is refused from then on, and the row shows revoked.
  auto r = p.call("DELETE", path, p.admin.token);
  ASSERT_EQ(r.status, 200) << r.raw;
  EXPECT_EQ(r.body["revoked"], true);
  expect_error(p.call("GET", "/api/v1/me", tok(t)), 401, "AUTH_TOKEN_REVOKED");
  expect_error(p.call("DELETE", path, p.admin.token), 409, "TOKEN_ALREADY_REVOKED");
  auto mine = p.call("GET", path, a.token);
  ASSERT_EQ(mine.status, 200);
  EXPECT_EQ(mine.body["is_active"], false);
  // Audited with the admin as the actor.
  const auto audit = p.call("GET", "/api/v1/audit?action=api_token.revoke", p.admin.token);
  ASSERT_EQ(audit.status, 200) << audit.raw;
  ASSERT_EQ(audit.body["items"].size(), 1u) << audit.raw;
  EXPECT_EQ(audit.body["items"][0]["actor_id"], p.admin.id);
  EXPECT_EQ(audit.body["items"][0]["entity_id"], std::to_string(t["id"].get<int64_t>()));
}
