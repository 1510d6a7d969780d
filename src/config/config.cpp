#include "config/config.h"

#include <arpa/inet.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "util/cidr.h"

namespace iron::config {
namespace fs = std::filesystem;

void add_data_option(CLI::App& app, Config& c) {
  app.add_option("--data", c.data_dir, "Data directory holding iron.db and generated keys")
      ->envname("IRON_DATA_DIR")
      ->capture_default_str();
}

void add_serve_options(CLI::App& app, Config& c) {
  add_data_option(app, c);
  app.add_option("--listen", c.listen, "Numeric address to listen on, HOST:PORT (port 0 = any free port)")
      ->envname("IRON_LISTEN")->capture_default_str();
  app.add_option("--base-path", c.base_path, "Serve everything under this URL prefix, e.g. /panel")
      ->envname("IRON_BASE_PATH")->capture_default_str();
  app.add_option("--assets-dir", c.assets_dir, "Serve the dashboard from this directory instead of the binary (development)")
      ->envname("IRON_ASSETS_DIR");
  app.add_option("--log-format", c.log_format, "json or text")->envname("IRON_LOG_FORMAT")->capture_default_str();
  app.add_option("--log-level", c.log_level, "debug, info, warn or error")->envname("IRON_LOG_LEVEL")->capture_default_str();
  app.add_option("--shutdown-timeout", c.shutdown_timeout_s, "Seconds to drain on SIGTERM before forcing exit")
      ->envname("IRON_SHUTDOWN_TIMEOUT")->capture_default_str();
  app.add_option("--threads", c.threads, "HTTP worker threads")->envname("IRON_THREADS")->capture_default_str();
  app.add_option("--keep-alive-timeout", c.keep_alive_timeout_s, "Seconds an idle keep-alive connection is kept")
      ->envname("IRON_KEEPALIVE_TIMEOUT")->capture_default_str();
  app.add_option("--max-body-bytes", c.max_body_bytes, "Largest accepted request body")
      ->envname("IRON_MAX_BODY_BYTES")->capture_default_str();
  app.add_option("--cors-origins", c.cors_origins, "CORS: unset = none, * = any origin, or a comma-separated list")
      ->envname("IRON_CORS_ORIGINS");
  app.add_option("--trusted-proxies", c.trusted_proxies, "CIDRs whose X-Forwarded-* headers are believed")
      ->envname("IRON_TRUSTED_PROXIES")->capture_default_str();
  app.add_option("--hsts", c.hsts, "Send Strict-Transport-Security (TLS terminates at your proxy)")
      ->envname("IRON_HSTS")->capture_default_str();
  app.add_option("--metrics", c.metrics, "Serve Prometheus metrics at /metrics")->envname("IRON_METRICS")->capture_default_str();
  app.add_option("--deployment-mode", c.deployment_mode, "production, or development (WIPES the database at start)")
      ->envname("IRON_DEPLOYMENT_MODE")->capture_default_str();
  app.add_option("--audit-retention-days", c.audit_retention_days, "Days of audit log kept")
      ->envname("IRON_AUDIT_RETENTION_DAYS")->capture_default_str();
  app.add_option("--event-retention-days", c.event_retention_days, "Days of raw analytics events kept (rollups stay)")
      ->envname("IRON_EVENT_RETENTION_DAYS")->capture_default_str();
  app.add_option("--lease-ttl", c.lease_ttl_s, "Seconds before an unreturned budget lease expires")
      ->envname("IRON_LEASE_TTL")->capture_default_str();
  app.add_option("--max-event-streams", c.max_event_streams, "Concurrent live event streams")
      ->envname("IRON_MAX_EVENT_STREAMS")->capture_default_str();
  app.add_option("--event-heartbeat", c.event_heartbeat_s, "Seconds between keep-alive comments on live event streams")
      ->envname("IRON_EVENT_HEARTBEAT")->capture_default_str();
}

std::optional<std::string> read_secret_env(const std::string& name, std::string& error) {
  const char* direct = std::getenv(name.c_str());
  const char* file = std::getenv((name + "_FILE").c_str());
  if (direct && file) {
    error = name + " and " + name + "_FILE are both set; use one";
    return std::nullopt;
  }
  if (direct) return std::string(direct);
  if (!file) return std::nullopt;
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    error = name + "_FILE: cannot read " + file;
    return std::nullopt;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  std::string value = ss.str();
  while (!value.empty() && (value.back() == '\n' || value.back() == '\r')) value.pop_back();
  return value;
}

std::optional<std::string> resolve_secrets(Config& c) {
  struct Secret { const char* env; std::string* target; };
  const Secret secrets[] = {
      {"IRON_METRICS_TOKEN", &c.metrics_token},      {"IRON_JWT_SECRET", &c.jwt_secret},
      {"IRON_SECRETS_MASTER_KEY", &c.master_key},   {"IRON_ADMIN_PASSWORD", &c.admin_password},
  };
  for (const auto& s : secrets) {
    std::string error;
    auto value = read_secret_env(s.env, error);
    if (!error.empty()) return error;
    if (value) *s.target = *value;
  }
  if (const char* email = std::getenv("IRON_ADMIN_EMAIL")) c.admin_email = email;
  // The predecessor's variable, honoured when the new one is unset.
  if (c.cors_origins.empty() && !std::getenv("IRON_CORS_ORIGINS")) {
    if (const char* legacy = std::getenv("ALLOWED_ORIGINS")) c.cors_origins = legacy;
  }
  return std::nullopt;
}

bool split_host_port(const std::string& text, std::string& host, int& port) {
  std::string port_text;
  if (!text.empty() && text[0] == '[') {
    const auto close = text.find(']');
    if (close == std::string::npos || close + 1 >= text.size() || text[close + 1] != ':') return false;
    host = text.substr(1, close - 1);
    port_text = text.substr(close + 2);
    in6_addr a6{};
    if (inet_pton(AF_INET6, host.c_str(), &a6) != 1) return false;
  } else {
    const auto colon = text.rfind(':');
    if (colon == std::string::npos) return false;
    host = text.substr(0, colon);
    port_text = text.substr(colon + 1);
    in_addr a4{};
    if (inet_pton(AF_INET, host.c_str(), &a4) != 1) return false;
  }
  if (port_text.empty() || port_text.size() > 5 || port_text.find_first_not_of("0123456789") != std::string::npos)
    return false;
  port = std::stoi(port_text);
  return port <= 65535;
}

namespace {

std::optional<std::string> normalise_base_path(std::string& base) {
  if (base.empty()) base = "/";
  if (base[0] != '/') return "IRON_BASE_PATH/--base-path must start with '/': " + base;
  if (base.find("..") != std::string::npos || base.find("//") != std::string::npos ||
      base.find_first_of("?#\\ %\"<>") != std::string::npos)
    return "IRON_BASE_PATH/--base-path is not a plain URL path: " + base;
  if (base.back() != '/') base += '/';
  return std::nullopt;
}

std::optional<std::string> check_data_dir(const std::string& dir) {
  std::error_code ec;
  fs::path p(dir);
  if (fs::exists(p, ec)) {
    if (!fs::is_directory(p, ec)) return "IRON_DATA_DIR/--data is not a directory: " + dir;
    if (access(p.c_str(), W_OK | X_OK) != 0) return "IRON_DATA_DIR/--data is not writable: " + dir;
    return std::nullopt;
  }
  fs::path parent = fs::absolute(p, ec).parent_path();
  if (!fs::is_directory(parent, ec)) return "IRON_DATA_DIR/--data: parent directory does not exist: " + parent.string();
  if (access(parent.c_str(), W_OK | X_OK) != 0)
    return "IRON_DATA_DIR/--data: cannot create the directory in " + parent.string();
  return std::nullopt;
}

}  // namespace

std::optional<std::string> validate(Config& c) {
  if (!split_host_port(c.listen, c.listen_host, c.listen_port))
    return "IRON_LISTEN/--listen must be a numeric HOST:PORT such as 127.0.0.1:8080 or [::1]:8080, got: " + c.listen;
  if (auto e = normalise_base_path(c.base_path)) return e;
  if (c.log_format != "json" && c.log_format != "text") return "IRON_LOG_FORMAT/--log-format must be json or text";
  if (c.log_level != "debug" && c.log_level != "info" && c.log_level != "warn" && c.log_level != "error")
    return "IRON_LOG_LEVEL/--log-level must be debug, info, warn or error";
  if (c.shutdown_timeout_s < 1 || c.shutdown_timeout_s > 3600) return "IRON_SHUTDOWN_TIMEOUT must be 1..3600 seconds";
  if (c.threads < 2 || c.threads > 1024) return "IRON_THREADS must be 2..1024";
  if (c.keep_alive_timeout_s < 1 || c.keep_alive_timeout_s > 300) return "IRON_KEEPALIVE_TIMEOUT must be 1..300 seconds";
  if (c.max_body_bytes < 1024 || c.max_body_bytes > (int64_t{1} << 30)) return "IRON_MAX_BODY_BYTES must be 1024..1073741824";
  if (c.audit_retention_days < 1) return "IRON_AUDIT_RETENTION_DAYS must be at least 1";
  if (c.event_retention_days < 1) return "IRON_EVENT_RETENTION_DAYS must be at least 1";
  if (c.lease_ttl_s < 10 || c.lease_ttl_s > 7 * 86400) return "IRON_LEASE_TTL must be 10..604800 seconds";
  if (c.max_event_streams < 1 || c.max_event_streams > 1000) return "IRON_MAX_EVENT_STREAMS must be 1..1000";
  if (c.event_heartbeat_s < 1 || c.event_heartbeat_s > 300) return "IRON_EVENT_HEARTBEAT must be 1..300 seconds";
  if (c.deployment_mode == "production") c.mode = DeploymentMode::production;
  else if (c.deployment_mode == "development") c.mode = DeploymentMode::development;
  else return "IRON_DEPLOYMENT_MODE must be production or development, got: " + c.deployment_mode;
  std::string cidr_error;
  if (!util::parse_cidr_list(c.trusted_proxies, cidr_error)) return "IRON_TRUSTED_PROXIES: " + cidr_error;
  if (!c.assets_dir.empty() && !fs::is_directory(c.assets_dir)) return "IRON_ASSETS_DIR/--assets-dir is not a directory: " + c.assets_dir;
  return check_data_dir(c.data_dir);
}

}  // namespace iron::config
