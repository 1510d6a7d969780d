#pragma once
// The price catalogue tests' fixture: one Panel per suite, prices added and events ingested
// through the API (the agent's IC token, POST /analytics/events/batch), and the event list
// read back by event id. Tests use their own provider names, so the shipped seed (openai,
// anthropic) never prices their events.
#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <set>
#include <string>

#include "support/panel.h"
#include "util/clock.h"

namespace prices_test {

// The harness (tests/support): Panel, Account, Reply, expect_error, json, ...
using namespace iron::test;

inline int64_t ms_of(const std::string& rfc3339) {
  return iron::util::to_unix_ms(*iron::util::parse_rfc3339(rfc3339));
}

inline json price(const std::string& provider, const std::string& model, int64_t input, int64_t output, int64_t cached,
                  const std::string& effective_from) {
  return {{"provider", provider}, {"model", model}, {"input_micros_per_mtok", input},
          {"output_micros_per_mtok", output}, {"cached_input_micros_per_mtok", cached},
          {"effective_from", effective_from}};
}

// An event for a batch: completed, `input` / `output` tokens, cost reported only when given.
inline json event(const std::string& id, const std::string& provider, const std::string& model, int64_t at_ms,
                  int64_t input, int64_t output, std::optional<int64_t> cost = std::nullopt) {
  json e = {{"event_id", id},        {"timestamp_ms", at_ms}, {"event_type", "llm_request_completed"},
            {"provider", provider},  {"model", model},        {"input_tokens", input},
            {"output_tokens", output}};
  if (cost) e["cost_micros"] = *cost;
  return e;
}

class PricesSuite : public PanelSuite {
 protected:
  // POST /prices as the admin, expecting 201.
  static json add_price(const json& body) {
    auto r = panel().call("POST", "/api/v1/prices", admin(), body);
    EXPECT_EQ(r.status, 201) << r.raw;
    return r.body;
  }
  // How many versions the catalogue holds for `provider`.
  static size_t versions_of(const std::string& provider) {
    auto r = panel().call("GET", "/api/v1/prices", admin());
    EXPECT_EQ(r.status, 200) << r.raw;
    size_t n = 0;
    for (const auto& p : r.body["prices"]) n += p["provider"] == provider;
    return n;
  }
  // Ingests `events` for the agent in one batch, expecting each accepted.
  static void ingest(int64_t agent_id, const json& events) {
    auto r = panel().call("POST", "/api/v1/analytics/events/batch", "",
                          {{"ic_token", panel().ic_token(agent_id)}, {"events", events}});
    ASSERT_EQ(r.status, 200) << r.raw;
    EXPECT_EQ(r.body["accepted"], events.size()) << r.raw;
  }
  // The agent's events by event_id (newest 200).
  static std::map<std::string, json> events_of(int64_t agent_id) {
    auto r = panel().call("GET", "/api/v1/analytics/events?limit=200&agent_id=" + std::to_string(agent_id), admin());
    EXPECT_EQ(r.status, 200) << r.raw;
    std::map<std::string, json> out;
    for (const auto& e : r.body["items"]) out[e["event_id"].get<std::string>()] = e;
    return out;
  }
};

}  // namespace prices_test
