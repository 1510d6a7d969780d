#pragma once
// The append-only audit log.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/sqlite.h"

namespace iron::store {

struct AuditRow {
  int64_t id = 0;
  int64_t at = 0;
  std::optional<std::string> actor_id;
  std::string actor_type;
  std::string action;
  std::optional<std::string> entity_type;
  std::optional<std::string> entity_id;
  std::optional<std::string> before_json;
  std::optional<std::string> after_json;
  std::optional<std::string> request_id;
  std::optional<std::string> client_ip;
  std::optional<std::string> user_agent;
};

struct AuditFilter {
  std::optional<std::string> actor_id;
  std::optional<std::string> entity_type;
  std::optional<std::string> entity_id;
  std::optional<std::string> action;
  std::optional<int64_t> from_ms;
  std::optional<int64_t> to_ms;
  std::optional<int64_t> before_id;  // cursor: rows with id < before_id, newest first
  int64_t limit = 50;
};

namespace audit {
void append(Connection& c, const AuditRow& row);
std::vector<AuditRow> list(Connection& c, const AuditFilter& f);
int64_t prune_before(Connection& c, int64_t cutoff_ms);
}  // namespace audit

}  // namespace iron::store
