// How sessions end, over real HTTP: logout ends the whole session (refresh chain included) for
// every kind of client — Bearer access token, the predecessor dashboard's `refresh_token` in
// the body, the browser's cookie; changing your own password ends your other sessions while
// this device continues; suspension ends every credential for good, API tokens included.
#include <gtest/gtest.h>

#include "support/panel.h"

using namespace iron::test;

namespace {

Reply me(const ServerProcess& s, const std::string& token) { return get(s, "/api/v1/me", token); }

}  // namespace

class IdentitySessionEnd : public PanelSuite {
 protected:
  Account user() { return create_account(server(), admin(), "user", "sess"); }
};

// Issue 9 item 14: the OpenAPI document promises "revoke the access token and the refresh
// chain"; an API client's refresh token used to keep minting sessions after logout.
TEST_F(IdentitySessionEnd, LogoutWithABearerAccessTokenEndsTheRefreshChain) {
  const Account u = user();
  const Session s = start_session(server(), u);
  const Session other = start_session(server(), u);  // another device: not ended
  const Reply out = send(server(), {.method = "POST", .path = "/api/v1/auth/logout", .token = s.access});
  ASSERT_EQ(out.status, 204) << out.raw;
  EXPECT_EQ(me(server(), s.access).status, 401);
  const Reply r = refresh_with(server(), s.refresh);
  EXPECT_EQ(r.status, 401) << "the refresh token still mints sessions after logout: " << r.raw;
  EXPECT_EQ(me(server(), other.access).status, 200);
  EXPECT_EQ(refresh_with(server(), other.refresh).status, 200);
}

// Issue 9 item 23: the predecessor's dashboard logs out with only `{"refresh_token": …}`.
TEST_F(IdentitySessionEnd, LogoutWithTheRefreshTokenInTheBodyEndsTheSession) {
  const Account u = user();
  const Session s = start_session(server(), u);
  const Reply out = send(server(), {.method = "POST", .path = "/api/v1/auth/logout",
                                    .body = json{{"refresh_token", s.refresh}}.dump()});
  ASSERT_EQ(out.status, 204) << out.raw;
  EXPECT_EQ(refresh_with(server(), s.refresh).status, 401) << "the family survived the logout";
  EXPECT_EQ(me(server(), s.access).status, 401) << "the access token of an ended chain must stop working";
  // Idempotent: the same (now revoked) token logs out again.
  EXPECT_EQ(send(server(), {.method = "POST", .path = "/api/v1/auth/logout",
                            .body = json{{"refresh_token", s.refresh}}.dump()})
                .status,
            204);
}

// What a logout without a usable token answers: a clear 4xx envelope that says nothing about
// any account.
TEST_F(IdentitySessionEnd, LogoutWithoutAUsableTokenIsAClear4xx) {
  const Session s = start_session(server(), user());
  std::string tampered = s.refresh;
  tampered[tampered.size() - 2] = tampered[tampered.size() - 2] == 'A' ? 'B' : 'A';
  struct Case {
    std::string name;
    std::optional<std::string> body;
    std::string content_type;
    int status;
    std::string code;
  };
  const std::vector<Case> cases = {
      {"no token at all", std::nullopt, "", 401, "AUTH_MISSING_TOKEN"},
      {"empty object", "{}", "application/json", 401, "AUTH_MISSING_TOKEN"},
      {"not a token", R"({"refresh_token":"garbage"})", "application/json", 401, "AUTH_INVALID_TOKEN"},
      {"forged signature", json{{"refresh_token", tampered}}.dump(), "application/json", 401, "AUTH_INVALID_TOKEN"},
      {"wrong type", R"({"refresh_token":5})", "application/json", 400, "VALIDATION_ERROR"},
      {"malformed JSON", R"({"refresh_token":)", "application/json", 400, "MALFORMED_JSON"},
      {"not JSON", "refresh_token=x", "text/plain", 415, "UNSUPPORTED_MEDIA_TYPE"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const Reply r = send(server(), {.method = "POST", .path = "/api/v1/auth/logout", .body = c.body,
                                    .content_type = c.content_type});
    EXPECT_EQ(r.status, c.status) << r.raw;
    EXPECT_EQ(r.code(), c.code) << r.raw;
    EXPECT_TRUE(r.body["error"]["message"].is_string()) << r.raw;
  }
  EXPECT_EQ(refresh_with(server(), s.refresh).status, 200) << "a refused logout ended the session";
}

// Issue 9 item 13: changing my own password ends my other sessions at once; this device
// continues on the session the answer carries.
TEST_F(IdentitySessionEnd, ChangingMyPasswordEndsMyOtherSessions) {
  Account u = user();
  const Session here = start_session(server(), u);
  const Session elsewhere = start_session(server(), u);
  const Reply r = put(server(), "/api/v1/me/password", here.access,
                      {{"current_password", u.password}, {"new_password", "brand-new-password-1"}});
  ASSERT_EQ(r.status, 200) << r.raw;
  EXPECT_EQ(r.body["id"], u.id);
  EXPECT_EQ(r.header("Cache-Control"), "no-store");
  const json& fresh = r.body["session"];
  ASSERT_TRUE(fresh["user_token"].is_string()) << r.raw;
  ASSERT_TRUE(fresh["refresh_token"].is_string()) << r.raw;

  for (const auto& [name, token] : {std::pair{"elsewhere", elsewhere.access}, std::pair{"here (old)", here.access}}) {
    const Reply old = me(server(), token);
    EXPECT_EQ(old.status, 401) << name << ": an access token of the old password still works";
    EXPECT_EQ(old.code(), "AUTH_TOKEN_REVOKED") << old.raw;
  }
  for (const auto& [name, token] : {std::pair{"elsewhere", elsewhere.refresh}, std::pair{"here (old)", here.refresh}})
    EXPECT_EQ(refresh_with(server(), token).status, 401) << name << ": a refresh token of the old password still mints";

  EXPECT_EQ(me(server(), fresh["user_token"]).status, 200) << "this device must stay signed in";
  EXPECT_EQ(refresh_with(server(), fresh["refresh_token"]).status, 200);
  u.password = "brand-new-password-1";
  EXPECT_FALSE(login_as(server(), u).token.empty());
}

// A browser session gets the new refresh token as its cookie, never in the body.
TEST_F(IdentitySessionEnd, ChangingMyPasswordInTheBrowserRenewsTheCookie) {
  const Account u = user();
  const Reply in = login_reply(server(), u.email, u.password, {{"X-Requested-With", "ironpanel"}});
  ASSERT_EQ(in.status, 200) << in.raw;
  const Reply r = call(server(), "PUT", "/api/v1/me/password", in.body["user_token"],
                            {{"current_password", u.password}, {"new_password", "browser-new-password"}},
                            {{"X-Requested-With", "ironpanel"}});
  ASSERT_EQ(r.status, 200) << r.raw;
  EXPECT_TRUE(r.body["session"]["refresh_token"].is_null());
  const std::string set_cookie = r.header("Set-Cookie");
  ASSERT_NE(set_cookie.find("iron_refresh="), std::string::npos) << set_cookie;
  EXPECT_NE(set_cookie.find("HttpOnly"), std::string::npos);
  const Reply renewed = send(server(), {.method = "POST", .path = "/api/v1/auth/refresh",
                                        .headers = {{"Cookie", set_cookie.substr(0, set_cookie.find(';'))},
                                                    {"X-Requested-With", "ironpanel"}}});
  EXPECT_EQ(renewed.status, 200) << renewed.raw;
}

// Issue 9 item 13: suspension ends every credential issued before — access, refresh and API
// tokens — and re-activation revives none of them.
TEST_F(IdentitySessionEnd, SuspensionEndsSessionsAndApiTokensForGood) {
  const Account u = user();
  const Session s = start_session(server(), u);
  const Reply created = post(server(), "/api/v1/api-tokens", s.access, {{"name", "runtime"}});
  ASSERT_EQ(created.status, 201) << created.raw;
  const std::string api_token = created.body["token"];
  ASSERT_EQ(me(server(), api_token).status, 200);

  const std::string path = "/api/v1/users/" + u.id;
  ASSERT_EQ(put(server(), path + "/suspend", admin()).status, 200);
  ASSERT_EQ(put(server(), path + "/activate", admin()).status, 200);

  struct Case {
    std::string name;
    Reply reply;
  };
  const std::vector<Case> after = {
      {"access token", me(server(), s.access)},
      {"refresh token", refresh_with(server(), s.refresh)},
      {"API token", me(server(), api_token)},
  };
  for (const auto& c : after) EXPECT_EQ(c.reply.status, 401) << c.name << " revived by re-activation: " << c.reply.raw;

  const Session again = start_session(server(), u);
  EXPECT_EQ(me(server(), again.access).status, 200) << "a new login after re-activation works";
  const Reply tokens = get(server(), "/api/v1/api-tokens", again.access);
  ASSERT_EQ(tokens.status, 200) << tokens.raw;
  ASSERT_EQ(tokens.body.size(), 1u) << tokens.raw;
  EXPECT_EQ(tokens.body[0]["is_active"], false) << "the list shows the token as revoked";
  const Reply audit = get(server(), "/api/v1/audit?action=user.suspend&entity_id=" + u.id, admin());
  ASSERT_EQ(audit.status, 200) << audit.raw;
  EXPECT_EQ(audit.body["items"][0]["after"]["api_tokens_revoked"], 1);
}
