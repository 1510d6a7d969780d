// The report body's direct reading (api/budget_report_body.h) against the general path it
// shortcuts (json_object_of, agent_token_of, the field table): wherever the direct reading
// answers, the general path must accept the same body with exactly the same values; every
// body outside the plain subset must be left to the general path, and the bodies runtimes
// actually send must be read directly (or the shortcut saves nothing).
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "api/body.h"
#include "api/budget_report_body.h"
#include "api/guard.h"
#include "domain/budget_ledger.h"

namespace {

using iron::api::PlainReport;
using iron::api::Request;

const std::string kToken = "ic_12_" + std::string(48, 'a');

Request request(std::string body, std::string content_type = "application/json") {
  Request r;
  r.method = "POST";
  r.path = "/api/v1/budget/report";
  if (!content_type.empty()) r.headers.emplace_back("content-type", std::move(content_type));
  r.body = std::move(body);
  return r;
}

std::string plain_body(const std::string& tail = "") {
  return R"({"ic_token":")" + kToken +
         R"(","lease_id":"lease_8a98d4aa-733c-434f-ab5c-db81fdc6fdcc","request_id":"r1-2-3","tokens":10,)"
         R"("cost_microdollars":1,"model":"gpt-4o","provider":"openai")" +
         tail + "}";
}

// The general path's reading: the decoded body and token, or nullopt when it refuses.
std::optional<PlainReport> general(const Request& req) {
  auto object = iron::api::json_object_of(req);
  if (!object) return std::nullopt;
  auto token = iron::api::agent_token_of(req, *object);
  if (!token) return std::nullopt;
  auto in = iron::api::kReportFields.decode_object(*object);
  if (!in) return std::nullopt;
  return PlainReport{*in, *token};
}

void expect_same_as_general(const Request& req) {
  SCOPED_TRACE(req.body);
  const auto plain = iron::api::plain_report_body(req);
  if (!plain) return;  // the general path answers, whatever it answers
  const auto expected = general(req);
  ASSERT_TRUE(expected.has_value()) << "read directly, but the general path refuses it";
  EXPECT_EQ(plain->ic_token, expected->ic_token);
  EXPECT_EQ(plain->body.lease_id, expected->body.lease_id);
  EXPECT_EQ(plain->body.request_id, expected->body.request_id);
  EXPECT_EQ(plain->body.tokens, expected->body.tokens);
  EXPECT_EQ(plain->body.cost_microdollars, expected->body.cost_microdollars);
  EXPECT_EQ(plain->body.model, expected->body.model);
  EXPECT_EQ(plain->body.provider, expected->body.provider);
}

TEST(BudgetReportBody, WhatRuntimesSendIsReadDirectlyWithTheGeneralPathsValues) {
  const std::vector<std::string> bodies = {
      plain_body(),
      plain_body(R"(,"note":"unknown members are ignored","n":7)"),
      " \r\n\t{ \"tokens\" : 5 , \"cost_microdollars\":0,\"provider\":\"anthropic\",\"model\":\"claude 3.5\",\n"
      "\"request_id\":\"x\",\"lease_id\":\"l\",\"ic_token\":\"" + kToken + "\" } \n",
      plain_body(R"(,"empty":"")"),
  };
  for (const auto& body : bodies) {
    SCOPED_TRACE(body);
    const auto req = request(body);
    EXPECT_TRUE(iron::api::plain_report_body(req).has_value());
    expect_same_as_general(req);
  }
  const auto edge = iron::api::plain_report_body(request(
      R"({"ic_token":")" + kToken + R"(","lease_id":")" + std::string(100, 'l') + R"(","request_id":")" +
      std::string(200, 'r') + R"(","tokens":999999999999999999,"cost_microdollars":)" +
      std::to_string(iron::domain::kMaxLedgerAmountMicros) + R"(,"model":")" + std::string(255, 'm') +
      R"(","provider":")" + std::string(64, 'p') + R"("})"));
  ASSERT_TRUE(edge.has_value()) << "every bound is inclusive, as in the field table";
  EXPECT_EQ(edge->body.tokens, 999'999'999'999'999'999);
}

TEST(BudgetReportBody, EverythingOutsideThePlainSubsetIsLeftToTheGeneralPath) {
  const auto replace = [](const std::string& from, const std::string& to) {
    std::string b = plain_body();
    b.replace(b.find(from), from.size(), to);
    return b;
  };
  const std::vector<std::string> bodies = {
      replace(R"("gpt-4o")", R"("gpt\u002d4o")"),                 // an escape: the general path decodes it
      replace(R"("gpt-4o")", R"("gpt-4\"o")"),
      replace(R"("gpt-4o")", "\"gpt-4o-\xc3\xa9\""),              // UTF-8 beyond ASCII
      replace(R"("gpt-4o")", "\"gpt\x7f\""),
      replace(R"("gpt-4o")", "null"),
      replace(R"("gpt-4o")", "\"\""),                             // too short
      replace(R"("openai")", "\"" + std::string(65, 'p') + "\""),  // too long
      replace(R"("r1-2-3")", "\"" + std::string(201, 'r') + "\""),
      replace(R"("lease_8a98d4aa-733c-434f-ab5c-db81fdc6fdcc")", "\"" + std::string(101, 'l') + "\""),
      replace(R"("tokens":10)", R"("tokens":0)"),
      replace(R"("tokens":10)", R"("tokens":010)"),
      replace(R"("tokens":10)", R"("tokens":10.0)"),
      replace(R"("tokens":10)", R"("tokens":1e1)"),
      replace(R"("tokens":10)", R"("tokens":-10)"),
      replace(R"("tokens":10)", R"("tokens":"10")"),
      replace(R"("tokens":10)", R"("tokens":9223372036854775807)"),  // 19 digits
      replace(R"("tokens":10)", R"("tokens":true)"),
      replace(R"("cost_microdollars":1)",
              R"("cost_microdollars":)" + std::to_string(iron::domain::kMaxLedgerAmountMicros + 1)),
      replace(R"("cost_microdollars":1,)", ""),                   // missing
      replace(R"("ic_token":")" + kToken + "\",", ""),            // token elsewhere (Bearer) or missing
      replace(kToken, ""),
      replace(kToken, std::string(2001, 'i')),
      plain_body(R"(,"model":"again")"),                          // a second occurrence
      plain_body(R"(,"x":null)"),
      plain_body(R"(,"x":{"y":1})"),
      plain_body(R"(,"x":[1])"),
      plain_body(R"(,"x":-1)"),
      plain_body(","),
      plain_body() + "x",
      plain_body() + "{}",
      "[" + plain_body() + "]",
      "{}",
      "",
      "{",
  };
  for (const auto& body : bodies) {
    SCOPED_TRACE(body);
    EXPECT_FALSE(iron::api::plain_report_body(request(body)).has_value());
  }
  // Content types other than the one spelling runtimes send are json_object_of's to judge.
  for (const char* ct : {"application/json; charset=utf-8", "Application/JSON", "text/plain", ""}) {
    SCOPED_TRACE(ct);
    EXPECT_FALSE(iron::api::plain_report_body(request(plain_body(), ct)).has_value());
  }
}

// Near-misses of the plain body, byte by byte: whatever the direct reading accepts, the
// general path accepts with the same values.
TEST(BudgetReportBody, NoMutationOfAPlainBodyIsReadDifferently) {
  const std::string base = plain_body(R"(,"extra":12)");
  const std::string inserts[] = {" ", "\"", "\\", ",", ":", "0", "-", "}", "{", "\x01", "\xc3\xa9"};
  for (size_t i = 0; i <= base.size(); ++i) {
    expect_same_as_general(request(base.substr(0, i) + base.substr(std::min(i + 1, base.size()))));  // deleted
    for (const auto& s : inserts) expect_same_as_general(request(base.substr(0, i) + s + base.substr(i)));
  }
}

}  // namespace
