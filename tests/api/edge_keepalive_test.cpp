// Body-less POST/PUT/PATCH/DELETE (no Content-Length, no Transfer-Encoding: how Chromium
// sends a body-less DELETE/PATCH and how nginx forwards a body-less POST) have an empty body.
// The keep-alive connection must stay usable: the next request on it is answered at once,
// not read as the first one's body until the 10 s read timeout.
// (tests/system/nginx_keepalive.sh checks the same through a real nginx.)
#include <gtest/gtest.h>

#include "support/panel.h"
#include "support/raw_http.h"

using iron::test::RawConnection;
namespace id = iron::test;

namespace {

constexpr auto kPrompt = std::chrono::seconds(5);  // the stall this guards against is 10 s
class EdgeKeepAlive : public id::PanelSuite {};

TEST_F(EdgeKeepAlive, ABodylessRequestLeavesTheConnectionReadyForTheNext) {
  const auto user = id::create_account(server(), admin(), "viewer", "keepalive");
  ASSERT_FALSE(user.id.empty());
  struct Case {
    std::string method, path;
    int status;
  };
  const std::vector<Case> cases = {
      {"POST", "/api/v1/auth/validate", 200},
      {"PUT", "/api/v1/users/" + user.id + "/suspend", 200},
      {"PUT", "/api/v1/users/" + user.id + "/activate", 200},
      {"DELETE", "/api/v1/users/" + user.id, 200},
  };
  RawConnection conn(server().port());
  ASSERT_TRUE(conn.ok());
  for (const auto& c : cases) {
    SCOPED_TRACE(c.method + " " + c.path);
    ASSERT_TRUE(conn.send(c.method + " " + c.path + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + admin() + "\r\n\r\n"));
    const auto first = conn.read_reply(kPrompt);
    EXPECT_EQ(first.status, c.status) << first.head << first.body;
    EXPECT_NE(first.header("Connection"), "close");
    // The same connection, at once: not swallowed as the body of the request before.
    ASSERT_TRUE(conn.send("GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n"));
    const auto next = conn.read_reply(kPrompt);
    ASSERT_EQ(next.status, 200) << "the next request on the connection was not answered within 5 s";
  }
}

TEST_F(EdgeKeepAlive, ABodylessRequestIsAnsweredAtOnceWhenTheNextOneFollowsOnTheWire) {
  // Pipelined: the next request's bytes are already there when the first is read; they are
  // not its body (whatever the first one's answer, even an error that closes the connection).
  for (const char* method : {"POST", "PUT", "PATCH", "DELETE"}) {
    SCOPED_TRACE(method);
    RawConnection conn(server().port());
    ASSERT_TRUE(conn.ok());
    ASSERT_TRUE(conn.send(std::string(method) + " /api/v1/auth/validate HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
                          admin() + "\r\n\r\nGET /health/live HTTP/1.1\r\nHost: x\r\n\r\n"));
    const auto first = conn.read_reply(kPrompt);
    ASSERT_NE(first.status, 0) << "no answer within 5 s";
    EXPECT_EQ(first.status, std::string(method) == "POST" ? 200 : 405) << first.body;
    if (first.header("Connection") != "close") {
      EXPECT_EQ(conn.read_reply(kPrompt).status, 200);
    }
  }
}

}  // namespace
