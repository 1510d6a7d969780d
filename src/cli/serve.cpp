// `ironpanel serve`: validate configuration, open the data dir, migrate, serve until
// SIGTERM, drain, checkpoint, exit 0.
#include <unistd.h>

#include <condition_variable>
#include <csignal>
#include <filesystem>
#include <mutex>
#include <thread>

#include "api/routes.h"
#include "cli/commands.h"
#include "cli/open_database.h"
#include "cli/panel.h"
#include "security/random.h"
#include "server/http_server.h"
#include "server/listener.h"
#include "server/signals.h"
#include "server/static_route.h"
#include "store/data_dir.h"
#include "store/database.h"
#include "util/build_info.h"
#include "util/log.h"
#include "util/scheduler.h"
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

// A PostgreSQL database is never dropped by the program (docs/postgresql.md): the mode
// wipes only a SQLite data dir, and says which it did.
void wipe_for_development(const config::Config& c) {
  if (!c.database_url.empty()) {
    log::warn("IRON_DEPLOYMENT_MODE=development: the PostgreSQL database is kept (only a SQLite database is wiped "
              "at start)");
    return;
  }
  const std::string db = store::database_path(c.data_dir);
  log::warn("IRON_DEPLOYMENT_MODE=development: DELETING the database at start", {{"database", db}});
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(db + suffix);
}

std::unique_ptr<web::AssetSource> asset_source(const config::Config& c) {
  if (!c.assets_dir.empty()) return std::make_unique<web::DiskAssetSource>(c.assets_dir);
  return std::make_unique<web::EmbeddedAssetSource>();
}

}  // namespace

CLI::App* add_serve(CLI::App& app, Invocation& inv) {
  config::add_flags(app, inv.flags, config::scope_serve);
  auto* cmd = app.add_subcommand("serve", "Serve the API and dashboard (the default command)");
  config::add_flags(*cmd, inv.flags, config::scope_serve);
  return cmd;
}

int run_serve(Invocation& inv) {
  auto& c = inv.config;
  if (!resolve_config(inv, config::scope_serve)) return inv.exit_code;
  if (auto e = config::validate(c)) return fail(*e);
  log::Level level{};
  log::Format format{};
  log::parse_level(c.log_level, level);
  log::parse_format(c.log_format, format);
  log::configure(format, level);
  log_configuration(inv);
  security::init();

  const auto t0 = std::chrono::steady_clock::now();
  store::ensure_data_dir(c.data_dir);
  store::DataDirLock lock(c.data_dir);
  if (c.mode == config::DeploymentMode::development) wipe_for_development(c);
  store::Database db = open_database(c);

  std::atomic<bool> draining{false};
  Panel panel(db, c, draining);
  util::Scheduler scheduler, alert_worker;
  panel.schedule(scheduler, alert_worker);
  auto site = std::make_shared<const web::StaticSite>(asset_source(c), c.base_path);
  if (!site->has_index()) log::warn("dashboard not built into this binary: only the API is served");
  server::HttpServer http(c, api::all_routes(panel.services()), server::make_static_handler(site),
                          [&db] { return std::pair{db.file_size_bytes(), db.wal_size_bytes()}; });
  int port = 0;
  try {
    port = http.bind();
  } catch (const server::ListenError& e) {
    return fail(e.what());  // the address is a setting: exit 2 like any other bad setting
  }

  ShutdownDeadline deadline;
  server::SignalWatcher signals([&](int signo) {
    log::info("shutdown requested", {{"signal", signo == SIGTERM ? "SIGTERM" : "SIGINT"}});
    draining = true;
    deadline.arm(c.shutdown_timeout_s);
    panel.events().close();  // live streams end now instead of holding the drain open
    http.stop();
  });

  const std::string host = c.listen_host.find(':') != std::string::npos ? "[" + c.listen_host + "]" : c.listen_host;
  log::info("listening", {{"addr", host + ":" + std::to_string(port)},
                          {"base_path", c.base_path},
                          {"version", util::build_version()},
                          {"build_sha", util::build_sha()},
                          {"data_dir", c.data_dir},
                          {"startup_ms", std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count()}});
  scheduler.start();
  alert_worker.start();
  http.run();  // returns once stopped and in-flight requests are done
  alert_worker.stop();
  scheduler.stop();
  panel.flush();

  try {
    db.checkpoint();
  } catch (const store::StoreError& e) {
    // Folding the WAL into iron.db may need room a full disk lacks. Nothing is lost: the WAL
    // holds every acknowledged write and the next start reads it, so this is still a clean stop.
    if (!e.is_storage_full()) throw;
    log::warn("final checkpoint skipped: storage full; the WAL keeps every write for the next start",
              {{"error", e.what()}});
  }
  log::info("stopped");
  return 0;
}

}  // namespace iron::cli
