#pragma once
// Handing out a provider key in plaintext (docs/compatibility.md, Key fetch):
//  - GET /api/v1/keys, for an API token of any scope but read, bound to a project
//    and NOT to an agent (agents get their key through the handshake): the key assigned to
//    the token owner's project, when it is enabled. Only the key's owner ever gets it, admins
//    included (provider_keys.h, the plaintext rule). At most 10 fetches per (user, project)
//    per rolling minute (the predecessor's GCRA allowed 1/min after a burst of 10, C11).
//  - POST /api/v1/agents/provider-key, for an agent's IC token: the agent's key under the one
//    agent-key rule (agent_key.h), the same rule and answers as the handshake.
// The base_url returned is the full one (credentials included): these are the plaintext paths.
// Each success writes an audit row (key_fetched / agent_key_fetched) naming the key, never
// its material, in the transaction that counts the fetch.
#include <cstdint>
#include <optional>
#include <string>

#include "domain/principal.h"
#include "domain/provider_keys.h"
#include "store/database.h"
#include "util/result.h"

namespace iron::domain {

struct KeyFetchPolicy {
  int64_t max_per_window = 10;  // per (user, project)
  int64_t window_ms = 60'000;
};

struct FetchedKey {
  int64_t provider_key_id = 0;
  std::string provider;
  std::string api_key;  // plaintext
  std::optional<std::string> base_url;
};

class KeyFetch {
 public:
  KeyFetch(store::Database& db, const ProviderKeys& keys, KeyFetchPolicy policy = {})
      : db_(db), keys_(keys), policy_(policy) {}

  // `caller` must come from an API token (caller.via == "api_token", token_id its row id).
  // `model`: what the key will be used for, required when the token has a model allow-list
  // (docs/model-allow-lists.md).
  // Errors: 401 API_TOKEN_REQUIRED, 403 TOKEN_SCOPE_INSUFFICIENT, 400 TOKEN_HAS_NO_PROJECT,
  // 403 USE_HANDSHAKE, 429 RATE_LIMIT_EXCEEDED, 404 NO_KEY_ASSIGNED, 403 KEY_DISABLED,
  // 400 MODEL_REQUIRED, 403 MODEL_NOT_ALLOWED, 500.
  Result<FetchedKey> for_api_token(const Principal& caller, const RequestContext& ctx,
                                   const std::optional<std::string>& model = std::nullopt);

  // `model` as above, against the agent's allow-list: the same check as the handshake.
  // Errors: 401 INVALID_IC_TOKEN, 403 NO_PROVIDER_ASSIGNED, 403 KEY_DISABLED, 400 MODEL_REQUIRED,
  // 403 MODEL_NOT_ALLOWED, 500.
  Result<FetchedKey> for_agent(const std::string& ic_token, const RequestContext& ctx,
                               const std::optional<std::string>& model = std::nullopt);

 private:
  store::Database& db_;
  const ProviderKeys& keys_;
  KeyFetchPolicy policy_;
};

}  // namespace iron::domain
