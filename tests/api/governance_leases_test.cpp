// The budget lease protocol over real HTTP (docs/compatibility.md: S2, S5,
// C1–C3): handshake / report / return / refresh with the IC token, the invariant
// allocated = spent + reserved + remaining after every operation, the named regressions,
// and live lease events on /api/v1/events/stream.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "governance_support.h"
#include "security/crypto.h"
#include "security/ip_token.h"
#include "security/random.h"

using gov::agent_path;
using gov::expect_error;
using gov::json;
using gov::Panel;

namespace {

const std::string kSecret = "sk-live-abcdefghijklmnop";

// The provider key an IP token seals, opened with the Panel's IP-token key.
std::optional<std::string> open_ip_token(const std::string& ip_token) {
  iron::security::init();
  return iron::security::open_ip_token(*iron::security::hex_decode(iron::test::kIpTokenKey), ip_token);
}

// An agent of alice with her openai key assigned and an IC token.
// The four money figures of a budget (its period fields are covered by
// governance_budget_periods_test.cpp).
json money_of(const json& budget) {
  return {{"allocated", budget["allocated"]}, {"spent", budget["spent"]}, {"reserved", budget["reserved"]},
          {"remaining", budget["remaining"]}};
}

struct Agent {
  Panel p;
  gov::Account alice = p.add_user("user", "alice");
  int64_t key = p.add_key(alice, "openai", kSecret);
  int64_t id = p.create_agent({{"name", "runner"}, {"initial_budget_microdollars", 50'000'000}, {"owner_id", alice.id},
                               {"provider_key_id", key}})
                   .value("id", int64_t{0});
  std::string ic = p.ic_token(id, alice.token);

  gov::Reply handshake(int64_t requested, json extra = json::object()) {
    json body = {{"ic_token", ic}, {"provider", "openai"}, {"requested_budget", requested}};
    body.update(extra);
    return p.call("POST", "/api/v1/budget/handshake", "", body);
  }
  std::string lease(int64_t requested) {
    auto r = handshake(requested);
    EXPECT_EQ(r.status, 200) << r.raw;
    return r.body.value("lease_id", "");
  }
  gov::Reply report(const std::string& lease_id, const std::string& request_id, int64_t cost, const std::string& token = "") {
    return p.call("POST", "/api/v1/budget/report", "",
                  json{{"ic_token", token.empty() ? ic : token}, {"lease_id", lease_id}, {"request_id", request_id},
                       {"tokens", 10}, {"cost_microdollars", cost}, {"model", "gpt-x"}, {"provider", "openai"}});
  }
  gov::Reply give_back(const std::string& lease_id, json extra = json::object()) {
    json body = {{"ic_token", ic}, {"lease_id", lease_id}};
    body.update(extra);
    return p.call("POST", "/api/v1/budget/return", "", body);
  }
  json budget() { return money_of(p.budget(id)); }
};

json b(int64_t allocated, int64_t spent, int64_t reserved, int64_t remaining) {
  return {{"allocated", allocated}, {"spent", spent}, {"reserved", reserved}, {"remaining", remaining}};
}

}  // namespace

TEST(GovernanceLeases, EndToEndFlowBudgetReflectsExactlyTheReportedSpend) {
  Agent a;
  auto hs = a.handshake(10'000'000);
  ASSERT_EQ(hs.status, 200) << hs.raw;
  EXPECT_EQ(hs.body["budget_granted"], 10'000'000);
  EXPECT_EQ(hs.body["budget_remaining"], 40'000'000);
  EXPECT_TRUE(std::regex_match(hs.body.value("lease_id", ""), std::regex("lease_[0-9a-f-]{36}")));
  EXPECT_TRUE(iron::util::parse_rfc3339(hs.body.value("expires_at", "")).has_value()) << hs.raw;
  // The IP token opens under the shared key to exactly the agent's provider key.
  EXPECT_EQ(open_ip_token(hs.body.value("ip_token", "")), kSecret);
  EXPECT_EQ(a.budget(), b(50'000'000, 0, 10'000'000, 40'000'000));
  const std::string lease = hs.body["lease_id"];
  auto r1 = a.report(lease, "req-1", 1'500'000);
  ASSERT_EQ(r1.status, 200) << r1.raw;
  EXPECT_EQ(r1.body, (json{{"success", true}, {"budget_remaining", 40'000'000}, {"lease_spent", 1'500'000}, {"replayed", false}}));
  EXPECT_EQ(a.budget(), b(50'000'000, 1'500'000, 8'500'000, 40'000'000));
  auto replay = a.report(lease, "req-1", 1'500'000);
  EXPECT_EQ(replay.body["replayed"], true) << replay.raw;
  EXPECT_EQ(a.budget(), b(50'000'000, 1'500'000, 8'500'000, 40'000'000)) << "a replay moves nothing";
  ASSERT_EQ(a.report(lease, "req-2", 500'000).status, 200);
  EXPECT_EQ(a.budget(), b(50'000'000, 2'000'000, 8'000'000, 40'000'000));
  // return: the client's figure is echoed when it disagrees, never used.
  auto ret = a.give_back(lease, {{"spent_microdollars", 100}});
  ASSERT_EQ(ret.status, 200) << ret.raw;
  EXPECT_EQ(ret.body["returned"], 8'000'000);
  EXPECT_EQ(ret.body["budget_remaining"], 48'000'000);
  EXPECT_EQ(ret.body["reported_spent"], 2'000'000);
  EXPECT_EQ(ret.body["client_spent"], 100);
  EXPECT_EQ(a.budget(), b(50'000'000, 2'000'000, 0, 48'000'000));
  // A closed lease takes no more reports and cannot be returned twice.
  expect_error(a.report(lease, "req-3", 1), 403, "LEASE_NOT_ACTIVE");
  expect_error(a.give_back(lease), 403, "LEASE_NOT_ACTIVE");
  EXPECT_EQ(a.budget(), b(50'000'000, 2'000'000, 0, 48'000'000));
}

TEST(GovernanceLeases, ReturnWithMatchingClientFigureHasNoDisagreement) {
  Agent a;
  const auto lease = a.lease(1'000'000);
  ASSERT_EQ(a.report(lease, "r", 250).status, 200);
  auto ret = a.give_back(lease, {{"spent_microdollars", 250}});
  EXPECT_EQ(ret.body, (json{{"success", true}, {"returned", 999'750}, {"budget_remaining", 49'999'750}})) << ret.raw;
  a.budget();
}

TEST(GovernanceLeases, report_requires_ic_token) {
  Agent a;
  const auto lease = a.lease(1'000'000);
  auto r = a.p.call("POST", "/api/v1/budget/report", "",
                    json{{"lease_id", lease}, {"request_id", "x"}, {"tokens", 1}, {"cost_microdollars", 1}, {"model", "m"}, {"provider", "openai"}});
  expect_error(r, 401, "IC_TOKEN_MISSING");
  expect_error(a.report(lease, "x", 1, "ic_1_notavalidtoken"), 401, "INVALID_IC_TOKEN");
  // A user's access token is not an agent credential.
  auto with_jwt = a.p.call("POST", "/api/v1/budget/report", a.alice.token,
                           json{{"lease_id", lease}, {"request_id", "x"}, {"tokens", 1}, {"cost_microdollars", 1}, {"model", "m"}, {"provider", "openai"}});
  expect_error(with_jwt, 401, "IC_TOKEN_MISSING");
  // The Bearer form works.
  auto bearer = a.p.call("POST", "/api/v1/budget/report", a.ic,
                         json{{"lease_id", lease}, {"request_id", "y"}, {"tokens", 1}, {"cost_microdollars", 7}, {"model", "m"}, {"provider", "openai"}});
  EXPECT_EQ(bearer.status, 200) << bearer.raw;
  EXPECT_EQ(a.budget(), b(50'000'000, 7, 999'993, 49'000'000));
}

TEST(GovernanceLeases, ReportValidationAndRules) {
  Agent a;
  const auto lease = a.lease(1'000);
  json base = {{"ic_token", a.ic}, {"lease_id", lease}, {"request_id", "r"}, {"tokens", 1}, {"cost_microdollars", 1}, {"model", "m"}, {"provider", "openai"}};
  const std::vector<std::pair<std::string, json>> bad = {
      {"request_id", ""}, {"request_id", std::string(201, 'r')}, {"tokens", 0}, {"cost_microdollars", -1},
      {"model", ""}, {"lease_id", 5}, {"tokens", "1"}};
  for (const auto& [field, value] : bad) {
    json body = base;
    body[field] = value;
    auto r = a.p.call("POST", "/api/v1/budget/report", "", body);
    expect_error(r, 400, "VALIDATION_ERROR");
    EXPECT_EQ(r.body["error"]["details"]["field"], field) << r.raw;
  }
  expect_error(a.report("lease_unknown", "r", 1), 404, "LEASE_NOT_FOUND");
  expect_error(a.report(lease, "r", 1'001), 403, "LEASE_EXCEEDED");
  EXPECT_EQ(a.budget(), b(50'000'000, 0, 1'000, 49'999'000));
  // Another agent's lease is not found for this agent.
  const int64_t other = a.p.create_agent({{"name", "o"}, {"initial_budget_microdollars", 5}, {"owner_id", a.alice.id}}).value("id", int64_t{0});
  expect_error(a.report(lease, "r", 1, a.p.ic_token(other)), 404, "LEASE_NOT_FOUND");
}

TEST(GovernanceLeases, regenerated_ic_token_invalidates_old) {
  Agent a;
  const auto lease = a.lease(1'000);
  const std::string old = a.ic;
  auto regen = a.p.call("POST", agent_path(a.id, "/ic-token/regenerate"), a.alice.token);
  ASSERT_EQ(regen.status, 200);
  expect_error(a.report(lease, "r", 1, old), 401, "INVALID_IC_TOKEN");
  a.ic = regen.body["ic_token"];
  EXPECT_EQ(a.report(lease, "r", 1).status, 200);
  a.budget();
}

TEST(GovernanceLeases, revoked_ic_token_refused) {
  Agent a;
  const auto lease = a.lease(1'000);
  ASSERT_EQ(a.p.call("DELETE", agent_path(a.id, "/ic-token"), a.alice.token).status, 204);
  expect_error(a.report(lease, "r", 1), 401, "INVALID_IC_TOKEN");
  expect_error(a.give_back(lease), 401, "INVALID_IC_TOKEN");
  expect_error(a.handshake(5), 401, "INVALID_IC_TOKEN");
  EXPECT_EQ(a.budget(), b(50'000'000, 0, 1'000, 49'999'000));
}

TEST(GovernanceLeases, refresh_releases_old_reservation) {
  Agent a;
  const auto lease = a.lease(10'000'000);
  ASSERT_EQ(a.report(lease, "r", 4'000'000).status, 200);
  auto r = a.p.call("POST", "/api/v1/budget/refresh", "", json{{"ic_token", a.ic}, {"current_lease_id", lease}, {"requested_budget", 2'000'000}});
  ASSERT_EQ(r.status, 200) << r.raw;
  EXPECT_EQ(r.body["status"], "approved");
  EXPECT_EQ(r.body["budget_granted"], 2'000'000);
  EXPECT_EQ(r.body["released"], 6'000'000);
  EXPECT_EQ(r.body["budget_remaining"], 44'000'000);
  EXPECT_EQ(a.budget(), b(50'000'000, 4'000'000, 2'000'000, 44'000'000)) << "old lease's unused 6 $ released";
  expect_error(a.report(lease, "late", 1), 403, "LEASE_NOT_ACTIVE");
  // Denied (HTTP 200) once nothing is left.
  const std::string next = r.body["lease_id"];
  ASSERT_EQ(a.p.call("PUT", agent_path(a.id, "/budget"), a.p.admin.token, json{{"total_allocated_microdollars", 6'000'000}}).status, 200);
  ASSERT_EQ(a.report(next, "r", 2'000'000).status, 200);
  auto denied = a.p.call("POST", "/api/v1/budget/refresh", a.ic, json{{"current_lease_id", next}});
  ASSERT_EQ(denied.status, 200) << denied.raw;
  EXPECT_EQ(denied.body["status"], "denied");
  EXPECT_EQ(denied.body["reason"], "insufficient_budget");
  EXPECT_FALSE(denied.body.contains("lease_id"));
  EXPECT_EQ(a.budget(), b(6'000'000, 6'000'000, 0, 0));
  auto bad = a.p.call("POST", "/api/v1/budget/refresh", a.ic, json{{"current_lease_id", next}, {"requested_budget", 1'000'000'001}});
  expect_error(bad, 400, "VALIDATION_ERROR");
}

TEST(GovernanceLeases, HandshakeValidationAndBudget) {
  Agent a;
  expect_error(a.handshake(0), 400, "VALIDATION_ERROR");
  expect_error(a.handshake(100'000'001), 400, "VALIDATION_ERROR");
  expect_error(a.p.call("POST", "/api/v1/budget/handshake", "", json{{"ic_token", a.ic}}), 400, "MISSING_FIELD");
  auto def = a.p.call("POST", "/api/v1/budget/handshake", a.ic, json{{"provider", "openai"}});
  ASSERT_EQ(def.status, 200) << def.raw;
  EXPECT_EQ(def.body["budget_granted"], 10'000'000) << "default request";
  // Partial grant, then exhausted.
  EXPECT_EQ(a.handshake(100'000'000).body["budget_granted"], 40'000'000);
  expect_error(a.handshake(1), 403, "BUDGET_EXHAUSTED");
  EXPECT_EQ(a.budget(), b(50'000'000, 0, 50'000'000, 0));
}

TEST(GovernanceLeases, handshake_uses_only_the_agents_key) {
  Agent a;
  // Another openai key of the same owner exists; the agent still only gets its own.
  const int64_t other = a.p.add_key(a.alice, "openai", "sk-other-zzzzzzzzzzzzzz");
  auto r = a.handshake(1'000, {{"provider_key_id", other}});
  expect_error(r, 403, "PROVIDER_KEY_MISMATCH");
  auto ok = a.handshake(1'000);
  EXPECT_EQ(open_ip_token(ok.body.value("ip_token", "")), kSecret);
  // An agent without a key gets nothing, even though openai keys exist.
  const int64_t bare = a.p.create_agent({{"name", "bare"}, {"initial_budget_microdollars", 5'000}, {"owner_id", a.alice.id}}).value("id", int64_t{0});
  auto none = a.p.call("POST", "/api/v1/budget/handshake", "", json{{"ic_token", a.p.ic_token(bare)}, {"provider", "openai"}});
  expect_error(none, 403, "NO_PROVIDER_ASSIGNED");
  EXPECT_EQ(money_of(a.p.budget(bare)), b(5'000, 0, 0, 5'000)) << "rolled back";
}

TEST(GovernanceLeases, handshake_rollback_on_key_mismatch) {
  Agent a;
  const json before = a.budget();
  expect_error(a.handshake(1'000, {{"provider", "anthropic"}}), 403, "PROVIDER_MISMATCH");
  EXPECT_EQ(a.budget(), before);
  ASSERT_EQ(a.p.call("PUT", "/api/v1/providers/" + std::to_string(a.key), a.alice.token, json{{"is_enabled", false}}).status, 200);
  expect_error(a.handshake(1'000), 403, "KEY_DISABLED");
  EXPECT_EQ(a.budget(), before);
  auto audit_free = a.p.call("GET", agent_path(a.id), a.alice.token);
  EXPECT_EQ(money_of(audit_free.body["budget"]), before);
}

TEST(GovernanceLeases, LeaseEventsReachTheOwnersStream) {
  Agent a;
  const auto lease = a.lease(1'000);
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(a.p.server().port()));
  inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  ASSERT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  timeval tv{10, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  const std::string req = "GET /api/v1/events/stream HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + a.alice.token + "\r\n\r\n";
  ASSERT_EQ(write(fd, req.data(), req.size()), static_cast<ssize_t>(req.size()));
  auto read_until = [fd](const std::string& needle) {
    std::string out;
    char buf[1024];
    ssize_t n;
    while (out.find(needle) == std::string::npos && (n = read(fd, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
    return out;
  };
  ASSERT_NE(read_until(": connected").find(": connected"), std::string::npos);
  ASSERT_EQ(a.report(lease, "evt-1", 42).status, 200);
  const std::string got = read_until("evt-1");
  EXPECT_NE(got.find("event: lease.reported"), std::string::npos) << got;
  EXPECT_NE(got.find("\"lease_id\":\"" + lease + "\""), std::string::npos) << got;
  EXPECT_NE(got.find("\"cost_microdollars\":42"), std::string::npos) << got;
  close(fd);
}
