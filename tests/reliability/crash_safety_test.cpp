// Crash safety (docs/security.md, "Crash safety"): writers keep the server busy with
// acknowledged writes of every durable kind (single analytics events, batches, budget
// handshakes and usage reports, user creations and role changes) while the process is
// killed with SIGKILL at a random moment, again and again. After each restart every write
// that was answered 2xx is in the database, SQLite's integrity check passes and the budget
// ledger is exact. The seed is printed; IRON_CRASH_SEED replays a run.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <iostream>
#include <map>
#include <set>
#include <cstdlib>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

#include "ledger_audit.h"
#include "store/data_dir.h"
#include "support/panel.h"
#include "util/clock.h"

using iron::test::json;
using iron::test::Reply;
using iron::test::ServerProcess;

namespace {

constexpr int kCycles = 10;

// What the server acknowledged; each entry must survive the crash that follows.
struct Acknowledged {
  std::mutex m;
  std::vector<std::string> event_ids;
  std::vector<std::string> lease_ids;
  std::vector<std::pair<std::string, std::string>> reports;  // lease, request id
  std::map<std::string, std::set<std::string>> user_roles;   // id -> roles it may have now
  int count = 0;       // acknowledgements so far (guarded by m)
  int user_count = 0;  // of which user creations and role changes
  std::condition_variable acknowledged;
  void note() {  // called with m held
    ++count;
    acknowledged.notify_all();
  }
  void note_user() {
    ++user_count;
    note();
  }
};

struct Client {
  int port;
  Reply call(const std::string& method, const std::string& path, const std::string& bearer, const json& body) const {
    httplib::Client c("127.0.0.1", port);
    c.set_connection_timeout(2);
    c.set_read_timeout(10);
    httplib::Request req;
    req.method = method;
    req.path = path;
    if (!bearer.empty()) req.headers.emplace("Authorization", "Bearer " + bearer);
    req.body = body.dump();
    req.headers.emplace("Content-Type", "application/json");
    return iron::test::reply_of(c.send(req));  // status 0: the server died under this request
  }
};

int64_t now_ms() { return iron::util::to_unix_ms(iron::util::now()); }

json event(const std::string& id) {
  return {{"event_id", id}, {"timestamp_ms", now_ms()}, {"event_type", "llm_request_completed"}, {"model", "gpt-4o"},
          {"provider", "openai"}, {"input_tokens", 10}, {"output_tokens", 5}, {"cost_micros", 7}};
}

bool ok(const Reply& r) { return r.status >= 200 && r.status < 300; }

// One writer per kind; each stops at its first unanswered request (the server is gone).
void write_events(const Client& c, const std::string& ic, const std::string& prefix, Acknowledged& acks) {
  for (int i = 0;; ++i) {
    const std::string id = prefix + "-e" + std::to_string(i);
    const auto r = c.call("POST", "/api/v1/analytics/events", ic, event(id));
    if (!ok(r)) return;
    std::lock_guard lock(acks.m);
    acks.event_ids.push_back(id);
    acks.note();
  }
}

void write_batches(const Client& c, const std::string& ic, const std::string& prefix, Acknowledged& acks) {
  for (int i = 0;; ++i) {
    json events = json::array();
    std::vector<std::string> ids;
    for (int k = 0; k < 20; ++k) {
      ids.push_back(prefix + "-b" + std::to_string(i) + "-" + std::to_string(k));
      events.push_back(event(ids.back()));
    }
    const auto r = c.call("POST", "/api/v1/analytics/events/batch", ic, json{{"events", events}});
    if (!ok(r)) return;
    EXPECT_EQ(r.body.value("accepted", 0), 20) << r.raw;
    std::lock_guard lock(acks.m);
    acks.event_ids.insert(acks.event_ids.end(), ids.begin(), ids.end());
    acks.note();
  }
}

void write_budget(const Client& c, const std::string& ic, const std::string& prefix, Acknowledged& acks) {
  for (int lease_n = 0;; ++lease_n) {
    const auto hs = c.call("POST", "/api/v1/budget/handshake", ic, json{{"provider", "openai"}, {"requested_budget", 1'000}});
    if (!ok(hs)) return;
    const std::string lease = hs.body.value("lease_id", "");
    {
      std::lock_guard lock(acks.m);
      acks.lease_ids.push_back(lease);
      acks.note();
    }
    for (int i = 0; i < 10; ++i) {  // 10 reports of 3 µ$, then the next lease
      const std::string rid = prefix + "-r" + std::to_string(lease_n) + "-" + std::to_string(i);
      const auto r = c.call("POST", "/api/v1/budget/report", ic,
                            json{{"lease_id", lease}, {"request_id", rid}, {"tokens", 1}, {"cost_microdollars", 3},
                                 {"model", "gpt-4o"}, {"provider", "openai"}});
      if (!ok(r)) return;
      std::lock_guard lock(acks.m);
      acks.reports.emplace_back(lease, rid);
      acks.note();
    }
  }
}

void write_users(const Client& c, const std::string& admin, const std::string& prefix, Acknowledged& acks) {
  for (int i = 0;; ++i) {
    const std::string name = prefix + "-u" + std::to_string(i);
    const auto created = c.call("POST", "/api/v1/users", admin,
                                json{{"username", name}, {"email", name + "@example.test"},
                                     {"password", "crash-test-password-1"}, {"role", "viewer"}});
    if (!ok(created)) return;
    const std::string id = created.body.value("id", "");
    {
      std::lock_guard lock(acks.m);
      acks.user_roles[id] = {"viewer", "user"};  // a role change is in flight until answered
      acks.note_user();
    }
    const auto changed = c.call("PUT", "/api/v1/users/" + id + "/role", admin, json{{"role", "user"}});
    if (!ok(changed)) return;
    std::lock_guard lock(acks.m);
    acks.user_roles[id] = {"user"};
    acks.note_user();
  }
}

// Every acknowledged write, read back from the database file.
void expect_all_present(const std::string& db_path, int64_t agent_id, Acknowledged& acks) {
  iron::store::SqliteConnection c(db_path, true);
  std::lock_guard lock(acks.m);
  for (const auto& id : acks.event_ids) {
    auto& s = c.prepare("SELECT 1 FROM analytics_events WHERE agent_id = ? AND event_id = ?");
    s.bind(1, agent_id).bind(2, id);
    EXPECT_TRUE(s.step()) << "acknowledged event lost: " << id;
  }
  for (const auto& id : acks.lease_ids) {
    auto& s = c.prepare("SELECT 1 FROM budget_leases WHERE id = ?");
    s.bind(1, id);
    EXPECT_TRUE(s.step()) << "acknowledged lease lost: " << id;
  }
  for (const auto& [lease, rid] : acks.reports) {
    auto& s = c.prepare("SELECT 1 FROM lease_reports WHERE lease_id = ? AND request_id = ?");
    s.bind(1, lease).bind(2, rid);
    EXPECT_TRUE(s.step()) << "acknowledged usage report lost: " << lease << "/" << rid;
  }
  for (const auto& [id, roles] : acks.user_roles) {
    auto& s = c.prepare("SELECT role FROM users WHERE id = ?");
    s.bind(1, id);
    if (!s.step()) {
      ADD_FAILURE() << "acknowledged user lost: " << id;
      continue;
    }
    EXPECT_TRUE(roles.count(s.text(0))) << "user " << id << " has role " << s.text(0) << ", not the acknowledged one";
  }
}

unsigned seed() {
  if (const char* s = std::getenv("IRON_CRASH_SEED")) return static_cast<unsigned>(std::strtoul(s, nullptr, 10));
  return std::random_device{}();
}

}  // namespace

TEST(CrashSafety, EveryAcknowledgedWriteSurvivesRepeatedSigkill) {
  const unsigned run_seed = seed();
  std::mt19937 rng(run_seed);
  RecordProperty("seed", std::to_string(run_seed));
  std::cout << "IRON_CRASH_SEED=" << run_seed << "\n";

  const std::string data_dir = iron::test::make_temp_dir();
  const std::string db_path = iron::store::database_path(data_dir);
  ServerProcess::Options options = iron::test::admin_options({}, {{"IRON_IP_TOKEN_KEY", iron::test::kIpTokenKey}});
  options.data_dir = data_dir;
  int64_t agent_id = 0;
  std::string ic;
  {  // Setup: a key, an agent with a budget that outlasts the run, its IC token.
    ServerProcess server(options);
    Client c{server.port()};
    const auto login = c.call("POST", "/api/v1/auth/login", "", json{{"email", iron::test::kAdminEmail}, {"password", iron::test::kAdminPassword}});
    ASSERT_EQ(login.status, 200) << login.raw;
    const std::string admin = login.body.value("user_token", "");
    const auto key = c.call("POST", "/api/v1/providers", admin, json{{"provider", "openai"}, {"api_key", "sk-crash-0123456789"}});
    ASSERT_EQ(key.status, 201) << key.raw;
    const auto agent = c.call("POST", "/api/v1/agents", admin,
                              json{{"name", "crash"}, {"provider_key_id", key.body["id"]}, {"initial_budget_microdollars", 1'000'000'000}});
    ASSERT_EQ(agent.status, 201) << agent.raw;
    agent_id = agent.body.value("id", int64_t{0});
    const auto token = c.call("POST", "/api/v1/agents/" + std::to_string(agent_id) + "/ic-token", admin, json::object());
    ASSERT_EQ(token.status, 201) << token.raw;
    ic = token.body.value("ic_token", "");
    ASSERT_EQ(server.stop(), 0);
  }

  Acknowledged acks;
  for (int cycle = 0; cycle < kCycles; ++cycle) {
    SCOPED_TRACE("cycle " + std::to_string(cycle));
    ServerProcess server(options);
    // The previous cycle's acknowledged writes, after recovery by the restarted server.
    EXPECT_EQ(iron::test::reliability::integrity_check(db_path), "ok");
    expect_all_present(db_path, agent_id, acks);
    for (const auto& v : iron::test::reliability::ledger_violations(db_path)) ADD_FAILURE() << v;
    if (HasFailure()) return;

    Client c{server.port()};
    const auto login = c.call("POST", "/api/v1/auth/login", "", json{{"email", iron::test::kAdminEmail}, {"password", iron::test::kAdminPassword}});
    ASSERT_EQ(login.status, 200) << login.raw;
    const std::string admin = login.body.value("user_token", "");
    const std::string prefix = "c" + std::to_string(cycle);
    std::vector<std::thread> writers;
    writers.emplace_back(write_events, c, ic, prefix, std::ref(acks));
    writers.emplace_back(write_batches, c, ic, prefix, std::ref(acks));
    writers.emplace_back(write_budget, c, ic, prefix, std::ref(acks));
    writers.emplace_back(write_users, c, admin, prefix, std::ref(acks));
    // The kill lands after a random number of acknowledgements, i.e. at a random point in
    // whatever each writer is doing (mid-commit included) — and after the user writer's first
    // acknowledgement of the cycle: its password hashing is slow, and on a loaded machine the
    // other writers' acknowledgements alone ended every cycle before any user was created.
    {
      std::unique_lock lock(acks.m);
      const int target = acks.count + std::uniform_int_distribution<int>(10, 120)(rng);
      const int users_before = acks.user_count;
      EXPECT_TRUE(acks.acknowledged.wait_for(lock, std::chrono::seconds(30), [&] {
        return acks.count >= target && acks.user_count > users_before;
      })) << "the writers stalled";
    }
    server.send_signal(SIGKILL);
    EXPECT_EQ(server.wait_exit(10), 128 + SIGKILL);
    for (auto& w : writers) w.join();
  }
  ServerProcess server(options);  // the last crash's recovery
  EXPECT_EQ(iron::test::reliability::integrity_check(db_path), "ok");
  expect_all_present(db_path, agent_id, acks);
  for (const auto& v : iron::test::reliability::ledger_violations(db_path)) ADD_FAILURE() << v;
  std::lock_guard lock(acks.m);
  std::cout << "acknowledged and found after " << kCycles << " SIGKILLs: " << acks.event_ids.size() << " events, "
            << acks.lease_ids.size() << " leases, " << acks.reports.size() << " usage reports, " << acks.user_roles.size()
            << " users\n";
  EXPECT_GT(acks.reports.size(), 0u);
  EXPECT_GT(acks.user_roles.size(), 0u);
}
