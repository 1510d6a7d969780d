#pragma once
// Shared by the API-token tests (identity_api_token*_test.cpp): the harness Panel plus token
// calls, and one documented fixture, Db, for what the API does not show or cannot produce:
//  - reads of stored rows (hashes, last_used_at, audit actors) to check what is kept;
//  - moving a token's expiry into the past (the API accepts only future expiries, and a test
//    cannot wait for one);
//  - flipping a user row's status under a live token without the revocations the users
//    routes perform, to prove the bearer check re-reads the owner on every request.
#include <gtest/gtest.h>

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "store/data_dir.h"
#include "store/database.h"
#include "support/panel.h"
#include "support/server_database.h"
#include "util/clock.h"

namespace api_tokens_test {

using iron::test::Account;
using iron::test::expect_error;
using iron::test::Reply;
using nlohmann::json;

inline const std::string kBase = "/api/v1/api-tokens";

inline int64_t now_ms() { return iron::util::to_unix_ms(iron::util::now()); }
inline std::string rfc3339_in(int64_t delta_ms) {
  return iron::util::to_rfc3339(iron::util::from_unix_ms(now_ms() + delta_ms));
}

// The server's database opened beside it (iron.db: WAL and the busy timeout make this safe; or
// its PostgreSQL schema), each call one transaction.
class Db {
 public:
  explicit Db(const std::string& data_dir) : db_(iron::test::open_server_database(data_dir)) {}
  template <class Id>
  void exec_with_id(const std::string& sql, const Id& id) {
    db_->write([&](iron::store::Connection& c) {
      c.prepare(sql).bind(1, id).run();
      return true;
    });
  }
  std::optional<int64_t> int_of(const std::string& sql, int64_t id) {
    return db_->read([&](iron::store::Connection& c) { return c.prepare(sql).bind(1, id).value<int64_t>(); });
  }
  // Each row's first `columns` columns as text ("" for NULL).
  std::vector<std::vector<std::string>> rows(const std::string& sql, int columns) {
    return db_->read([&](iron::store::Connection& c) {
      auto& s = c.prepare(sql);
      std::vector<std::vector<std::string>> out;
      while (s.step()) {
        auto& row = out.emplace_back();
        for (int i = 0; i < columns; ++i) row.push_back(s.opt_text(i).value_or(""));
      }
      return out;
    });
  }
  std::vector<std::string> texts(const std::string& sql) {
    return db_->read([&](iron::store::Connection& c) {
      auto& s = c.prepare(sql);
      std::vector<std::string> out;
      while (s.step()) out.push_back(s.opt_text(0).value_or(""));
      return out;
    });
  }

 private:
  std::unique_ptr<iron::store::Database> db_;
};

inline iron::test::ServerProcess::Options options_in(const std::string& data_dir) {
  auto options = iron::test::admin_options();
  options.data_dir = data_dir;
  return options;
}

class Panel : public iron::test::Panel {
 public:
  explicit Panel(const std::string& data_dir = "") : iron::test::Panel(options_in(data_dir)) {}

  Db db() { return Db(server().data_dir()); }
  using iron::test::Panel::call;
  // A raw (possibly malformed) body, or none.
  Reply call(const std::string& method, const std::string& path, const std::string& bearer,
             const std::optional<std::string>& raw, const std::string& content_type = "application/json") const {
    return iron::test::send(server(), {.method = method, .path = path, .token = bearer, .body = raw,
                                       .content_type = content_type});
  }
  Reply create(const std::string& bearer, const json& body) { return call("POST", kBase, bearer, body); }
  // Creates a token and returns the create response, failing the test unless it is 201.
  json create_ok(const std::string& bearer, const json& body = {{"name", "ci"}}) {
    auto r = create(bearer, body);
    EXPECT_EQ(r.status, 201) << r.raw;
    return r.body;
  }
  // A signed-in user holding one token of their own, created from `body`.
  struct Holder {
    Account user;
    json created;        // the create response
    std::string secret;  // its one-time token
  };
  Holder user_with_token(const json& body = {{"name", "n"}}) {
    Holder h{add_user("user", "alice"), nullptr, ""};
    h.created = create_ok(h.user.token, body);
    h.secret = h.created.value("token", "");
    return h;
  }
};

inline std::string id_path(int64_t id) { return kBase + "/" + std::to_string(id); }
inline std::string id_path(const json& id) { return id_path(id.get<int64_t>()); }
inline std::string tok(const json& created) { return created.at("token").get<std::string>(); }

inline std::set<std::string> keys_of(const json& j) {
  std::set<std::string> out;
  for (auto it = j.begin(); it != j.end(); ++it) out.insert(it.key());
  return out;
}

// "t3": appends rather than `"t" + std::to_string(i)`, which trips GCC 12's -Wrestrict at -O3.
inline std::string numbered(const char* prefix, int i) {
  std::string s = prefix;
  s += std::to_string(i);
  return s;
}

}  // namespace api_tokens_test
