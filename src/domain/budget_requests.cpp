#include "domain/budget_requests.h"

#include "domain/alert_raisers.h"

#include <charconv>
#include <cmath>

#include <nlohmann/json.hpp>

#include "domain/audit.h"
#include "domain/budget_ledger.h"
#include "security/random.h"
#include "store/agent_repo.h"
#include "store/budget_repo.h"
#include "util/clock.h"
#include "util/json_fields.h"

namespace iron::domain {
namespace {

using nlohmann::json;

Error request_not_found() { return Error::not_found("budget request"); }
json request_json(const store::BudgetRequest& r) {
  return {IRON_JSON_FIELDS(r, id, agent_id, requester_id, current_budget_micros, requested_budget_micros, status,
                           rejection_reason, decided_by)};
}

size_t utf8_length(const std::string& s) {
  size_t n = 0;
  for (unsigned char ch : s)
    if ((ch & 0xC0) != 0x80) ++n;
  return n;
}

std::string trim(const std::string& s) {
  const char* ws = " \t\r\n\f\v";
  const auto b = s.find_first_not_of(ws);
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(ws) - b + 1);
}

// Whether the principal may see requests of this agent: its owner or an admin.
bool may_see(store::Connection& c, const Principal& p, int64_t agent_id) {
  if (p.is_admin()) return true;
  const auto agent = store::agents::find_by_id(c, agent_id);
  return agent && agent->owner_id == p.user_id;
}

Result<store::BudgetRequest> visible_request(store::Connection& c, const Principal& p, const std::string& id) {
  auto r = store::budget_requests::find(c, id);
  if (!r || !may_see(c, p, r->agent_id)) return request_not_found();
  return *r;
}

Error not_pending(const store::BudgetRequest& r) {
  Error e = Error::conflict("REQUEST_NOT_PENDING", "the budget request is already " + r.status);
  e.details["status"] = r.status;
  return e;
}

// The checks approve and reject share: admin, not the requester, still pending.
Result<store::BudgetRequest> decidable(store::Connection& c, const Principal& p, const std::string& id) {
  if (!p.is_admin()) return Error::forbidden("only an admin may decide budget requests");
  auto r = visible_request(c, p, id);
  if (!r) return r.error();
  if (r->requester_id == p.user_id)
    return Error::forbidden("the requester cannot decide their own budget request",
                            "REQUESTER_CANNOT_APPROVE_OWN_REQUEST");
  if (r->status != "pending") return not_pending(*r);
  return r;
}

// The status change, after the checks; a lost race with another decision is a conflict.
Result<store::BudgetRequest> decide(store::Connection& c, const store::BudgetRequest& before, const std::string& status,
                                    const Principal& p, const std::optional<std::string>& reason,
                                    const RequestContext& ctx) {
  const int64_t now = util::to_unix_ms(util::now());
  auto after = store::budget_requests::decide(c, before.id, status, p.user_id, reason, now);
  if (!after) return not_pending(before);
  audit(c, ctx, "budget_request." + status, "budget_request", before.id, request_json(before), request_json(*after));
  alerts::budget_request_decided(c, before.id, before.agent_id, status, p.user_id);
  return *after;
}

// The owner of the request's agent (who the live event is scoped to); empty if gone.
std::string agent_owner(store::Connection& c, int64_t agent_id) {
  const auto agent = store::agents::find_by_id(c, agent_id);
  return agent ? agent->owner_id : std::string();
}

}  // namespace

void BudgetRequests::publish(const std::string& type, const std::string& owner_id, const store::BudgetRequest& r) {
  if (!events_) return;
  events_->publish({0, type, owner_id,
                    json{{"id", r.id}, {"agent_id", r.agent_id}, {"status", r.status}, {"requester_id", r.requester_id}}});
}

Result<int64_t> usd_to_micros(double usd, const std::string& field) {
  const auto invalid = [&] {
    return Error::validation(field, field + " must be a finite number greater than 0 and at most 10000");
  };
  if (!std::isfinite(usd) || usd <= 0.0 || usd > 10000.0) return invalid();
  char buf[64];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, usd, std::chars_format::fixed);
  if (ec != std::errc()) return invalid();
  const std::string text(buf, end);  // shortest round-trip decimal, e.g. "10000.01"
  const auto dot = text.find('.');
  const std::string whole = text.substr(0, dot);
  const std::string frac = dot == std::string::npos ? "" : text.substr(dot + 1);
  int64_t micros = 0;
  for (char ch : whole) micros = micros * 10 + (ch - '0');  // <= 10000: no overflow
  for (size_t i = 0; i < 6; ++i) micros = micros * 10 + (i < frac.size() ? frac[i] - '0' : 0);
  if (frac.size() > 6 && frac[6] >= '5') micros += 1;  // half away from zero (usd > 0)
  if (micros < 1) return Error::validation(field, field + " must be at least 0.000001 (one microdollar)");
  if (micros > kMaxRequestedBudgetMicros) return invalid();
  return micros;
}

Result<store::BudgetRequest> BudgetRequests::create(const Principal& p, const NewBudgetRequest& in,
                                                    const RequestContext& ctx) {
  if (in.agent_id <= 0) return Error::validation("agent_id", "agent_id must be a positive integer");
  if (in.requested_micros < 1 || in.requested_micros > kMaxRequestedBudgetMicros)
    return Error::validation("requested_budget_usd", "requested_budget_usd must be in (0, 10000]");
  const std::string justification = trim(in.justification);
  const size_t len = utf8_length(justification);
  if (len < 20 || len > 500)
    return Error::validation("justification", "justification must be 20..500 characters (after trimming)");
  std::string owner;
  auto created = db_.write([&](store::Connection& c) -> Result<store::BudgetRequest> {
    const auto agent = store::agents::find_by_id(c, in.agent_id);
    if (!agent || (!p.is_admin() && agent->owner_id != p.user_id)) return agent_not_found();
    owner = agent->owner_id;
    const auto budget = store::budgets::find(c, in.agent_id);
    const int64_t current = budget ? budget->allocated : 0;
    if (in.requested_micros == current) {
      Error e = Error::validation("requested_budget_usd", "the requested budget equals the current allocation",
                                  "REQUESTED_EQUALS_CURRENT");
      e.details["current_budget_microdollars"] = current;
      return e;
    }
    const int64_t now = util::to_unix_ms(util::now());
    store::BudgetRequest r;
    r.id = "breq_" + security::uuid_v4();
    r.agent_id = in.agent_id;
    r.requester_id = p.user_id;
    r.current_budget_micros = current;
    r.requested_budget_micros = in.requested_micros;
    r.justification = justification;
    r.created_at = r.updated_at = now;
    store::budget_requests::insert(c, r);
    audit(c, ctx, "budget_request.create", "budget_request", r.id, nullptr, request_json(r));
    alerts::budget_request_created(c, r.id, r.agent_id, p.user_id, current, in.requested_micros);
    return r;
  });
  if (created) publish("budget_request.created", owner, *created);
  return created;
}

Result<store::BudgetRequest> BudgetRequests::get(const Principal& p, const std::string& id) {
  return db_.read([&](store::Connection& c) { return visible_request(c, p, id); });
}

Result<std::vector<store::BudgetRequest>> BudgetRequests::list(const Principal& p,
                                                               const std::optional<int64_t>& agent_id,
                                                               const std::optional<std::string>& status) {
  if (status && *status != "pending" && *status != "approved" && *status != "rejected" && *status != "cancelled")
    return Error::validation("status", "status must be one of pending, approved, rejected, cancelled");
  store::BudgetRequestFilter f;
  f.agent_id = agent_id;
  f.status = status;
  if (!p.is_admin()) f.owner_id = p.user_id;
  return db_.read([&](store::Connection& c) { return store::budget_requests::list(c, f); });
}

Result<store::BudgetRequest> BudgetRequests::approve(const Principal& p, const std::string& id,
                                                     const RequestContext& ctx) {
  std::string owner;
  auto decided = db_.write([&](store::Connection& c) -> Result<store::BudgetRequest> {
    auto r = decidable(c, p, id);
    if (!r) return r.error();
    // The requested ABSOLUTE allocation, applied to the budget as it is now (not a delta from
    // the snapshot taken at creation); same transaction as the status change.
    auto budget = BudgetLedger::set_allocation_in(c, r->agent_id, r->requested_budget_micros, ctx,
                                                  AllocationNote{"budget request approved", r->id});
    if (!budget) {
      Error e = budget.error();
      // Valid when filed, but the agent has since spent or reserved more than it asks for:
      // a conflict with the current state, and the request stays pending.
      if (e.code == "ALLOCATION_BELOW_COMMITTED") e.kind = ErrorKind::conflict;
      return e;
    }
    owner = agent_owner(c, r->agent_id);
    return decide(c, *r, "approved", p, std::nullopt, ctx);
  });
  if (decided) publish("budget_request.approved", owner, *decided);
  return decided;
}

Result<store::BudgetRequest> BudgetRequests::reject(const Principal& p, const std::string& id,
                                                    const std::string& reason, const RequestContext& ctx) {
  const std::string trimmed = trim(reason);
  if (trimmed.empty() || utf8_length(trimmed) > 1000)
    return Error::validation("reason", "reason must be 1..1000 characters");
  std::string owner;
  auto decided = db_.write([&](store::Connection& c) -> Result<store::BudgetRequest> {
    auto r = decidable(c, p, id);
    if (!r) return r.error();
    owner = agent_owner(c, r->agent_id);
    return decide(c, *r, "rejected", p, trimmed, ctx);
  });
  if (decided) publish("budget_request.rejected", owner, *decided);
  return decided;
}

Result<store::BudgetRequest> BudgetRequests::cancel(const Principal& p, const std::string& id,
                                                    const RequestContext& ctx) {
  std::string owner;
  auto decided = db_.write([&](store::Connection& c) -> Result<store::BudgetRequest> {
    auto r = store::budget_requests::find(c, id);
    if (!r) return request_not_found();
    if (r->requester_id != p.user_id) {
      if (!may_see(c, p, r->agent_id)) return request_not_found();
      return Error::forbidden("only the requester may cancel a budget request", "NOT_REQUESTER");
    }
    if (r->status != "pending") return not_pending(*r);
    owner = agent_owner(c, r->agent_id);
    return decide(c, *r, "cancelled", p, std::nullopt, ctx);
  });
  if (decided) publish("budget_request.cancelled", owner, *decided);
  return decided;
}

}  // namespace iron::domain
