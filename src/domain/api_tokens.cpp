#include "domain/api_tokens.h"

#include <algorithm>
#include <utility>

#include "domain/audit.h"
#include "domain/sessions.h"
#include "security/crypto.h"
#include "security/random.h"
#include "store/agent_repo.h"
#include "store/session_repo.h"
#include "store/user_repo.h"
#include "util/clock.h"
#include "util/json_fields.h"

namespace iron::domain {
namespace {

constexpr std::string_view kPrefix = "apitok_";
constexpr size_t kSecretChars = 64;  // base62: ~381 bits

// The hash covers the part after the prefix, as the predecessor stored it, so its token
// hashes stay valid if its data is ever imported.
std::string hash_of(std::string_view secret) { return security::sha256_hex(secret.substr(kPrefix.size())); }

bool has_prefix(std::string_view secret) { return secret.size() > kPrefix.size() && secret.substr(0, kPrefix.size()) == kPrefix; }

Error token_not_found() { return Error::not_found("API token"); }

// The predecessor answered 403 for get/update/delete of another user's token and clients
// may depend on it; api-conventions allow keeping a predecessor's 403. Rotate had no such
// contract (it was public), so there another user's token is a plain 404.
Error not_owner() { return Error::forbidden("this API token belongs to another user", "NOT_TOKEN_OWNER"); }

std::optional<Error> check_name(const std::optional<std::string>& name) {
  if (!name) return std::nullopt;
  if (name->empty() || name->size() > 100) return Error::validation("name", "name must be 1..100 characters");
  if (name->find_first_of(std::string("<>\0", 3)) != std::string::npos)
    return Error::validation("name", "name must not contain '<', '>' or NUL");
  return std::nullopt;
}

std::optional<Error> check_provider(const std::optional<std::string>& provider) {
  if (provider && (provider->empty() || provider->size() > 64))
    return Error::validation("provider", "provider must be 1..64 characters");
  return std::nullopt;
}

std::optional<Error> check_description(const std::optional<std::string>& description) {
  if (description && description->size() > 500)
    return Error::validation("description", "description must be at most 500 characters");
  return std::nullopt;
}

// A token must not mint tokens: a leaked token could otherwise outlive its own revocation
// through a fresh one. The predecessor took a login session (JWT) on these routes too.
std::optional<Error> require_session(const Principal& caller) {
  if (caller.via == "api_token")
    return Error::forbidden("API tokens cannot create or rotate API tokens; sign in instead", "SESSION_REQUIRED");
  return std::nullopt;
}

// The scope asked for at creation; `legacy_full` exists only for tokens older than scopes.
Result<TokenScope> requested_scope(const NewApiToken& in) {
  // Default: runtime for an agent-bound token, else user (what tokens did before scopes,
  // minus admin rights, which must be asked for).
  const auto scope = in.scope ? parse_token_scope(*in.scope)
                              : std::optional(in.agent_id ? TokenScope::runtime : TokenScope::user);
  if (!scope || *scope == TokenScope::legacy_full)
    return Error::validation("scope", "scope must be one of read, runtime, user, admin");
  // A token bound to an agent is for that agent's runtime: it must never act as its owner.
  if (in.agent_id && *scope != TokenScope::runtime)
    return Error::validation("scope", "a token bound to an agent may only have the runtime scope");
  return *scope;
}

std::string new_secret() { return std::string(kPrefix) + security::random_base62(kSecretChars); }

enum class Unusable { none, unknown, revoked, rotated, expired, owner_inactive };

struct Lookup {
  Unusable why = Unusable::unknown;
  std::optional<store::ApiToken> token;
  std::optional<store::User> owner;
};

Lookup look_up(store::Database& db, const std::string& secret) {
  if (!has_prefix(secret)) return {};
  const std::string hash = hash_of(secret);
  const int64_t now = util::now_unix_ms();
  return db.read([&](store::Connection& c) {
    Lookup out;
    out.token = store::api_tokens::find_by_hash(c, hash);
    if (!out.token) return out;
    // Re-read the owner every time: suspension, deletion and role changes apply at once.
    out.owner = store::users::find_by_id(c, out.token->user_id);
    if (out.token->revoked_at) out.why = Unusable::revoked;
    else if (out.token->rotated_at || !out.token->is_active) out.why = Unusable::rotated;
    else if (out.token->expires_at && *out.token->expires_at <= now) out.why = Unusable::expired;
    else if (!out.owner || !out.owner->is_active || out.owner->deleted_at) out.why = Unusable::owner_inactive;
    else out.why = Unusable::none;
    return out;
  });
}

}  // namespace

nlohmann::json api_token_view(const store::ApiToken& t) {
  return {IRON_JSON_FIELDS(t, id, user_id, project_id, name, description, agent_id, provider, created_at, last_used_at,
                           is_active, scope, allowed_models),
          {"expires_at", t.expires_at ? nlohmann::json(util::to_rfc3339(util::from_unix_ms(*t.expires_at)))
                                      : nlohmann::json(nullptr)}};
}

// ---- LastUsedBatch ----

void LastUsedBatch::record(int64_t token_id, int64_t at_ms) {
  std::lock_guard lock(mutex_);
  auto& v = pending_[token_id];
  v = std::max(v, at_ms);
}

std::optional<int64_t> LastUsedBatch::pending(int64_t token_id) const {
  std::lock_guard lock(mutex_);
  const auto it = pending_.find(token_id);
  if (it == pending_.end()) return std::nullopt;
  return it->second;
}

std::map<int64_t, int64_t> LastUsedBatch::take() {
  std::lock_guard lock(mutex_);
  return std::exchange(pending_, {});
}

void LastUsedBatch::put_back(const std::map<int64_t, int64_t>& entries) {
  std::lock_guard lock(mutex_);
  for (const auto& [id, at] : entries) {
    auto& v = pending_[id];
    v = std::max(v, at);
  }
}

// ---- ApiTokens ----

store::ApiToken ApiTokens::with_pending(store::ApiToken t) const {
  if (const auto at = last_used_.pending(t.id); at && (!t.last_used_at || *t.last_used_at < *at)) t.last_used_at = at;
  return t;
}

Result<IssuedApiToken> ApiTokens::create(const Principal& caller, const NewApiToken& in, const RequestContext& ctx) {
  if (auto e = require_session(caller)) return *e;
  if (!in.name && !in.description && !in.project_id && !in.agent_id && !in.provider)
    return Error::validation("name", "give at least one of name, description, project_id, agent_id, provider");
  if (auto e = check_name(in.name)) return *e;
  if (auto e = check_description(in.description)) return *e;
  if (auto e = check_provider(in.provider)) return *e;
  if (in.project_id && in.project_id->size() > 500)
    return Error::validation("project_id", "project_id must be at most 500 characters");
  if (in.agent_id && *in.agent_id <= 0) return Error::validation("agent_id", "agent_id must be a positive integer");
  auto allowed = normalized_allowed_models(in.allowed_models, "allowed_models");
  if (!allowed) return allowed.error();
  auto requested = requested_scope(in);
  if (!requested) return requested.error();
  const TokenScope scope = *requested;
  const int64_t now = util::now_unix_ms();
  if (in.expires_at_ms) {
    if (*in.expires_at_ms <= now) return Error::validation("expires_at", "expires_at must be in the future");
    if (*in.expires_at_ms > now + policy_.max_lifetime_ms)
      return Error::validation("expires_at", "expires_at must be at most one year from now");
  }
  std::string owner_id = caller.user_id;
  if (in.user_id && *in.user_id != caller.user_id) {
    if (!caller.is_admin())
      return Error::forbidden("only admins may create API tokens for another user", "USER_ID_OVERRIDE_FORBIDDEN");
    owner_id = *in.user_id;
  }

  // Drawn once, outside the body, which may run again (store/database.h): it only reads it.
  const std::string secret = new_secret();
  return db_.write([&](store::Connection& c) -> Result<IssuedApiToken> {
    const auto owner = store::users::find_by_id(c, owner_id);
    if (!owner || owner->deleted_at)
      return Error{ErrorKind::not_found, "USER_NOT_FOUND", "user not found", {{"field", "user_id"}}, 0};
    if (scope == TokenScope::admin && owner->role != "admin")
      return Error{ErrorKind::forbidden, "SCOPE_NOT_ALLOWED", "only a token owned by an admin may have the admin scope",
                   {{"field", "scope"}}, 0};
    // The agent must be the token owner's own (admins included: a token acts as its owner).
    if (in.agent_id) {
      const auto agent = store::agents::find_by_id(c, *in.agent_id);
      if (!agent || agent->owner_id != owner_id)
        return Error{ErrorKind::not_found, "AGENT_NOT_FOUND", "the token's owner has no agent with this id",
                     {{"field", "agent_id"}}, 0};
    }
    if (store::api_tokens::count_usable_for_user(c, owner_id, now) >= policy_.max_usable_per_user)
      // Retry-After is a hint only: a slot frees when a token is revoked or expires.
      return Error::rate_limited("TOKEN_LIMIT_EXCEEDED",
                                 "this user already has " + std::to_string(policy_.max_usable_per_user) +
                                     " active API tokens; revoke one first",
                                 60);
    // Creations are counted per calling user, so an admin issuing for others has one budget.
    const std::string bucket = "api_token_create:" + caller.user_id;
    const int64_t since = now - policy_.creation_window_ms;
    if (store::rate_limits::count_since(c, bucket, since) >= policy_.max_creations_per_window) {
      const int64_t oldest = store::rate_limits::oldest_since(c, bucket, since).value_or(now);
      const int retry = static_cast<int>(std::max<int64_t>(1, (oldest + policy_.creation_window_ms - now + 999) / 1000));
      return Error::rate_limited("RATE_LIMIT_EXCEEDED", "too many API tokens created; try again later", retry);
    }
    store::ApiToken t;
    t.user_id = owner_id;
    t.token_hash = hash_of(secret);
    t.name = in.name;
    t.description = in.description;
    t.project_id = in.project_id;
    t.agent_id = in.agent_id;
    t.provider = in.provider;
    t.created_at = now;
    t.expires_at = in.expires_at_ms;
    t.scope = token_scope_name(scope);
    t.allowed_models = *allowed;
    t.id = store::api_tokens::insert(c, t);
    store::rate_limits::hit(c, bucket, now);
    audit(c, ctx, "api_token.create", "api_token", std::to_string(t.id), nullptr, api_token_view(t));
    return IssuedApiToken{std::move(t), secret};
  });
}

Result<Paged<store::ApiToken>> ApiTokens::list(const Principal& caller, const ListQuery& q) {
  const std::string whose = q.owner.value_or(caller.user_id);
  if (whose != caller.user_id && !caller.is_admin())
    return Error{ErrorKind::forbidden, "USER_ID_OVERRIDE_FORBIDDEN", "only an admin may list another user's API tokens",
                 {{"field", "user_id"}}, 0};
  store::api_tokens::TokenListFilter f;
  if (whose != "*") f.user_id = whose;
  f.status = q.status;
  f.now_ms = util::now_unix_ms();
  auto out = db_.read([&](store::Connection& c) {
    return page_on_request<store::ApiToken>(
        q.page, [&] { return store::api_tokens::count(c, f); },
        [&](int64_t limit, int64_t offset) { return store::api_tokens::list_page(c, f, limit, offset); });
  });
  for (auto& t : out.items) t = with_pending(std::move(t));
  return out;
}

Result<store::ApiToken> ApiTokens::get(const Principal& caller, int64_t id) {
  auto t = db_.read([&](store::Connection& c) { return store::api_tokens::find_by_id(c, id); });
  if (!t) return token_not_found();
  if (t->user_id != caller.user_id) return not_owner();
  return with_pending(std::move(*t));
}

Result<store::ApiToken> ApiTokens::update(const Principal& caller, int64_t id, const ApiTokenPatch& patch,
                                          const RequestContext& ctx) {
  if (!patch.name && !patch.description && !patch.provider && !patch.allowed_models)
    return Error::validation("provider", "give at least one of provider, name, description, allowed_models");
  if (auto e = check_name(patch.name)) return *e;
  if (auto e = check_description(patch.description)) return *e;
  if (auto e = check_provider(patch.provider)) return *e;
  std::optional<AllowedModels> allowed;
  if (patch.allowed_models) {
    if (caller.via == "api_token")
      return Error::forbidden("API tokens cannot change a token's model allow-list; sign in instead",
                              "SESSION_REQUIRED");
    auto list = normalized_allowed_models(*patch.allowed_models, "allowed_models");
    if (!list) return list.error();
    allowed = std::move(*list);
  }
  auto updated = db_.write([&](store::Connection& c) -> Result<store::ApiToken> {
    auto t = store::api_tokens::find_by_id(c, id);
    if (!t) return token_not_found();
    if (t->user_id != caller.user_id) return not_owner();
    if (t->rotated_at) return token_not_found();  // replaced: like revoke, a rotated id is gone
    if (t->revoked_at) return Error::conflict("TOKEN_REVOKED", "this API token has been revoked");
    const auto before = api_token_view(*t);
    if (patch.name) t->name = patch.name;
    if (patch.description) t->description = patch.description;
    if (patch.provider) t->provider = patch.provider;
    if (allowed) t->allowed_models = *allowed;
    store::api_tokens::update_metadata(c, *t);
    audit(c, ctx, "api_token.update", "api_token", std::to_string(t->id), before, api_token_view(*t));
    return *t;
  });
  if (!updated) return updated;
  return with_pending(std::move(*updated));
}

Result<IssuedApiToken> ApiTokens::rotate(const Principal& caller, int64_t id, const RequestContext& ctx) {
  if (auto e = require_session(caller)) return *e;
  const int64_t now = util::now_unix_ms();
  const std::string secret = new_secret();  // as in create: the body only reads it
  return db_.write([&](store::Connection& c) -> Result<IssuedApiToken> {
    auto old = store::api_tokens::find_by_id(c, id);
    // Owner only (docs/compatibility.md S1: anyone could rotate any id and get the secret).
    if (!old || old->user_id != caller.user_id) return token_not_found();
    if (old->revoked_at || old->rotated_at || !old->is_active) return token_not_found();
    if (old->expires_at && *old->expires_at <= now)
      return Error::conflict("TOKEN_EXPIRED", "this API token has expired; create a new one");
    const auto before = api_token_view(*old);
    store::api_tokens::mark_rotated(c, old->id, now);
    store::ApiToken fresh = *old;  // same owner, metadata and expiry; new id and secret
    fresh.token_hash = hash_of(secret);
    fresh.created_at = now;
    fresh.last_used_at.reset();
    fresh.revoked_at.reset();
    fresh.rotated_at.reset();
    fresh.is_active = true;
    fresh.id = store::api_tokens::insert(c, fresh);
    nlohmann::json after = api_token_view(fresh);
    after["replaces"] = old->id;
    audit(c, ctx, "api_token.rotate", "api_token", std::to_string(old->id), before, after);
    return IssuedApiToken{std::move(fresh), secret};
  });
}

Result<store::ApiToken> ApiTokens::revoke(const Principal& caller, int64_t id, const RequestContext& ctx) {
  const int64_t now = util::now_unix_ms();
  return db_.write([&](store::Connection& c) -> Result<store::ApiToken> {
    auto t = store::api_tokens::find_by_id(c, id);
    if (!t) return token_not_found();
    if (t->user_id != caller.user_id && !caller.is_admin()) return not_owner();
    if (t->rotated_at) return token_not_found();
    if (t->revoked_at) return Error::conflict("TOKEN_ALREADY_REVOKED", "this API token is already revoked");
    const auto before = api_token_view(*t);
    store::api_tokens::mark_revoked(c, t->id, now);
    t->revoked_at = now;
    t->is_active = false;
    audit(c, ctx, "api_token.revoke", "api_token", std::to_string(t->id), before, api_token_view(*t));
    return *t;
  });
}

std::optional<store::ApiToken> ApiTokens::validate(const std::string& secret) {
  auto found = look_up(db_, secret);
  if (found.why != Unusable::none) return std::nullopt;
  return std::move(found.token);
}

Result<Principal> ApiTokens::authenticate(const std::string& secret) {
  auto found = look_up(db_, secret);
  switch (found.why) {
    case Unusable::none: break;
    case Unusable::unknown: return Error::unauthenticated("AUTH_INVALID_TOKEN", "token is invalid or expired");
    case Unusable::revoked: return Error::unauthenticated("AUTH_TOKEN_REVOKED", "API token has been revoked");
    case Unusable::rotated: return Error::unauthenticated("AUTH_TOKEN_REVOKED", "API token has been replaced by rotation");
    case Unusable::expired: return Error::unauthenticated("AUTH_TOKEN_EXPIRED", "API token has expired");
    case Unusable::owner_inactive:
      return Error::unauthenticated("AUTH_ACCOUNT_DISABLED", "the token's owner is disabled or deleted");
  }
  last_used_.record(found.token->id, util::now_unix_ms());
  Principal p = principal_of(*found.owner);
  // An unknown stored scope cannot happen (CHECK constraint); read is the safe reading of one.
  p.scope = parse_token_scope(found.token->scope).value_or(TokenScope::read);
  p.role = std::min(p.role, role_cap(*p.scope));
  p.via = "api_token";
  p.token_id = std::to_string(found.token->id);
  return p;
}

size_t ApiTokens::flush_last_used() {
  const auto batch = last_used_.take();
  if (batch.empty()) return 0;
  try {
    db_.write([&](store::Connection& c) { store::api_tokens::record_last_used(c, batch); return 0; });
  } catch (...) {
    last_used_.put_back(batch);  // try again on the next flush
    throw;
  }
  return batch.size();
}

}  // namespace iron::domain
