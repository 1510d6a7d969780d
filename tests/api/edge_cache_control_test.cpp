// Answers to authenticated API requests carry accounts, keys, tokens and spend: each one says
// `Cache-Control: no-store`, so neither the browser nor a shared proxy cache keeps it.
#include <gtest/gtest.h>

#include "support/panel.h"

namespace id = iron::test;
using iron::test::ServerProcess;

namespace {
const std::map<std::string, std::string> kAdmin = {{"IRON_ADMIN_EMAIL", "root@example.test"},
                                                   {"IRON_ADMIN_PASSWORD", "admin-password-0123"}};

std::string header(const id::Reply& r, const std::string& name) {
  auto it = r.headers.find(name);
  return it == r.headers.end() ? "" : it->second;
}
}  // namespace

TEST(EdgeCacheControl, EveryAuthenticatedApiAnswerIsNoStore) {
  ServerProcess server({.extra_args = {}, .env = kAdmin});
  const std::string token = id::login(server, "root@example.test", "admin-password-0123");
  ASSERT_FALSE(token.empty());
  const std::string me = id::get(server, "/api/v1/me", token).body.value("id", "");
  struct Case {
    std::string path;
    int status;
  };
  const std::vector<Case> cases = {
      {"/api/v1/me", 200},
      {"/api/v1/users", 200},
      {"/api/v1/users/" + me, 200},
      {"/api/v1/audit", 200},
      {"/api/v1/agents", 200},
      {"/api/v1/providers", 200},
      {"/api/v1/api-tokens", 200},
      {"/api/v1/analytics/budget/status", 200},
      {"/api/v1/agents/999999", 404},  // an authenticated error is no more cacheable
  };
  for (const auto& tc : cases) {
    const auto r = id::get(server, tc.path, token);
    EXPECT_EQ(r.status, tc.status) << tc.path << ": " << r.raw;
    EXPECT_EQ(header(r, "Cache-Control"), "no-store") << tc.path;
  }
  // Routes that chose their own policy keep it; static files are not touched.
  EXPECT_EQ(header(id::get(server, "/api/v1/openapi.json"), "Cache-Control"), "no-cache");
  EXPECT_NE(header(id::get(server, "/"), "Cache-Control"), "no-store");
}
