#pragma once
// api_tokens table access. Plain structs in, plain structs out. The secret itself never
// reaches this layer: only its SHA-256 hex.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "store/sqlite.h"

namespace iron::store {

struct ApiToken {
  int64_t id = 0;
  std::string user_id;
  std::string token_hash;
  std::optional<std::string> name;
  std::optional<std::string> description;
  std::optional<std::string> project_id;
  std::optional<int64_t> agent_id;
  std::optional<std::string> provider;
  int64_t created_at = 0;
  std::optional<int64_t> last_used_at;
  std::optional<int64_t> expires_at;
  std::optional<int64_t> revoked_at;
  std::optional<int64_t> rotated_at;
  bool is_active = true;
  std::string scope = "read";  // read | runtime | user | admin | legacy_full (domain/principal.h)
  // The models the token may name (domain/model_allow_list.h); nullopt = every model.
  std::optional<std::vector<std::string>> allowed_models = std::nullopt;
};

namespace api_tokens {
int64_t insert(Connection& c, const ApiToken& t);  // returns the new id
std::optional<ApiToken> find_by_id(Connection& c, int64_t id);
std::optional<ApiToken> find_by_hash(Connection& c, const std::string& token_hash);
std::vector<ApiToken> list_for_user(Connection& c, const std::string& user_id);  // newest first, inactive included
// One page of a token list, newest first.
struct TokenListFilter {
  std::optional<std::string> user_id;  // nullopt: every owner
  std::optional<std::string> status;   // active | expired | inactive (revoked or rotated)
  int64_t now_ms = 0;                  // where `expired` starts
};
std::vector<ApiToken> list_page(Connection& c, const TokenListFilter& f, int64_t limit, int64_t offset);
int64_t count(Connection& c, const TokenListFilter& f);
std::vector<ApiToken> list_for_agent(Connection& c, int64_t agent_id);          // newest first, inactive included
// Tokens that can still authenticate: active, not revoked or rotated, not past expiry.
int64_t count_usable_for_user(Connection& c, const std::string& user_id, int64_t now);
void update_metadata(Connection& c, const ApiToken& t);  // name, description, provider, allowed_models
void mark_revoked(Connection& c, int64_t id, int64_t now);
void mark_rotated(Connection& c, int64_t id, int64_t now);
// Applies a batch of token id → last-used time; never moves last_used_at backwards.
void record_last_used(Connection& c, const std::map<int64_t, int64_t>& last_used);
}  // namespace api_tokens

}  // namespace iron::store
