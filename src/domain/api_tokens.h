#pragma once
// API tokens (`apitok_` + 64 base62 characters, ~381 bits): issued once, stored only as a
// SHA-256 hash, owned by one user and acting with that user's CURRENT role capped by the
// token's scope (domain/principal.h: read, runtime, user, admin). Lifecycle:
// create → (update) → rotate (old row retired, new row and secret) or revoke (soft).
// `last_used_at` is batched in memory and flushed by the scheduler, never written per request.
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "domain/model_allow_list.h"
#include "domain/paging.h"
#include "domain/principal.h"
#include "store/api_token_repo.h"
#include "store/database.h"
#include "util/result.h"

namespace iron::domain {

struct ApiTokenPolicy {
  int64_t max_usable_per_user = 10;      // active, unexpired tokens per owner
  int64_t max_creations_per_window = 10; // per calling user
  int64_t creation_window_ms = 60'000;
  int64_t max_lifetime_ms = 365LL * 24 * 3600 * 1000;
};

struct NewApiToken {
  std::optional<std::string> name;
  std::optional<std::string> description;
  std::optional<std::string> project_id;
  std::optional<int64_t> agent_id;
  std::optional<std::string> provider;
  std::optional<std::string> user_id;  // owner override: admins only (docs/compatibility.md S8)
  std::optional<int64_t> expires_at_ms;
  // read | runtime | user | admin; default user (runtime when bound to an agent). admin
  // needs an admin owner; an agent-bound token is runtime only.
  std::optional<std::string> scope;
  // The models the token may name (docs/model-allow-lists.md); nullopt = every model.
  AllowedModels allowed_models = std::nullopt;
};

struct ApiTokenPatch {
  std::optional<std::string> name;
  std::optional<std::string> description;
  std::optional<std::string> provider;
  // Absent: unchanged; null: every model; a list: that list. Needs a session, like create:
  // a token must not lift its own restriction.
  std::optional<AllowedModels> allowed_models = std::nullopt;
};

struct IssuedApiToken {
  store::ApiToken token;
  std::string secret;  // the plaintext, returned to the caller once and never stored
};

// The token as shown in API responses and audit rows: never the hash. Predecessor fields
// keep ms-epoch integers; expires_at (new) is RFC 3339.
nlohmann::json api_token_view(const store::ApiToken& t);

// token id → last-used ms, collected on the request path and written in one transaction
// by the scheduler. Bounded by the number of distinct tokens used between two flushes.
class LastUsedBatch {
 public:
  void record(int64_t token_id, int64_t at_ms);
  std::optional<int64_t> pending(int64_t token_id) const;
  std::map<int64_t, int64_t> take();
  void put_back(const std::map<int64_t, int64_t>& entries);  // after a failed flush

 private:
  mutable std::mutex mutex_;
  std::map<int64_t, int64_t> pending_;
};

class ApiTokens {
 public:
  explicit ApiTokens(store::Database& db, ApiTokenPolicy policy = {}) : db_(db), policy_(policy) {}

  Result<IssuedApiToken> create(const Principal& caller, const NewApiToken& in, const RequestContext& ctx);
  // The caller's tokens, newest first; `owner` (admins only, else 403
  // USER_ID_OVERRIDE_FORBIDDEN unless it names the caller) lists that user's tokens, or every
  // user's with "*"; `status` is active | expired | inactive; without `page`, every row.
  struct ListQuery {
    std::optional<std::string> owner;
    std::optional<std::string> status;
    std::optional<PageRequest> page;
  };
  Result<Paged<store::ApiToken>> list(const Principal& caller, const ListQuery& q);
  Result<store::ApiToken> get(const Principal& caller, int64_t id);
  Result<store::ApiToken> update(const Principal& caller, int64_t id, const ApiTokenPatch& patch,
                                 const RequestContext& ctx);
  Result<IssuedApiToken> rotate(const Principal& caller, int64_t id, const RequestContext& ctx);
  // Owner, or an admin for anyone's token (audited in the same transaction). Rotate stays owner-only.
  Result<store::ApiToken> revoke(const Principal& caller, int64_t id, const RequestContext& ctx);

  // Public check: the token, when it is usable and its owner is active; nullopt otherwise.
  std::optional<store::ApiToken> validate(const std::string& secret);
  // Bearer authentication: the owner's live Principal, or 401. Records the use in the batch.
  Result<Principal> authenticate(const std::string& secret);

  // Writes the batched last-used times; returns how many tokens were updated.
  size_t flush_last_used();

 private:
  store::ApiToken with_pending(store::ApiToken t) const;
  store::Database& db_;
  ApiTokenPolicy policy_;
  LastUsedBatch last_used_;
};

}  // namespace iron::domain
