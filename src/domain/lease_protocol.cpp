#include "domain/lease_protocol.h"

#include "domain/agent_key.h"
#include "domain/model_allow_list.h"
#include "security/ip_token.h"
#include "store/agent_repo.h"
#include "store/provider_key_repo.h"
#include "util/clock.h"

namespace iron::domain {

namespace {
// Runs work(c, who) in one write transaction after the IC token's check there, so a token
// revoked a moment ago moves no money. `who` is set once the token checked out, for the live
// event published after the commit.
template <class Work>
auto write_as_agent(store::Database& db, const std::string& ic_token, std::optional<AgentIdentity>& who, Work&& work) {
  using R = decltype(work(std::declval<store::Connection&>(), std::declval<const AgentIdentity&>()));
  return db.write([&](store::Connection& c) -> R {
    auto checked = IcTokens::authenticate_in(c, ic_token);
    if (!checked) return checked.error();
    who = *checked;
    return work(c, *who);
  });
}
}  // namespace

void LeaseProtocol::publish(const std::string& type, const AgentIdentity& who, nlohmann::json data) {
  data["agent_id"] = who.agent_id;
  events_.publish({0, type, who.owner_id, std::move(data)});
}

Result<HandshakeOutcome> LeaseProtocol::handshake(const std::string& ic_token, const HandshakeRequest& in,
                                                  const RequestContext& ctx) {
  if (!provider_keys_ || ip_token_key_.size() != security::kIpTokenKeyBytes)
    return Error{ErrorKind::unavailable, "CRYPTO_UNAVAILABLE", "the handshake is not available on this server",
                 nlohmann::json::object(), 0};
  std::optional<AgentIdentity> who_out;
  auto out = write_as_agent(db_, ic_token, who_out,
                            [&](store::Connection& c, const AgentIdentity& who) -> Result<HandshakeOutcome> {
    // The owner's usage limits gate new budget (the predecessor stored limits, never checked them).
    if (limits_) {
      if (auto st = limits_->check_in(c, who.owner_id, std::nullopt, util::now()); !st) return st.error();
    }
    // A model the agent may not use gets no lease at all, not a lease rolled back later.
    if (auto st = check_requested_model(store::agents::allowed_models_of(c, who.agent_id), "this agent", in.provider,
                                        in.model);
        !st)
      return st.error();
    auto lease = ledger_.reserve_in(c, who.agent_id, in.requested, util::now(), agent_context(who, ctx));
    if (!lease) return lease.error();
    // From here on every refusal returns an error, which rolls the reservation back.
    const auto agent = store::agents::find_by_id(c, who.agent_id);
    if (!agent) return Error::unauthenticated("INVALID_IC_TOKEN", "the IC token's agent no longer exists");
    // The one agent-key rule (agent_key.h), the same answers as the agent key fetch.
    auto key = agent_key::usable_key(c, *agent);
    if (!key) return key.error();
    if (in.provider_key_id && *in.provider_key_id != key->id) {
      Error e = Error::forbidden("provider_key_id is not the key assigned to this agent", "PROVIDER_KEY_MISMATCH");
      e.details["field"] = "provider_key_id";
      return e;
    }
    if (key->provider != in.provider) {
      Error e = Error::forbidden("provider does not match the agent's key", "PROVIDER_MISMATCH");
      e.details = {{"field", "provider"}, {"expected", key->provider}};
      return e;
    }
    auto plain = provider_keys_->open_row(*key);
    if (!plain) return plain.error();
    auto ip = security::seal_ip_token(ip_token_key_, *plain);
    if (!ip)
      return Error{ErrorKind::unavailable, "CRYPTO_UNAVAILABLE", "AES-256-GCM is not available on this CPU",
                   nlohmann::json::object(), 0};
    return HandshakeOutcome{*lease, *ip};
  });
  if (out)
    publish("lease.opened", *who_out,
            {{"lease_id", out->lease.id},
             {"budget_granted", out->lease.granted},
             {"budget_remaining", out->lease.remaining_after},
             {"provider", in.provider}});
  return out;
}

void LeaseProtocol::report(const std::string& ic_token, const std::string& lease_id, const UsageReport& usage,
                           util::Completion<Result<ReportOutcome>> done) {
  // What the write's body leaves for after its commit: the agent and the usage-limit alerts due.
  struct Report {
    std::string ic_token, lease_id;
    UsageReport usage;
    std::optional<AgentIdentity> who;
    std::vector<LiveEvent> alerts;
  };
  auto r = std::make_shared<Report>(Report{ic_token, lease_id, usage, std::nullopt, {}});
  // The IC token check, the ledger move and the usage-limit counters commit together: an
  // acknowledged report is counted, and a crash loses neither the money nor the count.
  db_.write_async(
      [this, r](store::Connection& c) -> Result<ReportOutcome> {
        auto checked = IcTokens::authenticate_in(c, r->ic_token);
        if (!checked) return checked.error();
        r->who = *checked;
        const auto now = util::now();
        auto report = ledger_.report_in(c, r->lease_id, r->who->agent_id, r->usage, now);
        // Counters follow accepted reports (a replay moved nothing, so it counts nothing). The
        // alerts are assigned on every run, never added to: the body may run again.
        r->alerts = report && !report->replayed && limits_
                        ? limits_->record_in(c, r->who->owner_id, std::nullopt, r->usage.tokens,
                                             r->usage.cost_microdollars, now)
                        : std::vector<LiveEvent>{};
        return report;
      },
      [this, r, done = std::move(done)](const std::function<Result<ReportOutcome>()>& outcome) {
        util::hand_on(outcome, done, [&](const ReportOutcome& out) { published(*r->who, r->usage, out, r->alerts); });
      });
}

void LeaseProtocol::published(const AgentIdentity& who, const UsageReport& usage, const ReportOutcome& out,
                              std::vector<LiveEvent>& alerts) {
  if (limits_) limits_->publish_alerts(std::move(alerts));
  if (out.replayed) return;
  // Member by member: an initializer list copies every value once more and checks each
  // element for being a pair (~10k instructions of a report under callgrind, this ~4k).
  nlohmann::json data = nlohmann::json::object();
  data["lease_id"] = out.lease_id;
  data["request_id"] = usage.request_id;
  data["cost_microdollars"] = out.cost;
  data["tokens"] = usage.tokens;
  data["lease_spent"] = out.lease_spent;
  data["budget_remaining"] = out.budget_remaining;
  publish("lease.reported", who, std::move(data));
}

Result<ReturnOutcome> LeaseProtocol::give_back(const std::string& ic_token, const std::string& lease_id,
                                               std::optional<int64_t> client_spent, const RequestContext& ctx) {
  std::optional<AgentIdentity> who_out;
  auto out = write_as_agent(db_, ic_token, who_out,
                            [&](store::Connection& c, const AgentIdentity& who) -> Result<ReleaseOutcome> {
    return ledger_.release_in(c, lease_id, who.agent_id, util::now(), agent_context(who, ctx));
  });
  if (!out) return out.error();
  publish("lease.closed", *who_out,
          {{"lease_id", lease_id},
           {"returned", out->returned},
           {"lease_spent", out->lease_spent},
           {"budget_remaining", out->budget_remaining}});
  return ReturnOutcome{*out, client_spent};
}

Result<RefreshOutcome> LeaseProtocol::refresh(const std::string& ic_token, const std::string& lease_id,
                                              int64_t requested, const RequestContext& ctx) {
  std::optional<AgentIdentity> who_out;
  auto out = write_as_agent(db_, ic_token, who_out,
                            [&](store::Connection& c, const AgentIdentity& who) -> Result<RefreshOutcome> {
    const auto now = util::now();
    if (limits_) {
      if (auto st = limits_->check_in(c, who.owner_id, std::nullopt, now); !st) return st.error();
    }
    return ledger_.refresh_in(c, lease_id, who.agent_id, requested, now, agent_context(who, ctx));
  });
  if (!out) return out;
  nlohmann::json data = {{"closed_lease_id", out->closed_lease_id},
                         {"released", out->released},
                         {"status", out->approved ? "approved" : "denied"},
                         {"budget_remaining", out->budget_remaining}};
  if (out->lease) {
    data["lease_id"] = out->lease->id;
    data["budget_granted"] = out->lease->granted;
  }
  publish("lease.refreshed", *who_out, std::move(data));
  return out;
}

}  // namespace iron::domain
