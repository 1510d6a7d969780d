// /api/v1/users over real HTTP: admin-only management with validation (a scenario table),
// duplicates, search/filter/paging and 404s. The guards (who may change whom) are in
// identity_user_guards_test.cpp, the checks that apply to tokens already issued in
// identity_user_live_checks_test.cpp.
#include <gtest/gtest.h>

#include "identity_users_support.h"
#include "support/scenario.h"

using namespace iron::test;

TEST_F(IdentityUsers, CreateReturns201WithTheUserView) {
  const Reply r = post(server(), "/api/v1/users", admin(),
                       {{"username", "alice_create"}, {"email", "alice.create@example.test"},
                        {"password", "alice-password-123"}, {"role", "user"}, {"name", "Alice"}});
  ASSERT_EQ(r.status, 201) << r.raw;
  EXPECT_EQ(r.body["id"].get<std::string>().rfind("user_", 0), 0u) << r.raw;
  EXPECT_EQ(r.body["username"], "alice_create");
  EXPECT_EQ(r.body["email"], "alice.create@example.test");
  EXPECT_EQ(r.body["name"], "Alice");
  EXPECT_EQ(r.body["role"], "user");
  EXPECT_EQ(r.body["is_active"], true);
  EXPECT_TRUE(r.body["created_at"].is_number_integer());
  for (const char* k : {"last_login", "suspended_at", "deleted_at"}) EXPECT_TRUE(r.body[k].is_null()) << k;
  EXPECT_FALSE(r.body.contains("password"));
  EXPECT_FALSE(r.body.contains("password_hash"));

  const Reply got = get(server(), user_path(r.body["id"]), admin());
  ASSERT_EQ(got.status, 200);
  EXPECT_EQ(got.body, r.body);
  // The new account really works.
  EXPECT_FALSE(login(server(), "alice.create@example.test", "alice-password-123").empty());
}

// The dashboard creates accounts whose handed-over password must be replaced at first sign-in;
// without the flag (the predecessor's clients) the account signs in normally, as before.
TEST_F(IdentityUsers, CreateCanForceAPasswordChangeAtFirstSignIn) {
  const struct {
    const char* name;
    json flag;
    bool forced;
  } cases[] = {{"forced", true, true}, {"explicitly not", false, false}, {"omitted", nullptr, false}};
  for (const auto& c : cases) {
    const std::string username = unique("force_");
    json body = {{"username", username}, {"email", username + "@example.test"},
                 {"password", "handed-over-password-1"}, {"role", "user"}};
    if (!c.flag.is_null()) body["force_password_change"] = c.flag;
    const Reply r = post(server(), "/api/v1/users", admin(), body);
    ASSERT_EQ(r.status, 201) << c.name << ": " << r.raw;
    EXPECT_EQ(r.body["force_password_change"], c.forced) << c.name;
    const Reply in = login_reply(server(), username + "@example.test", "handed-over-password-1");
    ASSERT_EQ(in.status, 200) << c.name << ": " << in.raw;
    EXPECT_EQ(in.body["force_password_change"], c.forced) << c.name;
    const Reply me = get(server(), "/api/v1/agents", in.body.value("user_token", ""));
    EXPECT_EQ(me.status, c.forced ? 403 : 200) << c.name << ": " << me.raw;
  }
  const Reply bad = post(server(), "/api/v1/users", admin(),
                         {{"username", "force_bad"}, {"email", "force.bad@example.test"},
                          {"password", "handed-over-password-1"}, {"role", "user"}, {"force_password_change", "yes"}});
  EXPECT_EQ(bad.status, 400) << bad.raw;
  EXPECT_EQ(bad.body["error"]["details"]["field"], "force_password_change") << bad.raw;
}

TEST_F(IdentityUsers, CreateValidationNamesTheField) {
  const json good = {{"username", "val_user"}, {"email", "val@example.test"}, {"password", "a-good-password"}, {"role", "user"}};
  auto with = [&](const std::string& k, const json& v) {
    json b = good;
    b[k] = v;
    return b.dump();
  };
  auto without = [&](const std::string& k) {
    json b = good;
    b.erase(k);
    return b.dump();
  };
  struct Case {
    std::string name;
    std::string body;
    std::string content_type;
    int status;
    std::string code;
    std::string field;
  };
  const std::string ct = "application/json";
  const std::vector<Case> cases = {
      {"short password", with("password", "elevenchars"), ct, 400, "VALIDATION_ERROR", "password"},
      {"over-long password", with("password", std::string(1001, 'p')), ct, 400, "VALIDATION_ERROR", "password"},
      {"password wrong type", with("password", 123456789012345), ct, 400, "VALIDATION_ERROR", "password"},
      {"missing password", without("password"), ct, 400, "MISSING_FIELD", "password"},
      {"bad email", with("email", "not-an-email"), ct, 400, "VALIDATION_ERROR", "email"},
      {"email two @", with("email", "a@b@example.test"), ct, 400, "VALIDATION_ERROR", "email"},
      {"over-long email", with("email", std::string(250, 'e') + "@x.test"), ct, 400, "VALIDATION_ERROR", "email"},
      {"email wrong type", with("email", json::array({"x@example.test"})), ct, 400, "VALIDATION_ERROR", "email"},
      {"missing email", without("email"), ct, 400, "MISSING_FIELD", "email"},
      {"bad role", with("role", "superuser"), ct, 400, "VALIDATION_ERROR", "role"},
      {"role wrong type", with("role", 2), ct, 400, "VALIDATION_ERROR", "role"},
      {"missing role", without("role"), ct, 400, "MISSING_FIELD", "role"},
      {"empty username", with("username", ""), ct, 400, "VALIDATION_ERROR", "username"},
      {"over-long username", with("username", std::string(256, 'u')), ct, 400, "VALIDATION_ERROR", "username"},
      {"username wrong type", with("username", 42), ct, 400, "VALIDATION_ERROR", "username"},
      {"username with NUL", with("username", std::string("a\0b", 3)), ct, 400, "VALIDATION_ERROR", "username"},
      {"missing username", without("username"), ct, 400, "MISSING_FIELD", "username"},
      {"over-long name", with("name", std::string(256, 'n')), ct, 400, "VALIDATION_ERROR", "name"},
      {"name wrong type", with("name", true), ct, 400, "VALIDATION_ERROR", "name"},
      {"malformed JSON", "{\"username\": ", ct, 400, "MALFORMED_JSON", ""},
      {"empty body", "", ct, 400, "MALFORMED_JSON", ""},
      {"not an object", "[1,2]", ct, 400, "INVALID_JSON", ""},
      {"missing Content-Type", good.dump(), "", 415, "UNSUPPORTED_MEDIA_TYPE", ""},
      {"text/plain", good.dump(), "text/plain", 415, "UNSUPPORTED_MEDIA_TYPE", ""},
  };
  std::vector<Scenario> scenarios;
  for (const auto& c : cases)
    scenarios.push_back({.name = c.name, .principal = admin(), .method = "POST", .path = "/api/v1/users",
                         .raw_body = c.body, .content_type = c.content_type, .status = c.status, .code = c.code,
                         .field = c.field});
  run_scenarios(server(), scenarios);
  // None of the refused bodies created anything.
  const Reply list = get(server(), "/api/v1/users?search=val_user", admin());
  EXPECT_EQ(list.body["total"], 0) << list.raw;
}

TEST_F(IdentityUsers, DuplicateUsernameOrEmailIs409) {
  const Account a = account("user", "dup");
  struct Case {
    std::string name;
    json body;
    std::string code;
  };
  const std::vector<Case> cases = {
      {"same username", {{"username", a.username}, {"email", unique("other") + "@example.test"}}, "USERNAME_TAKEN"},
      {"same email", {{"username", unique("other_")}, {"email", a.email}}, "EMAIL_TAKEN"},
      {"same email, other case", {{"username", unique("other_")}, {"email", "DUP" + a.email.substr(3)}}, "EMAIL_TAKEN"},
  };
  for (auto c : cases) {
    SCOPED_TRACE(c.name);
    c.body["password"] = "another-password-1";
    c.body["role"] = "viewer";
    const Reply r = post(server(), "/api/v1/users", admin(), c.body);
    EXPECT_EQ(r.status, 409) << r.raw;
    EXPECT_EQ(r.code(), c.code) << r.raw;
  }
}

TEST_F(IdentityUsers, ListSearchesFiltersAndPages) {
  const std::string tag = unique("lst");
  std::vector<Account> made;
  for (const char* role : {"user", "viewer", "user", "admin", "user"}) made.push_back(account(role, tag));
  // Newest first; suspended and deleted users are handled by the filters.
  ASSERT_EQ(put(server(), user_path(made[0].id, "/suspend"), admin()).status, 200);
  ASSERT_EQ(del(server(), user_path(made[2].id), admin()).status, 200);

  auto ids = [](const Reply& r) {
    std::vector<std::string> out;
    for (const auto& u : r.body["users"]) out.push_back(u["id"]);
    return out;
  };
  const std::string base = "/api/v1/users?search=" + tag;

  Reply all = get(server(), base, admin());
  ASSERT_EQ(all.status, 200) << all.raw;
  EXPECT_EQ(all.body["total"], 4) << "the deleted user is excluded: " << all.raw;
  EXPECT_EQ(all.body["page"], 1);
  EXPECT_EQ(all.body["page_size"], 20);
  EXPECT_EQ(ids(all), (std::vector<std::string>{made[4].id, made[3].id, made[1].id, made[0].id}));

  struct Case {
    std::string query;
    std::vector<std::string> want;
    int total;
  };
  const std::vector<Case> cases = {
      {"&role=user", {made[4].id, made[0].id}, 2},
      {"&role=viewer", {made[1].id}, 1},
      {"&role=admin", {made[3].id}, 1},
      {"&is_active=false", {made[0].id}, 1},
      {"&is_active=true&role=user", {made[4].id}, 1},
      {"&page_size=2", {made[4].id, made[3].id}, 4},
      {"&page_size=2&page=2", {made[1].id, made[0].id}, 4},
      {"&page_size=3&page=2", {made[0].id}, 4},
      {"&page=9", {}, 4},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.query);
    const Reply r = get(server(), base + c.query, admin());
    ASSERT_EQ(r.status, 200) << r.raw;
    EXPECT_EQ(ids(r), c.want);
    EXPECT_EQ(r.body["total"], c.total);
  }

  // Search matches username and email, case-insensitively, and treats % and _ literally.
  EXPECT_EQ(get(server(), "/api/v1/users?search=" + made[1].email, admin()).body["total"], 1);
  EXPECT_EQ(get(server(), "/api/v1/users?search=%25", admin()).body["total"], 0);
  const Reply everyone = get(server(), "/api/v1/users?page_size=100", admin());
  EXPECT_GE(everyone.body["total"].get<int>(), 5);
}

TEST_F(IdentityUsers, ListRejectsBadQueryValues) {
  expect_bad_queries(server(), "/api/v1/users", admin(), {
      {"page=0", "page"},          {"page=-1", "page"},           {"page=abc", "page"},
      {"page=1.5", "page"},        {"page=", "page"},             {"page=99999999999999999999", "page"},
      {"page_size=0", "page_size"}, {"page_size=101", "page_size"}, {"page_size=ten", "page_size"},
      {"role=root", "role"},       {"is_active=yes", "is_active"}, {"search=" + std::string(256, 's'), "search"},
  });
  EXPECT_EQ(get(server(), "/api/v1/users?page_size=100&page=1", admin()).status, 200);
  EXPECT_EQ(get(server(), "/api/v1/users?page_size=1", admin()).status, 200);
}

TEST_F(IdentityUsers, MissingOrDeletedUserIs404OnEveryIdRoute) {
  const Account gone = account("user", "gone");
  ASSERT_EQ(del(server(), user_path(gone.id), admin()).status, 200);
  for (const std::string& id : {std::string("user_00000000-0000-0000-0000-000000000000"), gone.id, std::string("42")}) {
    SCOPED_TRACE(id);
    const std::vector<Reply> replies = {
        get(server(), user_path(id), admin()),
        del(server(), user_path(id), admin()),
        put(server(), user_path(id, "/suspend"), admin()),
        put(server(), user_path(id, "/activate"), admin()),
        put(server(), user_path(id, "/role"), admin(), {{"role", "viewer"}}),
        post(server(), user_path(id, "/reset-password"), admin(), {{"new_password", "a-new-password-1"}}),
        send(server(), {.method = "POST", .path = user_path(id, "/unlock"), .token = admin()}),
    };
    for (const auto& r : replies) {
      EXPECT_EQ(r.status, 404) << r.raw;
      EXPECT_EQ(r.code(), "NOT_FOUND") << r.raw;
    }
  }
}
