#pragma once
// The identity an agent's IC token proves. The IcTokens class (issue / verify / regenerate /
// revoke) lands from the agents branch; this header holds only the struct analytics
// ingestion needs, so both branches agree on it.
#include <cstdint>
#include <string>

namespace iron::domain {

struct AgentIdentity {
  int64_t agent_id;
  std::string owner_id;
};

}  // namespace iron::domain
