#pragma once
// IC tokens: an agent's credential for the lease protocol and analytics ingestion.
// Format `ic_<agent id>_<48 base62>` (~285 random bits). Only the SHA-256 hex is stored
// (agents.ic_token_hash) and EVERY use compares against the stored hash, so regenerate and
// revoke really invalidate the old token (the predecessor never checked it, docs/compatibility.md S6).
// Issue / status / regenerate / revoke are for the agent's owner or an admin; a missing or
// foreign agent is AGENT_NOT_FOUND for everyone, admins included (C8).
#include <cstdint>
#include <optional>
#include <string>

#include "domain/principal.h"
#include "store/database.h"
#include "util/result.h"

namespace iron::domain {

struct AgentIdentity {
  int64_t agent_id;
  std::string owner_id;
};

struct IssuedIcToken {
  int64_t agent_id = 0;
  std::string token;       // plaintext, shown once
  int64_t created_at_s = 0;
};

struct IcTokenStatus {
  int64_t agent_id = 0;
  bool has_ic_token = false;
  std::optional<int64_t> created_at_s;
};

class IcTokens {
 public:
  explicit IcTokens(store::Database& db) : db_(db) {}

  Result<IssuedIcToken> issue(const Principal& caller, int64_t agent_id, const RequestContext& ctx);  // 409 if one exists
  Result<IssuedIcToken> regenerate(const Principal& caller, int64_t agent_id, const RequestContext& ctx);
  Result<IcTokenStatus> status(const Principal& caller, int64_t agent_id);
  Status revoke(const Principal& caller, int64_t agent_id, const RequestContext& ctx);

  // The agent a token stands for, checked against the stored hash and the owner's status.
  // Errors: 401 INVALID_IC_TOKEN (malformed, unknown, replaced, revoked, owner inactive).
  Result<AgentIdentity> authenticate(const std::string& token);
  // The same on a caller's transaction (a use case that must see the token and act atomically).
  static Result<AgentIdentity> authenticate_in(store::Connection& c, const std::string& token);

 private:
  Result<IssuedIcToken> store_new(const Principal& caller, int64_t agent_id, bool only_if_none,
                                  const RequestContext& ctx);
  store::Database& db_;
};

// The audit context of an agent acting with its IC token.
RequestContext agent_context(const AgentIdentity& who, RequestContext base);

}  // namespace iron::domain
