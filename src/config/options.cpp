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
      {"IRON_DATA_DIR", "--data", &Config::data_dir, kAllData,
       "Data directory holding iron.db and generated keys"},
      // A secret with a flag: a URL with a password belongs in the environment or _FILE (out of
      // `ps`); the flag is for URLs without one (docs/postgresql.md).
      {"IRON_DATABASE_URL", "--database-url", &Config::database_url, kAllData,
       "PostgreSQL instead of iron.db, for several replicas: postgres://user@host:port/db?sslmode=verify-full "
       "(a password belongs in IRON_DATABASE_URL_FILE or PGPASSFILE, not on a command line)", true},
      {"IRON_LISTEN", "--listen", &Config::listen, kProbe,
       "Numeric address to listen on, HOST:PORT (port 0 = any free port)"},
      {"IRON_BASE_PATH", "--base-path", &Config::base_path, kProbe,
       "Serve everything under this URL prefix, e.g. /panel"},
      {"IRON_ASSETS_DIR", "--assets-dir", &Config::assets_dir, kServe,
       "Serve the dashboard from this directory instead of the binary (development)"},
      {"IRON_LOG_FORMAT", "--log-format", &Config::log_format, kServe,
       "json or text"},
      {"IRON_LOG_LEVEL", "--log-level", &Config::log_level, kServe,
       "debug, info, warn or error"},
      {"IRON_SHUTDOWN_TIMEOUT", "--shutdown-timeout", &Config::shutdown_timeout_s, kServe,
       "Seconds to drain on SIGTERM before forcing exit"},
      {"IRON_THREADS", "--threads", &Config::threads, kServe,
       "HTTP worker threads"},
      {"IRON_MAX_CONNECTIONS", "--max-connections", &Config::max_connections, kServe,
       "Open connections served at once (each holds a thread); more get 503"},
      {"IRON_KEEPALIVE_TIMEOUT", "--keep-alive-timeout", &Config::keep_alive_timeout_s, kServe,
       "Seconds an idle keep-alive connection is kept"},
      {"IRON_MAX_BODY_BYTES", "--max-body-bytes", &Config::max_body_bytes, kServe,
       "Largest accepted request body"},
      {"IRON_MAX_DB_MB", "--max-db-mb", &Config::max_db_mb, kServe,
       "Cap on the database file in MiB (0 = none): writes that would grow it further get 503 STORAGE_FULL"},
      {"IRON_CORS_ORIGINS", "--cors-origins", &Config::cors_origins, kServe,
       "CORS: unset = none, * = any origin, or a comma-separated list", false, "ALLOWED_ORIGINS"},
      {"IRON_TRUSTED_PROXIES", "--trusted-proxies", &Config::trusted_proxies, kServe,
       "CIDRs whose X-Forwarded-* headers are believed"},
      {"IRON_HSTS", "--hsts", &Config::hsts, kServe,
       "Send Strict-Transport-Security (TLS terminates at your proxy)"},
      {"IRON_METRICS", "--metrics", &Config::metrics, kServe,
       "Serve Prometheus metrics at /metrics"},
      {"IRON_DEPLOYMENT_MODE", "--deployment-mode", &Config::deployment_mode, kServe,
       "production, or development (WIPES the database at start)"},
      {"IRON_AUDIT_RETENTION_DAYS", "--audit-retention-days", &Config::audit_retention_days, kServe,
       "Days of audit log kept"},
      {"IRON_EVENT_RETENTION_DAYS", "--event-retention-days", &Config::event_retention_days, kServe,
       "Days of raw analytics events kept (rollups stay)"},
      {"IRON_LEASE_TTL", "--lease-ttl", &Config::lease_ttl_s, kServe,
       "Seconds before an unreturned budget lease expires"},
      {"IRON_MAX_EVENT_STREAMS", "--max-event-streams", &Config::max_event_streams, kServe,
       "Concurrent live event streams"},
      {"IRON_EVENT_HEARTBEAT", "--event-heartbeat", &Config::event_heartbeat_s, kServe,
       "Seconds between keep-alive comments on live event streams"},
      {"IRON_ALERT_ALLOW_PRIVATE_DESTINATIONS", "--alert-allow-private-destinations", &Config::alert_allow_private_destinations, kServe,
       "Let alert channels reach loopback, private and link-local addresses (SSRF guard off)"},
      {"IRON_ALERT_ALLOWED_HOSTS", "--alert-allowed-hosts", &Config::alert_allowed_hosts, kServe,
       "Alert channels may only reach these hosts (comma-separated; *.example.com for subdomains); unset = any"},
      {"IRON_ALERT_TIMEOUT_MS", "--alert-timeout-ms", &Config::alert_timeout_ms, kServe,
       "Timeout of each outbound alert request, in ms"},
      {"IRON_ALERT_MAX_ATTEMPTS", "--alert-max-attempts", &Config::alert_max_attempts, kServe,
       "Delivery attempts per alert before it is marked failed"},
      {"IRON_ALERT_RETRY_BASE_MS", "--alert-retry-base-ms", &Config::alert_retry_base_ms, kServe,
       "Wait before the first retry of an alert, in ms; doubles after each failed attempt (at most 1 h)"},
      {"IRON_ALERT_CA_FILE", "--alert-ca-file", &Config::alert_ca_file, kServe,
       "PEM file of the CAs https:// alert receivers are verified against (default: the system's trust store)"},
      {"IRON_SMTP_HOST", "--smtp-host", &Config::smtp_host, kServe,
       "SMTP relay for email alerts (name or address); unset = no email channels"},
      {"IRON_SMTP_PORT", "--smtp-port", &Config::smtp_port, kServe,
       "SMTP relay port (default 587 for starttls, 465 for tls, 25 for none)"},
      {"IRON_SMTP_TLS", "--smtp-tls", &Config::smtp_tls, kServe,
       "starttls, tls (implicit TLS) or none (plaintext)"},
      {"IRON_SMTP_USERNAME", "--smtp-username", &Config::smtp_username, kServe,
       "SMTP AUTH user name; unset = no AUTH"},
      {"IRON_SMTP_FROM", "--smtp-from", &Config::smtp_from, kServe,
       "Sender address of email alerts"},
      {"IRON_SMTP_ALLOW_PLAINTEXT_AUTH", "--smtp-allow-plaintext-auth", &Config::smtp_allow_plaintext_auth, kServe,
       "Allow SMTP AUTH with IRON_SMTP_TLS=none (the password crosses the network in clear)"},
      {"IRON_HEALTHCHECK_URL", "--url", &Config::healthcheck_url, scope_healthcheck,
       "URL to probe (default: /health/ready of --listen and --base-path)"},
      // Environment only.
      {"IRON_JWT_SECRET", nullptr, &Config::jwt_secret, kKeys,
       "signs access tokens (default: generated jwt.key)", true},
      {"IRON_SECRETS_MASTER_KEY", nullptr, &Config::master_key, kKeys,
       "encrypts stored secrets (default: generated master.key)", true},
      {"IRON_IP_TOKEN_KEY", nullptr, &Config::ip_token_key, kKeys,
       "seals the handshake's IP tokens (default: generated ip_token.key)", true},
      {"IRON_METRICS_TOKEN", nullptr, &Config::metrics_token, kServe,
       "bearer token /metrics requires", true},
      {"IRON_ADMIN_EMAIL", nullptr, &Config::admin_email, kServe,
       "first-start admin account"},
      {"IRON_ADMIN_PASSWORD", nullptr, &Config::admin_password, kServe,
       "its password", true},
      {"IRON_SMTP_PASSWORD", nullptr, &Config::smtp_password, kServe,
       "SMTP AUTH password", true},
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
