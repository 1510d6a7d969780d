// Exit codes are the documented ones (docs/deploy.md, "Exit codes"): 0 success, 1 runtime
// failure or unhealthy, 2 usage or configuration error — including the errors CLI11 raises
// while parsing, which used to exit with its own codes (105, 106, 109, ...).
// (A listen address in use: EdgeListener.ASecondServerOnAPortInUseExits2NamingTheAddress.)
#include <gtest/gtest.h>

#include "support/server_process.h"

using iron::test::make_temp_dir;
using iron::test::run_binary;

namespace {

TEST(EdgeExitCodes, UsageAndConfigurationErrorsExit2OthersAsDocumented) {
  const std::string data = make_temp_dir() + "/data";
  struct Case {
    std::string name;
    std::vector<std::string> args;
    int code;
  };
  const std::vector<Case> cases = {
      {"help", {"--help"}, 0},
      {"version", {"version"}, 0},
      {"unknown flag", {"--no-such-flag"}, 2},
      {"unknown flag of a subcommand", {"migrate", "--no-such-flag"}, 2},
      {"unknown subcommand", {"no-such-command"}, 2},
      {"flag without its value", {"serve", "--data"}, 2},
      {"value of the wrong type", {"serve", "--data", data, "--threads", "many"}, 2},
      {"value out of range", {"serve", "--data", data, "--threads", "0", "--listen", "127.0.0.1:0"}, 2},
      {"listen address not numeric", {"serve", "--data", data, "--listen", "localhost:8080"}, 2},
      {"healthcheck of nothing", {"healthcheck", "--url", "http://127.0.0.1:1/health/ready"}, 1},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const auto r = run_binary(c.args, {}, "", 20);
    EXPECT_EQ(r.exit_code, c.code) << r.err;
    if (c.code == 2) {
      EXPECT_FALSE(r.err.empty()) << "a usage error says what is wrong on stderr";
    }
  }
}

}  // namespace
