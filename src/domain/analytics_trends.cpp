// Analytics over time: the spend series, burn rate and projected exhaustion, the Overview
// summary, and the keyset reads of raw events (event pages and the batched export). Like every analytics read, all of it comes from the
// daily rollups (the export excepted, which is the raw event list by definition).
#include <algorithm>

#include "domain/analytics.h"
#include "util/enum_names.h"

namespace iron::domain {
namespace {

using namespace std::chrono;

constexpr int64_t kMsPerDay = 86'400'000;
constexpr int64_t kMaxProjectionDays = 36'500;  // beyond a century "never" is the honest answer
constexpr size_t kTopAgents = 5;

void add_totals(store::UsageTotals& into, const store::UsageTotals& t) {
  into.requests += t.requests;
  into.completed += t.completed;
  into.failed += t.failed;
  into.input_tokens += t.input_tokens;
  into.output_tokens += t.output_tokens;
  into.cost_micros += t.cost_micros;
  if (t.min_cost_micros && (!into.min_cost_micros || *t.min_cost_micros < *into.min_cost_micros))
    into.min_cost_micros = t.min_cost_micros;
  if (t.max_cost_micros && (!into.max_cost_micros || *t.max_cost_micros > *into.max_cost_micros))
    into.max_cost_micros = t.max_cost_micros;
}

sys_days bucket_start(sys_days d, Bucket b) {
  switch (b) {
    case Bucket::day: return d;
    case Bucket::week: return d - days{weekday{d}.iso_encoding() - 1};
    case Bucket::month: {
      const year_month_day ymd{d};
      return sys_days{ymd.year() / ymd.month() / 1};
    }
  }
  return d;
}

sys_days next_bucket(sys_days start, Bucket b) {
  switch (b) {
    case Bucket::day: return start + days{1};
    case Bucket::week: return start + days{7};
    case Bucket::month: {
      const year_month_day ymd{start};
      return sys_days{(year_month{ymd.year(), ymd.month()} + months{1}) / 1};
    }
  }
  return start + days{1};
}

}  // namespace

BurnRate burn_rate_of(int64_t window_spend_micros, int64_t remaining_micros, util::TimePoint now) {
  BurnRate out;
  out.micros_per_day = window_spend_micros / kBurnWindowDays;
  if (window_spend_micros <= 0 || remaining_micros <= 0) return out;
  // remaining / (spend / window) days, exactly, in 128 bits (µ$ sums can be ~1e18).
  const __int128 ms = static_cast<__int128>(remaining_micros) * kBurnWindowDays * kMsPerDay / window_spend_micros;
  if (ms > static_cast<__int128>(kMaxProjectionDays) * kMsPerDay) return out;
  out.exhaustion_at = now + milliseconds(static_cast<int64_t>(ms));
  return out;
}

namespace {
constexpr util::EnumNames<Bucket, 3> kBucketNames = {{{Bucket::day, "day"}, {Bucket::week, "week"}, {Bucket::month, "month"}}};
}  // namespace

std::optional<Bucket> parse_bucket(const std::string& text) { return util::parse_name(kBucketNames, text); }
const char* bucket_name(Bucket b) { return util::name_of(kBucketNames, b); }

Result<Timeseries> Analytics::timeseries(const Principal& p, const AnalyticsQuery& q, Bucket bucket,
                                         util::TimePoint now) {
  auto f = filter_for(p, q, now);
  const sys_days today = floor<days>(now);
  return db_.read([&](store::Connection& c) -> Result<Timeseries> {
    if (!f.from_day) f.from_day = store::analytics::first_day(c, f).value_or(day_text(today));
    if (!f.to_day) f.to_day = day_text(std::max(today, *parse_day(*f.from_day)));
    const sys_days from = *parse_day(*f.from_day), to = *parse_day(*f.to_day);
    if (from > to) return Error::validation("from", "from must not be after to");
    const sys_days first = bucket_start(from, bucket);
    int64_t count = 0;
    for (sys_days b = first; b <= to && count <= kMaxSeriesBuckets; b = next_bucket(b, bucket)) ++count;
    if (count > kMaxSeriesBuckets)
      return Error::validation("bucket", "the range needs more than " + std::to_string(kMaxSeriesBuckets) + " " +
                                             bucket_name(bucket) + " buckets: choose a longer bucket or a shorter range");
    Timeseries out;
    out.bucket = bucket;
    out.from_day = *f.from_day;
    out.to_day = *f.to_day;
    out.points.reserve(static_cast<size_t>(count));
    for (sys_days b = first; b <= to; b = next_bucket(b, bucket)) out.points.push_back({day_text(b), {}, {}});
    // Rows arrive ordered by day, so buckets are visited in order; providers merge by name.
    size_t at = 0;
    for (const auto& row : store::analytics::daily_by_provider(c, f)) {
      const std::string start = day_text(bucket_start(*parse_day(row.day), bucket));
      while (at + 1 < out.points.size() && out.points[at].start < start) ++at;
      SeriesPoint& point = out.points[at];
      add_totals(point.totals, row.totals);
      auto it = std::find_if(point.providers.begin(), point.providers.end(),
                             [&](const ProviderTotals& t) { return t.provider == row.provider; });
      if (it == point.providers.end()) point.providers.push_back({row.provider, row.totals});
      else add_totals(it->totals, row.totals);
    }
    for (auto& point : out.points)
      std::sort(point.providers.begin(), point.providers.end(),
                [](const ProviderTotals& a, const ProviderTotals& b) { return a.provider < b.provider; });
    return out;
  });
}

std::map<int64_t, int64_t> Analytics::recent_spend(const Principal& p, const std::optional<int64_t>& agent_id,
                                                   util::TimePoint now) {
  AnalyticsQuery q;
  const sys_days today = floor<days>(now);
  q.from_day = day_text(today - days{kBurnWindowDays - 1});
  q.to_day = day_text(today);
  q.agent_id = agent_id;
  const auto f = filter_for(p, q, now);
  const auto rows = db_.read([&](store::Connection& c) { return store::analytics::by_agent(c, f); });
  std::map<int64_t, int64_t> out;
  for (const auto& r : rows) out[r.agent_id] = r.totals.cost_micros;
  return out;
}

Overview Analytics::overview(const Principal& p, util::TimePoint now) {
  Overview out;
  AnalyticsQuery today, month, all;
  today.period = Period::today;
  month.period = Period::this_month;
  const auto today_f = filter_for(p, today, now), month_f = filter_for(p, month, now), all_f = filter_for(p, all, now);
  const std::optional<std::string> owner = p.is_admin() ? std::nullopt : std::optional(p.user_id);
  db_.read([&](store::Connection& c) {
    out.today = store::analytics::totals(c, today_f);
    out.this_month = store::analytics::totals(c, month_f);
    out.all_time = store::analytics::totals(c, all_f);
    out.active_leases = store::leases::active_totals(c, owner);
    out.top_agents = store::analytics::by_agent(c, month_f);
    return 0;
  });
  std::stable_sort(out.top_agents.begin(), out.top_agents.end(),
                   [](const auto& a, const auto& b) { return a.totals.cost_micros > b.totals.cost_micros; });
  if (out.top_agents.size() > kTopAgents) out.top_agents.resize(kTopAgents);
  out.budgets = budget_status(p, {}, PageRequest{1, 1}, now);
  out.budgets.page.items.clear();  // the counts are the point; rows live in budget/status
  return out;
}

Analytics::EventPage Analytics::event_page(const Principal& p, const AnalyticsQuery& q,
                                           const std::optional<std::pair<int64_t, int64_t>>& before, int64_t limit,
                                           util::TimePoint now) {
  auto f = event_filter_for(p, q, now);
  f.before = before;
  EventPage out;
  out.items = db_.read([&](store::Connection& c) { return store::analytics::list_events(c, f, limit + 1, 0); });
  out.more = static_cast<int64_t>(out.items.size()) > limit;
  if (out.more) out.items.pop_back();
  return out;
}

void Analytics::each_event(const Principal& p, const AnalyticsQuery& q,
                           const std::function<bool(const std::vector<store::AnalyticsEventRow>&)>& sink,
                           int64_t batch, util::TimePoint now) {
  auto f = event_filter_for(p, q, now);
  for (;;) {
    const auto rows = db_.read([&](store::Connection& c) { return store::analytics::list_events(c, f, batch, 0); });
    if (rows.empty() || !sink(rows) || static_cast<int64_t>(rows.size()) < batch) return;
    f.before = std::pair{rows.back().timestamp_ms, rows.back().row_id};
  }
}

}  // namespace iron::domain
