// `ironpanel serve`: validate configuration, open the data dir, migrate, serve until
// SIGTERM, drain, checkpoint, exit 0.
#include "util/build_info.h"
#include <sodium.h>
#include <unistd.h>

#include <csignal>
#include <condition_variable>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

#include "api/routes.h"
#include "domain/accounts.h"
#include "domain/agents.h"
#include "domain/budget_ledger.h"
#include "domain/ic_tokens.h"
#include "domain/lease_protocol.h"
#include "domain/event_bus.h"
#include "domain/analytics.h"
#include "domain/api_tokens.h"
#include "domain/budget_requests.h"
#include "domain/usage_limits.h"
#include "domain/first_admin.h"
#include "domain/provider_keys.h"
#include "domain/sessions.h"
#include "security/server_keys.h"
#include "store/audit_repo.h"
#include "util/clock.h"
#include "util/scheduler.h"
#include "cli/commands.h"
#include "security/crypto.h"
#include "security/ip_token.h"
#include "security/random.h"
#include "server/http_server.h"
#include "server/signals.h"
#include "server/static_route.h"
#include "store/data_dir.h"
#include "store/database.h"
#include "util/log.h"
#include "web/disk_asset_source.h"
#include "web/embedded_asset_source.h"

namespace iron::cli {
namespace {

// Forces the process down if draining overruns the deadline (a stuck request, a client
// that never reads). Cancelled when shutdown completes in time.
class ShutdownDeadline {
 public:
  void arm(int seconds) {
    thread_ = std::thread([this, seconds] {
      std::unique_lock lock(mutex_);
      if (!cv_.wait_for(lock, std::chrono::seconds(seconds), [this] { return done_; })) {
        log::error("shutdown deadline exceeded; forcing exit", {{"timeout_s", seconds}});
        _exit(1);
      }
    });
  }
  ~ShutdownDeadline() {
    {
      std::lock_guard lock(mutex_);
      done_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
  }

 private:
  std::thread thread_;
  std::mutex mutex_;
  std::condition_variable cv_;
  bool done_ = false;
};

void wipe_for_development(const std::string& data_dir) {
  const std::string db = store::database_path(data_dir);
  log::warn("IRON_DEPLOYMENT_MODE=development: DELETING the database at start", {{"database", db}});
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(db + suffix);
}

std::unique_ptr<web::AssetSource> asset_source(const config::Config& c) {
  if (!c.assets_dir.empty()) return std::make_unique<web::DiskAssetSource>(c.assets_dir);
  return std::make_unique<web::EmbeddedAssetSource>();
}

// The 32-byte key the handshake's IP tokens are sealed under: IRON_IP_TOKEN_KEY or the file
// named by IRON_IP_TOKEN_KEY_FILE (64 hex characters), else generated once into the data dir.
std::string ip_token_key(const std::string& data_dir) {
  std::string hex;
  if (const char* v = std::getenv("IRON_IP_TOKEN_KEY"); v && *v) {
    hex = v;
  } else if (const char* f = std::getenv("IRON_IP_TOKEN_KEY_FILE"); f && *f) {
    std::ifstream in(f);
    if (!in) throw std::runtime_error(std::string("IRON_IP_TOKEN_KEY_FILE: cannot read ") + f);
    std::getline(in, hex);
  } else {
    hex = store::read_or_create_secret_file(data_dir, "ip_token.key", security::random_hex(security::kIpTokenKeyBytes));
  }
  while (!hex.empty() && std::isspace(static_cast<unsigned char>(hex.back()))) hex.pop_back();
  auto key = security::hex_decode(hex);
  if (hex.size() != 2 * security::kIpTokenKeyBytes || !key)
    throw std::runtime_error("the IP-token key must be 64 hex characters (IRON_IP_TOKEN_KEY / ip_token.key)");
  return *key;
}

}  // namespace

CLI::App* add_serve(CLI::App& app, Invocation& inv) {
  config::add_serve_options(app, inv.config);
  auto* cmd = app.add_subcommand("serve", "Serve the API and dashboard (the default command)");
  config::add_serve_options(*cmd, inv.config);
  return cmd;
}

int run_serve(Invocation& inv) {
  auto& c = inv.config;
  if (auto e = config::resolve_secrets(c)) return fail(*e);
  if (auto e = config::validate(c)) return fail(*e);
  log::Level level{};
  log::Format format{};
  log::parse_level(c.log_level, level);
  log::parse_format(c.log_format, format);
  log::configure(format, level);
  security::init();

  const auto t0 = std::chrono::steady_clock::now();
  store::ensure_data_dir(c.data_dir);
  store::DataDirLock lock(c.data_dir);
  if (c.mode == config::DeploymentMode::development) wipe_for_development(c.data_dir);
  store::Database db(store::database_path(c.data_dir));

  const auto keys = security::load_server_keys(c.jwt_secret, c.master_key, c.data_dir);
  domain::Sessions sessions(db, security::JwtSigner(keys.jwt_key));
  domain::Accounts accounts(db);
  domain::FirstAdmin first_admin(db, accounts);
  domain::ApiTokens api_tokens(db);
  domain::BudgetLedger ledger(db, domain::LedgerPolicy{std::chrono::seconds(c.lease_ttl_s)});
  domain::Agents agents(db, &domain::ProviderKeys::resolve_for_agent);
  domain::IcTokens ic_tokens(db);
  domain::ProviderKeys provider_keys(db, keys.master_key);
  if (auto token = first_admin.prepare(c.admin_email, c.admin_password)) {
    // The one secret that is logged, by design: it can only create the first admin, is
    // replaced on every start and dies when used. Printed on stderr too for `docker logs`.
    log::warn("no admin account yet: open the dashboard or POST /api/v1/setup with this one-time setup token",
              {{"setup_token", *token}});
  }

  util::Scheduler scheduler;
  scheduler.every(std::chrono::minutes(10), "purge_expired_sessions", [&] { sessions.purge_expired(); });
  scheduler.every(std::chrono::hours(1), "audit_retention", [&] {
    const int64_t cutoff = util::to_unix_ms(util::now()) - int64_t{c.audit_retention_days} * 86400 * 1000;
    db.write([&](store::Connection& conn) { return store::audit::prune_before(conn, cutoff); });
  });
  // Raw analytics events older than the retention period go; the daily rollups stay.
  domain::Analytics analytics(db);
  scheduler.every(std::chrono::hours(1), "event_retention", [&] {
    const int64_t cutoff = util::to_unix_ms(util::now()) - int64_t{c.event_retention_days} * 86400 * 1000;
    analytics.prune_events_before(cutoff);
  });
  // API-token last_used_at is batched in memory; written here and once more at shutdown.
  scheduler.every(std::chrono::seconds(30), "flush_api_token_last_used", [&] { api_tokens.flush_last_used(); });
  // Leases past their TTL (IRON_LEASE_TTL) are expired and their unreported part released.
  scheduler.every(std::chrono::seconds(30), "expire_stale_leases", [&] { ledger.expire_stale(util::now()); });

  std::atomic<bool> draining{false};
  domain::EventBus events(static_cast<size_t>(c.max_event_streams));
  domain::BudgetRequests budget_requests(db);
  domain::UsageLimits usage_limits(db, events);
  // Usage counters are keyed by period, so limits reset by themselves; this only deletes
  // finished periods. (Registered before scheduler.start(), like every task.)
  scheduler.every(std::chrono::hours(1), "prune_usage_counters", [&] { usage_limits.prune_before(util::now()); });
  domain::LeaseProtocol leases(db, ledger, ic_tokens, events, &provider_keys, ip_token_key(c.data_dir));
  api::Services services{db, c, draining, sessions, accounts, first_admin, events, {}};
  services.api_tokens = &api_tokens;
  services.budget_requests = &budget_requests;
  services.usage_limits = &usage_limits;
  services.authenticate_api_token = [&api_tokens](const std::string& token) { return api_tokens.authenticate(token); };
  services.agents = &agents;
  services.ic_tokens = &ic_tokens;
  services.leases = &leases;
  services.authenticate_ic_token = [&ic_tokens](const std::string& token) { return ic_tokens.authenticate(token); };
  services.provider_keys = &provider_keys;
  auto site = std::make_shared<const web::StaticSite>(asset_source(c), c.base_path);
  if (!site->has_index()) log::warn("dashboard not built into this binary: only the API is served");
  server::HttpServer http(c, api::all_routes(services), server::make_static_handler(site),
                          [&db] { return std::pair{db.file_size_bytes(), db.wal_size_bytes()}; });
  const int port = http.bind();

  ShutdownDeadline deadline;
  server::SignalWatcher signals([&](int signo) {
    log::info("shutdown requested", {{"signal", signo == SIGTERM ? "SIGTERM" : "SIGINT"}});
    draining = true;
    deadline.arm(c.shutdown_timeout_s);
    events.close();  // live streams end now instead of holding the drain open
    http.stop();
  });

  const std::string host = c.listen_host.find(':') != std::string::npos ? "[" + c.listen_host + "]" : c.listen_host;
  log::info("listening", {{"addr", host + ":" + std::to_string(port)},
                          {"base_path", c.base_path},
                          {"version", iron::util::build_version()},
                          {"build_sha", iron::util::build_sha()},
                          {"data_dir", c.data_dir},
                          {"startup_ms", std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count()}});
  scheduler.start();
  http.run();  // returns once stopped and in-flight requests are done
  scheduler.stop();
  try {
    api_tokens.flush_last_used();
  } catch (const std::exception& e) {
    log::error("final API-token last_used_at flush failed", {{"error", e.what()}});
  }

  db.checkpoint();
  log::info("stopped");
  return 0;
}

}  // namespace iron::cli
