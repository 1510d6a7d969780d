#pragma once
// Authentication and the access policy, applied in one place for every protected route:
// who is calling (Bearer access JWT or apitok_ token, re-checked against the DB on every
// request) and what they may do: the route's Access against the caller's role, and for an
// API token its scope first (read: GET only; runtime: no guarded route at all; user: no
// admin routes). Handlers receive a verified Principal.
#include <functional>
#include <string>

#include <nlohmann/json.hpp>

#include "api/http_types.h"
#include "api/services.h"
#include "domain/principal.h"

namespace iron::api {

enum class Access {
  read,          // any authenticated role, viewer included
  mutate,        // user or admin: viewers are read-only
  admin,         // admin only
  self_service,  // any role, and allowed while a password change is forced (me, logout)
};

// The caller of `req`, verified and allowed `access`: 401 without valid credentials, 403 when
// a forced password change, the token's scope or the role forbids it.
Result<domain::Principal> authenticate(Services& s, const Request& req, Access access);

// The credential of the routes agents call (lease protocol, provider-key fetch, analytics
// ingestion; openapi::Auth::agent): the IC token from the body field `ic_token` when given
// and non-empty (the predecessor's form; text of at most 2000 characters), else an
// `Authorization: Bearer ic_…` header. Neither is 401 IC_TOKEN_MISSING on all of them — the
// code the lease routes and the key fetch always gave; analytics ingestion, which answered
// AUTH_MISSING_TOKEN, was aligned (the predecessor answered 401 UNAUTHORIZED on all three, so
// no client can depend on either). Checked before the rest of the body, so an agent without
// a token learns nothing about validation. The token itself is verified by domain/ic_tokens.
Result<std::string> agent_token_of(const Request& req, const nlohmann::json& body);

// Bearer credentials of the request, if any.
std::optional<std::string> bearer_token(const Request& req);
// The audit context of a request (actor filled when a principal is known).
domain::RequestContext context_of(const Request& req, const domain::Principal* p = nullptr);

}  // namespace iron::api
