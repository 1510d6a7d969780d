#pragma once
// One declaration per operation: an Endpoint is the route's OpenAPI entry (openapi::Op:
// method, pattern, access, body schema, answers) and the action that serves it, side by side
// in src/api/<resource>.cpp. all_routes() (routes.h) registers the actions and the document
// (openapi_document.h) is assembled from the same entries, so neither can list a route the
// other lacks. The Op's access level is also what guards the route: a guarded route's action
// runs only for an authenticated caller allowed that access (guard.h).
//
// An action returns a Reply: the response, or an Error that the binding turns into the error
// envelope with the request id, in this one place (api-conventions.md, "Errors"). A failed
// step is handed on as it is: `if (!x) return x.error();`.
#include <functional>
#include <string>
#include <vector>

#include "api/body.h"
#include "api/errors.h"
#include "api/guard.h"
#include "api/http_types.h"
#include "api/openapi/spec.h"
#include "api/query.h"
#include "util/completion.h"
#include "api/responses.h"
#include "api/services.h"
#include "util/result.h"

namespace iron::api {

using Reply = Result<Response>;

// What an action is given: the server's services, the request and, on a guarded route, the
// verified caller.
struct Call {
  Services& s;
  const Request& req;
  const domain::Principal* caller = nullptr;
  int64_t integer_id = 0;  // `:id`, checked by the binding when the Op declares integer_ids()

  const domain::Principal& who() const { return *caller; }
  // The audit context of the request (the caller as actor, when there is one).
  domain::RequestContext context() const { return context_of(req, caller); }
  // The `:id` path parameter of an Op with integer_ids(): a positive integer (the binding
  // answered 400 INVALID_PARAMETER before the action ran otherwise).
  int64_t id() const { return integer_id; }
  const std::string& param(const std::string& name) const { return req.param(name); }
};

using Action = std::function<Reply(const Call&)>;

// The action of an operation that decodes its input from a field table (body.h, query.h):
// what the table documents (the body's schema, the query's parameters), added to the Op by
// Endpoint, and an action that receives the decoded input. Made by with_body / with_query.
struct DecodingAction {
  nlohmann::json body_schema = nullptr;  // null: no body
  bool body_required = true;
  std::vector<nlohmann::json> parameters;
  Action action;
};

struct Endpoint {
  openapi::Op doc;
  Action action;  // empty: the route is served by the edge itself (GET /metrics, server/)

  Endpoint(openapi::Op op, Action a = {}) : doc(std::move(op)), action(std::move(a)) {}
  Endpoint(openapi::Op op, DecodingAction d) : doc(std::move(op)), action(std::move(d.action)) {
    if (!d.body_schema.is_null()) doc.body(std::move(d.body_schema), d.body_required);
    doc.query_params(d.parameters);
  }
};

// `f(call, body)` with the request body decoded by `fields` (a 4xx naming the bad field
// otherwise, before `f` runs); the Op documents the same table. `required` false: the body
// may be left out (an empty body decodes as {}).
template <class T, class F>
DecodingAction with_body(const BodyFields<T>& fields, F f, bool required = true) {
  return {fields.schema(), required, {}, [&fields, f = std::move(f), required](const Call& c) -> Reply {
            auto in = fields.decode(c.req, !required);
            if (!in) return in.error();
            return f(c, *in);
          }};
}

// with_body() for agents' routes: `f(call, body, ic_token)`, the IC token read by the one
// agent-token guard (guard.h agent_token_of) from the body field `ic_token`, which the schema
// gains here, or from `Authorization: Bearer ic_…`.
template <class T, class F>
DecodingAction with_agent_body(const BodyFields<T>& fields, F f, bool required = true) {
  auto schema = fields.schema();
  schema["properties"]["ic_token"] = openapi::str(1, 2000);
  return {std::move(schema), required, {}, [&fields, f = std::move(f), required](const Call& c) -> Reply {
            auto object = json_object_of(c.req, !required);
            if (!object) return object.error();
            auto token = agent_token_of(c.req, *object);
            if (!token) return token.error();
            auto in = fields.decode_object(*object);
            if (!in) return in.error();
            return f(c, *in, *token);
          }};
}

// `f(call, query)` with the query decoded by `fields` (400 naming the bad parameter
// otherwise); the Op lists the same table's parameters.
template <class T, class F>
DecodingAction with_query(const QueryFields<T>& fields, F f) {
  return {nullptr, true, fields.parameters(), [&fields, f = std::move(f)](const Call& c) -> Reply {
            auto q = fields.decode(c.req);
            if (!q) return q.error();
            return f(c, *q);
          }};
}

// A domain result as a reply: the value through `view` with `status`, or its error.
template <class T, class F>
Reply reply(const Result<T>& r, int status, F&& view) {
  if (!r) return r.error();
  return json_response(status, view(r.value()));
}
// A domain status as 204 No Content, or its error.
inline Reply reply_no_content(const Status& st) {
  if (!st) return st.error();
  return no_content();
}

// An answer that is ready later (a write that waits for its group commit, without holding the
// request's thread): start(done) begins the work, and done(outcome) is called once, on any
// thread, with an outcome that returns the Reply or throws. It is answered as a returned Reply
// would be: the error envelope, 503 STORAGE_FULL, 500 for anything else. Only the Request
// outlives the wait (the edge keeps it), not the rest of the Call.
using ReplyLater = std::function<void(util::Completion<Reply> done)>;
Reply later(const Call& c, ReplyLater start);
// The completion a domain operation answers through, handed on to `done` as a Reply: the
// value's response through `view`, or the error.
template <class T, class View>
util::Completion<Result<T>> replying(util::Completion<Reply> done, View view) {
  return [done = std::move(done), view = std::move(view)](const std::function<Result<T>()>& outcome) {
    done([&]() -> Reply {
      auto r = outcome();
      if (!r) return r.error();
      return view(r.value());
    });
  };
}

// The handler the router calls for `e`: the guard its access level asks for, the action, and
// the error envelope.
Handler bind(Services& s, Endpoint e);

}  // namespace iron::api
