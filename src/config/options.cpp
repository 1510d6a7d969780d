#include "config/options.h"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace iron::config {
namespace {

constexpr unsigned kServe = scope_serve;
constexpr unsigned kAllData = scope_serve | scope_data;
constexpr unsigned kKeys = scope_serve | scope_keys;
constexpr unsigned kProbe = scope_serve | scope_healthcheck;

std::string label(const Option& o) { return o.flag ? std::string(o.env) + "/" + o.flag : std::string(o.env); }

std::optional<std::string> getenv_text(const std::string& name) {
  const char* v = std::getenv(name.c_str());
  return v ? std::optional<std::string>(v) : std::nullopt;
}

// NAME_FILE's content without trailing newlines (editors and `echo` add one).
std::optional<std::string> read_value_file(const std::string& path, std::string& error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = "cannot read " + path;
    return std::nullopt;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  std::string value = ss.str();
  while (!value.empty() && (value.back() == '\n' || value.back() == '\r')) value.pop_back();
  return value;
}

bool parse_bool(std::string text, bool& out) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  if (text == "1" || text == "true" || text == "yes" || text == "on") return out = true, true;
  if (text == "0" || text == "false" || text == "no" || text == "off") return out = false, true;
  return false;
}

template <class Int>
bool parse_int(const std::string& text, Int& out) {
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size() && !text.empty();
}

// Writes `text` into the option's field; an error message naming the setting when it does not fit.
std::optional<std::string> assign(Config& c, const Option& o, const std::string& text) {
  return std::visit(
      [&](auto member) -> std::optional<std::string> {
        using T = std::remove_cvref_t<decltype(c.*member)>;
        if constexpr (std::is_same_v<T, std::string>) {
          c.*member = text;
        } else if constexpr (std::is_same_v<T, bool>) {
          if (!parse_bool(text, c.*member)) return label(o) + " must be 1 or 0 (true/false), got: " + text;
        } else {
          if (!parse_int(text, c.*member)) return label(o) + " must be a whole number, got: " + text;
        }
        return std::nullopt;
      },
      o.field);
}

}  // namespace

const char* to_string(Source s) {
  switch (s) {
    case Source::flag: return "flag";
    case Source::env: return "env";
    case Source::file: return "file";
    case Source::legacy_env: return "legacy_env";
    case Source::default_value: return "default";
  }
  return "default";
}

const std::vector<Option>& options() {
  static const std::vector<Option> table = {
      {"IRON_DATA_DIR", "--data", "Data directory holding iron.db and generated keys", &Config::data_dir, kAllData},
      {"IRON_DATABASE_URL", "--database-url",
       "PostgreSQL instead of iron.db, for several replicas: postgres://user@host:port/db?sslmode=verify-full "
       "(a password belongs in IRON_DATABASE_URL_FILE or PGPASSFILE, not on a command line)",
       &Config::database_url, kAllData, true},
      {"IRON_LISTEN", "--listen", "Numeric address to listen on, HOST:PORT (port 0 = any free port)", &Config::listen, kProbe},
      {"IRON_BASE_PATH", "--base-path", "Serve everything under this URL prefix, e.g. /panel", &Config::base_path, kProbe},
      {"IRON_ASSETS_DIR", "--assets-dir", "Serve the dashboard from this directory instead of the binary (development)",
       &Config::assets_dir, kServe},
      {"IRON_LOG_FORMAT", "--log-format", "json or text", &Config::log_format, kServe},
      {"IRON_LOG_LEVEL", "--log-level", "debug, info, warn or error", &Config::log_level, kServe},
      {"IRON_SHUTDOWN_TIMEOUT", "--shutdown-timeout", "Seconds to drain on SIGTERM before forcing exit",
       &Config::shutdown_timeout_s, kServe},
      {"IRON_THREADS", "--threads", "HTTP worker threads", &Config::threads, kServe},
      {"IRON_MAX_CONNECTIONS", "--max-connections", "Open connections served at once (each holds a thread); more get 503",
       &Config::max_connections, kServe},
      {"IRON_KEEPALIVE_TIMEOUT", "--keep-alive-timeout", "Seconds an idle keep-alive connection is kept",
       &Config::keep_alive_timeout_s, kServe},
      {"IRON_MAX_BODY_BYTES", "--max-body-bytes", "Largest accepted request body", &Config::max_body_bytes, kServe},
      {"IRON_MAX_DB_MB", "--max-db-mb",
       "Cap on the database file in MiB (0 = none): writes that would grow it further get 503 STORAGE_FULL",
       &Config::max_db_mb, kServe},
      {"IRON_CORS_ORIGINS", "--cors-origins", "CORS: unset = none, * = any origin, or a comma-separated list",
       &Config::cors_origins, kServe, false, "ALLOWED_ORIGINS"},
      {"IRON_TRUSTED_PROXIES", "--trusted-proxies", "CIDRs whose X-Forwarded-* headers are believed",
       &Config::trusted_proxies, kServe},
      {"IRON_HSTS", "--hsts", "Send Strict-Transport-Security (TLS terminates at your proxy)", &Config::hsts, kServe},
      {"IRON_METRICS", "--metrics", "Serve Prometheus metrics at /metrics", &Config::metrics, kServe},
      {"IRON_DEPLOYMENT_MODE", "--deployment-mode", "production, or development (WIPES the database at start)",
       &Config::deployment_mode, kServe},
      {"IRON_AUDIT_RETENTION_DAYS", "--audit-retention-days", "Days of audit log kept", &Config::audit_retention_days,
       kServe},
      {"IRON_EVENT_RETENTION_DAYS", "--event-retention-days", "Days of raw analytics events kept (rollups stay)",
       &Config::event_retention_days, kServe},
      {"IRON_LEASE_TTL", "--lease-ttl", "Seconds before an unreturned budget lease expires", &Config::lease_ttl_s, kServe},
      {"IRON_MAX_EVENT_STREAMS", "--max-event-streams", "Concurrent live event streams", &Config::max_event_streams,
       kServe},
      {"IRON_EVENT_HEARTBEAT", "--event-heartbeat", "Seconds between keep-alive comments on live event streams",
       &Config::event_heartbeat_s, kServe},
      {"IRON_ALERT_ALLOW_PRIVATE_DESTINATIONS", "--alert-allow-private-destinations",
       "Let alert channels reach loopback, private and link-local addresses (SSRF guard off)",
       &Config::alert_allow_private_destinations, kServe},
      {"IRON_ALERT_ALLOWED_HOSTS", "--alert-allowed-hosts",
       "Alert channels may only reach these hosts (comma-separated; *.example.com for subdomains); unset = any",
       &Config::alert_allowed_hosts, kServe},
      {"IRON_ALERT_TIMEOUT_MS", "--alert-timeout-ms", "Timeout of each outbound alert request, in ms",
       &Config::alert_timeout_ms, kServe},
      {"IRON_ALERT_MAX_ATTEMPTS", "--alert-max-attempts", "Delivery attempts per alert before it is marked failed",
       &Config::alert_max_attempts, kServe},
      {"IRON_ALERT_RETRY_BASE_MS", "--alert-retry-base-ms",
       "Wait before the first retry of an alert, in ms; doubles after each failed attempt (at most 1 h)",
       &Config::alert_retry_base_ms, kServe},
      {"IRON_ALERT_CA_FILE", "--alert-ca-file",
       "PEM file of the CAs https:// alert receivers are verified against (default: the system's trust store)",
       &Config::alert_ca_file, kServe},
      {"IRON_SMTP_HOST", "--smtp-host", "SMTP relay for email alerts (name or address); unset = no email channels",
       &Config::smtp_host, kServe},
      {"IRON_SMTP_PORT", "--smtp-port", "SMTP relay port (default 587 for starttls, 465 for tls, 25 for none)",
       &Config::smtp_port, kServe},
      {"IRON_SMTP_TLS", "--smtp-tls", "starttls, tls (implicit TLS) or none (plaintext)", &Config::smtp_tls, kServe},
      {"IRON_SMTP_USERNAME", "--smtp-username", "SMTP AUTH user name; unset = no AUTH", &Config::smtp_username, kServe},
      {"IRON_SMTP_FROM", "--smtp-from", "Sender address of email alerts", &Config::smtp_from, kServe},
      {"IRON_SMTP_ALLOW_PLAINTEXT_AUTH", "--smtp-allow-plaintext-auth",
       "Allow SMTP AUTH with IRON_SMTP_TLS=none (the password crosses the network in clear)",
       &Config::smtp_allow_plaintext_auth, kServe},
      {"IRON_HEALTHCHECK_URL", "--url", "URL to probe (default: /health/ready of --listen and --base-path)",
       &Config::healthcheck_url, scope_healthcheck},
      // A secret with a flag: a URL with a password belongs in the environment or _FILE (out of
      // `ps`); the flag is for URLs without one (docs/postgresql.md).
      // Environment only.
      {"IRON_JWT_SECRET", nullptr, "signs access tokens (default: generated jwt.key)", &Config::jwt_secret, kKeys, true},
      {"IRON_SECRETS_MASTER_KEY", nullptr, "encrypts stored secrets (default: generated master.key)",
       &Config::master_key, kKeys, true},
      {"IRON_IP_TOKEN_KEY", nullptr, "seals the handshake's IP tokens (default: generated ip_token.key)",
       &Config::ip_token_key, kKeys, true},
      {"IRON_METRICS_TOKEN", nullptr, "bearer token /metrics requires", &Config::metrics_token, kServe, true},
      {"IRON_ADMIN_EMAIL", nullptr, "first-start admin account", &Config::admin_email, kServe},
      {"IRON_ADMIN_PASSWORD", nullptr, "its password", &Config::admin_password, kServe, true},
      {"IRON_SMTP_PASSWORD", nullptr, "SMTP AUTH password", &Config::smtp_password, kServe, true},
  };
  return table;
}

void add_flags(CLI::App& app, FlagValues& flags, Scope scope) {
  const Config defaults;
  std::string env_only;
  for (const auto& o : options()) {
    if (!(o.scopes & scope)) continue;
    if (!o.flag) {
      env_only += std::string(env_only.empty() ? "" : ", ") + o.env + "(_FILE)";
      continue;
    }
    const std::string def = shown_value(defaults, o);
    const std::string help = std::string(o.help) + " [env " + o.env + (def.empty() ? "" : ", default " + def) + "]";
    app.add_option_function<std::string>(o.flag, [&flags, env = std::string(o.env)](const std::string& v) {
         flags.given[env] = v;
       }, help)
        ->type_name(std::holds_alternative<bool Config::*>(o.field) ? "0|1" : "");
  }
  if (!env_only.empty())
    app.footer("Environment only (secrets never go on a command line): " + env_only +
               ". Every setting also reads NAME_FILE. Precedence: flag > NAME > NAME_FILE > default.");
}

std::optional<std::string> resolve(const FlagValues& flags, Config& c, Scope scope, Resolution& out) {
  for (const auto& o : options()) {
    if (!(o.scopes & scope)) continue;
    const std::string env = o.env;
    const auto from_flag = o.flag ? flags.given.find(env) : flags.given.end();
    const auto from_env = getenv_text(env);
    const auto file_path = getenv_text(env + "_FILE");
    std::optional<std::string> text;
    Source source = Source::default_value;
    if (from_flag != flags.given.end()) {
      text = from_flag->second, source = Source::flag;
      if ((from_env && *from_env != *text) || file_path)
        out.warnings.push_back(std::string(o.flag) + " overrides " + env + " from the environment");
    } else if (from_env) {
      text = from_env, source = Source::env;
      if (file_path) out.warnings.push_back(env + "_FILE is ignored: " + env + " is set and takes precedence");
    } else if (file_path) {
      std::string error;
      text = read_value_file(*file_path, error);
      if (!text) return env + "_FILE: " + error;
      source = Source::file;
    } else if (o.legacy_env) {
      if ((text = getenv_text(o.legacy_env))) source = Source::legacy_env;
    }
    if (text) {
      if (auto e = assign(c, o, *text)) return o.secret ? label(o) + " has an invalid value" : *e;
    }
    out.sources[env] = source;
  }
  return std::nullopt;
}

std::string shown_value(const Config& c, const Option& o) {
  return std::visit(
      [&](auto member) -> std::string {
        using T = std::remove_cvref_t<decltype(c.*member)>;
        if constexpr (std::is_same_v<T, std::string>) {
          if (o.secret) return (c.*member).empty() ? "" : "(set)";
          return c.*member;
        } else if constexpr (std::is_same_v<T, bool>) {
          return c.*member ? "1" : "0";
        } else {
          return std::to_string(c.*member);
        }
      },
      o.field);
}

}  // namespace iron::config
