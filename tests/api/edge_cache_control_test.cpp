// Answers to authenticated API requests carry accounts, keys, tokens and spend: each one says
// `Cache-Control: no-store`, so neither the browser nor a shared proxy cache keeps it.
#include <gtest/gtest.h>

#include "support/panel.h"

TEST(EdgeCacheControl, EveryAuthenticatedApiAnswerIsNoStore) {
  const iron::test::Panel p;
  ASSERT_FALSE(p.admin.token.empty());
  struct Case {
    std::string path;
    int status;
  };
  const std::vector<Case> cases = {
      {"/api/v1/me", 200},
      {"/api/v1/users", 200},
      {"/api/v1/users/" + p.admin.id, 200},
      {"/api/v1/audit", 200},
      {"/api/v1/agents", 200},
      {"/api/v1/providers", 200},
      {"/api/v1/api-tokens", 200},
      {"/api/v1/analytics/budget/status", 200},
      {"/api/v1/agents/999999", 404},  // an authenticated error is no more cacheable
  };
  for (const auto& tc : cases) {
    const auto r = p.call("GET", tc.path, p.admin.token);
    EXPECT_EQ(r.status, tc.status) << tc.path << ": " << r.raw;
    EXPECT_EQ(r.header("Cache-Control"), "no-store") << tc.path;
  }
  // Routes that chose their own policy keep it; static files are not touched.
  EXPECT_EQ(p.call("GET", "/api/v1/openapi.json").header("Cache-Control"), "no-cache");
  EXPECT_NE(p.call("GET", "/").header("Cache-Control"), "no-store");
}
