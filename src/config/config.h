#pragma once
// The server's configuration: the values, and their validation. Where each value comes from
// (flag > IRON_* environment > NAME_FILE > default) is config/options.h.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace iron::config {

enum class DeploymentMode { production, development };

struct Config {
  std::string data_dir = "./data";
  std::string database_url;              // "" = SQLite in data_dir; else PostgreSQL (docs/postgresql.md)
  std::string listen = "127.0.0.1:8080";
  std::string base_path = "/";           // normalised: starts and ends with '/'
  std::string assets_dir;                // dev: serve the SPA from disk instead of the binary
  std::string log_format = "json";
  std::string log_level = "info";
  int shutdown_timeout_s = 8;
  int threads = 16;
  int max_connections = 1024;            // open connections served at once; more get 503
  int keep_alive_timeout_s = 2;
  int64_t max_body_bytes = 1 << 20;
  int64_t max_db_mb = 0;                 // cap on iron.db in MiB (0 = none); past it writes get 503 STORAGE_FULL
  std::string cors_origins;              // "", "*", or a comma-separated list
  std::string trusted_proxies = "127.0.0.1/32,::1/128";
  bool hsts = false;
  bool metrics = false;
  std::string deployment_mode = "production";
  int audit_retention_days = 365;
  int event_retention_days = 90;
  int lease_ttl_s = 3600;
  int max_event_streams = 32;
  int event_heartbeat_s = 15;
  // Alert delivery (docs/alerts.md): outbound requests to notification channels.
  bool alert_allow_private_destinations = false;  // loopback / private / link-local receivers
  std::string alert_allowed_hosts;                // "" = any host; else a comma-separated list
  int alert_timeout_ms = 10'000;
  int alert_max_attempts = 8;
  int alert_retry_base_ms = 30'000;
  std::string alert_ca_file;                      // PEM CAs for https:// receivers; "" = the system's
  // Email alerts: the operator's SMTP relay ("" host = email channels cannot be created).
  std::string smtp_host;
  int smtp_port = 0;                              // 0 = 587 (starttls), 465 (tls), 25 (none)
  std::string smtp_tls = "starttls";              // starttls | tls | none
  std::string smtp_username;                      // "" = no AUTH
  std::string smtp_from;                          // the sender address, required with a host
  bool smtp_allow_plaintext_auth = false;         // AUTH with smtp_tls = none

  std::string healthcheck_url;           // `healthcheck` only

  // Secrets: environment or NAME_FILE, never flags.
  std::string metrics_token;
  std::string jwt_secret;
  std::string master_key;
  std::string ip_token_key;
  std::string admin_email;
  std::string admin_password;
  std::string smtp_password;

  // Derived by validate().
  std::string listen_host;
  int listen_port = 0;
  DeploymentMode mode = DeploymentMode::production;
};

// Validates and derives fields. Returns a one-line message naming the bad setting.
// Touches nothing on disk except checking that the data dir (or its parent) is usable.
std::optional<std::string> validate(Config& config);

// "host:port" → parts. The port may be 0 (ephemeral). Hosts must be numeric (IPv4 or [IPv6]).
bool split_host_port(const std::string& text, std::string& host, int& port);

}  // namespace iron::config
