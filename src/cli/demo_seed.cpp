// `ironpanel demo-seed`: fills a data dir with realistic demo data for trying the panel —
// users of each role, encrypted (fake) provider keys, funded agents, 30 days of usage in
// analytics and in the budget ledger. Never automatic, never in migrations; refuses a data
// dir that already has agents. The demo users share one random password, printed once.
#include <iostream>
#include <random>

#include "cli/commands.h"
#include "domain/accounts.h"
#include "domain/agent_key.h"
#include "domain/agents.h"
#include "domain/analytics.h"
#include "domain/budget_ledger.h"
#include "domain/provider_keys.h"
#include "security/random.h"
#include "cli/open_database.h"
#include "cli/server_key_check.h"
#include "store/data_dir.h"
#include "store/database.h"
#include "store/sqlite.h"
#include "util/clock.h"

namespace iron::cli {
namespace {

struct DemoModel {
  const char* provider;
  const char* model;
  int64_t micros_per_1k_tokens;
};
constexpr DemoModel kModels[] = {{"openai", "gpt-4o", 5000}, {"openai", "gpt-4o-mini", 300},
                                 {"anthropic", "claude-3-5-sonnet", 6000}, {"anthropic", "claude-3-5-haiku", 1000}};

bool has_agents(store::Database& db) {
  return db.read([](store::Connection& c) {
    auto& s = c.prepare("SELECT count(*) FROM agents");
    return s.step() && s.int64(0) > 0;
  });
}

domain::Principal as(const store::User& u) {
  domain::Principal p;
  p.user_id = u.id;
  p.email = u.email;
  p.role = *domain::parse_role(u.role);
  return p;
}

// 30 days of traffic for one agent: analytics events plus the same spend through a lease
// per day, so budgets and analytics agree.
void seed_usage(domain::Analytics& analytics, domain::BudgetLedger& ledger, const domain::AgentIdentity& who,
                const char* provider, std::mt19937& rng, const domain::RequestContext& ctx) {
  const auto today = util::now();
  std::uniform_int_distribution<int> calls(5, 40), tokens(200, 4000), fail(0, 19);
  for (int day = 29; day >= 0; --day) {
    const auto t = today - std::chrono::hours(24 * day);
    std::vector<domain::AnalyticsEvent> events;
    int64_t day_cost = 0, day_tokens = 0;
    const int n = calls(rng);
    for (int i = 0; i < n; ++i) {
      const DemoModel* m = &kModels[0];
      for (const auto& candidate : kModels)
        if (std::string(candidate.provider) == provider && rng() % 2) m = &candidate;
      if (std::string(m->provider) != provider) m = std::string(provider) == "openai" ? &kModels[1] : &kModels[3];
      domain::AnalyticsEvent e;
      e.event_id = "demo-" + std::to_string(who.agent_id) + "-" + std::to_string(day) + "-" + std::to_string(i);
      e.timestamp_ms = util::to_unix_ms(t) - i * 60'000;
      e.model = m->model;
      e.provider = m->provider;
      if (fail(rng) == 0) {
        e.event_type = "llm_request_failed";
        e.error_code = "rate_limited";
      } else {
        const int total = tokens(rng);
        e.event_type = "llm_request_completed";
        e.input_tokens = total * 2 / 3;
        e.output_tokens = total - *e.input_tokens;
        e.cost_micros = total * m->micros_per_1k_tokens / 1000;
        day_cost += *e.cost_micros;
        day_tokens += total;
      }
      events.push_back(std::move(e));
    }
    (void)analytics.ingest_batch(who, events, ctx);
    if (day_cost == 0) continue;
    auto lease = ledger.reserve(who.agent_id, day_cost, t, ctx);
    if (!lease) continue;  // budget exhausted: realistic too
    (void)ledger.report(lease->id, who.agent_id,
                        {"demo-day-" + std::to_string(day), day_tokens, std::min(day_cost, lease->granted), "mixed", provider},
                        t);
    (void)ledger.release(lease->id, who.agent_id, t, ctx);
  }
}

int seed(const config::Config& c) {
  security::init();
  store::ensure_data_dir(c.data_dir);
  auto db = open_database(c);
  if (has_agents(db)) return fail("the data dir already has agents; demo-seed only fills an empty panel", 1);
  const auto keys = load_checked_server_keys(db, c, JwtSecret::unused);
  domain::RequestContext ctx = domain::RequestContext::system();
  ctx.user_agent = "ironpanel-demo-seed";

  const std::string password = security::random_base62(16);
  domain::Accounts accounts(db);
  auto user = [&](const std::string& name, const std::string& role) -> store::User {
    domain::NewUser u{name, name + "@demo.example", name, password, role, false};
    auto r = accounts.create(u, ctx);
    if (!r) throw std::runtime_error("creating " + name + ": " + r.error().message);
    return *r;
  };
  const bool need_admin = !accounts.admin_exists();
  const store::User admin = need_admin ? user("demo-admin", "admin") : store::User{};
  const store::User alice = user("alice", "user");
  const store::User bob = user("bob", "user");
  user("victor", "viewer");

  domain::ProviderKeys provider_keys(db, keys.master_key);
  domain::BudgetLedger ledger(db, {});
  domain::Agents agents(db, &domain::agent_key::check_assignment);
  domain::Analytics analytics(db);
  std::mt19937 rng(42);
  domain::Principal operator_principal = as(alice);
  operator_principal.role = domain::Role::admin;  // the seed acts as an operator

  struct Plan { const store::User* owner; const char* provider; const char* agent; int64_t budget; };
  const Plan plans[] = {{&alice, "openai", "support-bot", 50'000'000},
                        {&alice, "openai", "code-reviewer", 20'000'000},
                        {&bob, "anthropic", "research-assistant", 30'000'000}};
  int agent_count = 0;
  for (const auto& plan : plans) {
    auto key = provider_keys.create(as(*plan.owner),
                                    {plan.provider, std::string("sk-demo-") + security::random_base62(32), std::nullopt,
                                     std::string("demo key (not a real credential)")},
                                    ctx);
    if (!key) throw std::runtime_error("creating a demo key: " + key.error().message);
    auto agent = agents.create(operator_principal, {plan.agent, key->id, plan.budget, plan.owner->id}, ctx);
    if (!agent) throw std::runtime_error("creating agent " + std::string(plan.agent) + ": " + agent.error().message);
    seed_usage(analytics, ledger, {agent->agent.id, plan.owner->id}, plan.provider, rng, ctx);
    ++agent_count;
  }
  std::cout << "demo data written to " << store::database_path(c.data_dir) << ": " << agent_count
            << " agents with 30 days of usage\n"
            << "users: " << (need_admin ? "demo-admin@demo.example (admin), " : "")
            << "alice@demo.example, bob@demo.example (user), victor@demo.example (viewer)\n"
            << "password for all demo users (shown once): " << password << "\n";
  return 0;
}

}  // namespace

void add_demo_seed(CLI::App& app, Invocation& inv) {
  auto* cmd = app.add_subcommand("demo-seed", "Fill an empty data dir with realistic demo data (never automatic)");
  add_data_flag(*cmd, inv);
  cmd->callback([&inv] {
    if (resolve_config(inv, config::scope_data | config::scope_keys)) inv.exit_code = seed(inv.config);
  });
}

}  // namespace iron::cli
