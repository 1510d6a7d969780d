#pragma once
// The IdentityUsers suite's fixture, shared by identity_users_test.cpp,
// identity_user_guards_test.cpp and identity_user_live_checks_test.cpp: one server with its
// admin (PanelSuite), accounts of any role made over POST /users.
#include <string>

#include "support/panel.h"

class IdentityUsers : public iron::test::PanelSuite {
 protected:
  using Account = iron::test::Account;
  Account account(const std::string& role, const std::string& prefix = "u") {
    return iron::test::create_account(server(), admin(), role, prefix);
  }
  Account logged_in(const std::string& role, const std::string& prefix = "u") {
    return iron::test::login_as(server(), account(role, prefix));
  }
};

inline std::string user_path(const std::string& id, const std::string& suffix = "") {
  return "/api/v1/users/" + id + suffix;
}
