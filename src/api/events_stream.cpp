// GET /api/v1/events/stream: Server-Sent Events for the dashboard. Owner-scoped through
// the event bus; a comment line every heartbeat interval keeps proxies from timing the
// stream out; a bounded number of streams (503 + Retry-After beyond it) and a share of them
// per user (429 + Retry-After beyond it); a stream ends as soon as shutdown closes the bus
// or its client disconnects.
#include "api/endpoint.h"
#include "api/routes.h"

namespace iron::api {
namespace {

using namespace openapi;

// How often a stream with nothing to send checks that its client is still connected: a
// closed tab frees its slot (IRON_MAX_EVENT_STREAMS) within this, not at the next heartbeat
// (IRON_EVENT_HEARTBEAT, 15 s), when the failed write would first notice it.
constexpr std::chrono::milliseconds kPeerCheck{250};

Reply stream_events(const Call& c) {
  auto& events = c.s.events;
  domain::SubscribeRefusal why = domain::SubscribeRefusal::none;
  auto sub = events.subscribe(c.who().user_id, c.who().is_admin(), &why);
  if (why == domain::SubscribeRefusal::user_limit)
    return Error::rate_limited("TOO_MANY_STREAMS_FOR_USER",
                               "you already hold " + std::to_string(events.max_per_user()) +
                                   " live event streams, the most one user may open; close one first",
                               5);
  if (!sub) return Error{ErrorKind::unavailable, "TOO_MANY_STREAMS", "too many live event streams are open; retry shortly", {}, 5};
  Response r;
  r.content_type = "text/event-stream";
  r.header("Cache-Control", "no-store");
  r.header("X-Accel-Buffering", "no");  // nginx: do not buffer the stream
  const auto heartbeat = std::chrono::seconds(c.s.config.event_heartbeat_s);
  r.stream = [sub, heartbeat](const std::function<bool(std::string_view)>& write) {
    using Clock = std::chrono::steady_clock;
    if (!write(": connected\nretry: 3000\n\n")) return;
    auto last_write = Clock::now();
    while (!sub->closed()) {
      const auto batch = sub->wait(kPeerCheck);
      if (batch.empty()) {
        const bool heartbeat_due = Clock::now() - last_write >= heartbeat;
        if (!write(heartbeat_due ? ": heartbeat\n\n" : "")) return;  // "": is the client still there?
        if (heartbeat_due) last_write = Clock::now();
        continue;
      }
      for (const auto& e : batch) {
        const std::string frame =
            "id: " + std::to_string(e.id) + "\nevent: " + e.type + "\ndata: " + e.data.dump() + "\n\n";
        if (!write(frame)) return;
      }
      last_write = Clock::now();
    }
  };
  return r;
}

}  // namespace

std::vector<Endpoint> event_stream_endpoints() {
  std::vector<Endpoint> e;
  e.push_back({Op("GET", "/api/v1/events/stream", "streamEvents", "Live events (Server-Sent Events)")
                   .tagged("events").auth(Auth::read)
                   .returns_text("text/event-stream", "The event stream; it ends when the server shuts down")
                   .errors(429, {"TOO_MANY_STREAMS_FOR_USER"})
                   .errors(503, {"TOO_MANY_STREAMS"}),
               stream_events});
  return e;
}

}  // namespace iron::api
