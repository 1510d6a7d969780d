#pragma once
// Shared by the provider-key API tests (governance_provider*_test.cpp): one server for the
// GovernanceProviders suite with an admin, two users and a viewer, calls that keep every
// response body (the plaintext test scans them all), and readers of the audit rows as stored.
#include <gtest/gtest.h>

#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "security/random.h"
#include "store/data_dir.h"
#include "store/sqlite.h"
#include "support/panel.h"
#include "support/server_database.h"

namespace providers_test {

// The harness (tests/support): Panel, Account, Reply, expect_error, json, ...
using namespace iron::test;

// A fresh provider secret: long enough to be masked as prefix...suffix, unique so that a
// search for it can only find this test's key.
inline std::string fresh_secret(const std::string& prefix = "sk-test-") {
  iron::security::init();
  return prefix + iron::security::random_hex(20);
}

// Every response body this process received, so the plaintext tests can scan them all.
inline std::vector<std::string>& all_bodies() {
  static std::vector<std::string> bodies;
  return bodies;
}

// A call whose answer joins all_bodies(). A GET sends no body.
inline Reply recorded_call(const ServerProcess& server, const std::string& method, const std::string& path,
                  const std::string& token, const std::optional<std::string>& body = std::nullopt,
                  const std::string& content_type = "application/json") {
  Reply r = iron::test::send(server, {.method = method, .path = path, .token = token,
                                      .body = method == "GET" ? std::nullopt : body, .content_type = content_type});
  all_bodies().push_back(r.raw);
  return r;
}
inline Reply recorded_call(const ServerProcess& server, const std::string& method, const std::string& path,
                  const std::string& token, const json& body) {
  return recorded_call(server, method, path, token, std::optional<std::string>(body.dump()));
}

inline json create_key(const ServerProcess& server, const Account& who, const std::string& provider,
                       const std::string& secret, json extra = json::object()) {
  extra["provider"] = provider;
  extra["api_key"] = secret;
  auto r = recorded_call(server, "POST", "/api/v1/providers", who.token, extra);
  EXPECT_EQ(r.status, 201) << r.raw;
  return r.body;
}

inline std::string key_path(int64_t id) { return "/api/v1/providers/" + std::to_string(id); }
inline std::string key_path(const json& key) { return key_path(key.value("id", int64_t{0})); }
inline std::string project_path(const std::string& project) { return "/api/v1/projects/" + project + "/provider"; }
inline std::string unique_project(const std::string& name) { return name + "-" + iron::security::random_hex(4); }

// Exactly the predecessor's K fields plus owner_id: nothing missing, nothing extra (no key).
inline void expect_key_shape(const json& k) {
  std::set<std::string> fields;
  if (k.is_object())
    for (const auto& [name, value] : k.items()) fields.insert(name);
  EXPECT_EQ(fields, (std::set<std::string>{"id", "provider", "base_url", "description", "is_enabled", "created_at",
                                           "last_used_at", "masked_key", "assigned_projects", "owner_id"}))
      << k.dump();
}

inline bool contains_id(const json& list, int64_t id) {
  for (const auto& k : list)
    if (k.value("id", int64_t{0}) == id) return true;
  return false;
}

struct AuditRow {
  std::string actor_id, action, entity_type, entity_id, before, after;
};

// The audit_log rows as stored (read from the database file: the API shows them redacted).
inline std::vector<AuditRow> audit_rows(const std::string& data_dir) {
  return iron::test::open_server_database(data_dir)->read([](iron::store::Connection& c) {
    auto& s = c.prepare(
        "SELECT coalesce(actor_id,''), action, coalesce(entity_type,''), coalesce(entity_id,''), "
        "coalesce(before_json,''), coalesce(after_json,'') FROM audit_log ORDER BY id");
    std::vector<AuditRow> out;
    while (s.step()) out.push_back({s.text(0), s.text(1), s.text(2), s.text(3), s.text(4), s.text(5)});
    return out;
  });
}

// Every text column of every audit row, concatenated: what a leak would end up in.
inline std::string audit_text(const std::string& data_dir) {
  return iron::test::open_server_database(data_dir)->read([](iron::store::Connection& c) {
    std::string all;
    auto& s = c.prepare(
        "SELECT coalesce(actor_id,'') || '|' || actor_type || '|' || action || '|' || coalesce(entity_type,'') || '|' || "
        "coalesce(entity_id,'') || '|' || coalesce(before_json,'') || '|' || coalesce(after_json,'') || '|' || "
        "coalesce(request_id,'') || '|' || coalesce(client_ip,'') || '|' || coalesce(user_agent,'') FROM audit_log");
    while (s.step()) all += s.text(0) + "\n";
    return all;
  });
}

}  // namespace providers_test

// One server for the suite: an admin (from the environment), two users and a viewer.
class GovernanceProviders : public iron::test::PanelSuite {
 protected:
  using Account = iron::test::Account;
  using Reply = iron::test::Reply;
  using json = nlohmann::json;

  static void SetUpTestSuite() {
    PanelSuite::SetUpTestSuite();
    admin_ = panel().admin;
    alice_ = panel().add_user("user", "alice");
    bob_ = panel().add_user("user", "bob");
    vera_ = panel().add_user("viewer", "vera");
  }
  static Reply call(const std::string& method, const std::string& path, const Account& who,
                    const std::optional<std::string>& body = std::nullopt,
                    const std::string& content_type = "application/json") {
    return providers_test::recorded_call(server(), method, path, who.token, body, content_type);
  }
  static Reply call(const std::string& method, const std::string& path, const Account& who, const json& body) {
    return providers_test::recorded_call(server(), method, path, who.token, body);
  }
  static json create(const Account& who, const std::string& provider, const std::string& secret,
                     json extra = json::object()) {
    return providers_test::create_key(server(), who, provider, secret, std::move(extra));
  }

  static inline Account admin_, alice_, bob_, vera_;
};
