#include "domain/budget_ledger.h"

#include "domain/alert_raisers.h"

#include <algorithm>
#include <stdexcept>
#include <utility>

#include <nlohmann/json.hpp>

#include "domain/audit.h"
#include "security/random.h"
#include "store/budget_repo.h"
#include "store/user_repo.h"
#include "util/json_fields.h"

namespace iron::domain {

Error agent_not_found() { return {ErrorKind::not_found, "AGENT_NOT_FOUND", "agent not found", nlohmann::json::object(), 0}; }

namespace {

using nlohmann::json;

// The sweeper expires leases in batches, each its own transaction, so a large backlog never
// holds the single writer for long.
constexpr int64_t kSweepBatch = 256;

int64_t ms(util::TimePoint t) { return util::to_unix_ms(t); }

json budget_json(const BudgetSnapshot& s) {
  json out = {{"allocated", s.allocated}, {"spent", s.spent}, {"reserved", s.reserved}, {"remaining", s.remaining}};
  if (s.period != "one_off" || s.carried_reserved > 0) {
    out["period"] = s.period;
    out["carried_reserved"] = s.carried_reserved;
    out["resets_at"] = s.resets_at;
  }
  return out;
}

// Budgets reset per batch transaction in apply_due_resets.
constexpr int64_t kResetBatch = 256;

Error lease_not_found() { return {ErrorKind::not_found, "LEASE_NOT_FOUND", "lease not found", json::object(), 0}; }

// A guarded UPDATE refused although the rows read in this transaction said it would apply:
// only possible if something else wrote concurrently, which the single writer rules out.
Error inconsistent(const std::string& what) { return Error::internal("budget ledger: " + what + " did not apply"); }

std::optional<Error> check_amount(const std::string& field, int64_t v) {
  if (v <= 0) return Error::validation(field, field + " must be a positive number of microdollars");
  if (v > kMaxLedgerAmountMicros)
    return Error::validation(field, field + " must be at most " + std::to_string(kMaxLedgerAmountMicros) +
                                        " microdollars");
  return std::nullopt;
}

std::optional<Error> check_text(const std::string& field, const std::string& v, size_t max) {
  if (v.empty() || v.size() > max)
    return Error::validation(field, field + " must be 1.." + std::to_string(max) + " characters");
  return std::nullopt;
}

std::string changed_by(const RequestContext& ctx) { return ctx.actor_id.value_or(ctx.actor_type); }

// The lease, if it exists and belongs to the agent. Another agent's lease is "not found" so
// lease ids cannot be probed.
Result<store::BudgetLease> own_lease(store::Connection& c, const std::string& lease_id, int64_t agent_id) {
  auto lease = store::leases::find(c, lease_id);
  if (!lease || lease->agent_id != agent_id) return lease_not_found();
  return std::move(*lease);
}

// Refuses a lease that can no longer be used: ended, or past its expiry and not yet swept.
std::optional<Error> check_usable(const store::BudgetLease& l, int64_t now) {
  if (l.status == "expired" || (l.status == "active" && now >= l.expires_at)) {
    Error e = Error::forbidden("lease has expired", "LEASE_EXPIRED");
    e.details = {{"lease_id", l.id}, {"expires_at", l.expires_at}};
    return e;
  }
  if (l.status != "active") {
    Error e = Error::forbidden("lease is " + l.status, "LEASE_NOT_ACTIVE");
    e.details = {{"lease_id", l.id}, {"status", l.status}};
    return e;
  }
  return std::nullopt;
}

struct Ended {
  int64_t released = 0;
  store::AgentBudget budget;
};

// Whether the lease was reserved in an earlier period than the budget's current one.
bool is_carried(store::Connection& c, const store::BudgetLease& l) {
  const auto b = store::budgets::find(c, l.agent_id);
  return b && l.period_seq < b->period_seq;
}

// Ends an active lease with `status`. Its unreported part goes back into remaining, unless
// the lease belongs to an earlier period: then it leaves the carried reservation, since the
// new period's remaining was already refilled by the reset.
Result<Ended> end_lease(store::Connection& c, const store::BudgetLease& l, const std::string& status, int64_t now) {
  const bool carried = is_carried(c, l);
  auto released = store::leases::finish(c, l.id, status, now);
  if (!released) return inconsistent("ending lease " + l.id);
  auto budget = carried ? store::budgets::settle_carried(c, l.agent_id, *released, now)
                        : store::budgets::release(c, l.agent_id, *released, now);
  if (!budget) return inconsistent("releasing lease " + l.id);
  return Ended{*released, std::move(*budget)};
}

// How many period boundaries lie in [first_due, now]: 1 for a reset on time, more after a stop.
int64_t periods_elapsed(BudgetPeriod p, const std::string& zone, util::TimePoint first_due, util::TimePoint now) {
  int64_t n = 0;
  for (auto t = first_due; t <= now; t = period_window(p, zone, t).end) ++n;
  return n;
}

}  // namespace

BudgetLedger::BudgetLedger(store::Database& db, LedgerPolicy policy) : db_(db), policy_(policy) {
  if (policy_.lease_ttl <= std::chrono::milliseconds::zero())
    throw std::invalid_argument("lease TTL must be positive");
}

Result<CreatedAgent> BudgetLedger::create_agent(const std::string& name, const std::string& owner_id,
                                                int64_t initial_allocated_micros, const RequestContext& ctx) {
  if (auto e = check_text("name", name, 255)) return *e;
  if (auto e = check_amount("initial_allocated", initial_allocated_micros)) return *e;
  return db_.write([&](store::Connection& c) { return create_agent_in(c, name, owner_id, initial_allocated_micros, ctx); });
}

Result<CreatedAgent> BudgetLedger::create_agent_in(store::Connection& c, const std::string& name,
                                                   const std::string& owner_id, int64_t initial_allocated_micros,
                                                   const RequestContext& ctx) {
  if (auto e = check_text("name", name, 255)) return *e;
  if (auto e = check_amount("initial_allocated", initial_allocated_micros)) return *e;
  auto owner = store::users::find_by_id(c, owner_id);
  if (!owner || owner->deleted_at)
    return Error::validation("owner_id", "owner does not exist", "OWNER_NOT_FOUND");
  const int64_t now = ms(util::now());
  store::Agent a;
  a.name = name;
  a.owner_id = owner_id;
  a.created_at = a.updated_at = now;
  a.id = store::agents::insert(c, a);
  store::AgentBudget b;
  b.agent_id = a.id;
  b.allocated = b.remaining = initial_allocated_micros;
  b.created_at = b.updated_at = now;
  store::budgets::insert(c, b);
  store::budget_history::insert(c, {0, a.id, 0, initial_allocated_micros, changed_by(ctx), "initial allocation",
                                    std::nullopt, now, "allocation", std::nullopt});
  audit(c, ctx, "agent.create", "agent", std::to_string(a.id), nullptr,
        {{"name", a.name}, {"owner_id", a.owner_id}, {"budget", budget_json(b)}});
  return CreatedAgent{std::move(a), std::move(b)};
}

Result<BudgetSnapshot> BudgetLedger::set_allocation(int64_t agent_id, int64_t new_allocated,
                                                    const RequestContext& ctx, const AllocationNote& note) {
  if (auto e = check_amount("new_allocated", new_allocated)) return *e;
  return db_.write([&](store::Connection& c) { return set_allocation_in(c, agent_id, new_allocated, ctx, note); });
}

Result<BudgetSnapshot> BudgetLedger::set_allocation_in(store::Connection& c, int64_t agent_id, int64_t new_allocated,
                                                       const RequestContext& ctx, const AllocationNote& note) {
  if (auto e = check_amount("new_allocated", new_allocated)) return *e;
  auto before = current_budget_in(c, agent_id, util::now());
  if (!before) return before.error();
  const int64_t now = ms(util::now());
  auto after = store::budgets::set_allocation(c, agent_id, new_allocated, now);
  if (!after) {
    const int64_t committed = before->spent + before->reserved - before->carried_reserved;
    Error e = Error::validation("new_allocated", "the allocation cannot be below what is already spent or reserved (" +
                                                     std::to_string(committed) + " microdollars)",
                                "ALLOCATION_BELOW_COMMITTED");
    e.details["spent"] = before->spent;
    e.details["reserved"] = before->reserved;
    e.details["minimum"] = committed;
    return e;
  }
  // History records the period's amount: what the allocation means to whoever set it.
  store::budget_history::insert(c, {0, agent_id, before->allocated - before->carried_reserved, new_allocated,
                                     changed_by(ctx), note.reason, note.budget_request_id, now, "allocation",
                                     std::nullopt});
  const auto result = *after;
  audit(c, ctx, "budget.set_allocation", "agent", std::to_string(agent_id), budget_json(*before),
        budget_json(result));
  return result;
}

Result<Lease> BudgetLedger::reserve(int64_t agent_id, int64_t requested, util::TimePoint now,
                                    const RequestContext& ctx) {
  if (auto e = check_amount("requested", requested)) return *e;
  return db_.write([&](store::Connection& c) { return reserve_in(c, agent_id, requested, now, ctx); });
}

Result<Lease> BudgetLedger::reserve_in(store::Connection& c, int64_t agent_id, int64_t requested, util::TimePoint now,
                                       const RequestContext& ctx) {
  if (auto e = check_amount("requested", requested)) return *e;
  auto budget = current_budget_in(c, agent_id, now);
  if (!budget) return budget.error();
  const int64_t granted = std::min(requested, budget->remaining);
  if (granted <= 0) {
    Error e = Error::forbidden("the agent's budget is exhausted", "BUDGET_EXHAUSTED");
    e.details = budget_json(*budget);
    return e;
  }
  const int64_t now_ms = ms(now);
  auto after = store::budgets::reserve(c, agent_id, granted, now_ms);
  if (!after) return inconsistent("reserving for agent " + std::to_string(agent_id));
  store::BudgetLease l;
  l.id = "lease_" + security::uuid_v4();
  l.agent_id = agent_id;
  l.granted = granted;
  l.created_at = now_ms;
  l.expires_at = ms(now + policy_.lease_ttl);
  l.period_seq = after->period_seq;
  store::leases::insert(c, l);
  audit(c, ctx, "lease.reserve", "lease", l.id, nullptr,
        {{"agent_id", agent_id},
         {"requested", requested},
         {"granted", granted},
         {"expires_at", l.expires_at},
         {"budget", budget_json(*after)}});
  return Lease{l.id, agent_id, granted, after->remaining, util::from_unix_ms(l.expires_at)};
}

Result<ReportOutcome> BudgetLedger::report(const std::string& lease_id, int64_t agent_id, const UsageReport& usage,
                                           util::TimePoint now) {
  return db_.write([&](store::Connection& c) { return report_in(c, lease_id, agent_id, usage, now); });
}

Result<ReportOutcome> BudgetLedger::report_in(store::Connection& c, const std::string& lease_id, int64_t agent_id,
                                              const UsageReport& usage, util::TimePoint now) {
  if (auto e = check_text("request_id", usage.request_id, 255)) return *e;
  if (auto e = check_text("model", usage.model, 255)) return *e;
  if (auto e = check_text("provider", usage.provider, 64)) return *e;
  if (usage.tokens <= 0) return Error::validation("tokens", "tokens must be positive");
  if (usage.cost_microdollars < 0 || usage.cost_microdollars > kMaxLedgerAmountMicros)
    return Error::validation("cost_microdollars", "cost_microdollars must be 0.." +
                                                      std::to_string(kMaxLedgerAmountMicros));
  auto current = current_budget_in(c, agent_id, now);
  if (!current) return current.error();
  auto lease = own_lease(c, lease_id, agent_id);
  if (!lease) return lease.error();
  // A replay is answered before the status checks: a runtime retrying a report whose
  // answer it lost must get that answer, even if the lease has ended since. It is looked up
  // only where it decides the answer: here, when the lease refuses new spend, and below,
  // when the report's row is already there (one index probe fewer per new report).
  const auto replayed = [&]() -> std::optional<ReportOutcome> {
    auto first = store::lease_reports::find(c, lease_id, usage.request_id);
    if (!first) return std::nullopt;
    return ReportOutcome{lease_id,
                         first->request_id,
                         first->cost_microdollars,
                         first->lease_spent_after,
                         lease->granted - first->lease_spent_after,
                         first->budget_remaining_after,
                         true};
  };
  const int64_t now_ms = ms(now);
  if (auto e = check_usable(*lease, now_ms)) {
    if (auto first = replayed()) return *first;
    return *e;
  }
  const int64_t available = lease->granted - lease->spent;
  if (usage.cost_microdollars > available) {
    if (auto first = replayed()) return *first;
    Error e = Error::forbidden("the cost exceeds what is left on the lease", "LEASE_EXCEEDED");
    e.details = {{"lease_id", lease_id},
                 {"granted", lease->granted},
                 {"spent", lease->spent},
                 {"available", available},
                 {"cost", usage.cost_microdollars}};
    return e;
  }
  // The report's row first, with the balances this report leaves: the lease's spend grows by
  // the cost, and remaining does not move (the cost was reserved when the lease was granted).
  // A row already there is a replay, answered from that row; nothing has moved then.
  const int64_t spent_after = lease->spent + usage.cost_microdollars;
  if (!store::lease_reports::insert_new(c, {lease_id, usage.request_id, usage.tokens, usage.cost_microdollars,
                                            usage.model, usage.provider, spent_after, current->remaining, now_ms})) {
    if (auto first = replayed()) return *first;
    return inconsistent("recording report " + usage.request_id + " of lease " + lease_id);
  }
  auto spent = store::leases::add_spend(c, *lease, usage.cost_microdollars);
  if (!spent) return inconsistent("adding spend to lease " + lease_id);
  // The cost moves from reserved to spent. A lease of an earlier period is charged to that
  // period: the cost leaves the carried reservation and the current period's spent stays as
  // it is. Both guarded by the row read above, so the row after is known without a read.
  const bool carried = lease->period_seq < current->period_seq;
  auto budget = carried ? store::budgets::settle_carried(c, *current, usage.cost_microdollars, now_ms)
                        : store::budgets::commit_spend(c, *current, usage.cost_microdollars, now_ms);
  if (!budget) return inconsistent("committing spend of lease " + lease_id);
  alerts::agent_spent(c, agent_id, budget->allocated, budget->spent, budget->remaining, now_ms);
  alerts::usage_recorded(c, agent_id, "lease_report", usage.provider, usage.model, usage.tokens,
                         usage.cost_microdollars, now_ms);
  return ReportOutcome{lease_id, usage.request_id, usage.cost_microdollars, *spent, lease->granted - *spent,
                       budget->remaining, false};
}

Result<ReleaseOutcome> BudgetLedger::release(const std::string& lease_id, int64_t agent_id, util::TimePoint now,
                                             const RequestContext& ctx) {
  return db_.write([&](store::Connection& c) { return release_in(c, lease_id, agent_id, now, ctx); });
}

Result<ReleaseOutcome> BudgetLedger::release_in(store::Connection& c, const std::string& lease_id, int64_t agent_id,
                                                util::TimePoint now, const RequestContext& ctx) {
  if (auto current = current_budget_in(c, agent_id, now); !current) return current.error();
  auto lease = own_lease(c, lease_id, agent_id);
  if (!lease) return lease.error();
  // An active lease past its expiry may still be returned: it releases exactly what the
  // sweeper would, only sooner.
  if (lease->status != "active") return *check_usable(*lease, ms(now));
  auto ended = end_lease(c, *lease, "closed", ms(now));
  if (!ended) return ended.error();
  audit(c, ctx, "lease.release", "lease", lease_id, nullptr,
        {{"returned", ended->released},
         {"lease_spent", lease->spent},
         {"budget", budget_json(ended->budget)}});
  return ReleaseOutcome{lease_id, ended->released, lease->spent, ended->budget.remaining};
}

Result<RefreshOutcome> BudgetLedger::refresh(const std::string& old_lease_id, int64_t agent_id, int64_t requested,
                                             util::TimePoint now, const RequestContext& ctx) {
  return db_.write([&](store::Connection& c) { return refresh_in(c, old_lease_id, agent_id, requested, now, ctx); });
}

Result<RefreshOutcome> BudgetLedger::refresh_in(store::Connection& c, const std::string& old_lease_id,
                                                int64_t agent_id, int64_t requested, util::TimePoint now,
                                                const RequestContext& ctx) {
  if (auto e = check_amount("requested", requested)) return *e;
  if (auto current = current_budget_in(c, agent_id, now); !current) return current.error();
  auto old = own_lease(c, old_lease_id, agent_id);
  if (!old) return old.error();
  const int64_t now_ms = ms(now);
  if (auto e = check_usable(*old, now_ms)) return *e;
  auto ended = end_lease(c, *old, "closed", now_ms);
  if (!ended) return ended.error();
  RefreshOutcome out;
  out.closed_lease_id = old_lease_id;
  out.released = ended->released;
  out.budget_remaining = ended->budget.remaining;
  if (ended->budget.remaining > 0) {
    auto lease = reserve_in(c, agent_id, requested, now, ctx);
    if (!lease) return lease.error();
    out.approved = true;
    out.budget_remaining = lease->remaining_after;
    out.lease = std::move(lease.value());
  } else {
    out.reason = "insufficient_budget";
  }
  audit(c, ctx, "lease.refresh", "lease", old_lease_id, nullptr,
        {{"released", out.released},
         {"status", out.approved ? "approved" : "denied"},
         {"new_lease_id", out.lease ? json(out.lease->id) : json(nullptr)},
         {"requested", requested}});
  return out;
}

int64_t BudgetLedger::expire_stale(util::TimePoint now) {
  const int64_t now_ms = ms(now);
  const auto ctx = RequestContext::system();
  int64_t total = 0;
  for (;;) {
    auto batch = db_.write([&](store::Connection& c) -> Result<int64_t> {
      const auto stale = store::leases::list_expired_active(c, now_ms, kSweepBatch);
      for (const auto& l : stale) {
        auto ended = end_lease(c, l, "expired", now_ms);
        if (!ended) return ended.error();
        audit(c, ctx, "lease.expire", "lease", l.id, nullptr,
              {{"agent_id", l.agent_id}, {"released", ended->released}, {"expires_at", l.expires_at}});
      }
      return static_cast<int64_t>(stale.size());
    });
    if (!batch) throw std::runtime_error(batch.error().message);
    total += *batch;
    if (*batch < kSweepBatch) return total;
  }
}

Result<BudgetSnapshot> BudgetLedger::snapshot(int64_t agent_id, util::TimePoint now) {
  catch_up(db_, now);
  auto b = db_.read([&](store::Connection& c) { return store::budgets::find(c, agent_id); });
  if (!b) return agent_not_found();
  return *b;
}

Result<store::AgentBudget> BudgetLedger::current_budget_in(store::Connection& c, int64_t agent_id,
                                                           util::TimePoint now) {
  auto before = store::budgets::find(c, agent_id);
  if (!before) return agent_not_found();
  const int64_t now_ms = ms(now);
  if (!before->resets_at || now_ms < *before->resets_at) return std::move(*before);
  const auto period = parse_budget_period(before->period);
  if (!period || *period == BudgetPeriod::one_off) return inconsistent("resets_at on a one-off budget");
  const auto window = period_window(*period, before->time_zone, now);
  const int64_t elapsed = periods_elapsed(*period, before->time_zone, util::from_unix_ms(*before->resets_at), now);
  auto after = store::budgets::reset_period(c, agent_id, *before->resets_at, ms(window.start), ms(window.end), now_ms);
  if (!after) return inconsistent("resetting the period of agent " + std::to_string(agent_id));
  const int64_t amount = before->allocated - before->carried_reserved;
  std::string reason = before->period + " period reset";
  if (elapsed > 1) reason += " (" + std::to_string(elapsed) + " periods elapsed)";
  // The allocation stays; the ended period's spend is kept with the entry.
  store::budget_history::insert(c, {0, agent_id, amount, amount, "system", reason, std::nullopt, now_ms,
                                    "period_reset", before->spent});
  json after_json = budget_json(*after);
  after_json["periods_elapsed"] = elapsed;
  after_json["period_started_at"] = ms(window.start);
  audit(c, RequestContext::system(), "budget.period_reset", "agent", std::to_string(agent_id),
        budget_json(*before), after_json);
  return std::move(*after);
}

int64_t BudgetLedger::apply_due_resets(store::Database& db, util::TimePoint now) {
  const int64_t now_ms = ms(now);
  int64_t total = 0;
  for (;;) {
    auto batch = db.write([&](store::Connection& c) -> Result<int64_t> {
      const auto due = store::budgets::list_due(c, now_ms, kResetBatch);
      for (int64_t agent_id : due)
        if (auto b = current_budget_in(c, agent_id, now); !b) return b.error();
      return static_cast<int64_t>(due.size());
    });
    if (!batch) throw std::runtime_error(batch.error().message);
    total += *batch;
    if (*batch < kResetBatch) return total;
  }
}

void BudgetLedger::catch_up(store::Database& db, util::TimePoint now) {
  const int64_t now_ms = ms(now);
  if (db.read([&](store::Connection& c) { return store::budgets::any_due(c, now_ms); })) apply_due_resets(db, now);
}

Result<BudgetSnapshot> BudgetLedger::set_period_in(store::Connection& c, int64_t agent_id, BudgetPeriod period,
                                                   const std::string& time_zone, util::TimePoint now) {
  const auto zone = known_time_zone(time_zone);
  if (!zone) {
    Error e = Error::validation("budget_time_zone",
                                "unknown time zone '" + time_zone.substr(0, 64) +
                                    "': use an IANA name such as Europe/Berlin (case-sensitive)",
                                "UNKNOWN_TIME_ZONE");
    return e;
  }
  auto before = current_budget_in(c, agent_id, now);
  if (!before) return before.error();
  std::optional<int64_t> started, resets;
  if (period != BudgetPeriod::one_off) {
    const auto w = period_window(period, *zone, now);
    started = ms(w.start);
    resets = ms(w.end);
  }
  auto after = store::budgets::set_period(c, agent_id, std::string(budget_period_name(period)), *zone, started, resets,
                                          ms(now));
  if (!after) return agent_not_found();
  return *after;
}

}  // namespace iron::domain
