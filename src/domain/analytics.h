#pragma once
// Usage analytics: agents report one event per LLM request; each event is stored raw
// (idempotent per (agent_id, event_id)) and added to its daily rollup (agent × provider ×
// model × UTC day) in the same transaction, so every read answers from rollups and stays fast
// however many events exist. Raw events serve only the event list and are pruned after the
// retention period; rollups are kept. Reads are owner-scoped: non-admins see their agents only.
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "domain/event_bus.h"
#include "domain/ic_tokens.h"
#include "domain/paging.h"
#include "domain/price_catalogue.h"
#include "domain/principal.h"
#include "store/analytics_repo.h"
#include "store/budget_repo.h"
#include "store/database.h"
#include "util/clock.h"
#include "util/completion.h"
#include "util/result.h"

namespace iron::domain {

inline constexpr size_t kMaxBatchEvents = 1000;

// One reported event, as the runtime sends it (POST /api/v1/analytics/events).
struct AnalyticsEvent {
  std::string event_id;
  std::optional<int64_t> timestamp_ms;
  std::string event_type;  // llm_request_completed | llm_request_failed
  std::string model;
  std::string provider;    // openai | anthropic | unknown, or any [a-z0-9_-]{1,64}
  std::optional<std::string> provider_id;
  std::optional<int64_t> input_tokens;
  std::optional<int64_t> output_tokens;
  std::optional<int64_t> cached_input_tokens;  // part of input_tokens, billed at the cached price
  std::optional<int64_t> cost_micros;          // absent: computed from the price catalogue
  std::optional<std::string> error_code;
  std::optional<std::string> error_message;
};

// VALIDATION_ERROR naming the field, or ok.
Status validate_event(const AnalyticsEvent& e);

struct IngestOutcome {
  std::string event_id;
  std::string status;  // accepted | duplicate | rejected (batch only)
  std::optional<Error> error;
};

struct BatchOutcome {
  std::vector<IngestOutcome> results;  // one per input event, in order
  int64_t accepted = 0;
  int64_t duplicates = 0;
  int64_t rejected = 0;
};

enum class Period { today, yesterday, last7_days, last30_days, this_month, last_month, all_time };
std::optional<Period> parse_period(const std::string& text);
const char* period_name(Period p);

// Inclusive UTC day bounds (YYYY-MM-DD) of a period at `now`; all-time has none.
struct DayRange {
  std::optional<std::string> from_day;
  std::optional<std::string> to_day;
};
DayRange period_days(Period p, util::TimePoint now);
std::string utc_day(int64_t unix_ms);
std::string day_text(std::chrono::sys_days d);
// A real calendar day written YYYY-MM-DD, or nullopt.
std::optional<std::chrono::sys_days> parse_day(const std::string& text);

struct AnalyticsQuery {
  Period period = Period::all_time;
  // A custom range of inclusive UTC days (YYYY-MM-DD, either end may be open); when set it
  // replaces the period.
  std::optional<std::string> from_day;
  std::optional<std::string> to_day;
  std::optional<int64_t> agent_id;
  std::optional<std::string> provider;
  std::optional<std::string> project_id;  // agents bound to an API token of this project
  // Event-log reads only (/analytics/events, /events/list): exact model, event type.
  std::optional<std::string> model;
  std::optional<std::string> event_type;  // llm_request_completed | llm_request_failed
  std::optional<bool> model_allowed;      // false: only events flagged by the agent's model allow-list
  bool custom_range() const { return from_day || to_day; }
};
// The day bounds a query covers at `now`: its custom range, else its period's.
DayRange range_of(const AnalyticsQuery& q, util::TimePoint now);

struct SpendingByAgent {
  Paged<store::AgentUsage> page;
  int64_t total_spend_micros = 0;
  int64_t total_budget_micros = 0;
  int64_t total_agents = 0;
};

enum class RiskLevel { low, medium, high, critical, exhausted };
const char* risk_name(RiskLevel r);
std::optional<RiskLevel> parse_risk(const std::string& name);
// ≥100 % exhausted, ≥95 critical, ≥80 high, ≥50 medium, else low (exact, no floats).
RiskLevel risk_of(int64_t spent, int64_t allocated);

// How fast an agent spends and when its remaining budget runs out at that pace. The window
// is the last kBurnWindowDays UTC days, today included, of analytics spend (daily rollups).
inline constexpr int kBurnWindowDays = 7;
struct BurnRate {
  int64_t micros_per_day = 0;                  // window spend / window days, rounded down
  std::optional<util::TimePoint> exhaustion_at; // null: no recent spend, nothing left, or > 100 years
};
BurnRate burn_rate_of(int64_t window_spend_micros, int64_t remaining_micros, util::TimePoint now);

struct BudgetStatusRow {
  store::AgentBudgetRow budget;
  BurnRate burn;
  double percent_used = 0;
  RiskLevel risk = RiskLevel::low;
  bool exhausted = false;  // nothing left to lease
};

struct BudgetStatusQuery {
  std::optional<int64_t> agent_id;
  std::optional<double> threshold;   // keep agents with percent_used >= threshold
  std::optional<std::string> status; // active | exhausted
  std::optional<RiskLevel> risk;     // exactly this level; the summary still counts every level
};

struct BudgetStatus {
  Paged<BudgetStatusRow> page;
  int64_t total_agents = 0, active = 0, exhausted = 0, critical = 0, high = 0, medium = 0, low = 0;
};

enum class Bucket { day, week, month };  // week = ISO week, starting Monday
std::optional<Bucket> parse_bucket(const std::string& text);
const char* bucket_name(Bucket b);
inline constexpr int64_t kMaxSeriesBuckets = 3660;

struct ProviderTotals {
  std::string provider;
  store::UsageTotals totals;
};

struct SeriesPoint {
  std::string start;  // first UTC day of the bucket, YYYY-MM-DD
  store::UsageTotals totals;
  std::vector<ProviderTotals> providers;  // providers with activity in the bucket, by name
};

struct Timeseries {
  Bucket bucket = Bucket::day;
  std::string from_day, to_day;   // the resolved inclusive range
  std::vector<SeriesPoint> points; // every bucket of the range, empty ones included
};

// What the dashboard's Overview shows, in one read of the caller's scope.
struct Overview {
  store::UsageTotals today, this_month, all_time;
  store::ActiveLeaseTotals active_leases;
  BudgetStatus budgets;                          // summary counts only (page is empty)
  std::vector<store::AgentUsage> top_agents;     // this month, by spend, at most 5
};

class Analytics {
 public:
  // `events` (optional) receives a usage.tick after each committed ingestion; `prices`
  // (optional) costs events that report none (without it they are unpriced).
  explicit Analytics(store::Database& db, EventBus* events = nullptr, const PriceCatalogue* prices = nullptr)
      : db_(db), events_(events), prices_(prices) {}

  // 400 VALIDATION_ERROR, 404 AGENT_NOT_FOUND; duplicate (agent_id, event_id) changes nothing.
  Result<IngestOutcome> ingest(const AgentIdentity& who, const AnalyticsEvent& e, const RequestContext& ctx,
                               util::TimePoint now = util::now());
  // The same for an agent known by its IC token (401 INVALID_IC_TOKEN), checked in the
  // write's own transaction: one transaction per event instead of a read and then a write,
  // which single-event ingestion pays per request (docs/benchmarks.md, eleventh pass).
  // It answers through `done` once the write is durably committed (store::Database::
  // write_async), so the request's thread goes on serving others meanwhile.
  void ingest_with_token(const std::string& ic_token, const AnalyticsEvent& e,
                         util::Completion<Result<IngestOutcome>> done, util::TimePoint now = util::now());
  // Up to kMaxBatchEvents in ONE transaction; invalid events are rejected individually.
  Result<BatchOutcome> ingest_batch(const AgentIdentity& who, const std::vector<AnalyticsEvent>& events,
                                    const RequestContext& ctx, util::TimePoint now = util::now());
  // Deletes raw events older than cutoff (in batches); rollups stay. Returns how many.
  int64_t prune_events_before(int64_t cutoff_ms);

  store::UsageTotals totals(const Principal& p, const AnalyticsQuery& q, util::TimePoint now = util::now());
  SpendingByAgent spending_by_agent(const Principal& p, const AnalyticsQuery& q, const PageRequest& page,
                                    util::TimePoint now = util::now());
  std::vector<store::ProviderUsage> by_provider(const Principal& p, const AnalyticsQuery& q,
                                                util::TimePoint now = util::now());
  Paged<store::ModelUsage> by_model(const Principal& p, const AnalyticsQuery& q, const PageRequest& page,
                                    util::TimePoint now = util::now());
  // Sorted by percent_used (desc) over ALL filtered agents, then paged; the summary counts
  // the filtered agents (the predecessor paged before sorting and counted before filtering).
  BudgetStatus budget_status(const Principal& p, const BudgetStatusQuery& q, const PageRequest& page,
                             util::TimePoint now = util::now());
  Paged<store::AnalyticsEventRow> list_events(const Principal& p, const AnalyticsQuery& q, const PageRequest& page,
                                              util::TimePoint now = util::now());
  // One keyset page of events, newest first: those older than `before` (the (timestamp_ms,
  // row id) of the previous page's last row), at most `limit`, and whether more follow. Cost
  // does not grow with the table (no OFFSET, no COUNT).
  struct EventPage {
    std::vector<store::AnalyticsEventRow> items;
    bool more = false;
  };
  EventPage event_page(const Principal& p, const AnalyticsQuery& q, const std::optional<std::pair<int64_t, int64_t>>& before,
                       int64_t limit, util::TimePoint now = util::now());
  // Every matching event, newest first, handed to `sink` in batches of `batch` rows, each
  // batch its own short read (a large export never pins a reader); stops when sink says so.
  void each_event(const Principal& p, const AnalyticsQuery& q,
                  const std::function<bool(const std::vector<store::AnalyticsEventRow>&)>& sink, int64_t batch = 1000,
                  util::TimePoint now = util::now());

  // Spend over time in day / week / month buckets from the daily rollups. An open start is
  // the first day with data. VALIDATION_ERROR when the range is reversed or needs more than
  // kMaxSeriesBuckets buckets.
  Result<Timeseries> timeseries(const Principal& p, const AnalyticsQuery& q, Bucket bucket,
                                util::TimePoint now = util::now());
  // Window spend (see BurnRate) per agent in the caller's scope; agents without spend are absent.
  std::map<int64_t, int64_t> recent_spend(const Principal& p, const std::optional<int64_t>& agent_id = std::nullopt,
                                          util::TimePoint now = util::now());
  Overview overview(const Principal& p, util::TimePoint now = util::now());

 private:
  store::RollupFilter filter_for(const Principal& p, const AnalyticsQuery& q, util::TimePoint now) const;
  store::EventListFilter event_filter_for(const Principal& p, const AnalyticsQuery& q, util::TimePoint now) const;
  std::shared_ptr<const PriceTable> price_table() const;
  // Who sends an event, found on the write's transaction (or the error to answer).
  using Identify = std::function<Result<AgentIdentity>(store::Connection&)>;
  // One event's write: the sender identified on the write's own transaction, the event stored
  // with its rollups and alerts; publish() sends the live tick once it is committed.
  struct EventWrite {
    EventWrite(Analytics& analytics, Identify who, AnalyticsEvent event, util::TimePoint at);
    Result<IngestOutcome> operator()(store::Connection& c);  // the write's body: may run more than once
    void publish() const;
    Analytics& a;
    Identify identify;
    AnalyticsEvent e;
    util::TimePoint now;
    std::shared_ptr<const PriceTable> prices;
    std::optional<store::AnalyticsEventRow> accepted;  // for the live tick
    std::string owner_id;
  };
  Result<IngestOutcome> ingest_identified(Identify identify, const AnalyticsEvent& e, util::TimePoint now);
  store::Database& db_;
  EventBus* events_;
  const PriceCatalogue* prices_;
};

}  // namespace iron::domain
