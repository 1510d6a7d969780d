#include "domain/key_fetch.h"

#include <algorithm>

#include "domain/agent_key.h"
#include "domain/audit.h"
#include "domain/ic_tokens.h"
#include "domain/model_allow_list.h"
#include "store/agent_repo.h"
#include "store/api_token_repo.h"
#include "store/provider_key_repo.h"
#include "store/session_repo.h"
#include "util/clock.h"

namespace iron::domain {
namespace {

Error no_key_assigned() {
  return {ErrorKind::not_found, "NO_KEY_ASSIGNED", "no provider key of yours is assigned to this token's project",
          nlohmann::json::object(), 0};
}

nlohmann::json fetch_audit(const FetchedKey& k, nlohmann::json extra) {
  extra["provider_key_id"] = k.provider_key_id;
  extra["provider"] = k.provider;
  return extra;
}

}  // namespace

Result<FetchedKey> KeyFetch::for_api_token(const Principal& caller, const RequestContext& ctx,
                                           const std::optional<std::string>& model) {
  if (caller.via != "api_token" || caller.token_id.empty())
    return Error::unauthenticated("API_TOKEN_REQUIRED", "GET /api/v1/keys takes an API token (Bearer apitok_…)");
  int64_t token_id = 0;
  try {
    token_id = std::stoll(caller.token_id);
  } catch (...) {
    return Error::unauthenticated("API_TOKEN_REQUIRED", "GET /api/v1/keys takes an API token (Bearer apitok_…)");
  }
  if (!caller.scope || !may_fetch_keys(*caller.scope))
    return Error::forbidden("this API token's scope (" +
                                std::string(caller.scope ? token_scope_name(*caller.scope) : "none") +
                                ") does not allow fetching provider keys: use a token with the runtime or user scope",
                            "TOKEN_SCOPE_INSUFFICIENT");
  return db_.write([&](store::Connection& c) -> Result<FetchedKey> {
    const auto token = store::api_tokens::find_by_id(c, token_id);
    if (!token) return Error::unauthenticated("AUTH_INVALID_TOKEN", "token is invalid or expired");
    // Agents get their key wrapped in a lease through the handshake, never in plaintext here.
    if (token->agent_id)
      return Error::forbidden("this API token is bound to an agent: agents get their key through the handshake "
                              "(POST /api/v1/budget/handshake)",
                              "USE_HANDSHAKE");
    if (!token->project_id || token->project_id->empty())
      return Error{ErrorKind::validation, "TOKEN_HAS_NO_PROJECT", "this API token is not bound to a project",
                   nlohmann::json::object(), 0};
    const std::string& project = *token->project_id;

    // A true rolling window: at most max_per_window fetches in any window_ms. A refused or
    // failed fetch rolls back with its transaction and so does not count.
    const int64_t now = util::now_unix_ms();
    const std::string bucket = "key_fetch:" + token->user_id + ":" + project;
    const int64_t since = now - policy_.window_ms;
    if (store::rate_limits::count_since(c, bucket, since) >= policy_.max_per_window) {
      const int64_t oldest = store::rate_limits::oldest_since(c, bucket, since).value_or(now);
      const int retry = static_cast<int>(std::max<int64_t>(1, (oldest + policy_.window_ms - now + 999) / 1000));
      return Error::rate_limited("RATE_LIMIT_EXCEEDED", "too many key fetches for this project; try again later",
                                 retry);
    }

    // The token owner's project (project ids are per owner), and the one plaintext rule.
    const auto assignment = store::project_providers::find(c, token->user_id, project);
    if (!assignment) return no_key_assigned();
    const auto key = store::provider_keys::find(c, assignment->provider_key_id);
    if (!key || !ProviderKeys::may_obtain_plaintext(*key, token->user_id)) return no_key_assigned();
    if (!key->is_enabled) return Error::forbidden("the project's provider key is disabled", "KEY_DISABLED");
    if (auto st = check_requested_model(token->allowed_models, "this API token", key->provider, model); !st) return st.error();
    auto plain = keys_.open_row(*key);
    if (!plain) return plain.error();
    auto base_url = keys_.open_base_url(*key);
    if (!base_url) return base_url.error();

    store::rate_limits::hit(c, bucket, now);
    FetchedKey out{key->id, key->provider, std::move(*plain), std::move(*base_url)};
    audit(c, ctx, "key_fetched", "provider_key", std::to_string(key->id), nullptr,
          fetch_audit(out, {{"project_id", project}, {"api_token_id", token->id}}));
    return out;
  });
}

Result<FetchedKey> KeyFetch::for_agent(const std::string& ic_token, const RequestContext& ctx,
                                       const std::optional<std::string>& model) {
  return db_.write([&](store::Connection& c) -> Result<FetchedKey> {
    auto who = IcTokens::authenticate_in(c, ic_token);
    if (!who) return who.error();
    const auto agent = store::agents::find_by_id(c, who->agent_id);
    if (!agent) return Error::unauthenticated("INVALID_IC_TOKEN", "the IC token's agent no longer exists");
    auto key = agent_key::usable_key(c, *agent);
    if (!key) return key.error();
    if (auto st = check_requested_model(agent->allowed_models, "this agent", key->provider, model); !st) return st.error();
    auto plain = keys_.open_row(*key);
    if (!plain) return plain.error();
    auto base_url = keys_.open_base_url(*key);
    if (!base_url) return base_url.error();
    FetchedKey out{key->id, key->provider, std::move(*plain), std::move(*base_url)};
    audit(c, agent_context(*who, ctx), "agent_key_fetched", "provider_key", std::to_string(key->id), nullptr,
          fetch_audit(out, {{"agent_id", who->agent_id}}));
    return out;
  });
}

}  // namespace iron::domain
