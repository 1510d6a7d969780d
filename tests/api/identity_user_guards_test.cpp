// Changing users over real HTTP: suspend, activate, role and password reset with validated
// bodies; non-admins refused before any validation, viewers never mutate, and an admin cannot
// demote, suspend, delete or reset themself (the predecessor answered those with 500).
#include <gtest/gtest.h>

#include "identity_users_support.h"

using namespace iron::test;

TEST_F(IdentityUsers, SuspendActivateRoleAndResetMutateTheUser) {
  const Account a = account("user", "mut");
  Reply r = put(server(), user_path(a.id, "/suspend"), admin(), {{"reason", "left the team"}});
  ASSERT_EQ(r.status, 200) << r.raw;
  EXPECT_EQ(r.body["is_active"], false);
  EXPECT_EQ(r.body["suspended_reason"], "left the team");
  EXPECT_TRUE(r.body["suspended_at"].is_number_integer());
  r = put(server(), user_path(a.id, "/suspend"), admin());
  EXPECT_EQ(r.status, 409) << r.raw;
  EXPECT_EQ(r.code(), "ALREADY_SUSPENDED");

  r = put(server(), user_path(a.id, "/activate"), admin());
  ASSERT_EQ(r.status, 200) << r.raw;
  EXPECT_EQ(r.body["is_active"], true);
  EXPECT_TRUE(r.body["suspended_at"].is_null());
  r = put(server(), user_path(a.id, "/activate"), admin());
  EXPECT_EQ(r.status, 409) << r.raw;
  EXPECT_EQ(r.code(), "ALREADY_ACTIVE");

  // The suspend body is optional: no body at all is fine.
  r = send(server(), {.method = "PUT", .path = user_path(a.id, "/suspend"), .token = admin()});
  EXPECT_EQ(r.status, 200) << r.raw;
  EXPECT_TRUE(r.body["suspended_reason"].is_null());
  ASSERT_EQ(put(server(), user_path(a.id, "/activate"), admin()).status, 200);

  r = put(server(), user_path(a.id, "/role"), admin(), {{"role", "viewer"}});
  ASSERT_EQ(r.status, 200) << r.raw;
  EXPECT_EQ(r.body["role"], "viewer");
  EXPECT_EQ(get(server(), user_path(a.id), admin()).body["role"], "viewer");

  r = post(server(), user_path(a.id, "/reset-password"), admin(),
           {{"new_password", "reset-password-1"}, {"force_change", false}});
  ASSERT_EQ(r.status, 200) << r.raw;
  EXPECT_EQ(r.body["force_password_change"], false);
  EXPECT_EQ(login_reply(server(), a.email, a.password).status, 401);
  const std::string t = login(server(), a.email, "reset-password-1");
  EXPECT_EQ(get(server(), "/api/v1/me", t).status, 200);

  r = del(server(), user_path(a.id), admin());
  ASSERT_EQ(r.status, 200) << r.raw;
  EXPECT_TRUE(r.body["deleted_at"].is_number_integer());
  EXPECT_EQ(r.body["is_active"], false);
}

TEST_F(IdentityUsers, MutationBodiesAreValidated) {
  const Account a = account("user", "mbody");
  struct Case {
    std::string name;
    std::string method;
    std::string suffix;
    std::string body;
    std::string content_type;
    int status;
    std::string field;
  };
  const std::string ct = "application/json";
  const std::vector<Case> cases = {
      {"suspend reason too long", "PUT", "/suspend", json{{"reason", std::string(1001, 'r')}}.dump(), ct, 400, "reason"},
      {"suspend reason wrong type", "PUT", "/suspend", R"({"reason": 5})", ct, 400, "reason"},
      {"suspend malformed", "PUT", "/suspend", "{", ct, 400, ""},
      {"suspend body without Content-Type", "PUT", "/suspend", R"({"reason":"x"})", "", 415, ""},
      {"role missing", "PUT", "/role", "{}", ct, 400, "role"},
      {"role unknown", "PUT", "/role", R"({"role":"owner"})", ct, 400, "role"},
      {"role wrong type", "PUT", "/role", R"({"role":["admin"]})", ct, 400, "role"},
      {"role no body", "PUT", "/role", "", ct, 400, ""},
      {"role without Content-Type", "PUT", "/role", R"({"role":"user"})", "", 415, ""},
      {"reset missing password", "POST", "/reset-password", "{}", ct, 400, "new_password"},
      {"reset short password", "POST", "/reset-password", R"({"new_password":"short"})", ct, 400, "new_password"},
      {"reset over-long password", "POST", "/reset-password", json{{"new_password", std::string(1001, 'x')}}.dump(), ct,
       400, "new_password"},
      {"reset force_change wrong type", "POST", "/reset-password",
       R"({"new_password":"long-enough-pass","force_change":"yes"})", ct, 400, "force_change"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const Reply r = send(server(), {.method = c.method, .path = user_path(a.id, c.suffix), .token = admin(),
                                    .body = c.body, .content_type = c.content_type});
    EXPECT_EQ(r.status, c.status) << r.raw;
    if (!c.field.empty()) {
      EXPECT_EQ(r.field(), c.field) << r.raw;
    }
  }
  const Reply after = get(server(), user_path(a.id), admin());
  EXPECT_EQ(after.body["is_active"], true) << "no refused request changed the user";
  EXPECT_EQ(after.body["role"], "user");
  EXPECT_FALSE(login(server(), a.email, a.password).empty());
}

TEST_F(IdentityUsers, NonAdminsGet403BeforeAnyValidation) {
  const Account user = logged_in("user", "rbac");
  const Account viewer = logged_in("viewer", "rbac");
  const Account target = account("user", "rbac_target");
  ASSERT_FALSE(user.token.empty());
  ASSERT_FALSE(viewer.token.empty());
  struct Case {
    std::string method;
    std::string path;
    std::optional<std::string> body;
  };
  // Bodies are deliberately invalid: RBAC must answer first (the predecessor validated first).
  const std::vector<Case> cases = {
      {"POST", "/api/v1/users", R"({"username": 1})"},
      {"POST", "/api/v1/users", "{not json"},
      {"GET", "/api/v1/users?page=0", std::nullopt},
      {"GET", "/api/v1/users", std::nullopt},
      {"GET", user_path(target.id), std::nullopt},
      {"GET", user_path("no-such-user"), std::nullopt},
      {"DELETE", user_path(target.id), std::nullopt},
      {"PUT", user_path(target.id, "/suspend"), R"({"reason": 7})"},
      {"PUT", user_path(target.id, "/activate"), std::nullopt},
      {"PUT", user_path(target.id, "/role"), R"({"role":"admin"})"},
      {"PUT", user_path(user.id, "/role"), R"({"role":"admin"})"},
      {"POST", user_path(target.id, "/reset-password"), R"({"new_password":"x"})"},
      {"POST", user_path(target.id, "/unlock"), std::nullopt},
  };
  for (const Account* who : {&user, &viewer}) {
    for (const auto& c : cases) {
      SCOPED_TRACE(who->username + " " + c.method + " " + c.path);
      const Reply r = send(server(), {.method = c.method, .path = c.path, .token = who->token, .body = c.body});
      EXPECT_EQ(r.status, 403) << r.raw;
      EXPECT_EQ(r.code(), "INSUFFICIENT_PERMISSIONS") << r.raw;
      const Reply anon = send(server(), {.method = c.method, .path = c.path, .body = c.body});
      EXPECT_EQ(anon.status, 401) << anon.raw;
      EXPECT_EQ(anon.code(), "AUTH_MISSING_TOKEN") << anon.raw;
    }
  }
  EXPECT_EQ(get(server(), user_path(user.id), admin()).body["role"], "user") << "self-promotion must not happen";
  EXPECT_EQ(get(server(), user_path(target.id), admin()).body["is_active"], true);
}

// "viewer is really read-only" — every mutating users route refuses it, even
// with a perfectly valid request, and nothing changes.
TEST_F(IdentityUsers, viewer_cannot_mutate) {
  const Account viewer = logged_in("viewer", "ro");
  const Account target = account("user", "ro_target");
  const Account suspended = account("user", "ro_susp");
  ASSERT_EQ(put(server(), user_path(suspended.id, "/suspend"), admin()).status, 200);
  struct Case {
    std::string method;
    std::string path;
    std::optional<json> body;
  };
  const std::vector<Case> cases = {
      {"POST", "/api/v1/users",
       json{{"username", unique("ro_new_")}, {"email", unique("ro_new") + "@example.test"},
            {"password", "valid-password-1"}, {"role", "viewer"}}},
      {"DELETE", user_path(target.id), std::nullopt},
      {"PUT", user_path(target.id, "/suspend"), json{{"reason", "valid"}}},
      {"PUT", user_path(suspended.id, "/activate"), std::nullopt},
      {"PUT", user_path(target.id, "/role"), json{{"role", "viewer"}}},
      {"PUT", user_path(viewer.id, "/role"), json{{"role", "admin"}}},
      {"POST", user_path(target.id, "/reset-password"), json{{"new_password", "valid-password-2"}, {"force_change", false}}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.method + " " + c.path);
    Call call{.method = c.method, .path = c.path, .token = viewer.token};
    if (c.body) call.body = c.body->dump();
    const Reply r = send(server(), call);
    EXPECT_EQ(r.status, 403) << r.raw;
  }
  const Reply t = get(server(), user_path(target.id), admin());
  EXPECT_EQ(t.body["is_active"], true);
  EXPECT_EQ(t.body["role"], "user");
  EXPECT_EQ(get(server(), user_path(suspended.id), admin()).body["is_active"], false);
  EXPECT_EQ(get(server(), user_path(viewer.id), admin()).body["role"], "viewer");
  EXPECT_FALSE(login(server(), target.email, target.password).empty()) << "the password was not reset";
  EXPECT_EQ(get(server(), "/api/v1/users?search=ro_new_", admin()).body["total"], 0);
}

// The predecessor answered 500 when an admin targeted themself; demoting, suspending,
// deleting (or resetting the password of) your own account is a 403 now.
TEST_F(IdentityUsers, cannot_modify_self) {
  const Account admin2 = logged_in("admin", "self");
  ASSERT_FALSE(admin2.token.empty());
  struct Case {
    std::string method;
    std::string suffix;
    std::optional<json> body;
  };
  const std::vector<Case> cases = {
      {"PUT", "/suspend", json::object()},
      {"DELETE", "", std::nullopt},
      {"PUT", "/role", json{{"role", "user"}}},
      {"PUT", "/role", json{{"role", "viewer"}}},
      {"POST", "/reset-password", json{{"new_password", "self-reset-password"}}},
  };
  for (const auto& [id, token] : {std::pair{admin_id(), admin()}, std::pair{admin2.id, admin2.token}}) {
    for (const auto& c : cases) {
      SCOPED_TRACE(id + " " + c.method + " " + c.suffix);
      Call call{.method = c.method, .path = user_path(id, c.suffix), .token = token};
      if (c.body) call.body = c.body->dump();
      const Reply r = send(server(), call);
      EXPECT_EQ(r.status, 403) << r.raw;
      EXPECT_EQ(r.code(), "SELF_MODIFICATION_FORBIDDEN") << r.raw;
    }
  }
  const Reply me = get(server(), "/api/v1/me", admin2.token);
  ASSERT_EQ(me.status, 200) << me.raw;
  EXPECT_EQ(me.body["role"], "admin");
  EXPECT_EQ(me.body["is_active"], true);
  EXPECT_FALSE(login(server(), admin2.email, admin2.password).empty()) << "the password is unchanged";
  EXPECT_EQ(get(server(), "/api/v1/me", admin()).body["role"], "admin");
  // The same actions on someone else are fine (the guard is about self, not the action).
  const Account other = account("admin", "self_other");
  EXPECT_EQ(put(server(), user_path(other.id, "/role"), admin2.token, {{"role", "user"}}).status, 200);
}
