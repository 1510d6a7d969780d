#pragma once
// The server's configuration. Precedence: command-line flags > IRON_* environment > defaults.
// Secrets also accept NAME_FILE (a path to a file holding the value); giving both is an error.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace CLI { class App; }

namespace iron::config {

enum class DeploymentMode { production, development };

struct Config {
  std::string data_dir = "./data";
  std::string listen = "127.0.0.1:8080";
  std::string base_path = "/";           // normalised: starts and ends with '/'
  std::string assets_dir;                // dev: serve the SPA from disk instead of the binary
  std::string log_format = "json";
  std::string log_level = "info";
  int shutdown_timeout_s = 8;
  int threads = 16;
  int keep_alive_timeout_s = 2;
  int64_t max_body_bytes = 1 << 20;
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

  // Secrets (resolved from env / *_FILE by resolve_secrets, never from flags).
  std::string metrics_token;
  std::string jwt_secret;
  std::string master_key;
  std::string admin_email;
  std::string admin_password;

  // Derived by validate().
  std::string listen_host;
  int listen_port = 0;
  DeploymentMode mode = DeploymentMode::production;
};

// Registers every serve flag on `app`, each with its IRON_* environment twin.
void add_serve_options(CLI::App& app, Config& config);
// Registers only --data (for migrate/backup/restore/admin).
void add_data_option(CLI::App& app, Config& config);

// Reads NAME / NAME_FILE for each secret. Returns an error message naming the setting.
std::optional<std::string> resolve_secrets(Config& config);

// Validates and derives fields. Returns a one-line message naming the bad setting.
// Touches nothing on disk except checking that the data dir (or its parent) is usable.
std::optional<std::string> validate(Config& config);

// Reads the environment variable `name`, or the file named by `name`_FILE.
// nullopt when neither is set; an error string in `error` when both are, or the file fails.
std::optional<std::string> read_secret_env(const std::string& name, std::string& error);

// "host:port" → parts. The port may be 0 (ephemeral). Hosts must be numeric (IPv4 or [IPv6]).
bool split_host_port(const std::string& text, std::string& host, int& port);

}  // namespace iron::config
