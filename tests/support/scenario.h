#pragma once
// Table-driven API tests in the style of PocketBase's ApiScenario: each row names a case, who
// calls (a bearer token, or nobody), the request, the status and error code expected, and
// optional checks of the answer's body and of the state the call left behind (read back over
// the API). run_scenarios sends the rows in order, one SCOPED_TRACE per row.
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "support/api_client.h"

namespace iron::test {

struct Scenario {
  std::string name;
  std::string principal;   // bearer token; "" = anonymous
  std::string method = "GET";
  std::string path;
  json body = nullptr;     // null = no body
  std::optional<std::string> raw_body;  // sent instead of `body`, for malformed input
  std::string content_type = "application/json";
  int status = 200;
  std::string code;        // the error envelope's code when set
  std::string field;       // its details.field when set
  std::function<void(const Reply&)> expect_body;  // further checks of the answer
  std::function<void()> expect_state;             // checks of what the call left behind
};

void run_scenarios(const ServerProcess& server, const std::vector<Scenario>& scenarios);

}  // namespace iron::test
