// domain::Accounts guards that HTTP cannot reach deterministically. Over HTTP the acting
// admin is always an active admin itself, so "the last active admin" is only reachable when
// two admins remove each other at once: the second request was authenticated before the
// first committed. Here that stale principal is built directly.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>

#include "domain/accounts.h"
#include "domain/sessions.h"
#include "security/random.h"
#include "store/database.h"
#include "temp_db.h"

using namespace iron;

namespace {

class IdentityAccounts : public ::testing::Test {
 protected:
  void SetUp() override {
    security::init();
    db_ = std::make_unique<store::Database>(temp_db(), 1);
    accounts_ = std::make_unique<domain::Accounts>(*db_);
  }

  store::User make(const std::string& name, const std::string& role) {
    domain::NewUser u;
    u.username = name;
    u.email = name + "@example.test";
    u.password = "password-of-" + name;
    u.role = role;
    auto r = accounts_->create(u, domain::RequestContext::system());
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    return r.value();
  }

  std::unique_ptr<store::Database> db_;
  std::unique_ptr<domain::Accounts> accounts_;
};

}  // namespace

TEST_F(IdentityAccounts, last_admin_cannot_be_removed) {
  const store::User a = make("admin_a", "admin");
  const store::User b = make("admin_b", "admin");
  // Both admins were authenticated while both were active.
  const domain::Principal as_a = domain::principal_of(a);
  const domain::Principal as_b = domain::principal_of(b);
  const auto ctx = domain::RequestContext::system();

  ASSERT_TRUE(accounts_->suspend(as_a, b.id, std::nullopt, ctx).ok());
  // b's request, authenticated a moment earlier, now targets the only active admin.
  for (const auto& [what, result] : std::vector<std::pair<std::string, Result<store::User>>>{
           {"suspend", accounts_->suspend(as_b, a.id, std::nullopt, ctx)},
           {"delete", accounts_->remove(as_b, a.id, ctx)},
           {"demote to user", accounts_->change_role(as_b, a.id, "user", ctx)},
           {"demote to viewer", accounts_->change_role(as_b, a.id, "viewer", ctx)}}) {
    SCOPED_TRACE(what);
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().kind, ErrorKind::conflict);
    EXPECT_EQ(result.error().code, "LAST_ADMIN");
  }
  auto still = accounts_->get(a.id);
  ASSERT_TRUE(still.ok());
  EXPECT_TRUE(still->is_active);
  EXPECT_EQ(still->role, "admin");

  // Re-promoting "admin" is not a removal; and with a second active admin the same actions pass.
  EXPECT_TRUE(accounts_->change_role(as_b, a.id, "admin", ctx).ok());
  ASSERT_TRUE(accounts_->activate(as_a, b.id, ctx).ok());
  EXPECT_TRUE(accounts_->change_role(as_b, a.id, "user", ctx).ok());
}

TEST_F(IdentityAccounts, SuspendedOrDemotedAdminsDoNotCountAsActiveAdmins) {
  const store::User a = make("admin_c", "admin");
  const store::User b = make("admin_d", "admin");
  const store::User c = make("admin_e", "admin");
  const auto ctx = domain::RequestContext::system();
  ASSERT_TRUE(accounts_->suspend(domain::principal_of(a), c.id, std::nullopt, ctx).ok());
  ASSERT_TRUE(accounts_->change_role(domain::principal_of(a), b.id, "viewer", ctx).ok());
  // a is the last active admin; c (suspended) and b (viewer now) cannot save it.
  const auto r = accounts_->remove(domain::principal_of(b), a.id, ctx);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "LAST_ADMIN");
  // Removing a suspended admin is fine: it is not an active one.
  EXPECT_TRUE(accounts_->remove(domain::principal_of(a), c.id, ctx).ok());
}

TEST_F(IdentityAccounts, SelfGuardComesFirst) {
  const store::User a = make("admin_f", "admin");
  const auto me = domain::principal_of(a);
  const auto ctx = domain::RequestContext::system();
  for (const auto& r : {accounts_->suspend(me, a.id, std::nullopt, ctx), accounts_->remove(me, a.id, ctx),
                        accounts_->change_role(me, a.id, "user", ctx),
                        accounts_->reset_password(me, a.id, "a-new-password-1", false, ctx)}) {
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, "SELF_MODIFICATION_FORBIDDEN");
  }
}

TEST_F(IdentityAccounts, CreateAdminWorksWhenAdminsExistButFirstAdminDoesNot) {
  make("admin_g", "admin");
  domain::NewUser u;
  u.email = "Recovery@Example.test";
  u.password = "recovery-password-1";
  const auto first = accounts_->create_first_admin(u, domain::RequestContext::system());
  ASSERT_FALSE(first.ok());
  EXPECT_EQ(first.error().code, "ADMIN_EXISTS");
  const auto made = accounts_->create_admin(u, domain::RequestContext::system());
  ASSERT_TRUE(made.ok()) << made.error().message;
  EXPECT_EQ(made.value().role, "admin");
  EXPECT_EQ(made.value().username, "Recovery");
  const auto again = accounts_->create_admin(u, domain::RequestContext::system());
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, "EMAIL_TAKEN");
}

TEST_F(IdentityAccounts, RecoverPasswordFindsLiveAccountsByEmailOnly) {
  const store::User u = make("rec_user", "user");
  const auto ctx = domain::RequestContext::system();
  EXPECT_EQ(accounts_->recover_password("nobody@example.test", "recover-password-1", ctx).error().kind,
            ErrorKind::not_found);
  EXPECT_EQ(accounts_->recover_password(u.email, "short", ctx).error().kind, ErrorKind::validation);
  const auto ok = accounts_->recover_password("REC_USER@example.test", "recover-password-1", ctx);
  ASSERT_TRUE(ok.ok());
  EXPECT_FALSE(ok.value().force_password_change);
  ASSERT_TRUE(accounts_->remove(domain::principal_of(make("rec_admin", "admin")), u.id, ctx).ok());
  EXPECT_EQ(accounts_->recover_password(u.email, "recover-password-2", ctx).error().kind, ErrorKind::not_found);
}
