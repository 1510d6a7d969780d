// /api/v1/providers (provider API keys) and /api/v1/projects/:project_id/provider (which key
// a project uses). Field names follow the predecessor (docs/compatibility.md); the
// rules it lacked (no hijacking on create, per-owner projects, masking everywhere, base_url
// credentials sealed, read-only viewers) live in domain/provider_keys. No response ever
// carries the key itself.
#include "api/body.h"
#include "api/endpoint.h"
#include "api/paging.h"
#include "api/routes.h"
#include "domain/provider_keys.h"

namespace iron::api {
namespace {

using namespace openapi;

json key_id() { return integer_range(1, INT64_MAX, "provider key id"); }

json project_id() {
  return described(str(1, 500), "a free-form project identifier (1..500 characters, UTF-8, no control characters); "
                                "project ids are per user: another user's project of the same name is another project");
}

// The URL and visible-ASCII rules are the domain's; the schema states them for clients.
const json kBaseUrlRules = {{"pattern", "^(https?://\\S+)?$"},
                            {"description", "http:// or https:// URL, at most 2000 characters; \"\" means none. "
                                            "Credentials in it (`https://user:pw@host`) are secrets: stored encrypted, "
                                            "shown as `https://***@host`"}};

json base_url_schema() {
  json s = str(0, domain::kProviderBaseUrlMax);
  s.update(kBaseUrlRules);
  return s;
}

const auto kNewKey = BodyFields<domain::NewProviderKey>()
    .text("provider", &domain::NewProviderKey::provider, 1, domain::kProviderSlugMax).schema_with(provider_slug())
    .text("api_key", &domain::NewProviderKey::api_key, 1, domain::kProviderApiKeyMax)
    .schema_with({{"pattern", "^[\\x21-\\x7e]+$"}})
    .describe("the secret: 1..500 visible ASCII characters, no whitespace")
    .text("base_url", &domain::NewProviderKey::base_url, domain::kProviderBaseUrlMax).schema_with(kBaseUrlRules)
    .text("description", &domain::NewProviderKey::description, domain::kProviderDescriptionMax);

// base_url / description: a string sets, "" or null clears (as ""), absent leaves unchanged.
using domain::ProviderKeyChanges;
BodyFields<ProviderKeyChanges>::Reader clearable(std::string name, std::optional<std::string> ProviderKeyChanges::*member,
                                                 size_t max_len) {
  return [name, member, max_len](const json& o, ProviderKeyChanges& out) -> Status {
    if (o.contains(name) && o[name].is_null()) {
      out.*member = std::string();
      return ok_status();
    }
    auto v = text_member(o, name, max_len);
    if (!v) return v.error();
    out.*member = std::move(*v);
    return ok_status();
  };
}
const auto kKeyPatch = BodyFields<ProviderKeyChanges>()
    .refuse("api_key", errors::immutable("api_key", "create a new key and delete this one"), /*even_null=*/true)
    .refuse("provider", errors::immutable("provider", "create a new key and delete this one"), /*even_null=*/true)
    .custom("base_url", false, nullable(base_url_schema()),
            clearable("base_url", &ProviderKeyChanges::base_url, domain::kProviderBaseUrlMax))
    .custom("description", false, nullable(str(0, domain::kProviderDescriptionMax)),
            clearable("description", &ProviderKeyChanges::description, domain::kProviderDescriptionMax))
    .boolean("is_enabled", &ProviderKeyChanges::is_enabled);

struct AssignBody {
  int64_t provider_key_id = 0;
};
const auto kAssign = BodyFields<AssignBody>()
    .integer("provider_key_id", &AssignBody::provider_key_id, 1, INT64_MAX).describe("provider key id");

Reply create_key(const Call& c, const domain::NewProviderKey& in) {
  return reply(c.s.provider_keys.create(c.who(), in, c.context()), 201, domain::provider_key_view);
}

struct KeyListParams {
  std::optional<bool> all;
  PageParams page;
};
const QueryFields<KeyListParams> kKeyListQuery =
    QueryFields<KeyListParams>()
        .boolean("all", &KeyListParams::all, "admins only: every user's keys (a non-admin gets 403)")
        .within(&KeyListParams::page, page_on_request_fields(25));

Reply list_keys(const Call& c, const KeyListParams& in) {
  const auto page = in.page.asked();
  auto rows = c.s.provider_keys.list(c.who(), in.all.value_or(false), page);
  if (!rows) return rows.error();
  return listed_response(*rows, page.has_value(), domain::provider_key_view);
}

Reply update_key(const Call& c, const ProviderKeyChanges& in) {
  return reply(c.s.provider_keys.update(c.who(), c.id(), in, c.context()), 200, domain::provider_key_view);
}

Reply assign_project(const Call& c, const AssignBody& in) {
  return reply(c.s.provider_keys.assign(c.who(), c.param("project_id"), in.provider_key_id, c.context()), 200,
               domain::project_assignment_view);
}

struct ProjectOwner {
  std::optional<std::string> owner_id;
};
const QueryFields<ProjectOwner> kProjectOwner = QueryFields<ProjectOwner>().text(
    "owner_id", &ProjectOwner::owner_id, 1, 255, "admins only: whose project (default: the caller's)");

// ?owner_id= names another user's project (admins only): project ids are per owner.
Reply unassign_project(const Call& c, const ProjectOwner& owner) {
  return reply_no_content(c.s.provider_keys.unassign(c.who(), c.param("project_id"), owner.owner_id, c.context()));
}

const Resource key_op{.tag = "providers", .id_schema = key_id()};

Op project_op(std::string method, std::string id, std::string summary) {
  Op op(std::move(method), "/api/v1/projects/:project_id/provider", std::move(id), std::move(summary));
  op.tagged("projects").auth(Auth::mutate).path_param("project_id", project_id()).errors(400, {"VALIDATION_ERROR"});
  return op;
}

}  // namespace

std::vector<Endpoint> provider_endpoints() {
  std::vector<Endpoint> e;
  e.push_back({key_op("POST", "/api/v1/providers", "createProviderKey", "Store a provider API key", Auth::mutate)
                    .returns(201, ref("ProviderKey"), "Created"),
               with_body(kNewKey, create_key)});
  e.push_back({key_op("GET", "/api/v1/providers", "listProviderKeys", "List the caller's provider keys (oldest first)",
                       Auth::read)
                    .returns(200, json{{"oneOf", json::array({array_of(ref("ProviderKey")), ref("ProviderKeyPage")})}},
                             "The keys, or one page of them")
                    .errors(403, {"INSUFFICIENT_PERMISSIONS"}),
               with_query(kKeyListQuery, list_keys)});
  e.push_back({key_op("GET", "/api/v1/providers/:id", "getProviderKey", "Get a provider key", Auth::read)
                    .returns(200, ref("ProviderKey"), "The key (masked)"),
               [](const Call& c) { return reply(c.s.provider_keys.get(c.who(), c.id()), 200, domain::provider_key_view); }});
  e.push_back({key_op("PUT", "/api/v1/providers/:id", "updateProviderKey", "Update a provider key", Auth::mutate)
                    .returns(200, ref("ProviderKey"), "The updated key (masked)"),
               with_body(kKeyPatch, update_key)});
  e.push_back({key_op("DELETE", "/api/v1/providers/:id", "deleteProviderKey", "Delete a provider key", Auth::mutate)
                    .no_content("Deleted"),
               [](const Call& c) { return reply_no_content(c.s.provider_keys.remove(c.who(), c.id(), c.context())); }});
  e.push_back({project_op("POST", "assignProjectProvider", "Make a project of the caller's use one of their provider keys")
                    .returns(200, ref("ProjectProviderAssignment"), "Assigned")
                    .errors(404, {"NOT_FOUND"}),
               with_body(kAssign, assign_project)});
  e.push_back({project_op("DELETE", "unassignProjectProvider", "Remove a project's provider key assignment")
                    .no_content("Unassigned")
                    .errors(403, {"INSUFFICIENT_PERMISSIONS"})
                    .errors(404, {"NOT_FOUND"}),
               with_query(kProjectOwner, unassign_project)});
  return e;
}


namespace openapi {

// The component schemas of this family (components.cpp).
json provider_key_schema() {
  return described(
      object({{"id", integer("provider key id")},
              {"provider", provider_slug()},
              {"base_url", nullable(described(str(0, 2000), "credentials masked: `https://***@host`"))},
              {"description", nullable(str(0, 500))},
              {"is_enabled", boolean("disabled keys are refused by the handshake")},
              {"created_at", ms_time("creation time")},
              {"last_used_at", nullable(ms_time("last use by a handshake"))},
              {"masked_key",
               described(str(), "`sk-a...wxyz`: the first and last 4 characters of a key of 16 or more characters; "
                                "`***` for shorter keys. The key itself is never returned.")},
              {"assigned_projects", described(array_of(str()), "the owner's projects that use this key")},
              {"owner_id", described(str(), "the user who created the key")}},
             {"id", "provider", "base_url", "description", "is_enabled", "created_at", "last_used_at", "masked_key",
              "assigned_projects", "owner_id"}),
      "A provider API key, stored encrypted (XChaCha20-Poly1305 under the server's master key).");
}

json project_assignment_schema() {
  return object({{"owner_id", described(str(), "whose project it is (project ids are per user)")},
                 {"project_id", str(1, 500)},
                 {"provider_key_id", integer("the key the project now uses")},
                 {"assigned_by", described(str(), "the user who made the assignment")},
                 {"assigned_at", ms_time("assignment time")}},
                {"owner_id", "project_id", "provider_key_id", "assigned_by", "assigned_at"});
}

}  // namespace openapi
}  // namespace iron::api
