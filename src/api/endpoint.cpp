#include "api/endpoint.h"

#include "domain/health.h"
#include "util/log.h"

namespace iron::api {
namespace {

std::optional<Access> guard_of(openapi::Auth a) {
  switch (a) {
    case openapi::Auth::read: return Access::read;
    case openapi::Auth::mutate: return Access::mutate;
    case openapi::Auth::admin: return Access::admin;
    case openapi::Auth::self_service: return Access::self_service;
    case openapi::Auth::none:
    case openapi::Auth::agent:  // the action reads the IC token (agent_token_of): it may be in the body
    case openapi::Auth::custom: return std::nullopt;  // public, or the action checks its own credential
  }
  return std::nullopt;
}

// The action's answer, or the error envelope with the request id.
Response envelope(Reply r, const Request& req) { return r ? std::move(*r) : error_response(r.error(), req.request_id); }

// Runs `action` once the integer `:id` an Op declares is checked.
Response run(const Action& action, bool integer_id, Call call) {
  if (integer_id) {
    auto id = path_id(call.req, "id");
    if (!id) return error_response(id.error(), call.req.request_id);
    call.integer_id = *id;
  }
  return envelope(action(call), call.req);
}

// serve(), with a write refused for lack of space answered as 503 STORAGE_FULL rather than
// the edge's 500: a full disk is an operating condition, not a defect, nothing was stored, and
// the client may retry. Covers every write of the request, the guard's included.
template <class F>
Response answering_storage_full(const Request& req, F&& serve) {
  try {
    return serve();
  } catch (const std::exception& e) {
    if (!domain::is_storage_full(e)) throw;
    log::error("write refused: storage full (free disk space or raise IRON_MAX_DB_MB)",
               {{"request_id", req.request_id}, {"route", req.route}, {"error", e.what()}});
    return error_response(errors::storage_full(), req.request_id);
  }
}

// A deferred action's outcome as the response, with what bind() and the router do for a
// returned one: nothing above this catches for it.
Response answer_later(const Request& req, const std::function<Reply()>& outcome) {
  try {
    return answering_storage_full(req, [&] { return envelope(outcome(), req); });
  } catch (const std::exception& e) {
    log::error("unhandled error", {{"request_id", req.request_id}, {"route", req.route}, {"error", e.what()}});
    return error_response(Error::internal(), req.request_id);
  }
}

}  // namespace

Reply later(const Call& c, ReplyLater start) {
  Response r;
  r.later = [&req = c.req, start = std::move(start)](const Finish& finish) {
    try {
      start([&req, finish](const std::function<Reply()>& outcome) { finish(answer_later(req, outcome)); });
    } catch (...) {
      // start throws only before it has handed its work on (a read it needed failed): the
      // completion will never run, so the failure is the answer, as it would be for a Reply.
      const auto failed = std::current_exception();
      finish(answer_later(req, [&]() -> Reply { std::rethrow_exception(failed); }));
    }
  };
  return r;
}

Handler bind(Services& s, Endpoint e) {
  const auto access = guard_of(e.doc.access);
  const bool integer_id = e.doc.integer_id && e.doc.pattern.find("/:id") != std::string::npos;
  if (!access)
    return [&s, integer_id, action = std::move(e.action)](const Request& req) {
      return answering_storage_full(req, [&] { return run(action, integer_id, Call{s, req}); });
    };
  return [&s, access = *access, integer_id, action = std::move(e.action)](const Request& req) {
    return answering_storage_full(req, [&] {
      auto who = authenticate(s, req, access);
      if (!who) return error_response(who.error(), req.request_id);
      return run(action, integer_id, Call{s, req, &who.value()});
    });
  };
}

}  // namespace iron::api
