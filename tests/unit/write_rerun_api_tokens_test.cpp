// API-token writes whose body runs twice (a group-commit batch that runs again with
// savepoints, store/database.h): the secret handed out is the one whose hash was committed,
// so the new token authenticates. On a real SQLite file.
#include <gtest/gtest.h>

#include <string>

#include "domain/api_tokens.h"
#include "security/random.h"
#include "store/database.h"
#include "support/write_batch.h"
#include "temp_db.h"

namespace {

namespace domain = iron::domain;
using iron::Result;

class ApiTokensRerun : public ::testing::Test {
 protected:
  ApiTokensRerun() {
    iron::security::init();
    insert_user(db_, "user_owner", "user");
    caller_.user_id = "user_owner";
    caller_.role = domain::Role::user;
    caller_.via = "jwt";
  }

  // `issue` (create or rotate) queued ahead of a refused write in one batch, so it runs twice.
  template <class Issue>
  Result<domain::IssuedApiToken> run_twice(Issue issue) {
    Result<domain::IssuedApiToken> out = iron::Error::internal("not run");
    iron::test::run_as_one_batch(db_, {[&] {
                                         try {
                                           out = issue();
                                         } catch (const std::exception& e) {
                                           out = iron::Error::internal(e.what());
                                         }
                                       },
                                       [&] { iron::test::refused_write(db_); }});
    return out;
  }

  TempDbDir dir_;  // before db_: outlives it
  iron::store::Database db_{dir_.db_path()};
  domain::ApiTokens tokens_{db_};
  domain::Principal caller_;
};

TEST_F(ApiTokensRerun, ACreatedTokenAuthenticates) {
  domain::NewApiToken in;
  in.name = "ci";
  auto created = run_twice([&] { return tokens_.create(caller_, in, domain::RequestContext::system()); });
  ASSERT_TRUE(created.ok()) << created.error().message;
  auto who = tokens_.authenticate(created->secret);
  ASSERT_TRUE(who.ok()) << who.error().code;
  EXPECT_EQ(who->user_id, "user_owner");
}

TEST_F(ApiTokensRerun, ARotatedTokenAuthenticatesAndTheOldOneNoLonger) {
  domain::NewApiToken in;
  in.name = "ci";
  auto first = tokens_.create(caller_, in, domain::RequestContext::system());
  ASSERT_TRUE(first.ok());
  auto rotated =
      run_twice([&] { return tokens_.rotate(caller_, first->token.id, domain::RequestContext::system()); });
  ASSERT_TRUE(rotated.ok()) << rotated.error().message;
  EXPECT_TRUE(tokens_.authenticate(rotated->secret).ok());
  EXPECT_EQ(tokens_.authenticate(first->secret).error().code, "AUTH_TOKEN_REVOKED");
}

}  // namespace
