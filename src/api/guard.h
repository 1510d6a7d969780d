#pragma once
// Authentication and the access policy, applied in one place for every protected route:
// who is calling (Bearer access JWT or apitok_ token, re-checked against the DB on every
// request) and what they may do: the route's Access against the caller's role, and for an
// API token its scope first (read: GET only; runtime: no guarded route at all; user: no
// admin routes). Handlers receive a verified Principal.
#include <functional>

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

using AuthedHandler = std::function<Response(const Request&, const domain::Principal&)>;

Handler guarded(Services& s, Access access, AuthedHandler handler);

// Bearer credentials of the request, if any.
std::optional<std::string> bearer_token(const Request& req);
// The audit context of a request (actor filled when a principal is known).
domain::RequestContext context_of(const Request& req, const domain::Principal* p = nullptr);

}  // namespace iron::api
