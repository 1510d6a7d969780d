#include "domain/alert_channels.h"

#include <stdexcept>
#include <utility>

#include "domain/alert_events.h"
#include "domain/audit.h"
#include "security/aead.h"
#include "security/crypto.h"
#include "security/random.h"
#include "util/clock.h"
#include "util/json_fields.h"
#include "util/log.h"

namespace iron::domain {
namespace {

Error channel_not_found() { return Error::not_found("alert channel"); }
Error alerts_admin_only() { return Error::forbidden("managing alert channels requires the admin role"); }

std::string channel_associated_data(int64_t id, const std::string& kind) {
  return "ironpanel/alert_channel/v1:" + std::to_string(id) + ":" + kind;
}

std::optional<Error> check_channel_name(const std::string& name) {
  if (name.empty() || name.size() > kAlertNameMax) return Error::validation("name", "name must be 1..200 characters");
  return std::nullopt;
}

nlohmann::json rfc3339_ms(int64_t ms) { return util::to_rfc3339(util::from_unix_ms(ms)); }

}  // namespace

nlohmann::json alert_channel_view(const AlertChannelInfo& ch) {
  nlohmann::json v = {IRON_JSON_FIELDS(ch.row, id, name, kind, is_enabled, created_by),
                      {"url_origin", ch.row.url_display},
                      {"pending_deliveries", ch.pending},
                      {"created_at", rfc3339_ms(ch.row.created_at)},
                      {"updated_at", rfc3339_ms(ch.row.updated_at)}};
  if (ch.signing_secret) v["signing_secret"] = *ch.signing_secret;
  if (ch.email) {
    v["recipients"] = ch.email->recipients;
    v["subject_prefix"] = ch.email->subject_prefix;
  }
  return v;
}

nlohmann::json alert_delivery_view(const store::AlertDelivery& d) {
  return {IRON_JSON_FIELDS(d, id, delivery_id, event_type, attempt, outcome, status_code, error, duration_ms),
          {"at", util::to_rfc3339_millis(util::from_unix_ms(d.at))}};  // retries are ms apart
}

store::AlertDelivery logged_attempt(store::AlertDelivery attempt, const outbound::PostOutcome& sent, bool last_attempt,
                                    int64_t at) {
  attempt.status_code = sent.status;
  attempt.duration_ms = sent.duration_ms;
  attempt.at = at;
  if (sent.delivered) {
    attempt.outcome = "delivered";
  } else {
    attempt.error = sent.error;
    attempt.outcome = last_attempt ? "failed" : "retrying";
  }
  return attempt;
}

std::string webhook_signature(const std::string& secret, int64_t timestamp_s, const std::string& body) {
  return "sha256=" + security::hex_encode(security::hmac_sha256(secret, std::to_string(timestamp_s) + "." + body));
}

nlohmann::json slack_message(const nlohmann::json& payload) {
  const std::string type = payload.value("type", "");
  const std::string summary = payload.value("summary", "");
  const std::string text = "[ironpanel] " + type + ": " + summary;
  return {{"text", text},
          {"blocks",
           nlohmann::json::array(
               {{{"type", "section"}, {"text", {{"type", "mrkdwn"}, {"text", "*" + type + "*\n" + summary}}}},
                {{"type", "context"},
                 {"elements", nlohmann::json::array({{{"type", "mrkdwn"},
                                                      {"text", "ironpanel · " + payload.value("occurred_at", "") +
                                                                   " · " + payload.value("id", "")}}})}}})}};
}

AlertChannels::AlertChannels(store::Database& db, std::string master_key, AlertSettings settings)
    : db_(db), master_key_(std::move(master_key)), settings_(std::move(settings)) {
  if (master_key_.size() != security::aead::kKeyBytes)
    throw std::invalid_argument("the master key must be exactly 32 bytes");
}

void AlertChannels::seal(store::Connection& c, int64_t id, const std::string& kind, const Secrets& s) const {
  nlohmann::json plain = {{"url", s.url}, {"secret", s.secret}};
  if (kind == "email") plain["email"] = {{"recipients", s.email.recipients}, {"subject_prefix", s.email.subject_prefix}};
  const auto sealed = security::aead::seal(master_key_, plain.dump(), channel_associated_data(id, kind));
  store::alert_channels::set_sealed(c, id, sealed.ciphertext, sealed.nonce);
}

std::optional<AlertChannels::Secrets> AlertChannels::open(const store::AlertChannel& row) const {
  auto plain = security::aead::open(master_key_, {row.nonce, row.sealed}, channel_associated_data(row.id, row.kind));
  if (!plain) {
    log::error("alert channel does not decrypt: wrong master key, or the row was altered or copied",
               {{"alert_channel_id", row.id}});
    return std::nullopt;
  }
  const auto j = nlohmann::json::parse(*plain, nullptr, false);
  if (!j.is_object()) return std::nullopt;
  Secrets s{j.value("url", ""), j.value("secret", ""), {}};
  if (const auto e = j.find("email"); e != j.end() && e->is_object()) {
    s.email.recipients = e->value("recipients", std::vector<std::string>{});
    s.email.subject_prefix = e->value("subject_prefix", "");
  }
  return s;
}

AlertChannelInfo AlertChannels::info(store::AlertChannel row, int64_t pending) const {
  AlertChannelInfo out{std::move(row), pending, std::nullopt, std::nullopt};
  if (out.row.kind == "email")
    if (auto s = open(out.row)) out.email = s->email;
  return out;
}

Result<std::string> AlertChannels::checked_display(const std::string& url) const {
  auto parsed = outbound::parse_url(url);
  if (!parsed) return parsed.error();
  if (auto e = outbound::check_without_lookup(*parsed, settings_.policy)) return *e;
  return parsed->origin();
}

Result<AlertChannelInfo> AlertChannels::create(const Principal& caller, const NewAlertChannel& in,
                                               const RequestContext& ctx) {
  if (!caller.is_admin()) return alerts_admin_only();
  if (auto e = check_channel_name(in.name)) return *e;
  if (in.kind != "webhook" && in.kind != "slack" && in.kind != "email")
    return Error::validation("kind", "kind must be one of: webhook, slack, email");
  std::string display;
  if (in.kind == "email") {
    if (!settings_.smtp.configured())
      return Error::conflict("SMTP_NOT_CONFIGURED",
                             "email channels need an SMTP relay: the operator sets IRON_SMTP_HOST and IRON_SMTP_FROM "
                             "(docs/alerts.md)");
    if (!in.url.empty()) return Error::validation("url", "an email channel has no url: give recipients");
    if (auto e = check_email_target(in.email)) return *e;
    display = email_display(in.email);
  } else {
    auto checked = checked_display(in.url);
    if (!checked) return checked.error();
    if (!in.email.recipients.empty() || !in.email.subject_prefix.empty())
      return Error::validation(in.email.recipients.empty() ? "subject_prefix" : "recipients",
                               "only email channels have recipients and a subject prefix");
    display = *checked;
  }
  return db_.write([&](store::Connection& c) -> Result<AlertChannelInfo> {
    store::AlertChannel row;
    row.name = in.name;
    row.kind = in.kind;
    row.url_display = display;
    row.sealed = row.nonce = std::string();  // replaced below, once the id is known
    row.created_by = caller.user_id;
    row.created_at = row.updated_at = util::now_unix_ms();
    row.id = store::alert_channels::insert(c, row);
    Secrets s{in.url, in.kind == "webhook" ? "whsec_" + security::random_base62(40) : std::string(), in.email};
    seal(c, row.id, row.kind, s);
    AlertChannelInfo out{row, 0, std::nullopt, std::nullopt};
    if (in.kind == "email") out.email = in.email;
    audit(c, ctx, "alert_channel.create", "alert_channel", std::to_string(row.id), nullptr, alert_channel_view(out));
    if (!s.secret.empty()) out.signing_secret = s.secret;  // shown once, never audited
    return out;
  });
}

Result<std::vector<AlertChannelInfo>> AlertChannels::list(const Principal& caller) {
  if (!caller.is_admin()) return alerts_admin_only();
  return db_.read([&](store::Connection& c) {
    std::vector<AlertChannelInfo> out;
    for (auto& row : store::alert_channels::list(c)) {
      const int64_t pending = store::alert_outbox::count_pending(c, row.id);
      out.push_back(info(std::move(row), pending));
    }
    return out;
  });
}

Result<AlertChannelInfo> AlertChannels::get(const Principal& caller, int64_t id) {
  if (!caller.is_admin()) return alerts_admin_only();
  return db_.read([&](store::Connection& c) -> Result<AlertChannelInfo> {
    auto row = store::alert_channels::find(c, id);
    if (!row) return channel_not_found();
    return info(*row, store::alert_outbox::count_pending(c, id));
  });
}

Result<AlertChannelInfo> AlertChannels::update(const Principal& caller, int64_t id, const AlertChannelChanges& changes,
                                               const RequestContext& ctx) {
  if (!caller.is_admin()) return alerts_admin_only();
  if (changes.empty())
    return Error::validation("body", "nothing to update: give name, url, recipients, subject_prefix or is_enabled");
  if (changes.name)
    if (auto e = check_channel_name(*changes.name)) return *e;
  std::optional<std::string> display;
  if (changes.url) {
    auto d = checked_display(*changes.url);
    if (!d) return d.error();
    display = *d;
  }
  return db_.write([&](store::Connection& c) -> Result<AlertChannelInfo> {
    auto row = store::alert_channels::find(c, id);
    if (!row) return channel_not_found();
    const auto before = alert_channel_view(info(*row, store::alert_outbox::count_pending(c, id)));
    const bool email = row->kind == "email";
    if (email && changes.url) return Error::validation("url", "an email channel has no url: change recipients");
    if (!email && (changes.recipients || changes.subject_prefix))
      return Error::validation(changes.recipients ? "recipients" : "subject_prefix",
                               "only email channels have recipients and a subject prefix");
    EmailTarget opened_email;
    if (changes.url || changes.recipients || changes.subject_prefix) {
      auto secrets = open(*row);
      if (!secrets) return Error::internal("the stored alert channel cannot be decrypted");
      if (changes.url) {
        secrets->url = *changes.url;  // the signing secret stays
        row->url_display = *display;
      }
      if (changes.recipients) secrets->email.recipients = *changes.recipients;
      if (changes.subject_prefix) secrets->email.subject_prefix = *changes.subject_prefix;
      if (email) {
        if (auto e = check_email_target(secrets->email)) return *e;
        row->url_display = email_display(secrets->email);
      }
      seal(c, id, row->kind, *secrets);
      opened_email = secrets->email;
    }
    if (changes.name) row->name = *changes.name;
    if (changes.is_enabled) row->is_enabled = *changes.is_enabled;
    row->updated_at = util::now_unix_ms();
    store::alert_channels::update(c, *row);
    AlertChannelInfo out = info(*row, store::alert_outbox::count_pending(c, id));
    if (email && (changes.recipients || changes.subject_prefix)) out.email = opened_email;  // row.sealed is the old one
    audit(c, ctx, "alert_channel.update", "alert_channel", std::to_string(id), before, alert_channel_view(out));
    return out;
  });
}

Status AlertChannels::remove(const Principal& caller, int64_t id, const RequestContext& ctx) {
  if (!caller.is_admin()) return alerts_admin_only();
  return db_.write([&](store::Connection& c) -> Status {
    auto row = store::alert_channels::find(c, id);
    if (!row) return channel_not_found();
    const auto before = alert_channel_view(info(*row, store::alert_outbox::count_pending(c, id)));
    store::alert_channels::remove(c, id);
    audit(c, ctx, "alert_channel.delete", "alert_channel", std::to_string(id), before, nullptr);
    return ok_status();
  });
}

outbound::PostOutcome AlertChannels::send(const store::AlertChannel& channel, const nlohmann::json& payload) const {
  const auto secrets = open(channel);
  if (!secrets) return {false, std::nullopt, "the stored channel configuration cannot be decrypted", 0};
  if (channel.kind == "email") {
    const auto m = alert_email(payload, settings_.smtp_from, secrets->email, util::now_unix_ms());
    return outbound::send_mail(settings_.smtp, m.from, m.to, outbound::render_message(m), settings_.policy);
  }
  if (channel.kind == "slack") return outbound::post(secrets->url, {}, slack_message(payload).dump(), "application/json", settings_.policy);
  const std::string body = payload.dump();
  const int64_t ts = util::now_unix_ms() / 1000;
  outbound::HeaderList headers = {{"X-Ironpanel-Timestamp", std::to_string(ts)},
                                  {"X-Ironpanel-Signature", webhook_signature(secrets->secret, ts, body)},
                                  {"X-Ironpanel-Event", payload.value("type", "")},
                                  {"X-Ironpanel-Delivery", payload.value("id", "")}};
  return outbound::post(secrets->url, headers, body, "application/json", settings_.policy);
}

Result<TestOutcome> AlertChannels::send_test(const Principal& caller, int64_t id, const RequestContext& ctx) {
  if (!caller.is_admin()) return alerts_admin_only();
  auto row = db_.read([&](store::Connection& c) { return store::alert_channels::find(c, id); });
  if (!row) return channel_not_found();
  const std::string delivery_id = "dlv_" + security::uuid_v4();
  const AlertEvent event{alert_type::test, delivery_id, "Test alert from ironpanel: this channel works.",
                         {{"channel_id", id}, {"requested_by", caller.user_id}}};
  TestOutcome out{send(*row, alert_payload(delivery_id, event, 0, util::now_unix_ms())), delivery_id};
  db_.write([&](store::Connection& c) {
    store::AlertDelivery test;
    test.channel_id = id;
    test.delivery_id = delivery_id;
    test.event_type = alert_type::test;
    test.attempt = 1;
    // A test is sent once: a refusal is final.
    const store::AlertDelivery d = logged_attempt(std::move(test), out.outcome, /*last_attempt=*/true, util::now_unix_ms());
    // The channel may have been deleted while the test was in flight: then there is no log.
    if (!store::alert_channels::find(c, id)) return 0;
    store::alert_deliveries::insert(c, d);
    audit(c, ctx, "alert_channel.test", "alert_channel", std::to_string(id), nullptr,
          {{"delivery_id", delivery_id}, {"outcome", d.outcome}, {"status_code", alert_delivery_view(d)["status_code"]}});
    return 0;
  });
  return out;
}

Result<std::vector<store::AlertDelivery>> AlertChannels::deliveries(const Principal& caller, int64_t id,
                                                                    std::optional<int64_t> before_id, int64_t limit) {
  if (!caller.is_admin()) return alerts_admin_only();
  return db_.read([&](store::Connection& c) -> Result<std::vector<store::AlertDelivery>> {
    if (!store::alert_channels::find(c, id)) return channel_not_found();
    return store::alert_deliveries::list(c, id, before_id, limit);
  });
}

}  // namespace iron::domain
