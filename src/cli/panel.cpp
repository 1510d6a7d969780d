#include "cli/panel.h"

#include "cli/server_key_check.h"
#include "domain/agent_key.h"
#include "store/audit_repo.h"
#include "util/clock.h"
#include "util/log.h"

namespace iron::cli {
namespace {

int64_t days_ago_ms(int days) { return util::to_unix_ms(util::now()) - int64_t{days} * 86400 * 1000; }

domain::AlertSettings alert_settings(const config::Config& c) {
  domain::AlertSettings s;
  s.policy.allow_private = c.alert_allow_private_destinations;
  s.policy.allowed_hosts = outbound::parse_host_list(c.alert_allowed_hosts);
  s.policy.timeout_ms = c.alert_timeout_ms;
  s.policy.ca_file = c.alert_ca_file;
  s.max_attempts = c.alert_max_attempts;
  s.retry_base_ms = c.alert_retry_base_ms;
  s.smtp.host = c.smtp_host;
  s.smtp.port = c.smtp_port;
  s.smtp.tls = c.smtp_tls == "tls" ? outbound::SmtpTls::tls
               : c.smtp_tls == "none" ? outbound::SmtpTls::none
                                      : outbound::SmtpTls::starttls;
  s.smtp.username = c.smtp_username;
  s.smtp.password = c.smtp_password;
  s.smtp.allow_plaintext_auth = c.smtp_allow_plaintext_auth;
  s.smtp_from = c.smtp_from;
  return s;
}

// Joins this replica's event bus to the others' (docs/postgresql.md): events published here
// go out through NOTIFY, and theirs come in through one listening connection. A relay that
// cannot send loses that live event (the data is in the database; the dashboard resyncs).
std::unique_ptr<store::pg::EventRelay> relay_events(const std::string& url, domain::EventBus& events) {
  using namespace std::chrono_literals;
  auto relay = std::make_unique<store::pg::EventRelay>(
      url,
      store::pg::EventRelay::Handlers{
          .on_event = [&events](std::string_view payload) { events.receive_relayed(payload); },
          .on_gap = [&events] { events.publish_resync(); },
          .on_error = [](const std::string& why) { log::warn("live event relay", {{"error", why}}); }},
      10s);
  if (!relay->listening()) log::warn("live event relay not listening yet; it keeps retrying");
  events.relay_through(
      [r = relay.get()](const std::string& payload) {
        try {
          r->publish(payload);
        } catch (const std::exception& e) {
          log::warn("live event not relayed to the other replicas", {{"error", e.what()}});
        }
      },
      store::pg::EventRelay::max_payload_bytes());
  return relay;
}

}  // namespace

Panel::Panel(store::Database& db, const config::Config& c, const std::atomic<bool>& draining)
    : db_(db),
      config_(c),
      draining_(draining),
      presence_(db.engine() == store::Engine::postgres ? std::make_unique<store::pg::ReplicaPresence>(c.database_url)
                                                        : nullptr),
      keys_(load_checked_server_keys(db, c, presence_ && !presence_->first() ? JwtSecret::must_match
                                                                              : JwtSecret::may_change)),
      events_(static_cast<size_t>(c.max_event_streams)),
      relay_(db.engine() == store::Engine::postgres ? relay_events(c.database_url, events_) : nullptr),
      sessions_(db, security::JwtSigner(keys_.jwt_key)),
      accounts_(db),
      first_admin_(db, accounts_),
      api_tokens_(db),
      provider_keys_(db, keys_.master_key),
      key_fetch_(db, provider_keys_),
      ledger_(db, domain::LedgerPolicy{std::chrono::seconds(c.lease_ttl_s)}),
      agents_(db, &domain::agent_key::check_assignment),
      ic_tokens_(db),
      usage_limits_(db, events_),
      leases_(db, ledger_, events_, &provider_keys_, keys_.ip_token_key, &usage_limits_),
      budget_requests_(db, &events_),
      prices_(db),
      analytics_(db, &events_, &prices_),
      catalogue_costs_(db, prices_),
      alert_channels_(db, keys_.master_key, alert_settings(c)),
      alert_rules_(db),
      alert_delivery_(db, alert_channels_),
      services_{db,         c,        draining, sessions_, accounts_,        first_admin_,  events_,   api_tokens_,
                provider_keys_, key_fetch_, agents_, ic_tokens_, leases_, budget_requests_, usage_limits_, analytics_,
                prices_,    catalogue_costs_, alert_channels_, alert_rules_} {
  if (presence_) presence_->serving();  // the keys are settled: the next replica may start

  // A new panel starts with the shipped price list (resources/prices/seed.json).
  if (const size_t seeded = prices_.seed_if_empty(domain::embedded_price_seed()))
    log::info("price catalogue seeded", {{"prices", seeded}});

  // Credentials in clear in a base_url (rows from before migration 008) are sealed now.
  if (const size_t sealed = provider_keys_.seal_embedded_credentials())
    log::info("sealed credentials embedded in provider key base URLs", {{"keys", sealed}});

  if (auto token = first_admin_.prepare(c.admin_email, c.admin_password)) {
    // The one secret that is logged, by design: it can only create the first admin, is
    // replaced on every start and dies when used.
    log::warn("no admin account yet: open the dashboard or POST /api/v1/setup with this one-time setup token",
              {{"setup_token", *token}});
  }
}

void Panel::schedule(util::Scheduler& scheduler, util::Scheduler& alert_worker) {
  using namespace std::chrono_literals;
  if (db_.engine() == store::Engine::postgres) {
    task_guard_ = std::make_unique<store::pg::TaskGuard>(config_.database_url);
    alert_guard_ = std::make_unique<store::pg::TaskGuard>(config_.database_url);
  }
  // A task every replica shares runs one replica at a time (docs/postgresql.md).
  const auto shared = [](std::unique_ptr<store::pg::TaskGuard>& guard, util::Scheduler& on,
                         std::chrono::milliseconds period, std::string name, std::function<void()> task) {
    if (guard) task = guard->guarded(name, std::move(task));
    on.every(period, std::move(name), std::move(task));
  };
  // The outbox is polled: rows are written inside other use cases' transactions, and a
  // poll is one indexed read. Draining stops a batch between two sends.
  shared(alert_guard_, alert_worker, 250ms, "deliver_alerts", [this] { alert_delivery_.deliver_due(draining_); });
  const auto every = [&](std::chrono::milliseconds period, std::string name, std::function<void()> task) {
    shared(task_guard_, scheduler, period, std::move(name), std::move(task));
  };
  every(10min, "purge_expired_sessions", [this] { sessions_.purge_expired(); });
  every(1h, "audit_retention", [this] {
    const int64_t cutoff = days_ago_ms(config_.audit_retention_days);
    db_.write([&](store::Connection& c) { return store::audit::prune_before(c, cutoff); });
  });
  // Raw analytics events older than the retention period go; the daily rollups stay.
  every(1h, "event_retention", [this] { analytics_.prune_events_before(days_ago_ms(config_.event_retention_days)); });
  // API-token last_used_at is batched in memory; written here and once more at shutdown.
  // Each replica holds its own batch, so each flushes it: never guarded.
  scheduler.every(30s, "flush_api_token_last_used", [this] { api_tokens_.flush_last_used(); });
  // Leases past their TTL (IRON_LEASE_TTL) are expired and their unreported part released.
  every(30s, "expire_stale_leases", [this] { ledger_.expire_stale(util::now()); });
  // Periodic budgets past resets_at; every ledger operation and budget read also applies a
  // due reset itself, so this only bounds how stale an untouched budget's history gets.
  every(30s, "reset_budget_periods", [this] { domain::BudgetLedger::apply_due_resets(db_, util::now()); });
  // Usage counters are keyed by period, so limits reset by themselves; this deletes finished periods.
  every(1h, "prune_usage_counters", [this] { usage_limits_.prune_before(util::now()); });
}

void Panel::flush() {
  try {
    api_tokens_.flush_last_used();
  } catch (const std::exception& e) {
    log::error("final API-token last_used_at flush failed", {{"error", e.what()}});
  }
}

}  // namespace iron::cli
