// The access-control matrix (access_matrix_table.h) against the real binary: every
// operation of the served OpenAPI document is called by every kind of caller, and the
// answer must be what the table says. An operation without a row fails, as does a row
// without an operation. The table is rendered into docs/security.md; the committed section
// must match (IRON_UPDATE_DOCS=1 rewrites it).
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "access_matrix_table.h"
#include "support/panel.h"
#include "security/crypto.h"
#include "security/jwt.h"
#include "support/raw_http.h"
#include "support/server_process.h"
#include "util/clock.h"

using namespace iron::test;
using iron::test::access::kCallers;
using iron::test::access::kMatrix;
using iron::test::access::Resource;
using iron::test::access::Row;

namespace {

const std::string kJwtSecret = "matrix-jwt-secret-5e1d9c7b3a0f8e6d4c2b";
const std::string kMetricsToken = "matrix-metrics-token-7f3a";

enum Column { kAnon, kViewer, kUser, kOther, kAdmin, kRead, kRuntime, kTokUser, kTokAdmin, kIc, kRefresh,
              kExpired, kForged, kNone, kSuspended, kDeleted };

std::vector<char> cells_of(const Row& row) {
  std::vector<char> out;
  for (char c : row.cells)
    if (c != ' ') out.push_back(c);
  return out;
}

std::string upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

// The served document's operations: operationId -> (METHOD, path, operation object).
struct Operation {
  std::string method, path;
  json spec;
};
std::map<std::string, Operation> operations_of(const json& doc) {
  std::map<std::string, Operation> out;
  for (const auto& [path, ops] : doc["paths"].items())
    for (const auto& [method, op] : ops.items()) out[op.value("operationId", "")] = {upper(method), path, op};
  return out;
}

// A JWT whose claims are the user's but altered, signed with `key` (or unsigned, alg none).
std::string altered_jwt(const std::string& real, const std::string& key, int64_t exp_offset_s, bool alg_none) {
  const auto dot1 = real.find('.'), dot2 = real.rfind('.');
  json claims = json::parse(*iron::security::base64url_decode(real.substr(dot1 + 1, dot2 - dot1 - 1)));
  const int64_t now = iron::util::to_unix_ms(iron::util::now()) / 1000;
  claims["exp"] = now + exp_offset_s;
  if (exp_offset_s < 0) claims["iat"] = now + exp_offset_s - 900;
  if (!alg_none) return iron::security::JwtSigner(key).sign(claims);
  return iron::security::base64url_encode(R"({"alg":"none","typ":"JWT"})") + "." +
         iron::security::base64url_encode(claims.dump()) + ".";
}

class Matrix {
 public:
  Matrix()
      : server_(admin_options({"--metrics", "1"},
                              {{"IRON_JWT_SECRET", kJwtSecret}, {"IRON_METRICS_TOKEN", kMetricsToken}})) {
    admin_ = login_as(server_, {.id = "", .username = "root", .email = kAdminEmail, .password = kAdminPassword, .token = ""});
    admin_.id = get(server_, "/api/v1/me", admin_.token).body.value("id", "");
    viewer_ = account("viewer");
    user_ = account("user");
    other_ = account("user");
    tok_owner_ = account("user");
    suspended_ = account("user");
    deleted_ = account("user");
    user_refresh_ = start_session(server_, user_).refresh;
    EXPECT_EQ(put(server_, "/api/v1/users/" + suspended_.id + "/suspend", admin_.token).status, 200);
    EXPECT_EQ(del(server_, "/api/v1/users/" + deleted_.id, admin_.token).status / 100, 2);
    t_read_ = api_token(tok_owner_, {{"scope", "read"}});
    t_runtime_ = api_token(tok_owner_, {{"scope", "runtime"}, {"project_id", "proj-runtime"}});
    t_user_ = api_token(tok_owner_, {{"scope", "user"}, {"project_id", "proj-user"}});
    t_admin_ = api_token(admin_, {{"scope", "admin"}, {"project_id", "proj-admin"}});
    // The IC token's agent has a key, so the runtime routes can answer it.
    const json key = created(post(server_, "/api/v1/providers", user_.token, {{"provider", "openai"}, {"api_key", "sk-matrix-ic"}}));
    const std::string ic_agent = std::to_string(
        created(post(server_, "/api/v1/agents", admin_.token,
                     {{"name", "ic"}, {"initial_budget_microdollars", 1'000'000}, {"owner_id", user_.id}, {"provider_key_id", key["id"]}}))
            .value("id", 0));
    ic_ = post(server_, "/api/v1/agents/" + ic_agent + "/ic-token", admin_.token, json::object()).body.value("ic_token", "");
    expired_ = altered_jwt(user_.token, kJwtSecret, -60, false);
    forged_ = altered_jwt(user_.token, "some-other-secret-0123456789abcdefXYZ", 900, false);
    alg_none_ = altered_jwt(user_.token, "", 900, true);
  }

  const ServerProcess& server() const { return server_; }

  // The caller of a column: its bearer token and the account whose resources it names.
  std::pair<std::string, const Account*> caller(int column, bool fresh_session) {
    auto session = [&](const Account& a) { return fresh_session ? start_session(server_, a).access : a.token; };
    switch (column) {
      case kAnon: return {"", &user_};
      case kViewer: return {session(viewer_), &viewer_};
      case kUser: return {session(user_), &user_};
      case kOther: return {user_.token, &other_};
      case kAdmin: return {session(admin_), &admin_};
      case kRead: return {t_read_, &tok_owner_};
      case kRuntime: return {t_runtime_, &tok_owner_};
      case kTokUser: return {t_user_, &tok_owner_};
      case kTokAdmin: return {t_admin_, &admin_};
      case kIc: return {ic_, &user_};
      case kRefresh: return {fresh_session ? start_session(server_, user_).refresh : user_refresh_, &user_};
      case kExpired: return {expired_, &user_};
      case kForged: return {forged_, &user_};
      case kNone: return {alg_none_, &user_};
      case kSuspended: return {suspended_.token, &user_};
      default: return {deleted_.token, &user_};
    }
  }

  // A new resource of `kind` owned by `owner` (a viewer's provider key, budget request and
  // project assignment are a user's: viewers cannot create them), as a path parameter.
  std::string fixture(Resource kind, const Account& requested_owner) {
    const bool viewer_cannot_own =
        kind == Resource::budget_request || kind == Resource::project || kind == Resource::provider_key;
    const Account& owner = viewer_cannot_own && requested_owner.id == viewer_.id ? user_ : requested_owner;
    const std::string n = unique("m");
    switch (kind) {
      case Resource::none: return "";
      case Resource::agent:
        return std::to_string(created(post(server_, "/api/v1/agents", admin_.token,
                                           {{"name", n}, {"initial_budget_microdollars", 1'000'000}, {"owner_id", owner.id}}))
                                  .value("id", 0));
      case Resource::api_token: {
        json body = {{"name", n}};
        if (owner.id == viewer_.id) body["user_id"] = owner.id;  // a viewer cannot create its own
        return std::to_string(created(post(server_, "/api/v1/api-tokens", owner.id == viewer_.id ? admin_.token : owner.token, body))
                                  .value("id", 0));
      }
      case Resource::budget_request: {
        const std::string agent = fixture(Resource::agent, owner);
        return created(post(server_, "/api/v1/budget/requests", owner.token,
                            {{"agent_id", std::stoll(agent)}, {"requested_budget_usd", 2.5},
                             {"justification", "the access-control matrix needs a pending request"}}))
            .value("request_id", "");
      }
      case Resource::users_budget_request: return fixture(Resource::budget_request, user_);
      case Resource::limit:
        return std::to_string(created(post(server_, "/api/v1/limits", admin_.token,
                                           {{"user_id", owner.id}, {"project_id", n}, {"max_requests_per_minute", 100}}))
                                  .value("id", 0));
      case Resource::session: {
        const std::string token = start_session(server_, owner).access;
        for (const auto& s : get(server_, "/api/v1/me/sessions", token).body.value("sessions", json::array()))
          if (s.value("current", false)) return s.value("id", "");
        ADD_FAILURE() << "no current session in GET /me/sessions";
        return "";
      }
      case Resource::project: {
        const int64_t key = std::stoll(fixture(Resource::provider_key, owner));
        EXPECT_EQ(post(server_, "/api/v1/projects/" + n + "/provider", owner.token, {{"provider_key_id", key}}).status / 100, 2);
        return n;
      }
      case Resource::provider_key:
        return std::to_string(created(post(server_, "/api/v1/providers", owner.token,
                                           {{"provider", "openai"}, {"api_key", "sk-matrix-" + n}}))
                                  .value("id", 0));
      case Resource::user_account: return account("viewer").id;
      case Resource::alert_channel:  // a name is resolved only when sending, so creating it is offline
        return std::to_string(created(post(server_, "/api/v1/alert-channels", admin_.token,
                                           {{"name", n}, {"kind", "webhook"}, {"url", "http://localhost:9/hook"}}))
                                  .value("id", 0));
      case Resource::alert_rule: {
        const int64_t channel = std::stoll(fixture(Resource::alert_channel, owner));
        return std::to_string(created(post(server_, "/api/v1/alert-rules", admin_.token,
                                           {{"name", n}, {"event_types", {"budget.exhausted"}}, {"channel_ids", {channel}}}))
                                  .value("id", 0));
      }
    }
    return "";
  }

 private:
  static json created(const Reply& r) {
    EXPECT_EQ(r.status, 201) << "fixture: " << r.raw;
    return r.body.is_object() ? r.body : json::object();
  }
  Account account(const std::string& role) { return login_as(server_, create_account(server_, admin_.token, role, "mx")); }
  std::string api_token(const Account& owner, json body) {
    body["name"] = unique("caller");
    return created(post(server_, "/api/v1/api-tokens", owner.token, body)).value("token", "");
  }

  ServerProcess server_;
  Account admin_, viewer_, user_, other_, tok_owner_, suspended_, deleted_;
  std::string user_refresh_, t_read_, t_runtime_, t_user_, t_admin_, ic_, expired_, forged_, alg_none_;
};

// Calls are made with `{}` as the body (authorisation comes before validation). A user's call
// on another user's resource needs a valid body instead, or validation could answer before
// the ownership check is reached.
const std::map<std::string, json> kValidBodies = {
    {"updateApiToken", {{"name", "renamed"}}},
    {"updateProviderKey", {{"description", "renamed"}}},
};

// The status a call gets; event streams are judged by their status line alone.
int status_of(const ServerProcess& server, const Operation& op, const std::string& path, const std::string& token,
              bool valid_body) {
  if (op.spec.value("operationId", "") == "streamEvents") {
    iron::test::RawConnection conn(server.port());
    conn.send("GET " + path + " HTTP/1.1\r\nHost: x\r\n" + (token.empty() ? "" : "Authorization: Bearer " + token + "\r\n") + "\r\n");
    return conn.read_reply(std::chrono::seconds(10)).status;
  }
  Call c{.method = op.method, .path = path, .token = token};
  if (op.spec.contains("requestBody"))
    c.body = valid_body ? kValidBodies.at(op.spec.value("operationId", "")).dump() : std::string("{}");
  return send(server, c).status;
}

// An allowed call on a resource gets a fresh one when it could consume it: a body-less
// change, or a body whose fields are all optional (so `{}` is a valid change).
bool consumes_its_resource(const Operation& op) {
  if (op.method == "GET") return false;
  if (!op.spec.contains("requestBody")) return true;
  const json& schema = op.spec["requestBody"]["content"]["application/json"]["schema"];
  return !schema.contains("required") && !schema.contains("minProperties");
}

std::string render_markdown(const std::map<std::string, Operation>& ops) {
  std::ostringstream md;
  md << "| Operation |";
  for (const auto& heading : iron::test::access::kCallerHeadings) md << " " << heading << " |";
  md << "\n|---|";
  for (size_t i = 0; i < kCallers.size(); ++i) md << ":-:|";
  md << "\n";
  for (const Row& row : kMatrix) {
    const auto it = ops.find(std::string(row.operation));
    md << "| `" << (it == ops.end() ? "?" : it->second.method + " " + it->second.path) << "` |";
    for (char c : cells_of(row)) md << " " << (c == 'y' ? "✓" : c == 'n' ? "✗" : c == 'h' ? "404" : "–") << " |";
    md << "\n";
  }
  return md.str();
}

const std::string kBegin = "<!-- access-matrix:begin (generated by tests/reliability/access_matrix_test.cpp) -->\n";
const std::string kEnd = "<!-- access-matrix:end -->";

}  // namespace

TEST(AccessMatrix, EveryOperationHasExactlyOneRowOfSixteenCells) {
  ServerProcess server;
  const auto ops = operations_of(json_of(server.client()->Get("/api/v1/openapi.json")));
  std::set<std::string> rows;
  for (const Row& row : kMatrix) {
    EXPECT_TRUE(rows.insert(std::string(row.operation)).second) << "two rows for " << row.operation;
    EXPECT_TRUE(ops.count(std::string(row.operation))) << "a row for an operation the document lacks: " << row.operation;
    EXPECT_EQ(cells_of(row).size(), kCallers.size()) << row.operation;
    const bool names_a_resource = row.resource != Resource::none;
    EXPECT_EQ(cells_of(row)[kOther] != '-', names_a_resource) << row.operation << ": '-' exactly when no resource is named";
    // A user's call on another user's resource must get past validation to the ownership check.
    const auto op = ops.find(std::string(row.operation));
    if (op != ops.end() && names_a_resource && op->second.spec.contains("requestBody") && cells_of(row)[kUser] == 'y') {
      EXPECT_TRUE(kValidBodies.count(std::string(row.operation))) << row.operation << " needs a valid body in kValidBodies";
    }
  }
  for (const auto& [id, op] : ops)
    EXPECT_TRUE(rows.count(id)) << op.method << " " << op.path << " (" << id
                                << ") has no row in tests/reliability/access_matrix_table.h";
}

TEST(AccessMatrix, EveryCallerGetsWhatTheTableSays) {
  Matrix m;
  const auto ops = operations_of(json_of(m.server().client()->Get("/api/v1/openapi.json")));
  // These end sessions that later calls use (the caller's, or all of the owner's when called
  // with an API token): they run last, each JWT caller on a session of its own.
  const std::set<std::string> ends_sessions = {"endOtherSessions", "logout"};
  std::vector<const Row*> order;
  for (const Row& row : kMatrix)
    if (!ends_sessions.count(std::string(row.operation))) order.push_back(&row);
  for (const Row& row : kMatrix)
    if (ends_sessions.count(std::string(row.operation))) order.push_back(&row);

  int checked = 0;
  std::map<std::pair<Resource, const Account*>, std::string> shared;
  for (const Row* row : order) {
    const auto it = ops.find(std::string(row->operation));
    if (it == ops.end()) continue;  // reported by the test above
    const Operation& op = it->second;
    const auto cells = cells_of(*row);
    for (size_t col = 0; col < cells.size() && col < kCallers.size(); ++col) {
      if (cells[col] == '-') continue;
      const auto [token, owner] = m.caller(static_cast<int>(col), ends_sessions.count(std::string(row->operation)) > 0);
      std::string path = op.path;
      if (const auto open = path.find('{'); open != std::string::npos) {
        std::string value;
        if (row->resource == Resource::none) {
          value = op.path.find("{provider}") != std::string::npos ? "openai" : "proj-any";
        } else if (cells[col] == 'y' && consumes_its_resource(op)) {
          value = m.fixture(row->resource, *owner);
        } else {
          auto& slot = shared[{row->resource, owner}];
          if (slot.empty()) slot = m.fixture(row->resource, *owner);
          value = slot;
        }
        path.replace(open, path.find('}', open) - open + 1, value);
      }
      const bool valid_body = col == kOther && kValidBodies.count(std::string(row->operation));
      const int status = status_of(m.server(), op, path, token, valid_body);
      ++checked;
      const std::string what = op.method + " " + path + " as " + std::string(kCallers[col]);
      ASSERT_NE(status, 0) << what << ": no answer";
      EXPECT_LT(status, 500) << what;
      const bool denied = status == 401 || status == 403;
      const bool hidden = status == 404 && row->resource != Resource::none;
      switch (cells[col]) {
        case 'y': EXPECT_TRUE(!denied && !hidden) << what << ": allowed in the table, got " << status; break;
        case 'n': EXPECT_TRUE(denied) << what << ": denied in the table, got " << status; break;
        case 'h': EXPECT_EQ(status, 404) << what << ": hidden in the table"; break;
        default: ADD_FAILURE() << row->operation << ": unknown cell '" << cells[col] << "'";
      }
    }
  }
  EXPECT_GT(checked, 1200);
}

TEST(AccessMatrix, DocsSecurityMdHoldsTheRenderedTable) {
  const char* source = std::getenv("IRON_SOURCE_DIR");
  if (!source) GTEST_SKIP() << "IRON_SOURCE_DIR is not set (ctest sets it)";
  ServerProcess server;
  const std::string table = render_markdown(operations_of(json_of(server.client()->Get("/api/v1/openapi.json"))));
  const std::string doc_path = std::string(source) + "/docs/security.md";
  std::ifstream in(doc_path);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string doc = ss.str();
  const auto begin = doc.find(kBegin), end = doc.find(kEnd);
  ASSERT_TRUE(begin != std::string::npos && end != std::string::npos && begin < end)
      << doc_path << " lacks the access-matrix markers";
  const std::string committed = doc.substr(begin + kBegin.size(), end - begin - kBegin.size());
  if (committed != table && std::getenv("IRON_UPDATE_DOCS")) {
    doc.replace(begin + kBegin.size(), end - begin - kBegin.size(), table);
    std::ofstream(doc_path) << doc;
    return;
  }
  EXPECT_EQ(committed, table) << "docs/security.md is out of date: rerun with IRON_UPDATE_DOCS=1";
}
