#include "api/budget_report_body.h"

#include <string_view>

#include "domain/budget_ledger.h"

namespace iron::api {
namespace {

// Each bound once, for the field table and the direct reading alike.
constexpr size_t kLeaseIdMax = 100, kRequestIdMax = 200, kModelMax = 255, kProviderMax = 64;
constexpr int64_t kTokensMin = 1, kCostMin = 0, kCostMax = domain::kMaxLedgerAmountMicros;

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// A cursor over the body that gives up (nullopt / false) on anything outside the plain subset.
class Scanner {
 public:
  explicit Scanner(std::string_view s) : s_(s) {}

  void skip_space() {
    while (i_ < s_.size() && is_space(s_[i_])) ++i_;
  }
  bool eat(char c) {
    skip_space();
    if (i_ >= s_.size() || s_[i_] != c) return false;
    ++i_;
    return true;
  }
  bool at(char c) {
    skip_space();
    return i_ < s_.size() && s_[i_] == c;
  }
  bool at_end() {
    skip_space();
    return i_ == s_.size();
  }
  // A string of printable ASCII without escapes: its characters are then its bytes, and it
  // holds no control character, so the text rule (body.h) has nothing to refuse.
  std::optional<std::string_view> string() {
    if (!eat('"')) return std::nullopt;
    const size_t start = i_;
    for (; i_ < s_.size(); ++i_) {
      const char c = s_[i_];
      if (c == '"') return s_.substr(start, i_++ - start);
      if (c == '\\' || c < 0x20 || c > 0x7e) return std::nullopt;
    }
    return std::nullopt;
  }
  // An unsigned integer of 1..18 digits without leading zeros (always within int64).
  std::optional<int64_t> integer() {
    skip_space();
    const size_t start = i_;
    int64_t v = 0;
    while (i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9') v = v * 10 + (s_[i_++] - '0');
    const size_t digits = i_ - start;
    if (digits == 0 || digits > 18 || (digits > 1 && s_[start] == '0')) return std::nullopt;
    // A fraction or an exponent makes it a number the general path judges.
    if (i_ < s_.size() && (s_[i_] == '.' || s_[i_] == 'e' || s_[i_] == 'E')) return std::nullopt;
    return v;
  }

 private:
  std::string_view s_;
  size_t i_ = 0;
};

struct Seen {
  std::optional<std::string_view> ic_token, lease_id, request_id, model, provider;
  std::optional<int64_t> tokens, cost;
};

// Reads one member's value into its slot; false to leave the body to the general path (a
// second occurrence, a value of another type, or a form outside the plain subset).
bool read_member(Scanner& in, std::string_view key, Seen& seen) {
  const auto text = [&](std::optional<std::string_view>& slot) {
    if (slot) return false;
    slot = in.string();
    return slot.has_value();
  };
  const auto number = [&](std::optional<int64_t>& slot) {
    if (slot) return false;
    slot = in.integer();
    return slot.has_value();
  };
  if (key == "ic_token") return text(seen.ic_token);
  if (key == "lease_id") return text(seen.lease_id);
  if (key == "request_id") return text(seen.request_id);
  if (key == "tokens") return number(seen.tokens);
  if (key == "cost_microdollars") return number(seen.cost);
  if (key == "model") return text(seen.model);
  if (key == "provider") return text(seen.provider);
  // An unknown member is ignored by the field table; here it must still be a plain value.
  if (in.at('"')) return in.string().has_value();
  return in.integer().has_value();
}

bool within(const std::optional<std::string_view>& v, size_t min, size_t max) {
  return v && v->size() >= min && v->size() <= max;
}

}  // namespace

const BodyFields<ReportBody> kReportFields = BodyFields<ReportBody>()
    .text("lease_id", &ReportBody::lease_id, 1, kLeaseIdMax)
    .text("request_id", &ReportBody::request_id, 1, kRequestIdMax)
    .integer("tokens", &ReportBody::tokens, kTokensMin, INT64_MAX)
    .integer("cost_microdollars", &ReportBody::cost_microdollars, kCostMin, kCostMax).describe("µ$")
    .text("model", &ReportBody::model, 1, kModelMax)
    .text("provider", &ReportBody::provider, 1, kProviderMax);

std::optional<PlainReport> plain_report_body(const Request& req) {
  // The one spelling runtimes send; any other goes through json_object_of's normalisation.
  bool json = false;
  for (const auto& [name, value] : req.headers)
    if (name == "content-type") {
      json = value == "application/json";
      break;
    }
  if (!json) return std::nullopt;
  Scanner in(req.body);
  Seen seen;
  if (!in.eat('{')) return std::nullopt;
  if (!in.at('}')) {
    do {
      const auto key = in.string();
      if (!key || !in.eat(':') || !read_member(in, *key, seen)) return std::nullopt;
    } while (in.eat(','));
  }
  if (!in.eat('}') || !in.at_end()) return std::nullopt;
  if (!within(seen.ic_token, 1, kMaxIcTokenField) || !within(seen.lease_id, 1, kLeaseIdMax) ||
      !within(seen.request_id, 1, kRequestIdMax) || !within(seen.model, 1, kModelMax) ||
      !within(seen.provider, 1, kProviderMax) || !seen.tokens || *seen.tokens < kTokensMin || !seen.cost ||
      *seen.cost < kCostMin || *seen.cost > kCostMax)
    return std::nullopt;
  PlainReport out;
  out.body.lease_id = *seen.lease_id;
  out.body.request_id = *seen.request_id;
  out.body.tokens = *seen.tokens;
  out.body.cost_microdollars = *seen.cost;
  out.body.model = *seen.model;
  out.body.provider = *seen.provider;
  out.ic_token = *seen.ic_token;
  return out;
}

}  // namespace iron::api
