#include "server/static_route.h"

#include "api/responses.h"

namespace iron::server {

StaticHandler make_static_handler(std::shared_ptr<const web::StaticSite> site) {
  return [site](const api::Request& req) {
    const std::string accept = req.header("accept-encoding").value_or("");
    const std::string inm = req.header("if-none-match").value_or("");
    const web::StaticResponse sr = site->serve({req.method, req.path, accept, inm});
    api::Response out;
    if (sr.status == 404) {
      out = api::error_response(Error::not_found("file " + req.path));
    } else if (sr.status == 405) {
      out = api::error_response({ErrorKind::method_not_allowed, "METHOD_NOT_ALLOWED",
                                 "static files accept GET and HEAD only", {}, 0});
    } else if (sr.status == 503) {
      out = api::error_response({ErrorKind::unavailable, "DASHBOARD_NOT_BUILT",
                                 "this binary was built without the dashboard (frontend/dist was empty)", {}, 0});
    } else {
      out.status = sr.status;
      out.content_type = sr.content_type;
      out.body.assign(sr.body.data(), sr.body.size());
    }
    for (const auto& h : sr.headers) out.headers.push_back(h);
    return out;
  };
}

}  // namespace iron::server
