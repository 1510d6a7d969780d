// Budget-change requests over real HTTP against the real binary (docs/compatibility.md): create,
// get, list, approve, reject, cancel. Named regressions for S3 (approval open to
// any role and to the requester; spoofable requester_id) and C4 (approval applying a
// delta from a stale snapshot).
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "governance_support.h"
#include "support/scenario.h"

using namespace gov;
using iron::test::run_scenarios;
using iron::test::Scenario;

namespace {

const std::string kBase = "/api/v1/budget/requests";
const std::string kWhy = "the nightly batch doubled in size this quarter";

json body_for(int64_t agent_id, double usd) {
  return {{"agent_id", agent_id}, {"requested_budget_usd", usd}, {"justification", kWhy}};
}

// Files a request and returns its id, failing the test unless it is 201.
std::string file(Panel& p, const Account& who, int64_t agent_id, double usd) {
  auto r = p.call("POST", kBase, who.token, body_for(agent_id, usd));
  EXPECT_EQ(r.status, 201) << r.raw;
  return r.body.value("request_id", "");
}

std::string path(const std::string& id, const std::string& action = "") {
  return kBase + "/" + id + (action.empty() ? "" : "/" + action);
}

int64_t allocated(Panel& p, int64_t agent_id) { return p.budget(agent_id).value("allocated", int64_t{-1}); }

// GET /api/v1/events/stream on a raw socket (reads time out after 10 s), read until
// `: connected` so the subscription exists before anything is published.
class Stream {
 public:
  Stream(Panel& p, const std::string& token) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(p.server().port()));
    inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    EXPECT_EQ(connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    timeval tv{10, 0};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    const std::string req = "GET /api/v1/events/stream HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token + "\r\n\r\n";
    EXPECT_EQ(write(fd_, req.data(), req.size()), static_cast<ssize_t>(req.size()));
    EXPECT_NE(read_until(": connected").find(": connected"), std::string::npos);
  }
  ~Stream() { close(fd_); }
  // Reads until `needle` appears (or EOF/timeout); returns what was read since the last call.
  std::string read_until(const std::string& needle) {
    std::string out;
    char buf[1024];
    ssize_t n;
    while (out.find(needle) == std::string::npos && (n = read(fd_, buf, sizeof buf)) > 0)
      out.append(buf, static_cast<size_t>(n));
    return out;
  }

 private:
  int fd_ = -1;
};

}  // namespace

TEST(GovernanceBudgetRequests, CreateGetAndListShowTheRequest) {
  Panel p;
  const Account alice = p.add_user("user", "alice");
  const int64_t agent = p.add_agent(alice.id, 5'000'000);
  const int64_t before = iron::util::to_unix_ms(iron::util::now());
  auto r = p.call("POST", kBase, alice.token, body_for(agent, 12.5));
  ASSERT_EQ(r.status, 201) << r.raw;
  EXPECT_EQ(r.body["status"], "pending");
  EXPECT_EQ(r.body["request_id"].get<std::string>().rfind("breq_", 0), 0u);
  EXPECT_GE(r.body["created_at"].get<int64_t>(), before);
  const std::string id = r.body["request_id"];

  auto got = p.call("GET", path(id), alice.token);
  ASSERT_EQ(got.status, 200) << got.raw;
  const json& R = got.body;
  EXPECT_EQ(R["id"], id);
  EXPECT_EQ(R["agent_id"], agent);
  EXPECT_EQ(R["requester_id"], alice.id);
  EXPECT_EQ(R["current_budget_microdollars"], 5'000'000);
  EXPECT_EQ(R["requested_budget_microdollars"], 12'500'000);
  EXPECT_DOUBLE_EQ(R["current_budget_usd"].get<double>(), 5.0);
  EXPECT_DOUBLE_EQ(R["requested_budget_usd"].get<double>(), 12.5);
  EXPECT_EQ(R["justification"], kWhy);
  EXPECT_EQ(R["status"], "pending");
  EXPECT_TRUE(R["rejection_reason"].is_null());
  EXPECT_TRUE(R["decided_by"].is_null());
  EXPECT_TRUE(R["decided_at"].is_null());
  EXPECT_EQ(R["created_at"], R["updated_at"]);

  auto list = p.call("GET", kBase, alice.token);
  ASSERT_EQ(list.status, 200) << list.raw;
  ASSERT_EQ(list.body["requests"].size(), 1u);
  EXPECT_EQ(list.body["requests"][0], R);
  EXPECT_EQ(allocated(p, agent), 5'000'000) << "filing changes no budget";
}

TEST(GovernanceBudgetRequests, CreateValidation) {
  Panel p;
  const Account alice = p.add_user("user", "alice");
  const int64_t agent = p.add_agent(alice.id, 5'000'000);
  const std::string padded = "   " + std::string(19, 'x') + "   ";  // 19 after trimming
  // A create refused with `status`, `code` and (when given) details.field.
  const auto refused = [&](std::string name, json body, int status, std::string code, std::string field) {
    return Scenario{.name = std::move(name), .principal = alice.token, .method = "POST", .path = kBase,
                    .body = std::move(body), .status = status, .code = std::move(code), .field = std::move(field)};
  };
  run_scenarios(p.server(), {
      refused("agent_id missing", {{"requested_budget_usd", 1}, {"justification", kWhy}}, 400, "MISSING_FIELD", "agent_id"),
      refused("agent_id zero", body_for(0, 1), 400, "VALIDATION_ERROR", "agent_id"),
      refused("agent_id string", {{"agent_id", "1"}, {"requested_budget_usd", 1}, {"justification", kWhy}}, 400,
       "VALIDATION_ERROR", "agent_id"),
      refused("usd missing", {{"agent_id", agent}, {"justification", kWhy}}, 400, "MISSING_FIELD", "requested_budget_usd"),
      refused("usd string", {{"agent_id", agent}, {"requested_budget_usd", "5"}, {"justification", kWhy}}, 400,
       "VALIDATION_ERROR", "requested_budget_usd"),
      refused("usd zero", body_for(agent, 0), 400, "VALIDATION_ERROR", "requested_budget_usd"),
      refused("usd negative", body_for(agent, -1), 400, "VALIDATION_ERROR", "requested_budget_usd"),
      refused("usd below one microdollar", body_for(agent, 0.0000004), 400, "VALIDATION_ERROR", "requested_budget_usd"),
      refused("usd equals current", body_for(agent, 5), 400, "REQUESTED_EQUALS_CURRENT", "requested_budget_usd"),
      refused("justification missing", {{"agent_id", agent}, {"requested_budget_usd", 1}}, 400, "MISSING_FIELD",
       "justification"),
      refused("justification 19 after trim", {{"agent_id", agent}, {"requested_budget_usd", 1}, {"justification", padded}},
       400, "VALIDATION_ERROR", "justification"),
      refused("justification 501", {{"agent_id", agent}, {"requested_budget_usd", 1}, {"justification", std::string(501, 'j')}},
       400, "VALIDATION_ERROR", "justification"),
      refused("unknown agent", body_for(agent + 100, 1), 404, "AGENT_NOT_FOUND", ""),
  });
  EXPECT_EQ(p.call_raw("POST", kBase, alice.token, "{not json").status, 400);
  EXPECT_EQ(p.call("GET", kBase, alice.token).body["requests"].size(), 0u) << "nothing was filed";
  // Exact decimal conversion: 0.000001 is one microdollar, 0.29 is 290000 (not 289999).
  file(p, alice, agent, 0.000001);
  file(p, alice, agent, 0.29);
  auto list = p.call("GET", kBase, alice.token).body["requests"];
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0]["requested_budget_microdollars"], 290'000);
  EXPECT_EQ(list[1]["requested_budget_microdollars"], 1);
}

TEST(GovernanceBudgetRequests, usd_boundary_10000_ok_10000_01_rejected) {
  Panel p;
  const int64_t agent = p.add_agent(p.admin.id, 1'000'000);
  auto ok = p.call("POST", kBase, p.admin.token, body_for(agent, 10000));
  ASSERT_EQ(ok.status, 201) << ok.raw;
  EXPECT_EQ(p.call("GET", path(ok.body["request_id"]), p.admin.token).body["requested_budget_microdollars"],
            10'000'000'000LL);
  expect_error(p.call("POST", kBase, p.admin.token, body_for(agent, 10000.01)), 400, "VALIDATION_ERROR",
               "requested_budget_usd");
  expect_error(p.call("POST", kBase, p.admin.token, body_for(agent, 10000.000001)), 400, "VALIDATION_ERROR",
               "requested_budget_usd");
  expect_error(p.call_raw("POST", kBase, p.admin.token,
                          R"({"agent_id":)" + std::to_string(agent) + R"(,"requested_budget_usd":1e400,"justification":")" +
                              kWhy + "\"}"),
               400, "MALFORMED_JSON");
}

TEST(GovernanceBudgetRequests, requester_taken_from_token) {
  Panel p;
  const Account alice = p.add_user("user", "alice");
  const int64_t agent = p.add_agent(alice.id, 1'000'000);
  json body = body_for(agent, 3);
  body["requester_id"] = p.admin.id;  // spoof attempt: ignored
  auto r = p.call("POST", kBase, alice.token, body);
  ASSERT_EQ(r.status, 201) << r.raw;
  EXPECT_EQ(p.call("GET", path(r.body["request_id"]), alice.token).body["requester_id"], alice.id);
  // And because the requester is alice, the admin she tried to impersonate may approve.
  EXPECT_EQ(p.call("PATCH", path(r.body["request_id"], "approve"), p.admin.token).status, 200);
}

TEST(GovernanceBudgetRequests, ScopedReadsAndCreates) {
  Panel p;
  const Account alice = p.add_user("user", "alice");
  const Account bob = p.add_user("user", "bob");
  const Account viewer = p.add_user("viewer", "vera");
  const int64_t a_agent = p.add_agent(alice.id, 1'000'000, "a");
  const int64_t b_agent = p.add_agent(bob.id, 1'000'000, "b");
  expect_error(p.call("POST", kBase, bob.token, body_for(a_agent, 2)), 404, "AGENT_NOT_FOUND");
  expect_error(p.call("POST", kBase, viewer.token, body_for(a_agent, 2)), 403, "INSUFFICIENT_PERMISSIONS");
  const std::string a_req = file(p, alice, a_agent, 2);
  const std::string b_req = file(p, bob, b_agent, 3);
  const std::string admin_req = file(p, p.admin, a_agent, 4);  // admin may file for any agent

  expect_error(p.call("GET", path(a_req), bob.token), 404, "NOT_FOUND");
  expect_error(p.call("GET", path("breq_missing"), p.admin.token), 404, "NOT_FOUND");
  EXPECT_EQ(p.call("GET", path(admin_req), alice.token).status, 200) << "alice owns the agent";
  auto mine = p.call("GET", kBase, alice.token).body["requests"];
  ASSERT_EQ(mine.size(), 2u);
  EXPECT_EQ(mine[0]["id"], admin_req) << "newest first";
  EXPECT_EQ(mine[1]["id"], a_req);
  EXPECT_EQ(p.call("GET", kBase, p.admin.token).body["requests"].size(), 3u);
  auto filtered = p.call("GET", kBase + "?agent_id=" + std::to_string(b_agent), p.admin.token).body["requests"];
  ASSERT_EQ(filtered.size(), 1u);
  EXPECT_EQ(filtered[0]["id"], b_req);
  EXPECT_EQ(p.call("GET", kBase + "?agent_id=" + std::to_string(b_agent), alice.token).body["requests"].size(), 0u);
  EXPECT_EQ(p.call("GET", kBase + "?status=pending", p.admin.token).body["requests"].size(), 3u);
  EXPECT_EQ(p.call("GET", kBase + "?status=approved", p.admin.token).body["requests"].size(), 0u);
  expect_error(p.call("GET", kBase + "?status=bogus", p.admin.token), 400, "VALIDATION_ERROR", "status");
  expect_error(p.call("GET", kBase + "?agent_id=0", p.admin.token), 400, "VALIDATION_ERROR", "agent_id");
}

TEST(GovernanceBudgetRequests, EveryRouteRequiresAuthentication) {
  Panel p;
  const int64_t agent = p.add_agent(p.admin.id, 1'000'000);
  const std::string id = file(p, p.admin, agent, 2);
  const std::vector<std::pair<std::string, std::string>> routes = {
      {"POST", kBase}, {"GET", kBase}, {"GET", path(id)}, {"PATCH", path(id, "approve")},
      {"PATCH", path(id, "reject")}, {"PATCH", path(id, "cancel")}};
  for (const auto& [method, url] : routes) {
    SCOPED_TRACE(method + " " + url);
    EXPECT_EQ(p.call(method, url, "", json{{"reason", "x"}}).status, 401);
    EXPECT_EQ(p.call(method, url, "not-a-token", json{{"reason", "x"}}).status, 401);
  }
  EXPECT_EQ(p.call("GET", path(id), p.admin.token).body["status"], "pending");
}

TEST(GovernanceBudgetRequests, requester_cannot_approve_own_request) {
  Panel p;
  const Account admin2 = p.add_user("admin", "second-admin");
  const int64_t agent = p.add_agent(p.admin.id, 1'000'000);
  const std::string id = file(p, p.admin, agent, 7);
  expect_error(p.call("PATCH", path(id, "approve"), p.admin.token), 403, "REQUESTER_CANNOT_APPROVE_OWN_REQUEST");
  expect_error(p.call("PATCH", path(id, "reject"), p.admin.token, json{{"reason", "no"}}), 403,
               "REQUESTER_CANNOT_APPROVE_OWN_REQUEST");
  EXPECT_EQ(allocated(p, agent), 1'000'000);
  EXPECT_EQ(p.call("GET", path(id), p.admin.token).body["status"], "pending");
  auto ok = p.call("PATCH", path(id, "approve"), admin2.token);
  ASSERT_EQ(ok.status, 200) << ok.raw;
  EXPECT_EQ(ok.body["request_id"], id);
  EXPECT_EQ(ok.body["status"], "approved");
  EXPECT_EQ(ok.body["decided_by"], admin2.id);
  EXPECT_TRUE(ok.body["decided_at"].is_string());
  EXPECT_EQ(allocated(p, agent), 7'000'000);
}

TEST(GovernanceBudgetRequests, approve_is_admin_only) {
  Panel p;
  const Account alice = p.add_user("user", "alice");
  const Account bob = p.add_user("user", "bob");
  const Account viewer = p.add_user("viewer", "vera");
  const int64_t agent = p.add_agent(alice.id, 1'000'000);
  const std::string id = file(p, alice, agent, 9);
  for (const Account* u : {&alice, &bob, &viewer}) {
    expect_error(p.call("PATCH", path(id, "approve"), u->token), 403, "INSUFFICIENT_PERMISSIONS");
    expect_error(p.call("PATCH", path(id, "reject"), u->token, json{{"reason", "no"}}), 403,
                 "INSUFFICIENT_PERMISSIONS");
  }
  EXPECT_EQ(allocated(p, agent), 1'000'000);
  EXPECT_EQ(p.call("GET", path(id), alice.token).body["status"], "pending");
  expect_error(p.call("PATCH", path("breq_missing", "approve"), p.admin.token), 404, "NOT_FOUND");
  ASSERT_EQ(p.call("PATCH", path(id, "approve"), p.admin.token).status, 200);
  expect_error(p.call("PATCH", path(id, "approve"), p.admin.token), 409, "REQUEST_NOT_PENDING");
  expect_error(p.call("PATCH", path(id, "reject"), p.admin.token, json{{"reason", "late"}}), 409,
               "REQUEST_NOT_PENDING");
  expect_error(p.call("PATCH", path(id, "cancel"), alice.token), 409, "REQUEST_NOT_PENDING");
  EXPECT_EQ(allocated(p, agent), 9'000'000);
}

TEST(GovernanceBudgetRequests, approval_uses_current_state) {
  Panel p;
  const Account alice = p.add_user("user", "alice");
  const auto agent = p.add_leasing_agent(alice, 10'000'000);
  const std::string id = file(p, alice, agent.id, 25);  // filed against 10 $: the old code would add +15 $
  // Between request and approval the allocation changes and some budget is leased.
  ASSERT_EQ(p.call("PUT", agent_path(agent.id, "/budget"), p.admin.token, {{"total_allocated_microdollars", 40'000'000}})
                .status,
            200);
  ASSERT_FALSE(p.open_lease(agent, 3'000'000).empty());
  auto ok = p.call("PATCH", path(id, "approve"), p.admin.token);
  ASSERT_EQ(ok.status, 200) << ok.raw;
  const json b = p.budget(agent.id);
  EXPECT_EQ(b["allocated"], 25'000'000) << "exactly the requested absolute value, not 40 + 15";
  EXPECT_EQ(b["reserved"], 3'000'000);
  EXPECT_EQ(b["remaining"], 22'000'000);
  const Reply history = p.call("GET", agent_path(agent.id, "/budget/history"), p.admin.token);
  ASSERT_EQ(history.status, 200) << history.raw;
  const json& h = history.body;
  ASSERT_EQ(h.size(), 3u) << h.dump();  // newest first: approval, top-up, initial
  EXPECT_EQ(h[1]["previous_allocated"], 10'000'000);
  EXPECT_EQ(h[1]["new_allocated"], 40'000'000);
  EXPECT_EQ(h[0]["previous_allocated"], 40'000'000);
  EXPECT_EQ(h[0]["new_allocated"], 25'000'000);
  EXPECT_EQ(h[0]["budget_request_id"], id);
  EXPECT_EQ(h[0]["changed_by"], p.admin.id);
}

TEST(GovernanceBudgetRequests, ApprovalBelowWhatIsCommittedIsAConflictAndStaysPending) {
  Panel p;
  const auto leasing = p.add_leasing_agent(p.admin, 10'000'000);
  const int64_t agent = leasing.id;
  const Account alice = p.add_user("admin", "alice");
  const std::string id = file(p, alice, agent, 2);
  ASSERT_FALSE(p.open_lease(leasing, 5'000'000).empty());
  auto r = p.call("PATCH", path(id, "approve"), p.admin.token);
  expect_error(r, 409, "ALLOCATION_BELOW_COMMITTED");
  EXPECT_EQ(r.body["error"]["details"]["minimum"], 5'000'000);
  EXPECT_EQ(p.call("GET", path(id), p.admin.token).body["status"], "pending");
  EXPECT_EQ(allocated(p, agent), 10'000'000);
}

// The reason arrives as `reason` or, from the predecessor's dashboard (issue 9 item 22), as
// `rejection_reason`: the same rules for both; when both are sent, `reason` wins.
TEST(GovernanceBudgetRequests, reject_stores_reason) {
  Panel p;
  const Account alice = p.add_user("user", "alice");
  const int64_t agent = p.add_agent(alice.id, 1'000'000);
  for (const std::string field : {"reason", "rejection_reason"}) {
    SCOPED_TRACE(field);
    const std::string id = file(p, alice, agent, 50);
    const auto reject = [&](const json& body) { return p.call("PATCH", path(id, "reject"), p.admin.token, body); };
    expect_error(reject(json::object()), 400, "MISSING_FIELD", "reason");
    expect_error(reject({{field, "   "}}), 400, "VALIDATION_ERROR", field);
    expect_error(reject({{field, std::string(1001, 'r')}}), 400, "VALIDATION_ERROR", field);
    const Reply r = reject({{field, "  spend the Q3 budget first  "}});
    ASSERT_EQ(r.status, 200) << r.raw;
    EXPECT_EQ(r.body["status"], "rejected");
    const json got = p.call("GET", path(id), alice.token).body;
    EXPECT_EQ(got["status"], "rejected");
    EXPECT_EQ(got["rejection_reason"], "spend the Q3 budget first");
    EXPECT_EQ(got["decided_by"], p.admin.id);
  }
  EXPECT_EQ(allocated(p, agent), 1'000'000);
  EXPECT_EQ(p.call("GET", kBase + "?status=rejected", alice.token).body["requests"].size(), 2u);

  const std::string both = file(p, alice, agent, 60);
  const Reply r = p.call("PATCH", path(both, "reject"), p.admin.token,
                         json{{"reason", "the new name"}, {"rejection_reason", "the old name"}});
  ASSERT_EQ(r.status, 200) << r.raw;
  EXPECT_EQ(r.body["rejection_reason"], "the new name");
}

TEST(GovernanceBudgetRequests, cancel_by_requester_only) {
  Panel p;
  const Account alice = p.add_user("user", "alice");
  const Account bob = p.add_user("user", "bob");
  const int64_t agent = p.add_agent(alice.id, 1'000'000);
  const std::string by_admin = file(p, p.admin, agent, 2);  // filed by the admin for alice's agent
  const std::string by_alice = file(p, alice, agent, 3);
  expect_error(p.call("PATCH", path(by_admin, "cancel"), alice.token), 403, "NOT_REQUESTER");
  expect_error(p.call("PATCH", path(by_alice, "cancel"), p.admin.token), 403, "NOT_REQUESTER");
  expect_error(p.call("PATCH", path(by_alice, "cancel"), bob.token), 404, "NOT_FOUND");
  auto r = p.call("PATCH", path(by_alice, "cancel"), alice.token);
  ASSERT_EQ(r.status, 200) << r.raw;
  EXPECT_EQ(r.body["status"], "cancelled");
  EXPECT_EQ(r.body["decided_by"], alice.id);
  expect_error(p.call("PATCH", path(by_alice, "cancel"), alice.token), 409, "REQUEST_NOT_PENDING");
  expect_error(p.call("PATCH", path(by_alice, "approve"), p.admin.token), 409, "REQUEST_NOT_PENDING");
  EXPECT_EQ(p.call("PATCH", path(by_admin, "cancel"), p.admin.token).status, 200);
  EXPECT_EQ(allocated(p, agent), 1'000'000);
}

TEST(GovernanceBudgetRequests, LiveEventsReachAdminsAndTheOwnerOnly) {
  Panel p;
  const Account alice = p.add_user("user", "alice");
  const Account bob = p.add_user("user", "bob");
  const int64_t a_agent = p.add_agent(alice.id, 1'000'000, "a");
  const int64_t b_agent = p.add_agent(bob.id, 1'000'000, "b");
  Stream admin(p, p.admin.token);
  Stream bobs(p, bob.token);

  const std::string id = file(p, alice, a_agent, 2);
  std::string got = admin.read_until(id);
  EXPECT_NE(got.find("event: budget_request.created"), std::string::npos) << got;
  EXPECT_NE(got.find("\"agent_id\":" + std::to_string(a_agent)), std::string::npos) << got;
  EXPECT_NE(got.find("\"status\":\"pending\""), std::string::npos) << got;
  EXPECT_NE(got.find("\"requester_id\":\"" + alice.id + "\""), std::string::npos) << got;
  EXPECT_EQ(got.find("justification"), std::string::npos) << "ids and status only: " << got;

  // Bob's own request reaches his stream; events are ordered, so had alice's reached it, it
  // would come first.
  const std::string mine = file(p, bob, b_agent, 3);
  const std::string bob_got = bobs.read_until(mine);
  EXPECT_NE(bob_got.find("event: budget_request.created"), std::string::npos) << bob_got;
  EXPECT_EQ(bob_got.find(id), std::string::npos) << "bob must not see alice's request: " << bob_got;

  ASSERT_EQ(p.call("PATCH", path(id, "approve"), p.admin.token).status, 200);
  got = admin.read_until("budget_request.approved");
  EXPECT_NE(got.find(id), std::string::npos) << got;
  ASSERT_EQ(p.call("PATCH", path(mine, "reject"), p.admin.token, json{{"reason", "not this quarter"}}).status, 200);
  EXPECT_NE(bobs.read_until("budget_request.rejected").find(mine), std::string::npos);
  const std::string again = file(p, bob, b_agent, 4);
  ASSERT_EQ(p.call("PATCH", path(again, "cancel"), bob.token).status, 200);
  got = admin.read_until("budget_request.cancelled");
  EXPECT_NE(got.find(again), std::string::npos) << got;
  EXPECT_EQ(bobs.read_until("budget_request.cancelled").find(id), std::string::npos);
}
