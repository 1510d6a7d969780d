// Sessions over real HTTP: login, refresh rotation and reuse detection, logout, validate,
// browser cookie sessions, and the error envelope on bad input. Login throttling is in
// identity_login_throttle_test.cpp, how sessions end in identity_session_end_test.cpp.
#include <gtest/gtest.h>

#include "support/panel.h"
#include "support/scenario.h"

using namespace iron::test;

namespace {

// The body of the admin's successful login.
json admin_login(const ServerProcess& s, httplib::Headers headers = {}) {
  const Reply r = login_reply(s, kAdminEmail, kAdminPassword, std::move(headers));
  EXPECT_EQ(r.status, 200) << r.raw;
  return r.body;
}

Reply post_bearer(const ServerProcess& s, const std::string& path, const std::string& token,
                  httplib::Headers headers = {}) {
  return send(s, {.method = "POST", .path = path, .token = token, .body = "", .headers = std::move(headers)});
}

}  // namespace

class IdentityAuth : public PanelSuite {};

TEST_F(IdentityAuth, LoginKeepsThePredecessorsFieldNames) {
  const json j = admin_login(server());
  EXPECT_TRUE(j["user_token"].is_string());
  EXPECT_EQ(j["token_type"], "Bearer");
  EXPECT_GT(j["expires_in"].get<int>(), 0);
  EXPECT_LE(j["expires_in"].get<int>(), 15 * 60);
  EXPECT_TRUE(j["expires_at"].is_string());
  EXPECT_TRUE(j["refresh_token"].is_string());
  EXPECT_EQ(j["user"]["email"], kAdminEmail);
  EXPECT_EQ(j["user"]["role"], "admin");
  EXPECT_TRUE(j["user"]["id"].get<std::string>().starts_with("user_"));
  EXPECT_TRUE(j["user"]["name"].is_string());
}

TEST_F(IdentityAuth, BadLoginInputIsA4xxEnvelope) {
  const auto bad = [](std::string name, std::string body, int status, std::string code,
                      std::string content_type = "application/json") {
    return Scenario{.name = std::move(name), .method = "POST", .path = "/api/v1/auth/login",
                    .raw_body = std::move(body), .content_type = std::move(content_type), .status = status,
                    .code = std::move(code)};
  };
  const std::string email = std::string(R"({"email":")") + kAdminEmail + "\"";
  run_scenarios(server(), {
      bad("no password", email + "}", 400, "MISSING_FIELD"),
      bad("password not a string", email + R"(,"password":12})", 400, "VALIDATION_ERROR"),
      bad("truncated JSON", email + ",", 400, "MALFORMED_JSON"),
      bad("not an object", R"(["not","an","object"])", 400, "INVALID_JSON"),
      bad("not JSON", email + R"(,"password":"x"})", 415, "UNSUPPORTED_MEDIA_TYPE", "text/plain"),
      bad("unknown account", R"({"email":"nobody@example.com","password":"whatever-password"})", 401,
          "AUTH_INVALID_CREDENTIALS"),
  });
}

TEST_F(IdentityAuth, RefreshRotatesAndReuseRevokesTheWholeChain) {
  const std::string rt1 = admin_login(server())["refresh_token"];
  const Reply r2 = refresh_with(server(), rt1);
  ASSERT_EQ(r2.status, 200) << r2.raw;
  const std::string rt2 = r2.body["refresh_token"];
  EXPECT_NE(rt2, rt1);
  // The predecessor's way (refresh token as Bearer, no body) works too.
  const Reply r3 = post_bearer(server(), "/api/v1/auth/refresh", rt2);
  ASSERT_EQ(r3.status, 200) << r3.raw;
  const std::string rt3 = r3.body["refresh_token"];
  // rt1 again: reuse detected → 401, and the newest token of the chain is dead too.
  EXPECT_EQ(refresh_with(server(), rt1).status, 401);
  EXPECT_EQ(refresh_with(server(), rt3).status, 401) << "reuse must revoke the whole chain";
}

TEST_F(IdentityAuth, RefreshTokenRejectedAsAccess) {
  const json j = admin_login(server());
  EXPECT_EQ(get(server(), "/api/v1/me", j["refresh_token"]).status, 401);
  EXPECT_EQ(get(server(), "/api/v1/me", j["user_token"]).status, 200);
  // and an access token is never accepted as a refresh token
  EXPECT_EQ(refresh_with(server(), j["user_token"]).status, 401);
}

TEST_F(IdentityAuth, LogoutTwiceIs204AndTheTokenIsDead) {
  const std::string at = admin_login(server())["user_token"];
  for (int i = 0; i < 2; ++i) EXPECT_EQ(post_bearer(server(), "/api/v1/auth/logout", at).status, 204) << "logout #" << i + 1;
  EXPECT_EQ(get(server(), "/api/v1/me", at).status, 401);
  const Reply v = post_bearer(server(), "/api/v1/auth/validate", at);
  EXPECT_EQ(v.status, 200);
  EXPECT_EQ(v.body["valid"], false);
  EXPECT_EQ(v.body["reason"], "TOKEN_REVOKED");
}

TEST_F(IdentityAuth, ValidateReportsValidAndInvalid) {
  const std::string at = admin_login(server())["user_token"];
  const Reply ok = post_bearer(server(), "/api/v1/auth/validate", at);
  EXPECT_EQ(ok.body["valid"], true);
  EXPECT_EQ(ok.body["user"]["email"], kAdminEmail);
  std::string tampered = at;
  tampered.back() = tampered.back() == 'A' ? 'B' : 'A';
  const Reply bad = post_bearer(server(), "/api/v1/auth/validate", tampered);
  EXPECT_EQ(bad.body["valid"], false);
  EXPECT_EQ(bad.body["reason"], "TOKEN_INVALID");
}

TEST_F(IdentityAuth, MissingOrMalformedBearerIs401Envelope) {
  for (const auto& h : std::vector<httplib::Headers>{{}, {{"Authorization", "Basic abc"}}, {{"Authorization", "Bearer"}},
                                                       {{"Authorization", "Bearer not.a.jwt"}}}) {
    const Reply r = send(server(), {.path = "/api/v1/me", .headers = h});
    EXPECT_EQ(r.status, 401);
    EXPECT_TRUE(r.body["error"]["code"].is_string()) << r.raw;
  }
}

TEST_F(IdentityAuth, BrowserSessionUsesAnHttpOnlyCookieAndNeedsTheCustomHeader) {
  const Reply r = login_reply(server(), kAdminEmail, kAdminPassword, {{"X-Requested-With", "ironpanel"}});
  ASSERT_EQ(r.status, 200);
  EXPECT_TRUE(r.body["refresh_token"].is_null()) << "the SPA must never see the refresh token";
  const std::string set_cookie = r.header("Set-Cookie");
  EXPECT_NE(set_cookie.find("iron_refresh="), std::string::npos);
  EXPECT_NE(set_cookie.find("HttpOnly"), std::string::npos);
  EXPECT_NE(set_cookie.find("SameSite=Strict"), std::string::npos);
  EXPECT_NE(set_cookie.find("Path=/api/v1/auth"), std::string::npos);
  EXPECT_EQ(set_cookie.find("Secure"), std::string::npos) << "plain HTTP from a direct client";
  const std::string cookie = set_cookie.substr(0, set_cookie.find(';'));

  const Reply csrf = post_bearer(server(), "/api/v1/auth/refresh", "", {{"Cookie", cookie}});
  EXPECT_EQ(csrf.status, 403);
  EXPECT_EQ(csrf.code(), "CSRF_HEADER_REQUIRED");

  const Reply ok = post_bearer(server(), "/api/v1/auth/refresh", "", {{"Cookie", cookie}, {"X-Requested-With", "ironpanel"}});
  EXPECT_EQ(ok.status, 200) << ok.raw;
  EXPECT_NE(ok.header("Set-Cookie").find("iron_refresh="), std::string::npos);
}

TEST_F(IdentityAuth, CookieIsSecureWhenATrustedProxySaysHttps) {
  const Reply r = login_reply(server(), kAdminEmail, kAdminPassword,
                              {{"X-Requested-With", "ironpanel"}, {"X-Forwarded-Proto", "https"}});
  EXPECT_NE(r.header("Set-Cookie").find("; Secure"), std::string::npos);
}

TEST_F(IdentityAuth, ChangeOwnPasswordNeedsTheCurrentOneAndTwelveCharacters) {
  const std::string at = admin_login(server())["user_token"];
  const auto change = [&](std::string name, json body) {
    return Scenario{.name = std::move(name), .principal = at, .method = "PUT", .path = "/api/v1/me/password",
                    .body = std::move(body), .status = 400};
  };
  run_scenarios(server(), {
      change("wrong current password", {{"current_password", "wrong-password-here"}, {"new_password", "another-long-password"}}),
      change("new password too short", {{"current_password", kAdminPassword}, {"new_password", "short"}}),
      change("no new password", {{"current_password", kAdminPassword}}),
  });
}

// An admin password reset ends the user's existing sessions at once (not after the 15 min
// access-token lifetime); a fresh login with the new password works immediately.
TEST(IdentitySessions, AdminPasswordResetEndsExistingSessionsAtOnce) {
  Panel p;
  Account carol = p.add_user("user", "carol");
  ASSERT_FALSE(carol.token.empty());
  ASSERT_EQ(p.call("GET", "/api/v1/me", carol.token).status, 200);

  const Reply reset = p.call("POST", "/api/v1/users/" + carol.id + "/reset-password", p.admin.token,
                             {{"new_password", "carol-password-2"}, {"force_change", false}});
  ASSERT_EQ(reset.status, 200) << reset.raw;

  EXPECT_EQ(p.call("GET", "/api/v1/me", carol.token).status, 401) << "a session of the old password survived the reset";
  const std::string fresh = p.login(carol.email, "carol-password-2");
  EXPECT_EQ(p.call("GET", "/api/v1/me", fresh).status, 200);
}
