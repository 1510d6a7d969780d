// POST /api/v1/analytics/events and /events/batch: usage events reported by agents with
// their IC token (the agent-token guard, guard.h), idempotent per (agent, event_id); a batch
// answers per event, so one bad event never costs the others.
#include "api/analytics_params.h"
#include "api/body.h"
#include "api/routes.h"

namespace iron::api {
namespace {

using namespace openapi;

// One event object (single or batch item). Lengths and ranges are domain::validate_event's
// rules (documented in the AnalyticsEventInput component), so strings are taken at any
// length here; required means present and not null.
constexpr size_t kAnyLength = std::string::npos;
const auto kEvent = BodyFields<domain::AnalyticsEvent>()
    .text("event_id", &domain::AnalyticsEvent::event_id, 0, kAnyLength)
    .custom("timestamp_ms", true, ms_time("when the request happened"),
            [](const json& o, domain::AnalyticsEvent& out) -> Status {
              auto v = int_member(o, "timestamp_ms", INT64_MIN, INT64_MAX);
              if (!v) return v.error();
              if (!*v) return errors::missing_field("timestamp_ms");
              out.timestamp_ms = *v;
              return ok_status();
            })
    .text("event_type", &domain::AnalyticsEvent::event_type, 0, kAnyLength)
    .text("model", &domain::AnalyticsEvent::model, 0, kAnyLength)
    .text("provider", &domain::AnalyticsEvent::provider, 0, kAnyLength)
    .text("provider_id", &domain::AnalyticsEvent::provider_id, kAnyLength)
    .integer("input_tokens", &domain::AnalyticsEvent::input_tokens, INT64_MIN, INT64_MAX)
    .integer("output_tokens", &domain::AnalyticsEvent::output_tokens, INT64_MIN, INT64_MAX)
    .integer("cached_input_tokens", &domain::AnalyticsEvent::cached_input_tokens, INT64_MIN, INT64_MAX)
    .integer("cost_micros", &domain::AnalyticsEvent::cost_micros, INT64_MIN, INT64_MAX)
    .text("error_code", &domain::AnalyticsEvent::error_code, kAnyLength)
    .text("error_message", &domain::AnalyticsEvent::error_message, kAnyLength);

Result<domain::AnalyticsEvent> decode_event(const json& j) {
  if (!j.is_object()) return Error::validation("event", "each event must be a JSON object");
  return kEvent.decode_object(j);
}

// The reporting agent: its IC token, verified against the stored hash.
Result<domain::AgentIdentity> agent_of(const Call& c, const json& body) {
  auto token = agent_token_of(c.req, body);
  if (!token) return token.error();
  return c.s.ic_tokens.authenticate(*token);
}

domain::RequestContext agent_context(const Request& req, const domain::AgentIdentity& who) {
  auto ctx = context_of(req);
  ctx.actor_type = "agent";
  ctx.actor_id = "agent_" + std::to_string(who.agent_id);
  return ctx;
}

// The token is checked in the event's write (Analytics::ingest_with_token), answered once that
// write is durable, without holding this thread; an event that cannot be decoded is answered
// after the token's check, as everywhere.
Reply ingest_one(const Call& c) {
  auto body = json_object_of(c.req);
  if (!body) return body.error();
  auto token = agent_token_of(c.req, *body);
  if (!token) return token.error();
  auto event = decode_event(*body);
  if (!event) {
    auto who = c.s.ic_tokens.authenticate(*token);
    return who ? event.error() : who.error();
  }
  return later(c, [&analytics = c.s.analytics, token = std::move(*token), event = std::move(*event)](auto done) {
    analytics.ingest_with_token(token, event,
                                replying<domain::IngestOutcome>(std::move(done), [](const domain::IngestOutcome& r) {
                                  return json_response(r.status == "accepted" ? 202 : 200,
                                                       {{"event_id", r.event_id}, {"status", r.status}});
                                }));
  });
}

Reply ingest_batch(const Call& c) {
  auto body = json_object_of(c.req);
  if (!body) return body.error();
  auto who = agent_of(c, *body);
  if (!who) return who.error();
  const json& items = body->contains("events") ? (*body)["events"] : json(nullptr);
  if (!items.is_array()) return errors::must_be("events", "an array", "MISSING_FIELD");
  if (items.size() > domain::kMaxBatchEvents)
    return Error::validation("events", "a batch holds at most 1000 events");
  // Items that cannot be decoded are rejected in place; the rest go to the domain together.
  std::vector<domain::AnalyticsEvent> decoded;
  std::vector<std::optional<Error>> decode_errors;
  for (const auto& item : items) {
    auto e = decode_event(item);
    decode_errors.push_back(e ? std::nullopt : std::optional<Error>(e.error()));
    if (e) decoded.push_back(std::move(e.value()));
  }
  auto r = c.s.analytics.ingest_batch(*who, decoded, agent_context(c.req, *who));
  if (!r) return r.error();
  json results = json::array();
  int64_t rejected = r->rejected;
  size_t next = 0;
  for (size_t i = 0; i < items.size(); ++i) {
    const std::optional<Error>& err = decode_errors[i];
    json row;
    if (err) {
      ++rejected;
      const json& id = items[i].is_object() && items[i].contains("event_id") ? items[i]["event_id"] : json(nullptr);
      row = {{"event_id", id.is_string() ? id : json(nullptr)}, {"status", "rejected"}};
      row["error"] = {{"code", err->code}, {"message", err->message}, {"details", err->details}};
    } else {
      const auto& o = r->results[next++];
      row = {{"event_id", o.event_id}, {"status", o.status}};
      if (o.error) row["error"] = {{"code", o.error->code}, {"message", o.error->message}, {"details", o.error->details}};
    }
    results.push_back(std::move(row));
  }
  return json_response(200, {{"results", results},
                             {"accepted", r->accepted},
                             {"duplicates", r->duplicates},
                             {"rejected", rejected}});
}

const Resource ingest_op{.tag = "analytics", .access = Auth::agent};

}  // namespace

std::vector<Endpoint> analytics_ingest_endpoints() {
  std::vector<Endpoint> e;
  e.push_back({ingest_op("POST", "/api/v1/analytics/events", "ingestAnalyticsEvent", "Report one LLM request (agent)")
                   .body([] {
                     auto b = analytics_event_input_schema();
                     b["properties"]["ic_token"] = str(1, 2000);
                     return b;
                   }())
                   .returns(202, ref("IngestResult"), "Accepted (200 with status duplicate for a replay)")
                   .plain_response(200, {{"description", "Duplicate: this event_id was already recorded"},
                                         {"content", {{"application/json", {{"schema", ref("IngestResult")}}}}}})
                   .errors(404, {"AGENT_NOT_FOUND"}),
               ingest_one});
  e.push_back({ingest_op("POST", "/api/v1/analytics/events/batch", "ingestAnalyticsEventBatch", "Report up to 1000 LLM requests (agent)")
                   .body(object({{"ic_token", str(1, 2000)}, {"events", [] {
                                   auto a = array_of(ref("AnalyticsEventInput"));
                                   a["maxItems"] = 1000;
                                   return a;
                                 }()}},
                                {"events"}))
                   .returns(200, ref("IngestBatchResult"), "Per-event results, in input order")
                   .errors(404, {"AGENT_NOT_FOUND"}),
               ingest_batch});
  return e;
}

}  // namespace iron::api
