// /api/v1/prices: the versioned price catalogue (docs/prices.md) — everyone signed in reads
// it; admins add versions, import and export price documents and recalculate history after
// a price change. GET /api/v1/analytics/cost-differences: reported costs against the
// catalogue's and the unpriced events, owner-scoped like every analytics read.
#include "api/analytics_params.h"
#include "api/body.h"
#include "api/routes.h"
#include "domain/catalogue_costs.h"
#include "domain/price_catalogue.h"
#include "util/clock.h"
#include "util/json_fields.h"

namespace iron::api {
namespace {

using namespace openapi;

const json kPrice = integer_range(0, domain::kMaxPriceMicrosPerMtok, "microdollars per million tokens");

// An RFC 3339 member as ms since the epoch (required, or `fallback` when absent).
Result<int64_t> time_member(const json& o, const std::string& name, std::optional<int64_t> fallback) {
  auto v = text_member(o, name, 64);
  if (!v) return v.error();
  if (!*v) {
    if (fallback) return *fallback;
    return errors::missing_field(name);
  }
  const auto t = util::parse_rfc3339(**v);
  if (!t) return errors::must_be(name, "an RFC 3339 time");
  return util::to_unix_ms(*t);
}

const auto kNewPrice = BodyFields<domain::PriceInput>()
    .text("provider", &domain::PriceInput::provider, 1, 64)
    .schema_with({{"pattern", "^[a-z0-9_-]{1,64}$"}})
    .text("model", &domain::PriceInput::model, 1, 200)
    .describe("an exact model name, or a prefix ending in one '*' (gpt-4o*); the most specific match wins")
    .integer("input_micros_per_mtok", &domain::PriceInput::input_micros_per_mtok, 0, domain::kMaxPriceMicrosPerMtok)
    .integer("output_micros_per_mtok", &domain::PriceInput::output_micros_per_mtok, 0, domain::kMaxPriceMicrosPerMtok)
    .integer("cached_input_micros_per_mtok", &domain::PriceInput::cached_input_micros_per_mtok, 0,
             domain::kMaxPriceMicrosPerMtok)
    .custom("effective_from", false, rfc3339("when this version takes effect; default now"),
            [](const json& o, domain::PriceInput& out) -> Status {
              auto t = time_member(o, "effective_from", util::now_unix_ms());
              if (!t) return t.error();
              out.effective_from_ms = *t;
              return ok_status();
            });

struct RecalculationBody {
  domain::RecalculationWindow window;
  std::optional<bool> apply;
};

// Reads the required RFC 3339 member `name` into the window's bound `bound`.
BodyFields<RecalculationBody>::Reader window_bound(std::string name, int64_t domain::RecalculationWindow::*bound) {
  return [name, bound](const json& o, RecalculationBody& out) -> Status {
    auto t = time_member(o, name, std::nullopt);
    if (!t) return t.error();
    out.window.*bound = *t;
    return ok_status();
  };
}

const auto kRecalculation = BodyFields<RecalculationBody>()
    .custom("from", true, rfc3339("window start (inclusive)"),
            window_bound("from", &domain::RecalculationWindow::from_ms))
    .custom("to", true, rfc3339("window end (exclusive)"), window_bound("to", &domain::RecalculationWindow::to_ms))
    .custom("agent_id", false, integer_range(1, INT64_MAX, "only this agent's events"),
            [](const json& o, RecalculationBody& out) -> Status {
              auto v = int_member(o, "agent_id", 1, INT64_MAX);
              if (!v) return v.error();
              out.window.agent_id = *v;
              return ok_status();
            })
    .boolean("apply", &RecalculationBody::apply)
    .describe("false or absent: a dry run that changes nothing; true: apply the same plan");

// A price document's informative members are not stored, but a malformed one is still
// refused, naming it, rather than silently dropped.
Status check_informative_members(const json& doc) {
  if (auto t = time_member(doc, "exported_at", 0); !t) return t.error();
  if (auto v = text_member(doc, "prices_as_of", 64); !v) return v.error();
  return ok_status();
}

std::string rfc_ms(int64_t ms) { return util::to_rfc3339(util::from_unix_ms(ms)); }

// Every version, each marked `current` when it is the one in effect now for its key.
json price_list(const std::vector<store::PriceRow>& rows, int64_t now_ms) {
  json out = json::array();
  for (size_t i = 0; i < rows.size(); ++i) {
    const auto& p = rows[i];
    // Rows come ordered by provider, model, effective_from: the current version of a key is
    // its last one already in effect.
    const bool next_in_effect = i + 1 < rows.size() && rows[i + 1].provider == p.provider &&
                                rows[i + 1].model == p.model && rows[i + 1].effective_from_ms <= now_ms;
    json row = domain::document_row(p);
    row["id"] = p.id;
    row["source"] = p.source;
    row["created_at"] = rfc_ms(p.created_at);
    row["current"] = p.effective_from_ms <= now_ms && !next_in_effect;
    out.push_back(std::move(row));
  }
  return out;
}

json recalculation_json(const domain::Recalculation& r) {
  json agents = json::array();
  for (const auto& a : r.agents)
    agents.push_back({{"agent_id", a.agent_id}, {"agent_name", a.agent_name}, {"events_changed", a.events_changed},
                      {"before_micros", a.before_micros}, {"after_micros", a.after_micros},
                      {"delta_micros", a.after_micros - a.before_micros}});
  return {IRON_JSON_FIELDS(r, applied, events_examined, events_changed, unpriced_before, unpriced_after,
                           before_micros, after_micros),
          {"from", domain::effective_text(r.window.from_ms)},
          {"to", domain::effective_text(r.window.to_ms)},
          {"agent_id", r.window.agent_id},
          {"delta_micros", r.after_micros - r.before_micros},
          {"agents", agents}};
}

json difference_json(const store::CostDifferenceRow& r) {
  return {IRON_JSON_FIELDS(r, agent_id, agent_name, provider, model, compared_events, reported_micros,
                           catalogue_micros, unpriced_events, unpriced_tokens),
          {"difference_micros", r.reported_micros - r.catalogue_micros}};
}

// ---- schemas ----
json document_row_schema() {
  return object({{"provider", provider_slug()},
                 {"model", described(str(1, 200), "exact name or prefix ending in '*'")},
                 {"input_micros_per_mtok", kPrice},
                 {"output_micros_per_mtok", kPrice},
                 {"cached_input_micros_per_mtok", kPrice},
                 {"effective_from", rfc3339("when the version takes effect")}},
                {"provider", "model", "input_micros_per_mtok", "output_micros_per_mtok",
                 "cached_input_micros_per_mtok", "effective_from"});
}

json price_schema() {
  json s = document_row_schema();
  s["properties"]["id"] = integer();
  s["properties"]["source"] = one_of_strings({"seed", "admin", "import"});
  s["properties"]["created_at"] = rfc3339("when the version was added");
  s["properties"]["current"] = boolean("the version in effect now for its provider and model key");
  for (const char* f : {"id", "source", "created_at", "current"}) s["required"].push_back(f);
  return s;
}

json price_document_schema() {
  auto rows = array_of(document_row_schema());
  rows["maxItems"] = domain::kMaxImportedPrices;
  return object({{"format", one_of_strings({domain::kPriceDocumentFormat})},
                 {"prices_as_of", described(str(0, 64), "informative: the date the prices were read")},
                 {"exported_at", rfc3339("informative")},
                 {"prices", rows}},
                {"prices"});
}

json recalculation_schema() {
  const json agent = object({{"agent_id", integer()}, {"agent_name", str()}, {"events_changed", integer()},
                             {"before_micros", integer()}, {"after_micros", integer()}, {"delta_micros", integer()}},
                            {"agent_id", "agent_name", "events_changed", "before_micros", "after_micros",
                             "delta_micros"});
  return object({{"from", rfc3339("")}, {"to", rfc3339("")}, {"agent_id", nullable(integer())},
                 {"applied", boolean("false for a dry run")},
                 {"events_examined", integer("catalogue-costed and reported events in the window")},
                 {"events_changed", integer("events whose cost, source or catalogue cost changes")},
                 {"unpriced_before", integer()}, {"unpriced_after", integer()},
                 {"before_micros", integer("completed catalogue-costed events' cost before")},
                 {"after_micros", integer("… and after")}, {"delta_micros", integer()},
                 {"agents", array_of(agent)}},
                {"from", "to", "agent_id", "applied", "events_examined", "events_changed", "unpriced_before",
                 "unpriced_after", "before_micros", "after_micros", "delta_micros", "agents"});
}

json difference_schema() {
  return object({{"agent_id", integer()}, {"agent_name", str()}, {"provider", str()}, {"model", str()},
                 {"compared_events", integer("events with a reported cost and a catalogue price")},
                 {"reported_micros", integer()}, {"catalogue_micros", integer()},
                 {"difference_micros", integer("reported − catalogue")},
                 {"unpriced_events", integer("tokens > 0, no cost reported, no price")},
                 {"unpriced_tokens", integer()}},
                {"agent_id", "agent_name", "provider", "model", "compared_events", "reported_micros",
                 "catalogue_micros", "difference_micros", "unpriced_events", "unpriced_tokens"});
}

const Resource price_op{.tag = "prices"};

}  // namespace

std::vector<Endpoint> price_endpoints() {
  const std::string base = "/api/v1/prices";
  std::vector<Endpoint> e;
  e.push_back({price_op("GET", base, "listPrices", "Every price version", Auth::read)
                   .returns(200, object({{"prices", array_of(price_schema())}}, {"prices"}), "The catalogue"),
               [](const Call& c) -> Reply {
                 return json_response(200, {{"prices", price_list(c.s.prices.list(), util::now_unix_ms())}});
               }});
  e.push_back({price_op("POST", base, "createPrice", "Add a price version", Auth::admin)
                   .opens_with("A price change is a new version with a later effective_from; versions are never "
                               "edited. Each price is 0.." + std::to_string(domain::kMaxPriceMicrosPerMtok) +
                               " µ$ per million tokens (400 naming the field otherwise).")
                   .returns(201, price_schema(), "Added")
                   .errors(409, {"PRICE_VERSION_EXISTS"}),
               with_body(kNewPrice, [](const Call& c, const domain::PriceInput& in) -> Reply {
                 auto r = c.s.prices.add(in, c.context());
                 if (!r) return r.error();
                 return json_response(201, price_list({*r}, util::now_unix_ms())[0]);
               })});
  e.push_back({price_op("GET", base + "/export", "exportPrices", "The catalogue as a price document", Auth::admin)
                   .returns(200, price_document_schema(), "The price document"),
               [](const Call& c) -> Reply { return json_response(200, c.s.prices.export_document()); }});
  e.push_back({price_op("POST", base + "/import", "importPrices", "Import a price document", Auth::admin)
                   .body(price_document_schema())
                   .returns(200, object({{"added", integer()}, {"unchanged", integer()}}, {"added", "unchanged"}),
                            "Imported")
                   .errors(409, {"PRICE_VERSION_CONFLICT"}),
               [](const Call& c) -> Reply {
                 auto body = json_object_of(c.req);
                 if (!body) return body.error();
                 if (auto ok = check_informative_members(*body); !ok) return ok.error();
                 return reply(c.s.prices.import(*body, c.context()), 200, [](const auto& r) {
                   return json{{"added", r.added}, {"unchanged", r.unchanged}};
                 });
               }});
  e.push_back({price_op("POST", base + "/recalculate", "recalculatePrices",
                        "Re-price recorded events with the catalogue (dry run or apply)", Auth::admin)
                   .closes_with("At most " + std::to_string(domain::kMaxRecalculatedEvents) +
                                " events per window (400 WINDOW_TOO_LARGE naming `from`).")
                   .returns(200, recalculation_schema(), "The plan (dry run) or what was applied")
                   .errors(400, {"WINDOW_TOO_LARGE"}),
               with_body(kRecalculation, [](const Call& c, const RecalculationBody& in) {
                 return reply(c.s.catalogue_costs.recalculate(in.window, in.apply.value_or(false), c.context()), 200,
                              recalculation_json);
               })});
  e.push_back({period_read_op("/api/v1/analytics/cost-differences", "getCostDifferences",
                                 "Reported cost against the catalogue, and unpriced events")
                   .returns(200, object({{"rows", array_of(difference_schema())}, {"totals", difference_schema()}},
                                        {"rows", "totals"}),
                            "Differences")
                   .csv_export(),
               period_read([](const Call& c, const domain::AnalyticsQuery& q) -> Reply {
                 const auto d = c.s.catalogue_costs.differences(c.who(), q);
                 return json_or_csv(c.req, [&]() -> Reply {
                   json rows = json::array();
                   for (const auto& r : d.rows) rows.push_back(difference_json(r));
                   return json_response(200, {{"rows", rows}, {"totals", difference_json(d.totals)}});
                 }, [&]() -> Reply {
                   std::vector<CsvRow> rows;
                   for (const auto& r : d.rows)
                     rows.push_back(std::move(CsvRow().integer(r.agent_id).text(r.agent_name).text(r.provider)
                                                  .text(r.model).integer(r.compared_events).dollars(r.reported_micros)
                                                  .dollars(r.catalogue_micros)
                                                  .dollars(r.reported_micros - r.catalogue_micros)
                                                  .integer(r.unpriced_events).integer(r.unpriced_tokens)));
                   return csv_lines(c.req, "cost-differences", q,
                                    {"agent_id", "agent_name", "provider", "model", "compared_events", "reported_usd",
                                     "catalogue_usd", "difference_usd", "unpriced_events", "unpriced_tokens"},
                                    std::move(rows));
                 });
               })});
  return e;
}

}  // namespace iron::api
