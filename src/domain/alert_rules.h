#pragma once
// Alert rules (docs/alerts.md): a rule sends the event types it names (alert_events.h) to
// its channels. Admins only; every mutation writes its audit row in the same transaction.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "domain/principal.h"
#include "store/alert_repo.h"
#include "store/database.h"
#include "util/result.h"

namespace iron::domain {

struct AlertRuleInput {
  std::optional<std::string> name;
  std::optional<std::vector<std::string>> event_types;  // 1..n known types
  std::optional<std::vector<int64_t>> channel_ids;      // 1..n existing channels
  std::optional<bool> is_enabled;
};

nlohmann::json alert_rule_view(const store::AlertRule& r);

// Error codes: NOT_FOUND, VALIDATION_ERROR [validation: an unknown event type, a channel that
// does not exist], FORBIDDEN (non-admins).
class AlertRules {
 public:
  explicit AlertRules(store::Database& db) : db_(db) {}

  // name, event_types and channel_ids required; is_enabled defaults to true.
  Result<store::AlertRule> create(const Principal& caller, const AlertRuleInput& in, const RequestContext& ctx);
  Result<std::vector<store::AlertRule>> list(const Principal& caller);
  Result<store::AlertRule> get(const Principal& caller, int64_t id);
  // Absent fields stay unchanged; the lists given replace the stored ones.
  Result<store::AlertRule> update(const Principal& caller, int64_t id, const AlertRuleInput& in,
                                  const RequestContext& ctx);
  Status remove(const Principal& caller, int64_t id, const RequestContext& ctx);

 private:
  store::Database& db_;
};

}  // namespace iron::domain
