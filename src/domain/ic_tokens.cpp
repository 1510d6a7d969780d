#include "domain/ic_tokens.h"

#include <cctype>

#include <nlohmann/json.hpp>

#include "domain/agents.h"
#include "domain/audit.h"
#include "security/crypto.h"
#include "security/random.h"
#include "store/agent_repo.h"
#include "util/clock.h"

namespace iron::domain {
namespace {

constexpr size_t kIcSecretChars = 48;  // 48 × log2(62) ≈ 285 bits

Error invalid_ic_token() { return Error::unauthenticated("INVALID_IC_TOKEN", "invalid IC token"); }

// The agent id embedded in a well-formed token, else nullopt.
std::optional<int64_t> parse_agent_id(const std::string& token) {
  if (token.size() > 64 || token.rfind("ic_", 0) != 0) return std::nullopt;
  const size_t sep = token.find('_', 3);
  if (sep == std::string::npos || sep == 3 || sep - 3 > 18 || token.size() - sep - 1 != kIcSecretChars)
    return std::nullopt;
  int64_t id = 0;
  for (size_t i = 3; i < sep; ++i) {
    if (token[i] < '0' || token[i] > '9') return std::nullopt;
    id = id * 10 + (token[i] - '0');
  }
  for (size_t i = sep + 1; i < token.size(); ++i)
    if (!std::isalnum(static_cast<unsigned char>(token[i]))) return std::nullopt;
  if (id <= 0) return std::nullopt;
  return id;
}

}  // namespace

RequestContext agent_context(const AgentIdentity& who, RequestContext base) {
  base.actor_type = "agent";
  base.actor_id = "agent_" + std::to_string(who.agent_id);
  return base;
}

Result<IssuedIcToken> IcTokens::store_new(const Principal& caller, int64_t agent_id, bool only_if_none,
                                          const RequestContext& ctx) {
  return db_.write([&](store::Connection& c) -> Result<IssuedIcToken> {
    auto a = visible_agent(c, caller, agent_id);
    if (!a) return a.error();
    IssuedIcToken out;
    out.agent_id = agent_id;
    out.token = "ic_" + std::to_string(agent_id) + "_" + security::random_base62(kIcSecretChars);
    out.created_at_s = util::to_unix_ms(util::now()) / 1000;
    if (!store::agents::set_ic_token(c, agent_id, security::sha256_hex(out.token), out.created_at_s, only_if_none))
      return Error::conflict("IC_TOKEN_EXISTS", "the agent already has an IC token: regenerate or revoke it");
    audit(c, ctx, only_if_none ? "ic_token.issue" : "ic_token.regenerate", "agent", std::to_string(agent_id),
          a->ic_token_hash ? nlohmann::json{{"ic_token_created_at", *a->ic_token_created_at}} : nlohmann::json(nullptr),
          {{"ic_token_created_at", out.created_at_s}});
    return out;
  });
}

Result<IssuedIcToken> IcTokens::issue(const Principal& caller, int64_t agent_id, const RequestContext& ctx) {
  return store_new(caller, agent_id, true, ctx);
}

Result<IssuedIcToken> IcTokens::regenerate(const Principal& caller, int64_t agent_id, const RequestContext& ctx) {
  return store_new(caller, agent_id, false, ctx);
}

Result<IcTokenStatus> IcTokens::status(const Principal& caller, int64_t agent_id) {
  return db_.read([&](store::Connection& c) -> Result<IcTokenStatus> {
    auto a = visible_agent(c, caller, agent_id);
    if (!a) return a.error();
    return IcTokenStatus{agent_id, a->ic_token_hash.has_value(), a->ic_token_created_at};
  });
}

Status IcTokens::revoke(const Principal& caller, int64_t agent_id, const RequestContext& ctx) {
  return db_.write([&](store::Connection& c) -> Status {
    auto a = visible_agent(c, caller, agent_id);
    if (!a) return a.error();
    store::agents::clear_ic_token(c, agent_id);
    audit(c, ctx, "ic_token.revoke", "agent", std::to_string(agent_id),
          {{"had_ic_token", a->ic_token_hash.has_value()}}, nullptr);
    return ok_status();
  });
}

Result<AgentIdentity> IcTokens::authenticate(const std::string& token) {
  return db_.read([&](store::Connection& c) { return authenticate_in(c, token); });
}

Result<AgentIdentity> IcTokens::authenticate_in(store::Connection& c, const std::string& token) {
  const auto agent_id = parse_agent_id(token);
  if (!agent_id) return invalid_ic_token();
  // An agent acts for its owner: a suspended or deleted owner's agents are locked out too
  // (ic_credential_of_active finds nothing then).
  auto a = store::agents::ic_credential_of_active(c, *agent_id);
  if (!a || !a->ic_token_hash || !security::constant_time_equal(*a->ic_token_hash, security::sha256_hex(token)))
    return invalid_ic_token();
  return AgentIdentity{*agent_id, a->owner_id};
}

}  // namespace iron::domain
