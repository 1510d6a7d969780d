#include "api/responses.h"

namespace iron::api {

int http_status(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::validation: return 400;
    case ErrorKind::unauthenticated: return 401;
    case ErrorKind::forbidden: return 403;
    case ErrorKind::not_found: return 404;
    case ErrorKind::method_not_allowed: return 405;
    case ErrorKind::conflict: return 409;
    case ErrorKind::payload_too_large: return 413;
    case ErrorKind::unsupported_media: return 415;
    case ErrorKind::unprocessable: return 422;
    case ErrorKind::rate_limited: return 429;
    case ErrorKind::internal: return 500;
    case ErrorKind::unavailable: return 503;
  }
  return 500;
}

Response json_response(int status, const nlohmann::json& body) {
  Response r;
  r.status = status;
  r.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return r;
}

Response no_content() {
  Response r;
  r.status = 204;
  r.content_type.clear();
  return r;
}

Response error_response(const Error& e, const std::string& request_id) {
  nlohmann::json details = e.details.is_object() ? e.details : nlohmann::json::object();
  if (e.kind == ErrorKind::internal && !request_id.empty()) details["request_id"] = request_id;
  Response r = json_response(http_status(e.kind), {{"error", {{"code", e.code}, {"message", e.message}, {"details", details}}}});
  if ((e.kind == ErrorKind::rate_limited || e.kind == ErrorKind::unavailable) && e.retry_after_s > 0)
    r.header("Retry-After", std::to_string(e.retry_after_s));
  return r;
}

}  // namespace iron::api
