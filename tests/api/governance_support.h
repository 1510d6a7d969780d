#pragma once
// The governance API tests' Panel: the shared one from tests/support plus the two documented
// fixtures for states no route produces. Every user, agent, key and IC token is made over
// HTTP (tests/support/panel.h); what remains here reaches the database through the domain:
//  - ledger(): reservations and reports with chosen amounts on the analytics tests' agents,
//    which have no provider key (a test that can give its agent one opens leases over HTTP:
//    Panel::add_leasing_agent and open_lease);
//  - db(): reading state the API does not show (history rows, stored hashes) and the one
//    direct write a test names at its call site, each with its reason.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "domain/budget_ledger.h"
#include "store/data_dir.h"
#include "store/database.h"
#include "support/panel.h"
#include "support/server_database.h"

namespace gov {

using iron::test::Account;
using iron::test::agent_path;
using iron::test::expect_error;
using iron::test::Reply;
using nlohmann::json;

class Panel : public iron::test::Panel {
 public:
  // The server's database opened by the test process (SQLite serialises the writers).
  iron::store::Database& db() {
    if (!db_) db_ = iron::test::open_server_database(server().data_dir());
    return *db_;
  }
  iron::domain::BudgetLedger ledger() { return iron::domain::BudgetLedger(db(), {}); }

 private:
  std::unique_ptr<iron::store::Database> db_;
};

}  // namespace gov
