// Sessions over real HTTP: login, refresh rotation and reuse detection, logout, validate,
// browser cookie sessions, and the error envelope on bad input. Login throttling is in
// identity_login_throttle_test.cpp, how sessions end in identity_session_end_test.cpp.
#include <gtest/gtest.h>

#include "support/server_process.h"

using iron::test::json_of;
using iron::test::ServerProcess;

namespace {

constexpr const char* kAdminEmail = "admin@example.com";
constexpr const char* kAdminPassword = "correct-horse-battery-staple";

ServerProcess::Options admin_options(std::vector<std::string> args = {}) {
  return {.extra_args = std::move(args),
          .env = {{"IRON_ADMIN_EMAIL", kAdminEmail}, {"IRON_ADMIN_PASSWORD", kAdminPassword}}};
}

httplib::Result post_json(httplib::Client& c, const std::string& path, const nlohmann::json& body,
                          httplib::Headers headers = {}) {
  return c.Post(path, headers, body.dump(), "application/json");
}

nlohmann::json login(httplib::Client& c, const std::string& email = kAdminEmail,
                     const std::string& password = kAdminPassword) {
  auto r = post_json(c, "/api/v1/auth/login", {{"email", email}, {"password", password}});
  EXPECT_TRUE(r);
  if (!r) return nullptr;
  EXPECT_EQ(r->status, 200) << r->body;
  return json_of(r);
}

httplib::Headers bearer(const std::string& token) { return {{"Authorization", "Bearer " + token}}; }

}  // namespace

class IdentityAuth : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = new ServerProcess(admin_options()); }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  static ServerProcess* server_;
};
ServerProcess* IdentityAuth::server_ = nullptr;

TEST_F(IdentityAuth, LoginKeepsThePredecessorsFieldNames) {
  auto c = server_->client();
  const auto j = login(*c);
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
  auto c = server_->client();
  struct Case {
    std::string body, content_type;
    int status;
    std::string code;
  };
  const std::vector<Case> cases = {
      {R"({"email":"admin@example.com"})", "application/json", 400, "MISSING_FIELD"},
      {R"({"email":"admin@example.com","password":12})", "application/json", 400, "VALIDATION_ERROR"},
      {R"({"email":"admin@example.com",)", "application/json", 400, "MALFORMED_JSON"},
      {R"(["not","an","object"])", "application/json", 400, "INVALID_JSON"},
      {R"({"email":"admin@example.com","password":"x"})", "text/plain", 415, "UNSUPPORTED_MEDIA_TYPE"},
      {R"({"email":"nobody@example.com","password":"whatever-password"})", "application/json", 401, "AUTH_INVALID_CREDENTIALS"},
  };
  for (const auto& tc : cases) {
    SCOPED_TRACE(tc.body);
    auto r = c->Post("/api/v1/auth/login", tc.body, tc.content_type);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, tc.status);
    const auto j = json_of(r);
    EXPECT_EQ(j["error"]["code"], tc.code);
    EXPECT_TRUE(j["error"]["message"].is_string());
    EXPECT_TRUE(j["error"]["details"].is_object());
  }
}

TEST_F(IdentityAuth, RefreshRotatesAndReuseRevokesTheWholeChain) {
  auto c = server_->client();
  const auto first = login(*c);
  const std::string rt1 = first["refresh_token"];
  auto r2 = post_json(*c, "/api/v1/auth/refresh", {{"refresh_token", rt1}});
  ASSERT_TRUE(r2);
  ASSERT_EQ(r2->status, 200) << r2->body;
  const std::string rt2 = json_of(r2)["refresh_token"];
  EXPECT_NE(rt2, rt1);
  // The predecessor's way (refresh token as Bearer, no body) works too.
  auto r3 = c->Post("/api/v1/auth/refresh", bearer(rt2), "", "application/json");
  ASSERT_TRUE(r3);
  ASSERT_EQ(r3->status, 200) << r3->body;
  const std::string rt3 = json_of(r3)["refresh_token"];
  // rt1 again: reuse detected → 401, and the newest token of the chain is dead too.
  auto reuse = post_json(*c, "/api/v1/auth/refresh", {{"refresh_token", rt1}});
  ASSERT_TRUE(reuse);
  EXPECT_EQ(reuse->status, 401);
  auto after = post_json(*c, "/api/v1/auth/refresh", {{"refresh_token", rt3}});
  ASSERT_TRUE(after);
  EXPECT_EQ(after->status, 401) << "reuse must revoke the whole chain";
}

TEST_F(IdentityAuth, RefreshTokenRejectedAsAccess) {
  auto c = server_->client();
  const auto j = login(*c);
  auto r = c->Get("/api/v1/me", bearer(j["refresh_token"]));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 401);
  auto ok = c->Get("/api/v1/me", bearer(j["user_token"]));
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
  // and an access token is never accepted as a refresh token
  auto wrong = post_json(*c, "/api/v1/auth/refresh", {{"refresh_token", j["user_token"]}});
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 401);
}

TEST_F(IdentityAuth, LogoutTwiceIs204AndTheTokenIsDead) {
  auto c = server_->client();
  const std::string at = login(*c)["user_token"];
  for (int i = 0; i < 2; ++i) {
    auto r = c->Post("/api/v1/auth/logout", bearer(at), "", "application/json");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 204) << "logout #" << i + 1;
  }
  auto me = c->Get("/api/v1/me", bearer(at));
  ASSERT_TRUE(me);
  EXPECT_EQ(me->status, 401);
  auto v = c->Post("/api/v1/auth/validate", bearer(at), "", "application/json");
  ASSERT_TRUE(v);
  EXPECT_EQ(v->status, 200);
  EXPECT_EQ(json_of(v)["valid"], false);
  EXPECT_EQ(json_of(v)["reason"], "TOKEN_REVOKED");
}

TEST_F(IdentityAuth, ValidateReportsValidAndInvalid) {
  auto c = server_->client();
  const std::string at = login(*c)["user_token"];
  auto ok = c->Post("/api/v1/auth/validate", bearer(at), "", "application/json");
  ASSERT_TRUE(ok);
  EXPECT_EQ(json_of(ok)["valid"], true);
  EXPECT_EQ(json_of(ok)["user"]["email"], kAdminEmail);
  std::string tampered = at;
  tampered.back() = tampered.back() == 'A' ? 'B' : 'A';
  auto bad = c->Post("/api/v1/auth/validate", bearer(tampered), "", "application/json");
  ASSERT_TRUE(bad);
  EXPECT_EQ(json_of(bad)["valid"], false);
  EXPECT_EQ(json_of(bad)["reason"], "TOKEN_INVALID");
}

TEST_F(IdentityAuth, MissingOrMalformedBearerIs401Envelope) {
  auto c = server_->client();
  for (const auto& h : std::vector<httplib::Headers>{{}, {{"Authorization", "Basic abc"}}, {{"Authorization", "Bearer"}},
                                                       {{"Authorization", "Bearer not.a.jwt"}}}) {
    auto r = c->Get("/api/v1/me", h);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 401);
    EXPECT_TRUE(json_of(r)["error"]["code"].is_string());
  }
}

TEST_F(IdentityAuth, BrowserSessionUsesAnHttpOnlyCookieAndNeedsTheCustomHeader) {
  auto c = server_->client();
  auto r = post_json(*c, "/api/v1/auth/login", {{"email", kAdminEmail}, {"password", kAdminPassword}},
                     {{"X-Requested-With", "ironpanel"}});
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  EXPECT_TRUE(json_of(r)["refresh_token"].is_null()) << "the SPA must never see the refresh token";
  const std::string set_cookie = r->get_header_value("Set-Cookie");
  EXPECT_NE(set_cookie.find("iron_refresh="), std::string::npos);
  EXPECT_NE(set_cookie.find("HttpOnly"), std::string::npos);
  EXPECT_NE(set_cookie.find("SameSite=Strict"), std::string::npos);
  EXPECT_NE(set_cookie.find("Path=/api/v1/auth"), std::string::npos);
  EXPECT_EQ(set_cookie.find("Secure"), std::string::npos) << "plain HTTP from a direct client";
  const std::string cookie = set_cookie.substr(0, set_cookie.find(';'));

  auto csrf = c->Post("/api/v1/auth/refresh", {{"Cookie", cookie}}, "", "application/json");
  ASSERT_TRUE(csrf);
  EXPECT_EQ(csrf->status, 403);
  EXPECT_EQ(json_of(csrf)["error"]["code"], "CSRF_HEADER_REQUIRED");

  auto ok = c->Post("/api/v1/auth/refresh", {{"Cookie", cookie}, {"X-Requested-With", "ironpanel"}}, "", "application/json");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200) << ok->body;
  EXPECT_NE(ok->get_header_value("Set-Cookie").find("iron_refresh="), std::string::npos);
}

TEST_F(IdentityAuth, CookieIsSecureWhenATrustedProxySaysHttps) {
  auto c = server_->client();
  auto r = post_json(*c, "/api/v1/auth/login", {{"email", kAdminEmail}, {"password", kAdminPassword}},
                     {{"X-Requested-With", "ironpanel"}, {"X-Forwarded-Proto", "https"}});
  ASSERT_TRUE(r);
  EXPECT_NE(r->get_header_value("Set-Cookie").find("; Secure"), std::string::npos);
}

TEST_F(IdentityAuth, ChangeOwnPasswordNeedsTheCurrentOneAndTwelveCharacters) {
  auto c = server_->client();
  const std::string at = login(*c)["user_token"];
  struct Case {
    nlohmann::json body;
    int status;
  };
  const std::vector<Case> cases = {
      {{{"current_password", "wrong-password-here"}, {"new_password", "another-long-password"}}, 400},
      {{{"current_password", kAdminPassword}, {"new_password", "short"}}, 400},
      {{{"current_password", kAdminPassword}}, 400},
  };
  for (const auto& tc : cases) {
    auto r = c->Put("/api/v1/me/password", bearer(at), tc.body.dump(), "application/json");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, tc.status) << tc.body.dump();
  }
}

// An admin password reset ends the user's existing sessions at once (not after the 15 min
// access-token lifetime); a fresh login with the new password works immediately.
TEST(IdentitySessions, AdminPasswordResetEndsExistingSessionsAtOnce) {
  ServerProcess server(admin_options());
  auto c = server.client();
  const std::string admin = login(*c)["user_token"];
  auto created = post_json(*c, "/api/v1/users",
                           {{"username", "carol"}, {"email", "carol@example.com"}, {"password", "carol-password-1"},
                            {"role", "user"}},
                           bearer(admin));
  ASSERT_TRUE(created);
  ASSERT_EQ(created->status, 201) << created->body;
  const std::string id = json_of(created)["id"];
  const std::string old_session = login(*c, "carol@example.com", "carol-password-1")["user_token"];
  ASSERT_EQ(c->Get("/api/v1/me", bearer(old_session))->status, 200);

  auto reset = post_json(*c, "/api/v1/users/" + id + "/reset-password",
                         {{"new_password", "carol-password-2"}, {"force_change", false}}, bearer(admin));
  ASSERT_TRUE(reset);
  ASSERT_EQ(reset->status, 200) << reset->body;

  auto stale = c->Get("/api/v1/me", bearer(old_session));
  ASSERT_TRUE(stale);
  EXPECT_EQ(stale->status, 401) << "a session of the old password survived the reset";
  const std::string fresh = login(*c, "carol@example.com", "carol-password-2")["user_token"];
  auto me = c->Get("/api/v1/me", bearer(fresh));
  ASSERT_TRUE(me);
  EXPECT_EQ(me->status, 200);
}
