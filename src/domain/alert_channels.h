#pragma once
// Notification channels (docs/alerts.md), managed by admins: `webhook` (a signed JSON POST),
// `slack` (a Slack-compatible incoming webhook: Slack, Mattermost, Rocket.Chat) and `email`
// (recipients of a message through the operator's SMTP relay, domain/alert_email.h). A
// channel's URL and signing secret (an email channel's recipients and subject prefix) are sealed under the master key (security/aead.h) with
// associated data naming the row; no response, log line or audit row carries either — the
// list shows the URL's origin only, and a webhook's secret is returned once, by create.
// Every mutation writes its audit row in the same transaction.
//
// send() is the one way a message leaves for a channel (the delivery worker and "send test"
// both use it): the payload shaped for the channel's kind, signed for webhooks, posted under
// the outbound rules (outbound/http_post.h) or mailed through the relay (outbound/smtp_client.h).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "domain/alert_email.h"
#include "domain/principal.h"
#include "outbound/http_post.h"
#include "outbound/smtp_client.h"
#include "store/alert_repo.h"
#include "store/database.h"
#include "util/result.h"

namespace iron::domain {

constexpr size_t kAlertNameMax = 200;

// How outbound alert requests behave (IRON_ALERT_* settings, config/options.cpp).
struct AlertSettings {
  outbound::Policy policy;
  int max_attempts = 8;             // per outbox row, then `failed`
  int64_t retry_base_ms = 30'000;   // attempt n waits base * 2^(n-1) ...
  int64_t retry_max_ms = 3'600'000; // ... at most this
  outbound::SmtpRelay smtp;         // email channels (IRON_SMTP_*); no host = none can be created
  std::string smtp_from;            // the sender of email alerts
};

struct NewAlertChannel {
  std::string name;
  std::string kind;  // webhook | slack | email
  std::string url;   // webhook and slack
  EmailTarget email; // email
};

// PUT /alert-channels/:id. Absent = unchanged.
struct AlertChannelChanges {
  std::optional<std::string> name;
  std::optional<std::string> url;
  std::optional<bool> is_enabled;
  std::optional<std::vector<std::string>> recipients;  // email channels only
  std::optional<std::string> subject_prefix;           // email channels only
  bool empty() const { return !name && !url && !is_enabled && !recipients && !subject_prefix; }
};

struct AlertChannelInfo {
  store::AlertChannel row;
  int64_t pending = 0;                        // outbox rows not yet delivered
  std::optional<std::string> signing_secret;  // create only, webhooks only
  std::optional<EmailTarget> email;           // email channels
};

// The channel as responses and audit rows show it: never the full URL or the secret
// (except `signing_secret` in the create answer).
nlohmann::json alert_channel_view(const AlertChannelInfo& ch);
nlohmann::json alert_delivery_view(const store::AlertDelivery& d);
// The delivery log's row of one send: `attempt` says which (channel, outbox row, delivery id,
// event type, attempt number); the outcome is delivered, else failed on the last attempt, else
// retrying. Shared by the outbox worker and the channel test.
store::AlertDelivery logged_attempt(store::AlertDelivery attempt, const outbound::PostOutcome& sent, bool last_attempt,
                                    int64_t at);

// The webhook signature: "sha256=" + hex(HMAC-SHA256(secret, timestamp + "." + body)).
std::string webhook_signature(const std::string& secret, int64_t timestamp_s, const std::string& body);
// The Slack-compatible body {"text", "blocks"} for an alert payload.
nlohmann::json slack_message(const nlohmann::json& payload);

struct TestOutcome {
  outbound::PostOutcome outcome;
  std::string delivery_id;
};

// Error codes: NOT_FOUND, VALIDATION_ERROR, DESTINATION_REFUSED [validation], FORBIDDEN
// (non-admins), SMTP_NOT_CONFIGURED [conflict] (an email channel without a relay).
class AlertChannels {
 public:
  // `master_key`: the 32-byte ServerKeys::master_key (std::invalid_argument otherwise).
  AlertChannels(store::Database& db, std::string master_key, AlertSettings settings);

  Result<AlertChannelInfo> create(const Principal& caller, const NewAlertChannel& in, const RequestContext& ctx);
  Result<std::vector<AlertChannelInfo>> list(const Principal& caller);
  Result<AlertChannelInfo> get(const Principal& caller, int64_t id);
  Result<AlertChannelInfo> update(const Principal& caller, int64_t id, const AlertChannelChanges& changes,
                                  const RequestContext& ctx);
  Status remove(const Principal& caller, int64_t id, const RequestContext& ctx);
  // Sends a `test` alert now and logs the attempt in the channel's delivery log.
  Result<TestOutcome> send_test(const Principal& caller, int64_t id, const RequestContext& ctx);
  // The channel's attempts, newest first (cursor: rows with id < before_id).
  Result<std::vector<store::AlertDelivery>> deliveries(const Principal& caller, int64_t id,
                                                       std::optional<int64_t> before_id, int64_t limit);

  // Posts `payload` (alert_payload's shape) to the channel, shaped for its kind.
  outbound::PostOutcome send(const store::AlertChannel& channel, const nlohmann::json& payload) const;
  const AlertSettings& settings() const { return settings_; }

 private:
  struct Secrets {
    std::string url;
    std::string secret;  // webhooks only
    EmailTarget email;   // email channels only
  };
  void seal(store::Connection& c, int64_t id, const std::string& kind, const Secrets& s) const;
  std::optional<Secrets> open(const store::AlertChannel& row) const;
  Result<std::string> checked_display(const std::string& url) const;
  // The row with its email target opened (email channels), as responses show it.
  AlertChannelInfo info(store::AlertChannel row, int64_t pending) const;

  store::Database& db_;
  std::string master_key_;
  AlertSettings settings_;
};

}  // namespace iron::domain
