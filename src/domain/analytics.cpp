#include "domain/analytics.h"

#include "domain/alert_raisers.h"
#include "domain/model_allow_list.h"
#include "store/agent_repo.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <regex>
#include <set>
#include <tuple>

#include "util/enum_names.h"
#include "domain/budget_ledger.h"

namespace iron::domain {
namespace {

using namespace std::chrono;

constexpr int64_t kMaxTokens = 1'000'000'000'000;                 // per event
constexpr int64_t kMaxCostMicros = 1'000'000'000'000'000;         // one billion dollars
constexpr int64_t kMaxTimestampMs = 253'402'300'799'999;          // 9999-12-31T23:59:59.999Z
constexpr int64_t kPruneBatch = 10'000;

// Inclusive [first, last] days of a period; nullopt for all-time.
std::optional<std::pair<sys_days, sys_days>> period_bounds(Period p, util::TimePoint now) {
  const sys_days today = floor<days>(now);
  const year_month_day ymd{today};
  const sys_days month_start = sys_days{ymd.year() / ymd.month() / 1};
  switch (p) {
    case Period::today: return std::pair{today, today};
    case Period::yesterday: return std::pair{today - days{1}, today - days{1}};
    case Period::last7_days: return std::pair{today - days{6}, today};
    case Period::last30_days: return std::pair{today - days{29}, today};
    case Period::this_month: return std::pair{month_start, today};
    case Period::last_month: {
      const year_month prev = year_month{ymd.year(), ymd.month()} - months{1};
      return std::pair{sys_days{prev / 1}, month_start - days{1}};
    }
    case Period::all_time: return std::nullopt;
  }
  return std::nullopt;
}

bool valid_provider(const std::string& p) {
  static const std::regex re("^[a-z0-9_-]{1,64}$");
  return std::regex_match(p, re);
}

Status check_text(const std::string& field, const std::optional<std::string>& v, size_t max_len) {
  if (v && v->size() > max_len)
    return Error::validation(field, field + " must be at most " + std::to_string(max_len) + " characters");
  return ok_status();
}

Status check_int(const std::string& field, const std::optional<int64_t>& v, int64_t max) {
  if (v && (*v < 0 || *v > max))
    return Error::validation(field, field + " must be an integer between 0 and " + std::to_string(max));
  return ok_status();
}

template <class T>
Paged<T> page_of(std::vector<T> all, const PageRequest& page) {
  Paged<T> out;
  out.pagination = paginate(static_cast<int64_t>(all.size()), page);
  const auto offset = static_cast<size_t>(std::min<int64_t>((page.page - 1) * page.per_page, all.size()));
  const auto end = static_cast<size_t>(std::min<int64_t>(offset + page.per_page, all.size()));
  out.items.assign(std::make_move_iterator(all.begin() + offset), std::make_move_iterator(all.begin() + end));
  return out;
}

store::AnalyticsEventRow row_of(const AgentIdentity& who, const AnalyticsEvent& e, util::TimePoint now,
                                const PriceTable* prices) {
  store::AnalyticsEventRow r;
  r.agent_id = who.agent_id;
  r.event_id = e.event_id;
  r.timestamp_ms = *e.timestamp_ms;
  r.day = utc_day(*e.timestamp_ms);
  r.event_type = e.event_type;
  r.model = e.model;
  r.provider = e.provider;
  r.provider_id = e.provider_id;
  r.input_tokens = e.input_tokens.value_or(0);
  r.output_tokens = e.output_tokens.value_or(0);
  r.cached_input_tokens = e.cached_input_tokens.value_or(0);
  // One in-memory lookup (price_catalogue.h), no query: this is the ingestion hot path.
  static const PriceTable kNoPrices({});
  const EventCost cost = (prices ? *prices : kNoPrices)
                             .cost_of(r.provider, r.model, r.timestamp_ms, r.input_tokens, r.output_tokens,
                                      r.cached_input_tokens, e.cost_micros);
  r.cost_micros = cost.cost_micros;
  r.cost_source = cost.source;
  r.catalogue_cost_micros = cost.catalogue_micros;
  r.error_code = e.error_code;
  r.error_message = e.error_message;
  r.created_at = util::to_unix_ms(now);
  return r;
}

// Completed requests only: a failed request legitimately costs nothing.
void raise_zero_cost_alert(store::Connection& c, const store::AnalyticsEventRow& row) {
  if (row.event_type != "llm_request_completed") return;
  alerts::usage_recorded(c, row.agent_id, "analytics_event", row.provider, row.model,
                         row.input_tokens + row.output_tokens, row.cost_micros, row.timestamp_ms);
}

// The agent's allow-list, read once per request (one key seek), and the flag each event of it
// gets. A flagged event is recorded like any other: spend is never lost. The alert is raised
// once per model per request; its edge key makes it once per agent, model and UTC day.
class ModelFlags {
 public:
  ModelFlags(store::Connection& c, int64_t agent_id) : allowed_(store::agents::allowed_models_of(c, agent_id)) {}
  bool allows(const store::AnalyticsEventRow& row) const { return model_allowed(allowed_, row.provider, row.model); }
  void raise_alert_once(store::Connection& c, const store::AnalyticsEventRow& row) {
    if (row.model_allowed || !alerted_.insert(row.provider + "/" + row.model).second) return;
    alerts::model_not_allowed(c, row.agent_id, row.provider, row.model, row.timestamp_ms);
  }

 private:
  AllowedModels allowed_;
  std::set<std::string> alerted_;
};

Error ic_agent_gone() {
  return {ErrorKind::not_found, "AGENT_NOT_FOUND", "the agent of this IC token no longer exists", {}, 0};
}

// Event-list bounds in ms [from, to) of a query's day range.
std::pair<std::optional<int64_t>, std::optional<int64_t>> ms_bounds(const AnalyticsQuery& q, util::TimePoint now) {
  const DayRange r = range_of(q, now);
  const auto start_ms = [](const std::string& day, int extra_days) {
    return duration_cast<milliseconds>((*parse_day(day) + days{extra_days}).time_since_epoch()).count();
  };
  return {r.from_day ? std::optional(start_ms(*r.from_day, 0)) : std::nullopt,
          r.to_day ? std::optional(start_ms(*r.to_day, 1)) : std::nullopt};
}

// The filters every read shares, for a rollup or an event filter: the query's agent, provider
// and project, and for anyone but an admin their own agents only.
template <class Filter>
void scope(Filter& f, const Principal& p, const AnalyticsQuery& q) {
  f.agent_id = q.agent_id;
  f.provider = q.provider;
  f.project_id = q.project_id;
  if (!p.is_admin()) f.owner_id = p.user_id;
}

}  // namespace

std::string day_text(sys_days d) {
  const year_month_day ymd{d};
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                static_cast<unsigned>(ymd.day()));
  return buf;
}

std::optional<sys_days> parse_day(const std::string& text) {
  static const std::regex re("^([0-9]{4})-([0-9]{2})-([0-9]{2})$");
  std::smatch m;
  if (!std::regex_match(text, m, re)) return std::nullopt;
  const year_month_day ymd{year{std::stoi(m[1])}, month{static_cast<unsigned>(std::stoi(m[2]))},
                           day{static_cast<unsigned>(std::stoi(m[3]))}};
  if (!ymd.ok()) return std::nullopt;
  return sys_days{ymd};
}

DayRange range_of(const AnalyticsQuery& q, util::TimePoint now) {
  if (q.custom_range()) return {q.from_day, q.to_day};
  return period_days(q.period, now);
}

Status validate_event(const AnalyticsEvent& e) {
  if (e.event_id.empty() || e.event_id.size() > 200)
    return Error::validation("event_id", "event_id must be 1 to 200 characters");
  // The idempotency key: a NUL would also break the table's length CHECK mid-transaction.
  if (std::any_of(e.event_id.begin(), e.event_id.end(), [](char ch) { return static_cast<unsigned char>(ch) < 0x20; }))
    return Error::validation("event_id", "event_id must not contain control characters");
  if (!e.timestamp_ms) return Error::validation("timestamp_ms", "timestamp_ms is required");
  if (auto s = check_int("timestamp_ms", e.timestamp_ms, kMaxTimestampMs); !s) return s;
  if (e.event_type != "llm_request_completed" && e.event_type != "llm_request_failed")
    return Error::validation("event_type", "event_type must be llm_request_completed or llm_request_failed");
  if (e.model.empty() || e.model.size() > 200) return Error::validation("model", "model must be 1 to 200 characters");
  // The predecessor's enum (openai, anthropic, unknown) is a subset of this open pattern, so
  // its runtimes keep working and new providers need no migration.
  if (!valid_provider(e.provider))
    return Error::validation("provider", "provider must be 1 to 64 characters of a-z, 0-9, _ or -");
  if (auto s = check_int("input_tokens", e.input_tokens, kMaxTokens); !s) return s;
  if (auto s = check_int("output_tokens", e.output_tokens, kMaxTokens); !s) return s;
  if (auto s = check_int("cached_input_tokens", e.cached_input_tokens, kMaxTokens); !s) return s;
  if (e.cached_input_tokens && *e.cached_input_tokens > e.input_tokens.value_or(0))
    return Error::validation("cached_input_tokens", "cached_input_tokens is part of input_tokens and cannot exceed it");
  if (auto s = check_int("cost_micros", e.cost_micros, kMaxCostMicros); !s) return s;
  if (e.event_type == "llm_request_completed") {
    if (!e.input_tokens) return Error::validation("input_tokens", "a completed request needs input_tokens");
    if (!e.output_tokens) return Error::validation("output_tokens", "a completed request needs output_tokens");
  }
  if (auto s = check_text("provider_id", e.provider_id, 200); !s) return s;
  if (auto s = check_text("error_code", e.error_code, 100); !s) return s;
  if (auto s = check_text("error_message", e.error_message, 2000); !s) return s;
  return ok_status();
}

// Each enum's names beside the two functions that read them (constexpr: local to this file).
constexpr util::EnumNames<Period, 7> kPeriodNames = {{{Period::today, "today"}, {Period::yesterday, "yesterday"},
                                                     {Period::last7_days, "last7-days"}, {Period::last30_days, "last30-days"},
                                                     {Period::this_month, "this-month"}, {Period::last_month, "last-month"},
                                                     {Period::all_time, "all-time"}}};
std::optional<Period> parse_period(const std::string& text) { return util::parse_name(kPeriodNames, text); }
const char* period_name(Period p) { return util::name_of(kPeriodNames, p); }

DayRange period_days(Period p, util::TimePoint now) {
  const auto b = period_bounds(p, now);
  if (!b) return {};
  return {day_text(b->first), day_text(b->second)};
}

std::string utc_day(int64_t unix_ms) {
  return day_text(floor<days>(sys_time<milliseconds>(milliseconds(unix_ms))));
}

constexpr util::EnumNames<RiskLevel, 5> kRiskNames = {{{RiskLevel::low, "low"}, {RiskLevel::medium, "medium"},
                                                      {RiskLevel::high, "high"}, {RiskLevel::critical, "critical"},
                                                      {RiskLevel::exhausted, "exhausted"}}};
const char* risk_name(RiskLevel r) { return util::name_of(kRiskNames, r); }
std::optional<RiskLevel> parse_risk(const std::string& name) { return util::parse_name(kRiskNames, name); }

RiskLevel risk_of(int64_t spent, int64_t allocated) {
  // spent * 100 >= allocated * N, in 128 bits: exact at the band edges, no overflow.
  const __int128 s = static_cast<__int128>(spent) * 100;
  const __int128 a = allocated;
  if (s >= a * 100) return RiskLevel::exhausted;  // also a zero allocation
  if (s >= a * 95) return RiskLevel::critical;
  if (s >= a * 80) return RiskLevel::high;
  if (s >= a * 50) return RiskLevel::medium;
  return RiskLevel::low;
}

Result<IngestOutcome> Analytics::ingest(const AgentIdentity& who, const AnalyticsEvent& e, const RequestContext&,
                                        util::TimePoint now) {
  if (auto s = validate_event(e); !s) return s.error();
  return ingest_identified(
      [&](store::Connection& c) -> Result<AgentIdentity> {
        if (!store::analytics::agent_owner(c, who.agent_id)) return ic_agent_gone();
        return who;
      },
      e, now);
}

void Analytics::ingest_with_token(const std::string& ic_token, const AnalyticsEvent& e,
                                  util::Completion<Result<IngestOutcome>> done, util::TimePoint now) {
  if (auto s = validate_event(e); !s) {
    // A bad token is answered before a bad event, as everywhere else.
    auto who = db_.read([&](store::Connection& c) { return IcTokens::authenticate_in(c, ic_token); });
    return done([&]() -> Result<IngestOutcome> { return who ? s.error() : who.error(); });
  }
  auto write = std::make_shared<EventWrite>(
      *this, [ic_token](store::Connection& c) { return IcTokens::authenticate_in(c, ic_token); }, e, now);
  db_.write_async([write](store::Connection& c) { return (*write)(c); },
                  [write, done = std::move(done)](const std::function<Result<IngestOutcome>()>& outcome) {
                    util::hand_on(outcome, done, [&](const IngestOutcome&) { write->publish(); });
                  });
}

Result<IngestOutcome> Analytics::ingest_identified(Identify identify, const AnalyticsEvent& e, util::TimePoint now) {
  EventWrite write(*this, std::move(identify), e, now);
  auto r = db_.write([&](store::Connection& c) { return write(c); });
  if (r) write.publish();
  return r;
}

Analytics::EventWrite::EventWrite(Analytics& analytics, Identify who, AnalyticsEvent event, util::TimePoint at)
    : a(analytics), identify(std::move(who)), e(std::move(event)), now(at), prices(analytics.price_table()) {}

Result<IngestOutcome> Analytics::EventWrite::operator()(store::Connection& c) {
  accepted.reset();  // assigned, not kept: the body may run again (store/database.h)
  auto who = identify(c);
  if (!who) return who.error();
  auto row = row_of(*who, e, now, prices.get());
  ModelFlags flags(c, who->agent_id);
  row.model_allowed = flags.allows(row);
  if (!store::analytics::insert_event(c, row)) return IngestOutcome{e.event_id, "duplicate", std::nullopt};
  store::analytics::add_to_rollup(c, row);
  raise_zero_cost_alert(c, row);
  flags.raise_alert_once(c, row);
  owner_id = who->owner_id;
  accepted = std::move(row);
  return IngestOutcome{e.event_id, "accepted", std::nullopt};
}

void Analytics::EventWrite::publish() const {
  if (accepted && a.events_)
    a.events_->publish({0, "usage.tick", owner_id,
                        {{"agent_id", accepted->agent_id}, {"events", 1}, {"cost_micros", accepted->cost_micros}}});
}

Result<BatchOutcome> Analytics::ingest_batch(const AgentIdentity& who, const std::vector<AnalyticsEvent>& events,
                                             const RequestContext&, util::TimePoint now) {
  if (events.size() > kMaxBatchEvents)
    return Error::validation("events", "a batch holds at most " + std::to_string(kMaxBatchEvents) + " events");
  int64_t cost = 0;  // of the accepted completed requests, for the live tick
  const auto prices = price_table();
  auto r = db_.write([&](store::Connection& c) -> Result<BatchOutcome> {
    if (!store::analytics::agent_owner(c, who.agent_id)) return ic_agent_gone();
    ModelFlags flags(c, who.agent_id);
    BatchOutcome out;
    int64_t accepted_cost = 0;
    for (const auto& e : events) {
      if (auto s = validate_event(e); !s) {
        out.results.push_back({e.event_id, "rejected", s.error()});
        ++out.rejected;
        continue;
      }
      auto row = row_of(who, e, now, prices.get());
      row.model_allowed = flags.allows(row);
      if (!store::analytics::insert_event(c, row)) {
        out.results.push_back({e.event_id, "duplicate", std::nullopt});
        ++out.duplicates;
        continue;
      }
      store::analytics::add_to_rollup(c, row);
      raise_zero_cost_alert(c, row);
      flags.raise_alert_once(c, row);
      if (row.event_type == "llm_request_completed") accepted_cost += row.cost_micros;
      out.results.push_back({e.event_id, "accepted", std::nullopt});
      ++out.accepted;
    }
    cost = accepted_cost;  // assigned, not added to: the body may run again (store/database.h)
    return out;
  });
  if (r && r->accepted > 0 && events_)
    events_->publish({0, "usage.tick", who.owner_id,
                      {{"agent_id", who.agent_id}, {"events", r->accepted}, {"cost_micros", cost}}});
  return r;
}

std::shared_ptr<const PriceTable> Analytics::price_table() const {
  return prices_ ? prices_->table() : nullptr;
}

int64_t Analytics::prune_events_before(int64_t cutoff_ms) {
  // Small transactions, so the writer is never held for long by a large backlog.
  int64_t total = 0;
  for (;;) {
    const int64_t n = db_.write(
        [&](store::Connection& c) { return store::analytics::delete_events_before(c, cutoff_ms, kPruneBatch); });
    total += n;
    if (n < kPruneBatch) return total;
  }
}

store::RollupFilter Analytics::filter_for(const Principal& p, const AnalyticsQuery& q, util::TimePoint now) const {
  const DayRange range = range_of(q, now);
  store::RollupFilter f;
  f.from_day = range.from_day;
  f.to_day = range.to_day;
  scope(f, p, q);
  return f;
}

store::UsageTotals Analytics::totals(const Principal& p, const AnalyticsQuery& q, util::TimePoint now) {
  const auto f = filter_for(p, q, now);
  return db_.read([&](store::Connection& c) { return store::analytics::totals(c, f); });
}

SpendingByAgent Analytics::spending_by_agent(const Principal& p, const AnalyticsQuery& q, const PageRequest& page,
                                             util::TimePoint now) {
  const auto f = filter_for(p, q, now);
  auto rows = db_.read([&](store::Connection& c) { return store::analytics::by_agent(c, f); });
  SpendingByAgent out;
  for (const auto& r : rows) {
    out.total_spend_micros += r.totals.cost_micros;
    out.total_budget_micros += r.allocated_micros;
  }
  out.total_agents = static_cast<int64_t>(rows.size());
  std::stable_sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) {
    return a.totals.cost_micros > b.totals.cost_micros;
  });
  out.page = page_of(std::move(rows), page);
  return out;
}

std::vector<store::ProviderUsage> Analytics::by_provider(const Principal& p, const AnalyticsQuery& q,
                                                         util::TimePoint now) {
  const auto f = filter_for(p, q, now);
  return db_.read([&](store::Connection& c) { return store::analytics::by_provider(c, f); });
}

Paged<store::ModelUsage> Analytics::by_model(const Principal& p, const AnalyticsQuery& q, const PageRequest& page,
                                             util::TimePoint now) {
  const auto f = filter_for(p, q, now);
  auto rows = db_.read([&](store::Connection& c) { return store::analytics::by_model(c, f); });
  std::stable_sort(rows.begin(), rows.end(),
                   [](const auto& a, const auto& b) { return a.totals.requests > b.totals.requests; });
  return page_of(std::move(rows), page);
}

BudgetStatus Analytics::budget_status(const Principal& p, const BudgetStatusQuery& q, const PageRequest& page,
                                      util::TimePoint now) {
  const std::optional<std::string> owner = p.is_admin() ? std::nullopt : std::optional(p.user_id);
  BudgetLedger::catch_up(db_, now);  // periodic budgets due for their reset
  const auto rows = db_.read([&](store::Connection& c) { return store::analytics::budgets(c, q.agent_id, owner); });
  std::vector<BudgetStatusRow> kept;
  for (const auto& b : rows) {
    BudgetStatusRow r;
    r.budget = b;
    r.percent_used = b.allocated > 0 ? static_cast<double>(b.spent) * 100.0 / static_cast<double>(b.allocated)
                                     : 100.0;
    r.risk = risk_of(b.spent, b.allocated);
    r.exhausted = b.remaining == 0;
    if (q.threshold && r.percent_used < *q.threshold) continue;
    if (q.status && *q.status != (r.exhausted ? "exhausted" : "active")) continue;
    kept.push_back(r);
  }
  BudgetStatus out;
  out.total_agents = static_cast<int64_t>(kept.size());
  for (const auto& r : kept) {
    ++(r.exhausted ? out.exhausted : out.active);
    switch (r.risk) {
      case RiskLevel::critical: ++out.critical; break;
      case RiskLevel::high: ++out.high; break;
      case RiskLevel::medium: ++out.medium; break;
      case RiskLevel::low: ++out.low; break;
      case RiskLevel::exhausted: break;  // counted in `exhausted` above when nothing remains
    }
  }
  // The risk filter narrows the rows, not the summary: the summary is the per-level breakdown
  // a reader picks a level from.
  if (q.risk) std::erase_if(kept, [&](const BudgetStatusRow& r) { return r.risk != *q.risk; });
  // Sort everything first, then page (the predecessor paged an unsorted list, then sorted).
  std::stable_sort(kept.begin(), kept.end(),
                   [](const auto& a, const auto& b) { return a.percent_used > b.percent_used; });
  out.page = page_of(std::move(kept), page);
  if (!out.page.items.empty()) {
    const auto spend = recent_spend(p, q.agent_id, now);
    for (auto& r : out.page.items) {
      const auto it = spend.find(r.budget.agent_id);
      r.burn = burn_rate_of(it == spend.end() ? 0 : it->second, r.budget.remaining, now);
    }
  }
  return out;
}

Paged<store::AnalyticsEventRow> Analytics::list_events(const Principal& p, const AnalyticsQuery& q,
                                                       const PageRequest& page, util::TimePoint now) {
  const auto f = event_filter_for(p, q, now);
  return db_.read([&](store::Connection& c) {
    Paged<store::AnalyticsEventRow> out;
    out.pagination = paginate(store::analytics::count_events(c, f), page);
    out.items = store::analytics::list_events(c, f, page.per_page, page.offset());
    return out;
  });
}

store::EventListFilter Analytics::event_filter_for(const Principal& p, const AnalyticsQuery& q,
                                                   util::TimePoint now) const {
  store::EventListFilter f;
  std::tie(f.from_ms, f.to_ms) = ms_bounds(q, now);
  scope(f, p, q);
  f.model = q.model;
  f.event_type = q.event_type;
  f.model_allowed = q.model_allowed;
  return f;
}

}  // namespace iron::domain#include "domain/budget_ledger.h"

