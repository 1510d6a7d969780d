#include "support/scenario.h"

namespace iron::test {

void run_scenarios(const ServerProcess& server, const std::vector<Scenario>& scenarios) {
  for (const Scenario& s : scenarios) {
    SCOPED_TRACE(s.name + " (" + s.method + " " + s.path + ")");
    Call c{.method = s.method, .path = s.path, .token = s.principal, .body = s.raw_body, .content_type = s.content_type};
    if (!c.body && !s.body.is_null()) c.body = s.body.dump();
    const Reply r = send(server, c);
    if (!s.code.empty()) expect_error(r, s.status, s.code, s.field);
    else EXPECT_EQ(r.status, s.status) << r.raw;
    if (s.expect_body) s.expect_body(r);
    if (s.expect_state) s.expect_state();
  }
}

}  // namespace iron::test
