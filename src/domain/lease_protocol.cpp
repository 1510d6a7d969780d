#include "domain/lease_protocol.h"

#include "util/clock.h"

namespace iron::domain {

void LeaseProtocol::publish(const std::string& type, const AgentIdentity& who, nlohmann::json data) {
  data["agent_id"] = who.agent_id;
  events_.publish({0, type, who.owner_id, std::move(data)});
}

Result<ReportOutcome> LeaseProtocol::report(const std::string& ic_token, const std::string& lease_id,
                                            const UsageReport& usage, const RequestContext& ctx) {
  auto who = ic_tokens_.authenticate(ic_token);
  if (!who) return who.error();
  auto out = ledger_.report(lease_id, who->agent_id, usage, util::now(), agent_context(*who, ctx));
  if (out && !out->replayed)
    publish("lease.reported", *who,
            {{"lease_id", lease_id},
             {"request_id", usage.request_id},
             {"cost_microdollars", out->cost},
             {"tokens", usage.tokens},
             {"lease_spent", out->lease_spent},
             {"budget_remaining", out->budget_remaining}});
  return out;
}

Result<ReturnOutcome> LeaseProtocol::give_back(const std::string& ic_token, const std::string& lease_id,
                                               std::optional<int64_t> client_spent, const RequestContext& ctx) {
  auto who = ic_tokens_.authenticate(ic_token);
  if (!who) return who.error();
  auto out = ledger_.release(lease_id, who->agent_id, util::now(), agent_context(*who, ctx));
  if (!out) return out.error();
  publish("lease.closed", *who,
          {{"lease_id", lease_id},
           {"returned", out->returned},
           {"lease_spent", out->lease_spent},
           {"budget_remaining", out->budget_remaining}});
  return ReturnOutcome{*out, client_spent};
}

Result<RefreshOutcome> LeaseProtocol::refresh(const std::string& ic_token, const std::string& lease_id,
                                              int64_t requested, const RequestContext& ctx) {
  auto who = ic_tokens_.authenticate(ic_token);
  if (!who) return who.error();
  auto out = ledger_.refresh(lease_id, who->agent_id, requested, util::now(), agent_context(*who, ctx));
  if (!out) return out;
  nlohmann::json data = {{"closed_lease_id", out->closed_lease_id},
                         {"released", out->released},
                         {"status", out->approved ? "approved" : "denied"},
                         {"budget_remaining", out->budget_remaining}};
  if (out->lease) {
    data["lease_id"] = out->lease->id;
    data["budget_granted"] = out->lease->granted;
  }
  publish("lease.refreshed", *who, std::move(data));
  return out;
}

}  // namespace iron::domain
