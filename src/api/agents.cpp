// /api/v1/agents (docs/compatibility.md): CRUD (admin), owner-scoped reads, the allocation, the
// agent's API tokens and budget history, and its IC token (issue / status / regenerate /
// revoke), and its leases. Predecessor field names and ms-epoch created_at; money in µ$;
// `budget`, the burn rate and the lease list are new (RFC 3339 times).
#include "api/guard.h"
#include "api/json_body.h"
#include "api/paging.h"
#include "api/responses.h"
#include "api/routes.h"
#include "domain/agent_leases.h"
#include "domain/agents.h"
#include "domain/analytics.h"
#include "domain/api_tokens.h"
#include "domain/ic_tokens.h"
#include "util/clock.h"

#include <algorithm>
#include <cctype>
#include <functional>
#include <map>

namespace iron::api {
namespace {

using nlohmann::json;

json budget_view(const domain::BudgetSnapshot& b) {
  return {{"allocated", b.allocated}, {"spent", b.spent}, {"reserved", b.reserved}, {"remaining", b.remaining}};
}

json agent_view(const domain::AgentView& v) {
  const auto& a = v.agent;
  return {{"id", a.id},
          {"name", a.name},
          {"providers", a.providers},
          {"created_at", a.created_at},
          {"owner_id", a.owner_id},
          {"provider_key_id", a.provider_key_id ? json(*a.provider_key_id) : json(nullptr)},
          {"provider_key_owner_id", v.provider_key_owner_id ? json(*v.provider_key_owner_id) : json(nullptr)},
          {"has_ic_token", a.ic_token_hash.has_value()},
          {"budget", budget_view(v.budget)}};
}

json allocation_view(const domain::BudgetSnapshot& b) {
  return {{"agent_id", b.agent_id},
          {"total_allocated", b.allocated},
          {"total_spent", b.spent},
          {"total_reserved", b.reserved},
          {"budget_remaining", b.remaining}};
}

json history_view(const std::vector<store::BudgetHistoryEntry>& entries) {
  json out = json::array();
  for (const auto& e : entries)
    out.push_back({{"id", e.id},
                   {"agent_id", e.agent_id},
                   {"previous_allocated", e.previous_allocated},
                   {"new_allocated", e.new_allocated},
                   {"change", e.new_allocated - e.previous_allocated},
                   {"changed_by", e.changed_by},
                   {"reason", e.reason ? json(*e.reason) : json(nullptr)},
                   {"budget_request_id", e.budget_request_id ? json(*e.budget_request_id) : json(nullptr)},
                   {"created_at", e.created_at}});
  return out;
}

// ---- issue 10: the agent's burn rate and its leases (apart from the CRUD above) ----

// Window spend per agent (domain::BurnRate) in the caller's scope; empty without analytics.
std::map<int64_t, int64_t> recent_spend_of(Services& s, const domain::Principal& p, std::optional<int64_t> agent_id) {
  return s.analytics ? s.analytics->recent_spend(p, agent_id) : std::map<int64_t, int64_t>{};
}

// The agent object the routes answer with: agent_view plus burn rate and projected exhaustion.
json agent_with_burn(const domain::AgentView& v, const std::map<int64_t, int64_t>& recent_spend) {
  json out = agent_view(v);
  const auto it = recent_spend.find(v.agent.id);
  const auto burn = domain::burn_rate_of(it == recent_spend.end() ? 0 : it->second, v.budget.remaining, util::now());
  out["burn_rate_micros_per_day"] = burn.micros_per_day;
  out["projected_exhaustion_at"] = burn.exhaustion_at ? json(util::to_rfc3339(*burn.exhaustion_at)) : json(nullptr);
  return out;
}

json lease_view(const store::BudgetLease& l) {
  const auto at = [](int64_t ms) { return util::to_rfc3339(util::from_unix_ms(ms)); };
  return {{"id", l.id},
          {"agent_id", l.agent_id},
          {"status", l.status},
          {"granted_microdollars", l.granted},
          {"spent_microdollars", l.spent},
          {"available_microdollars", l.status == "active" ? l.granted - l.spent : 0},
          {"released_microdollars", l.released ? json(*l.released) : json(nullptr)},
          {"created_at", at(l.created_at)},
          {"expires_at", at(l.expires_at)},
          {"closed_at", l.closed_at ? json(at(*l.closed_at)) : json(nullptr)}};
}

// GET /agents/:id/leases: active ones first, then the most recent; paged; visible like the agent.
Response list_leases(Services& s, const Request& req, const domain::Principal& p) {
  auto id = path_id(req, "id");
  if (!id) return error_response(id.error());
  auto page = page_of(req, 20);
  if (!page) return error_response(page.error());
  auto r = domain::list_agent_leases(s.db, p, *id, req.query_param("status"), *page);
  if (!r) return error_response(r.error(), req.request_id);
  json items = json::array();
  for (const auto& l : r->items) items.push_back(lease_view(l));
  return json_response(200, {{"data", items}, {"pagination", pagination_json(r->pagination)}});
}

// ---- the list: the predecessor's plain array, narrowed, ordered and paged on request ----

std::string ascii_lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// `sort`: a column, `-` for descending. The value each column orders by (ties: newest first).
using SortKey = std::function<json(const domain::AgentView&)>;
const std::map<std::string, SortKey>& sort_keys() {
  static const std::map<std::string, SortKey> keys = {
      {"name", [](const domain::AgentView& v) { return json(ascii_lower(v.agent.name)); }},
      {"created_at", [](const domain::AgentView& v) { return json(v.agent.created_at); }},
      {"allocated", [](const domain::AgentView& v) { return json(v.budget.allocated); }},
      {"spent", [](const domain::AgentView& v) { return json(v.budget.spent); }},
      {"remaining", [](const domain::AgentView& v) { return json(v.budget.remaining); }},
  };
  return keys;
}

// GET /agents. Without parameters: every visible agent, newest first, as a plain array (the
// predecessor's shape). `search` (name contains, case-insensitive) and `owner_id` narrow it,
// `sort` orders it; `page` or `per_page` answers one page as {data, pagination}, which the
// dashboard's table uses so its requests stay bounded whatever the number of agents.
Response list_agents(Services& s, const Request& req, const domain::Principal& p) {
  auto search = query_text(req, "search", 255);
  if (!search) return error_response(search.error());
  auto owner = query_text(req, "owner_id", 255);
  if (!owner) return error_response(owner.error());
  // ?provider_key_id= keeps the agents using that key (who loses it when it is deleted).
  auto key = query_int(req, "provider_key_id", 1, INT64_MAX);
  if (!key) return error_response(key.error());
  auto sort = query_text(req, "sort", 32);
  if (!sort) return error_response(sort.error());
  auto page = page_of(req, 25);
  if (!page) return error_response(page.error());
  const bool paged = req.query_param("page") || req.query_param("per_page");

  std::vector<domain::AgentView> rows = s.agents->list(p);
  const std::string needle = ascii_lower(search->value_or(""));
  std::erase_if(rows, [&](const domain::AgentView& v) {
    if (*owner && v.agent.owner_id != **owner) return true;
    if (*key && v.agent.provider_key_id != **key) return true;
    return !needle.empty() && ascii_lower(v.agent.name).find(needle) == std::string::npos;
  });
  if (*sort) {
    const bool desc = (*sort)->starts_with('-');
    const auto key = sort_keys().find(desc ? (*sort)->substr(1) : **sort);
    if (key == sort_keys().end())
      return error_response(Error::validation(
          "sort", "sort must be one of name, created_at, allocated, spent, remaining (prefix - for descending)",
          "INVALID_PARAMETER"));
    std::stable_sort(rows.begin(), rows.end(), [&](const domain::AgentView& a, const domain::AgentView& b) {
      const json ka = key->second(a), kb = key->second(b);
      return desc ? kb < ka : ka < kb;
    });
  }

  const auto spend = recent_spend_of(s, p, std::nullopt);
  json out = json::array();
  if (!paged) {
    for (const auto& v : rows) out.push_back(agent_with_burn(v, spend));
    return json_response(200, out);
  }
  const auto total = static_cast<int64_t>(rows.size());
  const int64_t first = std::min(page->offset(), total);
  const int64_t last = std::min(first + page->per_page, total);
  for (int64_t i = first; i < last; ++i) out.push_back(agent_with_burn(rows[static_cast<size_t>(i)], spend));
  return json_response(200, {{"data", out}, {"pagination", pagination_json(domain::paginate(total, *page))}});
}

constexpr const char* kIcWarning = "Store this IC token securely: it is shown only once and cannot be retrieved.";

Response issued_response(int status, const domain::IssuedIcToken& t, bool regenerated) {
  json body = {{"agent_id", t.agent_id}, {"ic_token", t.token}, {"created_at", t.created_at_s}, {"warning", kIcWarning}};
  if (regenerated) body["old_token_invalidated"] = true;
  Response r = json_response(status, body);
  r.header("Cache-Control", "no-store");
  return r;
}

Response create(Services& s, const Request& req, const domain::Principal& p) {
  auto body = JsonBody::parse(req);
  if (!body) return error_response(body.error());
  auto name = body->string("name", 1, 255);
  if (!name) return error_response(name.error());
  auto key = body->opt_int("provider_key_id", 1, INT64_MAX);
  if (!key) return error_response(key.error());
  auto budget = body->integer("initial_budget_microdollars", 1, domain::kMaxLedgerAmountMicros);
  if (!budget) return error_response(budget.error());
  auto owner = body->opt_string("owner_id", 255);
  if (!owner) return error_response(owner.error());
  domain::NewAgent in{*name, *key, *budget, *owner};
  return respond(s.agents->create(p, in, context_of(req, &p)), 201,
                 [](const domain::AgentView& v) { return agent_with_burn(v, {}); },  // nothing spent yet
                 req.request_id);
}

Response update(Services& s, const Request& req, const domain::Principal& p) {
  auto id = path_id(req, "id");
  if (!id) return error_response(id.error());
  auto body = JsonBody::parse(req);
  if (!body) return error_response(body.error());
  domain::AgentPatch patch;
  auto name = body->opt_string("name", 255);
  if (!name) return error_response(name.error());
  auto key = body->opt_int("provider_key_id", 1, INT64_MAX);
  if (!key) return error_response(key.error());
  auto owner = body->opt_string("owner_id", 255);
  if (!owner) return error_response(owner.error());
  patch.name = *name;
  patch.set_provider_key = body->json().contains("provider_key_id");
  patch.provider_key_id = *key;
  patch.owner_id = *owner;
  return respond(s.agents->update(p, *id, patch, context_of(req, &p)), 200,
                 [&](const domain::AgentView& v) { return agent_with_burn(v, recent_spend_of(s, p, *id)); },
                 req.request_id);
}

Response set_budget(Services& s, const Request& req, const domain::Principal& p) {
  auto id = path_id(req, "id");
  if (!id) return error_response(id.error());
  auto body = JsonBody::parse(req);
  if (!body) return error_response(body.error());
  auto total = body->integer("total_allocated_microdollars", 1, domain::kMaxLedgerAmountMicros);
  if (!total) return error_response(total.error());
  auto r = s.agents->set_budget(*id, *total, context_of(req, &p));
  if (!r && r.error().code == "ALLOCATION_BELOW_COMMITTED") {
    Error e = r.error();
    e.details["field"] = "total_allocated_microdollars";
    return error_response(e);
  }
  return respond(r, 200, allocation_view, req.request_id);
}

// Runs f(id) for a route with an integer :id, answering 400 for a non-numeric one.
template <class F>
Response with_id(const Request& req, F f) {
  auto id = path_id(req, "id");
  if (!id) return error_response(id.error());
  return f(*id);
}

Error unavailable() {
  return Error{ErrorKind::unavailable, "UNAVAILABLE", "agents are not available on this server", {}, 0};
}

// Registers a guarded route whose handler needs the agent services (503 without them).
void add(std::vector<Route>& routes, Services& s, const std::string& method, const std::string& pattern, Access access,
         AuthedHandler h) {
  routes.push_back({method, pattern, guarded(s, access, [&s, h](const Request& r, const domain::Principal& p) {
                      if (!s.agents || !s.ic_tokens) return error_response(unavailable());
                      return h(r, p);
                    })});
}

}  // namespace

void add_agent_routes(std::vector<Route>& routes, Services& s) {
  const std::string base = "/api/v1/agents";
  add(routes, s, "GET", base, Access::read,
      [&s](const Request& r, const domain::Principal& p) { return list_agents(s, r, p); });
  add(routes, s, "POST", base, Access::admin, [&s](const Request& r, const domain::Principal& p) { return create(s, r, p); });
  add(routes, s, "GET", base + "/:id", Access::read, [&s](const Request& r, const domain::Principal& p) {
    return with_id(r, [&](int64_t id) {
      return respond(s.agents->get(p, id), 200,
                     [&](const domain::AgentView& v) { return agent_with_burn(v, recent_spend_of(s, p, id)); },
                     r.request_id);
    });
  });
  add(routes, s, "PUT", base + "/:id", Access::admin, [&s](const Request& r, const domain::Principal& p) { return update(s, r, p); });
  add(routes, s, "DELETE", base + "/:id", Access::admin, [&s](const Request& r, const domain::Principal& p) {
    return with_id(r, [&](int64_t id) {
      auto done = s.agents->remove(id, context_of(r, &p));
      return done ? no_content() : error_response(done.error(), r.request_id);
    });
  });
  add(routes, s, "PUT", base + "/:id/budget", Access::admin,
      [&s](const Request& r, const domain::Principal& p) { return set_budget(s, r, p); });
  add(routes, s, "GET", base + "/:id/tokens", Access::read, [&s](const Request& r, const domain::Principal& p) {
    return with_id(r, [&](int64_t id) {
      return respond(s.agents->tokens(p, id), 200, [](const std::vector<store::ApiToken>& tokens) {
        json out = json::array();
        for (const auto& t : tokens) out.push_back(domain::api_token_view(t));
        return out;
      }, r.request_id);
    });
  });
  add(routes, s, "GET", base + "/:id/budget/history", Access::read, [&s](const Request& r, const domain::Principal& p) {
    return with_id(r, [&](int64_t id) { return respond(s.agents->history(p, id), 200, history_view, r.request_id); });
  });

  add(routes, s, "GET", base + "/:id/leases", Access::read,
      [&s](const Request& r, const domain::Principal& p) { return list_leases(s, r, p); });

  // IC tokens: the agent's owner or an admin; viewers never mint or revoke credentials.
  add(routes, s, "POST", base + "/:id/ic-token", Access::mutate, [&s](const Request& r, const domain::Principal& p) {
    return with_id(r, [&](int64_t id) {
      auto t = s.ic_tokens->issue(p, id, context_of(r, &p));
      return t ? issued_response(201, *t, false) : error_response(t.error(), r.request_id);
    });
  });
  add(routes, s, "GET", base + "/:id/ic-token", Access::read, [&s](const Request& r, const domain::Principal& p) {
    return with_id(r, [&](int64_t id) {
      return respond(s.ic_tokens->status(p, id), 200, [](const domain::IcTokenStatus& st) {
        return json{{"agent_id", st.agent_id},
                    {"has_ic_token", st.has_ic_token},
                    {"created_at", st.created_at_s ? json(*st.created_at_s) : json(nullptr)}};
      }, r.request_id);
    });
  });
  add(routes, s, "POST", base + "/:id/ic-token/regenerate", Access::mutate,
      [&s](const Request& r, const domain::Principal& p) {
        return with_id(r, [&](int64_t id) {
          auto t = s.ic_tokens->regenerate(p, id, context_of(r, &p));
          return t ? issued_response(200, *t, true) : error_response(t.error(), r.request_id);
        });
      });
  add(routes, s, "DELETE", base + "/:id/ic-token", Access::mutate, [&s](const Request& r, const domain::Principal& p) {
    return with_id(r, [&](int64_t id) {
      auto done = s.ic_tokens->revoke(p, id, context_of(r, &p));
      return done ? no_content() : error_response(done.error(), r.request_id);
    });
  });
}

}  // namespace iron::api
