// "My sessions" over real HTTP (GET/DELETE /api/v1/me/sessions, DELETE /api/v1/me/sessions/{id}):
// a person sees their own sign-ins and which one they are using, ends one, or ends every other
// one while this device stays signed in; nobody reaches anyone else's sessions.
#include <gtest/gtest.h>

#include "support/panel.h"

using namespace iron::test;

namespace {

json sessions_of(const ServerProcess& s, const std::string& token) {
  const Reply r = get(s, "/api/v1/me/sessions", token);
  EXPECT_EQ(r.status, 200) << r.raw;
  return r.status == 200 ? r.body["sessions"] : json::array();
}

// The id of the listed session marked (or not) as current; empty when there is none.
std::vector<std::string> ids(const json& sessions, bool current) {
  std::vector<std::string> out;
  for (const auto& x : sessions)
    if (x["current"] == current) out.push_back(x["id"]);
  return out;
}

bool works(const ServerProcess& s, const std::string& access) { return get(s, "/api/v1/me", access).status == 200; }

}  // namespace

class IdentityOwnSessions : public PanelSuite {
 protected:
  Account account(const std::string& role = "user") { return create_account(server(), admin(), role, "own"); }
};

TEST_F(IdentityOwnSessions, ListsMySignInsAndMarksTheOneIAmUsing) {
  const Account u = account();
  const Session a = start_session(server(), u);
  const Session b = start_session(server(), u);
  const json listed = sessions_of(server(), a.access);
  ASSERT_EQ(listed.size(), 2u) << listed.dump();
  ASSERT_EQ(ids(listed, true).size(), 1u) << listed.dump();
  for (const auto& x : listed) {
    for (const char* k : {"started_at", "last_active_at", "expires_at"}) EXPECT_TRUE(x[k].is_number_integer()) << k;
    EXPECT_LE(x["started_at"].get<int64_t>(), x["last_active_at"].get<int64_t>());
    EXPECT_GT(x["expires_at"].get<int64_t>(), x["last_active_at"].get<int64_t>());
    EXPECT_FALSE(x.contains("refresh_token")) << "a session listing must never carry a credential";
  }
  // The other device sees the same two sessions with the other one marked.
  const json from_b = sessions_of(server(), b.access);
  EXPECT_EQ(ids(from_b, true), ids(listed, false));

  // A refresh continues the same session (one entry, later activity), it does not add one.
  const Reply r = refresh_with(server(), a.refresh);
  ASSERT_EQ(r.status, 200) << r.raw;
  const json after = sessions_of(server(), r.body.value("user_token", ""));
  ASSERT_EQ(after.size(), 2u) << after.dump();
  EXPECT_EQ(ids(after, true), ids(listed, true));
}

TEST_F(IdentityOwnSessions, EndingOneSessionEndsItAtOnceAndNoOther) {
  const Account u = account();
  const Session here = start_session(server(), u);
  const Session other = start_session(server(), u);
  const std::string other_id = ids(sessions_of(server(), here.access), false).at(0);
  const Reply out = del(server(), "/api/v1/me/sessions/" + other_id, here.access);
  ASSERT_EQ(out.status, 204) << out.raw;
  EXPECT_FALSE(works(server(), other.access)) << "the ended session's access token still works";
  EXPECT_EQ(refresh_with(server(), other.refresh).status, 401) << "the ended session still refreshes";
  EXPECT_TRUE(works(server(), here.access));
  EXPECT_EQ(sessions_of(server(), here.access).size(), 1u);
  // Ending it again: it is gone.
  EXPECT_EQ(del(server(), "/api/v1/me/sessions/" + other_id, here.access).status, 404);
}

TEST_F(IdentityOwnSessions, NobodyReachesAnotherPersonsSessions) {
  const Account owner = account();
  const Account stranger = account("admin");  // not even an admin
  const Session mine = start_session(server(), owner);
  const Session theirs = start_session(server(), stranger);
  const std::string my_id = ids(sessions_of(server(), mine.access), true).at(0);
  for (const auto& id : ids(sessions_of(server(), theirs.access), true)) EXPECT_NE(id, my_id);
  const Reply r = del(server(), "/api/v1/me/sessions/" + my_id, theirs.access);
  EXPECT_EQ(r.status, 404) << r.raw;
  EXPECT_EQ(r.body["error"]["code"], "NOT_FOUND") << r.raw;
  EXPECT_TRUE(works(server(), mine.access)) << "another person ended my session";
  EXPECT_EQ(del(server(), "/api/v1/me/sessions/no-such-session", theirs.access).status, 404);
  EXPECT_EQ(get(server(), "/api/v1/me/sessions").status, 401);
  EXPECT_EQ(del(server(), "/api/v1/me/sessions", "").status, 401);
}

// Every role, viewers included: signing yourself out is not a mutation of shared state.
TEST_F(IdentityOwnSessions, SignOutEverywhereElseKeepsThisDevice) {
  for (const char* role : {"viewer", "user", "admin"}) {
    const Account u = account(role);
    const Session here = start_session(server(), u);
    const Session two = start_session(server(), u);
    const Session three = start_session(server(), u);
    const Reply r = del(server(), "/api/v1/me/sessions", here.access);
    ASSERT_EQ(r.status, 200) << role << ": " << r.raw;
    EXPECT_EQ(r.body["ended"], 2) << role;
    for (const Session* s : {&two, &three}) {
      EXPECT_FALSE(works(server(), s->access)) << role << ": another session still works";
      EXPECT_EQ(refresh_with(server(), s->refresh).status, 401) << role;
    }
    EXPECT_TRUE(works(server(), here.access)) << role << ": this device was signed out";
    EXPECT_EQ(refresh_with(server(), here.refresh).status, 200) << role;
    // Nothing left to end.
    const Reply again = del(server(), "/api/v1/me/sessions", here.access);
    EXPECT_EQ(again.body["ended"], 0) << role << ": " << again.raw;
  }
}
