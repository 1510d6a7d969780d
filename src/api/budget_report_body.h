#pragma once
// The body of POST /budget/report, the lease protocol's busiest call (every model call of
// every agent runtime): its field table, and a direct reading of the plain body a runtime
// sends, so the common report skips building a JSON tree (~40k of a report's ~270k
// instructions under callgrind went to the tree and the field table's lookups).
//
// plain_report_body() is a shortcut, never a second set of rules: it accepts only a body the
// field table would accept with the same values — Content-Type exactly application/json, one
// flat object of printable-ASCII strings without escapes and of unsigned integers of at most
// 18 digits, each known member at most once, every field present and in bounds, and a
// non-empty ic_token — and answers nullopt for anything else, which then takes the general
// path (json_object_of, agent_token_of, kReportFields) and gets its usual answer or error.
#include <cstdint>
#include <optional>
#include <string>

#include "api/body.h"
#include "api/http_types.h"

namespace iron::api {

struct ReportBody {
  std::string lease_id, request_id;
  int64_t tokens = 0, cost_microdollars = 0;
  std::string model, provider;
};

extern const BodyFields<ReportBody> kReportFields;

// The longest ic_token the body field may hold (the schema's and agent_token_of's bound).
inline constexpr size_t kMaxIcTokenField = 2000;

struct PlainReport {
  ReportBody body;
  std::string ic_token;
};

std::optional<PlainReport> plain_report_body(const Request& req);

}  // namespace iron::api
