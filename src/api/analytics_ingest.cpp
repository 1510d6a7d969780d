// POST /api/v1/analytics/events and /events/batch: usage events reported by agents with their
// IC token (body field `ic_token`, the predecessor's, or Bearer). Idempotent per (agent,
// event_id); a batch answers per event, so one bad event never costs the others.
#include "api/analytics_params.h"
#include "api/json_body.h"
#include "api/responses.h"

namespace iron::api {
namespace {

using nlohmann::json;
using domain::Analytics;

// One event object (single or batch item), decoded by json_body's member rules; range and
// length rules are domain::validate_event's.
Result<domain::AnalyticsEvent> decode_event(const json& j) {
  if (!j.is_object()) return Error::validation("event", "each event must be a JSON object");
  constexpr size_t kAnyLength = std::string::npos;  // lengths are the domain's rule
  domain::AnalyticsEvent e;
  const auto required = [&j](const std::string& field, std::string& out) -> Status {
    auto v = text_member(j, field, kAnyLength);
    if (!v) return v.error();
    if (!*v) return Error::validation(field, field + " is required", "MISSING_FIELD");
    out = std::move(**v);
    return ok_status();
  };
  const auto optional_text = [&j](const std::string& field, std::optional<std::string>& out) -> Status {
    auto v = text_member(j, field, kAnyLength);
    if (!v) return v.error();
    out = std::move(*v);
    return ok_status();
  };
  const auto optional_int = [&j](const std::string& field, std::optional<int64_t>& out) -> Status {
    auto v = int_member(j, field, INT64_MIN, INT64_MAX);
    if (!v) return v.error();
    out = *v;
    return ok_status();
  };
  for (const Status& s : {required("event_id", e.event_id), optional_int("timestamp_ms", e.timestamp_ms)})
    if (!s) return s.error();
  if (!e.timestamp_ms) return Error::validation("timestamp_ms", "timestamp_ms is required", "MISSING_FIELD");
  for (const Status& s : {required("event_type", e.event_type), required("model", e.model),
                          required("provider", e.provider), optional_text("provider_id", e.provider_id),
                          optional_int("input_tokens", e.input_tokens), optional_int("output_tokens", e.output_tokens),
                          optional_int("cost_micros", e.cost_micros), optional_text("error_code", e.error_code),
                          optional_text("error_message", e.error_message)})
    if (!s) return s.error();
  return e;
}

Error ic_unavailable() {
  return {ErrorKind::unavailable, "IC_TOKENS_UNAVAILABLE", "agent IC tokens are not available on this server", {}, 30};
}

// The IC token from the body field `ic_token` (predecessor) or a Bearer header.
Result<domain::AgentIdentity> agent_of(Services& s, const Request& req, const json& body) {
  std::optional<std::string> token;
  // A known field is type-checked even when a Bearer token would do (api-conventions.md).
  auto field = text_member(body, "ic_token", 4096);
  if (!field) return field.error();
  token = *field;
  if (!token) token = bearer_token(req);
  if (!token || token->empty())
    return Error::unauthenticated("AUTH_MISSING_TOKEN", "an IC token is required (body ic_token or Bearer)");
  return s.authenticate_ic_token(*token);
}

domain::RequestContext agent_context(const Request& req, const domain::AgentIdentity& who) {
  auto ctx = context_of(req);
  ctx.actor_type = "agent";
  ctx.actor_id = "agent_" + std::to_string(who.agent_id);
  return ctx;
}

Response ingest_one(Services& s, Analytics& a, const Request& req) {
  if (!s.authenticate_ic_token) return error_response(ic_unavailable());
  auto body = JsonBody::parse(req);
  if (!body) return error_response(body.error());
  auto who = agent_of(s, req, body->json());
  if (!who) return error_response(who.error(), req.request_id);
  auto event = decode_event(body->json());
  if (!event) return error_response(event.error());
  auto r = a.ingest(*who, *event, agent_context(req, *who));
  if (!r) return error_response(r.error(), req.request_id);
  return json_response(r->status == "accepted" ? 202 : 200, {{"event_id", r->event_id}, {"status", r->status}});
}

Response ingest_batch(Services& s, Analytics& a, const Request& req) {
  if (!s.authenticate_ic_token) return error_response(ic_unavailable());
  auto body = JsonBody::parse(req);
  if (!body) return error_response(body.error());
  auto who = agent_of(s, req, body->json());
  if (!who) return error_response(who.error(), req.request_id);
  const json& items = body->json().contains("events") ? body->json()["events"] : json(nullptr);
  if (!items.is_array()) return error_response(Error::validation("events", "events must be an array", "MISSING_FIELD"));
  if (items.size() > domain::kMaxBatchEvents)
    return error_response(Error::validation("events", "a batch holds at most 1000 events"));
  // Items that cannot be decoded are rejected in place; the rest go to the domain together.
  std::vector<domain::AnalyticsEvent> decoded;
  std::vector<std::optional<Error>> decode_errors;
  for (const auto& item : items) {
    auto e = decode_event(item);
    decode_errors.push_back(e ? std::nullopt : std::optional<Error>(e.error()));
    if (e) decoded.push_back(std::move(e.value()));
  }
  auto r = a.ingest_batch(*who, decoded, agent_context(req, *who));
  if (!r) return error_response(r.error(), req.request_id);
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

}  // namespace

void add_analytics_ingest_routes(std::vector<Route>& routes, Services& s, Analytics& a) {
  const std::string base = "/api/v1/analytics";
  routes.push_back({"POST", base + "/events", [&s, &a](const Request& r) { return ingest_one(s, a, r); }});
  routes.push_back({"POST", base + "/events/batch", [&s, &a](const Request& r) { return ingest_batch(s, a, r); }});
}

}  // namespace iron::api
