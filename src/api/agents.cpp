// /api/v1/agents (docs/compatibility.md): CRUD (admin), owner-scoped reads, the allocation, the
// agent's API tokens and budget history. Predecessor field names and ms-epoch created_at;
// money in µ$; `budget` and the burn rate are new (RFC 3339 times). Its credentials (the IC
// token) and its leases are in agent_credentials.cpp.
#include <algorithm>
#include <cctype>
#include <functional>

#include "api/agent_views.h"
#include "api/body.h"
#include "api/endpoint.h"
#include "api/model_allow_list_field.h"
#include "api/paging.h"
#include "api/routes.h"
#include "domain/api_tokens.h"
#include "domain/budget_ledger.h"

namespace iron::api {
namespace {

using namespace openapi;

std::string ascii_lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// `sort`: a column, `-` for descending. The value each column orders by (ties: newest first).
using SortKey = std::function<json(const domain::AgentView&)>;
const std::vector<std::pair<std::string, SortKey>>& sort_keys() {
  static const std::vector<std::pair<std::string, SortKey>> keys = {
      {"name", [](const domain::AgentView& v) { return json(ascii_lower(v.agent.name)); }},
      {"created_at", [](const domain::AgentView& v) { return json(v.agent.created_at); }},
      {"allocated", [](const domain::AgentView& v) { return json(v.budget.allocated); }},
      {"spent", [](const domain::AgentView& v) { return json(v.budget.spent); }},
      {"remaining", [](const domain::AgentView& v) { return json(v.budget.remaining); }},
  };
  return keys;
}

struct AgentSort {
  SortKey key;
  bool descending = false;
};
struct AgentListQuery {
  std::optional<std::string> search, owner_id;
  std::optional<int64_t> provider_key_id;  // the agents using that key (who loses it when it is deleted)
  std::optional<AgentSort> sort;
  PageParams page;
};
std::vector<std::string> sort_values() {
  std::vector<std::string> values;
  for (const auto& [column, key] : sort_keys()) values.insert(values.end(), {column, "-" + column});
  return values;
}
const QueryFields<AgentListQuery> kAgentListQuery =
    QueryFields<AgentListQuery>()
        .text("search", &AgentListQuery::search, 1, 255, "name contains this (case-insensitive)")
        .text("owner_id", &AgentListQuery::owner_id, 1, 255, "only this owner's agents")
        .integer("provider_key_id", &AgentListQuery::provider_key_id, 1, INT64_MAX,
                 "only the agents using this provider key (those that lose it when it is deleted)")
        .custom("sort", one_of_strings(sort_values()), "order by this column, `-` for descending; default newest first",
                [](const std::string& raw, AgentListQuery& q) -> Status {
                  const bool desc = raw.starts_with('-');
                  const std::string name = desc ? raw.substr(1) : raw;
                  const auto column = std::find_if(sort_keys().begin(), sort_keys().end(),
                                                   [&](const auto& k) { return k.first == name; });
                  if (column == sort_keys().end())
                    return errors::must_be("sort", "one of name, created_at, allocated, spent, remaining (prefix - for descending)",
                                           "INVALID_PARAMETER");
                  q.sort = AgentSort{column->second, desc};
                  return ok_status();
                })
        .within(&AgentListQuery::page, page_on_request_fields(25));

// GET /agents. Without parameters: every visible agent, newest first, as a plain array (the
// predecessor's shape). `search` (name contains, case-insensitive) and `owner_id` narrow it,
// `sort` orders it; `page` or `per_page` answers one page as {data, pagination}, which the
// dashboard's table uses so its requests stay bounded whatever the number of agents.
Reply list_agents(const Call& c, const AgentListQuery& q) {
  // Read before any of the reads below: a write committed after it makes the entry stale.
  const uint64_t version = c.s.db.data_version();
  auto key = AgentListCache::key_for(c.who(), c.req);
  if (auto body = c.s.agent_list_cache.find(key, version, util::now())) {
    Response r;
    r.body = std::move(*body);
    return r;
  }
  const auto page = q.page.asked();
  std::vector<domain::AgentView> rows = c.s.agents.list(c.who());
  const std::string needle = ascii_lower(q.search.value_or(""));
  std::erase_if(rows, [&](const domain::AgentView& v) {
    if (q.owner_id && v.agent.owner_id != *q.owner_id) return true;
    if (q.provider_key_id && v.agent.provider_key_id != *q.provider_key_id) return true;
    return !needle.empty() && ascii_lower(v.agent.name).find(needle) == std::string::npos;
  });
  if (const auto& sort = q.sort)
    std::stable_sort(rows.begin(), rows.end(), [&](const domain::AgentView& a, const domain::AgentView& b) {
      const json ka = sort->key(a), kb = sort->key(b);
      return sort->descending ? kb < ka : ka < kb;
    });

  const auto spend = recent_spend_of(c.s, c.who(), std::nullopt);
  // Paged in memory: the filters and sorts above run here, not in SQL.
  const auto total = static_cast<int64_t>(rows.size());
  const int64_t first = page ? std::min(page->offset(), total) : 0;
  const int64_t last = page ? std::min(first + page->per_page, total) : total;
  // Written as text, not as a json tree (three quarters of the request, docs/benchmarks.md);
  // the same bytes as listed() would give.
  const auto now = util::now();
  util::JsonWriter w(static_cast<size_t>(last - first) * 400);  // an agent is ~340 bytes
  if (page) w.begin_object().key("data");
  w.begin_array();
  for (int64_t i = first; i < last; ++i) write_agent(w, rows[static_cast<size_t>(i)], spend, now);
  w.end_array();
  if (page) w.key("pagination").raw(pagination_json(domain::paginate(total, *page)).dump()).end_object();
  Response r;
  r.body = w.take();
  c.s.agent_list_cache.put(std::move(key), version, now, agents_unchanged_until(rows, spend, now), r.body);
  return r;
}

const std::vector<std::string> kPeriods = {"one_off", "daily", "weekly", "monthly"};
const char* kPeriodText =
    "one_off (default): the allocation is spent once; daily / weekly (Monday) / monthly: spent returns to 0 and "
    "remaining to the allocation at each calendar boundary (00:00 in budget_time_zone), shown as budget.resets_at";
const char* kZoneText =
    "the IANA time zone of the period boundaries (local midnight; default UTC), case-sensitive, e.g. Europe/Berlin; "
    "a link is stored as its target (US/Eastern as America/New_York); an unknown name is 400 UNKNOWN_TIME_ZONE";

struct NewAgentBody {
  std::string name;
  std::optional<int64_t> provider_key_id;
  int64_t initial_budget_microdollars = 0;
  std::optional<std::string> owner_id;
  std::optional<std::string> budget_period, budget_time_zone;
  domain::AllowedModels allowed_models;
};
const auto kNewAgent = BodyFields<NewAgentBody>()
    .text("name", &NewAgentBody::name, 1, 255)
    .integer("provider_key_id", &NewAgentBody::provider_key_id, 1, INT64_MAX).describe("an enabled key the owner may use")
    .integer("initial_budget_microdollars", &NewAgentBody::initial_budget_microdollars, 1, domain::kMaxLedgerAmountMicros)
    .describe("µ$")
    .text("owner_id", &NewAgentBody::owner_id, 255).schema_with({{"minLength", 1}})
    .describe("an existing active user; default: the caller")
    .one_of("budget_period", &NewAgentBody::budget_period, kPeriods).describe(kPeriodText)
    .text("budget_time_zone", &NewAgentBody::budget_time_zone, 64).describe(kZoneText)
    .custom("allowed_models", false, allowed_models_schema(), allowed_models_reader(&NewAgentBody::allowed_models));

struct AgentPatchBody {
  std::optional<std::string> name;
  std::optional<std::optional<int64_t>> provider_key_id;  // null: unassign
  std::optional<std::string> owner_id;
  std::optional<std::string> budget_period, budget_time_zone;
  std::optional<domain::AllowedModels> allowed_models;  // null: every model
};
const auto kAgentPatch = BodyFields<AgentPatchBody>()
    .text("name", &AgentPatchBody::name, 255).schema_with({{"minLength", 1}})
    .clearable_integer("provider_key_id", &AgentPatchBody::provider_key_id, 1, INT64_MAX)
    .text("owner_id", &AgentPatchBody::owner_id, 255).schema_with({{"minLength", 1}})
    .one_of("budget_period", &AgentPatchBody::budget_period, kPeriods)
    .describe(std::string(kPeriodText) + ". Changing it starts no new period: spent and remaining stay")
    .text("budget_time_zone", &AgentPatchBody::budget_time_zone, 64).describe(kZoneText)
    .custom("allowed_models", false, allowed_models_schema(),
            allowed_models_patch_reader(&AgentPatchBody::allowed_models));

struct AllocationBody {
  int64_t total_allocated_microdollars = 0;
};
const auto kAllocation = BodyFields<AllocationBody>()
    .integer("total_allocated_microdollars", &AllocationBody::total_allocated_microdollars, 1,
             domain::kMaxLedgerAmountMicros)
    .describe("at least spent + reserved");

Reply create(const Call& c, const NewAgentBody& in) {
  domain::NewAgent a{in.name, in.provider_key_id, in.initial_budget_microdollars, in.owner_id};
  if (in.budget_period) a.budget_period = *domain::parse_budget_period(*in.budget_period);
  if (in.budget_time_zone) a.budget_time_zone = *in.budget_time_zone;
  a.allowed_models = in.allowed_models;
  return reply(c.s.agents.create(c.who(), a, c.context()), 201,
               [](const domain::AgentView& v) { return agent_with_burn(v, {}); });  // nothing spent yet
}

Reply update(const Call& c, const AgentPatchBody& in) {
  const int64_t id = c.id();
  domain::AgentPatch patch;
  patch.name = in.name;
  patch.set_provider_key = in.provider_key_id.has_value();
  patch.provider_key_id = in.provider_key_id.value_or(std::nullopt);
  patch.owner_id = in.owner_id;
  if (in.budget_period) patch.budget_period = domain::parse_budget_period(*in.budget_period);
  patch.budget_time_zone = in.budget_time_zone;
  patch.allowed_models = in.allowed_models;
  return reply(c.s.agents.update(c.who(), id, patch, c.context()), 200,
               [&](const domain::AgentView& v) { return agent_with_burn(v, recent_spend_of(c.s, c.who(), id)); });
}

Reply set_budget(const Call& c, const AllocationBody& in) {
  const int64_t id = c.id();
  auto r = c.s.agents.set_budget(id, in.total_allocated_microdollars, c.context());
  if (!r && r.error().code == "ALLOCATION_BELOW_COMMITTED") {
    Error e = r.error();
    e.details["field"] = "total_allocated_microdollars";
    return e;
  }
  return reply(r, 200, allocation_view);
}

json agent_id_schema() { return integer_range(1, INT64_MAX, "agent id"); }

// The one agent-key rule (domain/agent_key.h), for the create and update descriptions.
const char* kKeyAssignment =
    "`provider_key_id` must name an enabled key (404 PROVIDER_KEY_NOT_FOUND, 409 PROVIDER_KEY_DISABLED) that the "
    "agent's owner owns, or that the calling admin owns: an admin may DELEGATE a key of their own to another user's "
    "agent, which is audited (`provider_key_delegated` in the audit row) and shown as `provider_key_owner_id`; the "
    "delegated key stops serving the agent (403 NO_PROVIDER_ASSIGNED) if that admin loses the admin role. Any other "
    "user's key is 403 PROVIDER_KEY_NOT_OWNED. Deleting a key unassigns it from its agents.";

json micros(const std::string& description) { return described(integer(), description + " (µ$)"); }

// What creating and updating an agent share: the key-assignment rules after the operation's own
// description (agents.md), and the errors those rules, the owner and the budget's time zone can answer.
Op with_key_assignment(Op op) {
  op.closes_with(kKeyAssignment);
  return op.errors(400, {"VALIDATION_ERROR", "OWNER_NOT_FOUND", "UNKNOWN_TIME_ZONE"})
      .errors(403, {"PROVIDER_KEY_NOT_OWNED"})
      .errors(404, {"PROVIDER_KEY_NOT_FOUND"})
      .errors(409, {"PROVIDER_KEY_DISABLED"})
      .errors(503, {"PROVIDER_KEYS_UNAVAILABLE"});
}

}  // namespace

const Resource agent_op{.tag = "agents", .id_schema = agent_id_schema(), .not_found = "AGENT_NOT_FOUND"};

std::vector<Endpoint> agent_endpoints() {
  std::vector<Endpoint> e;
  e.push_back({agent_op("GET", "/api/v1/agents", "listAgents", "List agents (admins: all; others: their own)", Auth::read)
                   .returns(200, json{{"oneOf", json::array({array_of(ref("Agent")), ref("AgentPage")})}},
                            "The agents, or one page of them")
                   .errors(400, {"INVALID_PARAMETER", "VALIDATION_ERROR"}),
               with_query(kAgentListQuery, list_agents)});
  e.push_back({with_key_assignment(
                   agent_op("POST", "/api/v1/agents", "createAgent", "Create an agent and its budget", Auth::admin)
                       .returns(201, ref("Agent"), "Created")),
               with_body(kNewAgent, create)});
  e.push_back({agent_op("GET", "/api/v1/agents/:id", "getAgent", "Get an agent (admin or owner)", Auth::read)
                   .returns(200, ref("Agent"), "The agent"),
               [](const Call& c) {
                 const int64_t id = c.id();
                 return reply(c.s.agents.get(c.who(), id), 200, [&](const domain::AgentView& v) {
                   return agent_with_burn(v, recent_spend_of(c.s, c.who(), id));
                 });
               }});
  e.push_back({with_key_assignment(agent_op("PUT", "/api/v1/agents/:id", "updateAgent", "Update an agent", Auth::admin)
                                        .returns(200, ref("Agent"), "The updated agent")),
               with_body(kAgentPatch, update)});
  e.push_back({agent_op("DELETE", "/api/v1/agents/:id", "deleteAgent", "Delete an agent", Auth::admin)
                   .no_content("Deleted"),
               [](const Call& c) { return reply_no_content(c.s.agents.remove(c.id(), c.context())); }});
  e.push_back({agent_op("PUT", "/api/v1/agents/:id/budget", "setAgentBudget", "Set an agent's allocation", Auth::admin)
                   .returns(200, object({{"agent_id", integer()},
                                         {"total_allocated", micros("allocated")},
                                         {"total_spent", micros("spent")},
                                         {"total_reserved", micros("reserved")},
                                         {"budget_remaining", micros("remaining")}},
                                        {"agent_id", "total_allocated", "total_spent", "total_reserved",
                                         "budget_remaining"}),
                            "The new allocation")
                   .errors(400, {"VALIDATION_ERROR", "ALLOCATION_BELOW_COMMITTED"}),
               with_body(kAllocation, set_budget)});
  e.push_back({agent_op("GET", "/api/v1/agents/:id/tokens", "listAgentTokens", "API tokens bound to the agent", Auth::read)
                   .returns(200, array_of(ref("ApiToken")), "The tokens"),
               [](const Call& c) {
                 return reply(c.s.agents.tokens(c.who(), c.id()), 200, [](const std::vector<store::ApiToken>& tokens) {
                   return json_array_of(tokens, domain::api_token_view);
                 });
               }});
  e.push_back({agent_op("GET", "/api/v1/agents/:id/budget/history", "getAgentBudgetHistory",
                        "Allocation changes, newest first", Auth::read)
                   .returns(200, array_of(object({{"id", integer()},
                                                  {"agent_id", integer()},
                                                  {"previous_allocated", micros("before")},
                                                  {"new_allocated", micros("after")},
                                                  {"change", micros("new - previous")},
                                                  {"changed_by", str()},
                                                  {"reason", nullable(str())},
                                                  {"budget_request_id", nullable(str())},
                                                  {"created_at", ms_time("when")},
                                                  {"kind", described(one_of_strings({"allocation", "period_reset"}),
                                                                     "period_reset: a periodic budget started a new "
                                                                     "period (changed_by `system`)")},
                                                  {"period_spent",
                                                   nullable(micros("period_reset: what the ended period spent"))}},
                                                 {"id", "agent_id", "previous_allocated", "new_allocated", "change",
                                                  "changed_by", "reason", "budget_request_id", "created_at", "kind",
                                                  "period_spent"})),
                            "The history"),
               [](const Call& c) { return reply(c.s.agents.history(c.who(), c.id()), 200, history_view); }});
  return e;
}

}  // namespace iron::api
