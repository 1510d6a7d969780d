// GET /api/v1/events/stream: Server-Sent Events for the dashboard. Owner-scoped through
// the event bus; a comment line every heartbeat interval keeps proxies from timing the
// stream out; a bounded number of streams (503 + Retry-After beyond it) and a share of them
// per user (429 + Retry-After beyond it); every stream ends as soon as shutdown closes the bus.
#include "api/guard.h"
#include "api/responses.h"
#include "api/routes.h"

namespace iron::api {

void add_event_stream_routes(std::vector<Route>& routes, Services& s) {
  routes.push_back({"GET", "/api/v1/events/stream", guarded(s, Access::read, [&s](const Request&, const domain::Principal& p) {
                      domain::SubscribeRefusal why = domain::SubscribeRefusal::none;
                      auto sub = s.events.subscribe(p.user_id, p.is_admin(), &why);
                      if (why == domain::SubscribeRefusal::user_limit)
                        return error_response(Error::rate_limited(
                            "TOO_MANY_STREAMS_FOR_USER",
                            "you already hold " + std::to_string(s.events.max_per_user()) +
                                " live event streams, the most one user may open; close one first",
                            5));
                      if (!sub) {
                        Error e{ErrorKind::unavailable, "TOO_MANY_STREAMS",
                                "too many live event streams are open; retry shortly", {}, 5};
                        return error_response(e);
                      }
                      Response r;
                      r.content_type = "text/event-stream";
                      r.header("Cache-Control", "no-store");
                      r.header("X-Accel-Buffering", "no");  // nginx: do not buffer the stream
                      const auto heartbeat = std::chrono::seconds(s.config.event_heartbeat_s);
                      r.stream = [sub, heartbeat](const std::function<bool(std::string_view)>& write) {
                        if (!write(": connected\nretry: 3000\n\n")) return;
                        while (!sub->closed()) {
                          const auto events = sub->wait(heartbeat);
                          if (events.empty()) {
                            if (!write(": heartbeat\n\n")) return;
                            continue;
                          }
                          for (const auto& e : events) {
                            const std::string frame = "id: " + std::to_string(e.id) + "\nevent: " + e.type +
                                                      "\ndata: " + e.data.dump() + "\n\n";
                            if (!write(frame)) return;
                          }
                        }
                      };
                      return r;
                    })});
}

}  // namespace iron::api
