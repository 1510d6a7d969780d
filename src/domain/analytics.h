#pragma once
// Usage analytics: agents report one event per LLM request; each event is stored raw
// (idempotent per (agent_id, event_id)) and added to its daily rollup (agent × provider ×
// model × UTC day) in the same transaction, so every read answers from rollups and stays fast
// however many events exist. Raw events serve only the event list and are pruned after the
// retention period; rollups are kept. Reads are owner-scoped: non-admins see their agents only.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "domain/event_bus.h"
#include "domain/ic_tokens.h"
#include "domain/principal.h"
#include "store/analytics_repo.h"
#include "store/database.h"
#include "util/clock.h"
#include "util/result.h"

namespace iron::domain {

inline constexpr size_t kMaxBatchEvents = 1000;

// One reported event, as the runtime sends it (predecessor §2.8 row 59).
struct AnalyticsEvent {
  std::string event_id;
  std::optional<int64_t> timestamp_ms;
  std::string event_type;  // llm_request_completed | llm_request_failed
  std::string model;
  std::string provider;    // openai | anthropic | unknown, or any [a-z0-9_-]{1,64}
  std::optional<std::string> provider_id;
  std::optional<int64_t> input_tokens;
  std::optional<int64_t> output_tokens;
  std::optional<int64_t> cost_micros;
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

struct AnalyticsQuery {
  Period period = Period::all_time;
  std::optional<int64_t> agent_id;
  std::optional<std::string> provider;
};

struct PageRequest {
  int64_t page = 1;
  int64_t per_page = 50;
};

struct Pagination {
  int64_t page = 1;
  int64_t per_page = 50;
  int64_t total = 0;
  int64_t total_pages = 0;
};

template <class T>
struct Paged {
  std::vector<T> items;
  Pagination pagination;
};

struct SpendingByAgent {
  Paged<store::AgentUsage> page;
  int64_t total_spend_micros = 0;
  int64_t total_budget_micros = 0;
  int64_t total_agents = 0;
};

enum class RiskLevel { low, medium, high, critical, exhausted };
const char* risk_name(RiskLevel r);
// ≥100 % exhausted, ≥95 critical, ≥80 high, ≥50 medium, else low (exact, no floats).
RiskLevel risk_of(int64_t spent, int64_t allocated);

struct BudgetStatusRow {
  store::AgentBudgetRow budget;
  double percent_used = 0;
  RiskLevel risk = RiskLevel::low;
  bool exhausted = false;  // nothing left to lease
};

struct BudgetStatusQuery {
  std::optional<int64_t> agent_id;
  std::optional<double> threshold;   // keep agents with percent_used >= threshold
  std::optional<std::string> status; // active | exhausted
};

struct BudgetStatus {
  Paged<BudgetStatusRow> page;
  int64_t total_agents = 0, active = 0, exhausted = 0, critical = 0, high = 0, medium = 0, low = 0;
};

class Analytics {
 public:
  // `events` (optional) receives a usage.tick after each committed ingestion.
  explicit Analytics(store::Database& db, EventBus* events = nullptr) : db_(db), events_(events) {}

  // 400 VALIDATION_ERROR, 404 AGENT_NOT_FOUND; duplicate (agent_id, event_id) changes nothing.
  Result<IngestOutcome> ingest(const AgentIdentity& who, const AnalyticsEvent& e, const RequestContext& ctx,
                               util::TimePoint now = util::now());
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
  BudgetStatus budget_status(const Principal& p, const BudgetStatusQuery& q, const PageRequest& page);
  Paged<store::AnalyticsEventRow> list_events(const Principal& p, const AnalyticsQuery& q, const PageRequest& page,
                                              util::TimePoint now = util::now());

 private:
  store::RollupFilter filter_for(const Principal& p, const AnalyticsQuery& q, util::TimePoint now) const;
  store::Database& db_;
  EventBus* events_;
};

}  // namespace iron::domain
