#include "config/config.h"

#include <arpa/inet.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <sstream>

#include "util/cidr.h"
#include "util/mail_address.h"

namespace iron::config {
namespace fs = std::filesystem;

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
  if (base.empty()) base.push_back('/');
  if (base[0] != '/') return "IRON_BASE_PATH/--base-path must start with '/': " + base;
  if (base.find("..") != std::string::npos || base.find("//") != std::string::npos ||
      base.find_first_of("?#\\ %\"<>") != std::string::npos)
    return "IRON_BASE_PATH/--base-path is not a plain URL path: " + base;
  if (base.back() != '/') base += '/';
  return std::nullopt;
}

// A trusted proxy may set the client address and the HTTPS flag; trusting (nearly) the whole
// Internet lets any client do so. No proxy network is larger than an IPv4 /8 (10.0.0.0/8)
// or an IPv6 /7 (fc00::/7), so anything broader is refused rather than warned about.
std::optional<std::string> check_trusted_proxies(const std::string& list) {
  std::string error;
  if (!util::parse_cidr_list(list, error)) return "IRON_TRUSTED_PROXIES/--trusted-proxies: " + error;
  std::stringstream entries(list);
  std::string entry;
  while (std::getline(entries, entry, ',')) {
    auto ranges = util::parse_cidr_list(entry, error);
    if (!ranges || ranges->empty()) continue;
    const util::Cidr& r = ranges->front();
    const auto mapped_zero = *util::parse_ip("0.0.0.0");  // IPv4 lives in ::ffff:0:0/96
    const bool ipv4 = r.prefix_bits >= 96 && std::equal(r.addr.begin(), r.addr.begin() + 12, mapped_zero.begin());
    const bool too_broad = ipv4 ? r.prefix_bits < 96 + 8
                                : r.prefix_bits < 7 || (r.prefix_bits <= 96 && r.contains(mapped_zero));
    if (too_broad) {
      entry.erase(0, entry.find_first_not_of(' '));
      return "IRON_TRUSTED_PROXIES/--trusted-proxies: " + entry +
             " would trust (nearly) every address, letting any client fake its IP and the HTTPS flag; "
             "list your proxies' addresses or network (at most an IPv4 /8 or an IPv6 /7)";
    }
  }
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

// The relay of email alerts (docs/alerts.md, "Email"). Credentials never travel in clear
// unless the operator says so in as many words.
std::optional<std::string> check_smtp(Config& c) {
  if (c.smtp_tls != "starttls" && c.smtp_tls != "tls" && c.smtp_tls != "none")
    return "IRON_SMTP_TLS/--smtp-tls must be starttls, tls or none, got: " + c.smtp_tls;
  if (c.smtp_port < 0 || c.smtp_port > 65535) return "IRON_SMTP_PORT/--smtp-port must be 1..65535";
  if (c.smtp_port == 0) c.smtp_port = c.smtp_tls == "tls" ? 465 : c.smtp_tls == "none" ? 25 : 587;
  if (c.smtp_host.empty()) return std::nullopt;
  if (c.smtp_host.size() > 253 || !std::all_of(c.smtp_host.begin(), c.smtp_host.end(), [](unsigned char ch) {
        return std::isalnum(ch) || ch == '-' || ch == '.' || ch == ':';
      }) || (c.smtp_host.find(':') != std::string::npos && !util::parse_ip(c.smtp_host)))
    return "IRON_SMTP_HOST/--smtp-host must be a host name or a numeric address (no port, no brackets)";
  if (!util::is_mail_address(c.smtp_from))
    return "IRON_SMTP_FROM/--smtp-from must be a plain address such as alerts@example.com when IRON_SMTP_HOST is set";
  if (c.smtp_username.size() > 256 || c.smtp_password.size() > 256)
    return "IRON_SMTP_USERNAME and IRON_SMTP_PASSWORD must be at most 256 characters";
  for (const std::string* v : {&c.smtp_username, &c.smtp_password})
    if (std::any_of(v->begin(), v->end(), [](unsigned char ch) { return ch < 0x20 || ch == 0x7f; }))
      return "IRON_SMTP_USERNAME and IRON_SMTP_PASSWORD must not contain control characters";
  if (c.smtp_username.empty() != c.smtp_password.empty())
    return "IRON_SMTP_USERNAME and IRON_SMTP_PASSWORD (or IRON_SMTP_PASSWORD_FILE) go together";
  if (!c.smtp_username.empty() && c.smtp_tls == "none" && !c.smtp_allow_plaintext_auth)
    return "IRON_SMTP_TLS=none with IRON_SMTP_USERNAME would send the SMTP password in clear; use starttls or tls, "
           "or set IRON_SMTP_ALLOW_PLAINTEXT_AUTH=1 for a relay you reach over a trusted network";
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
  if (c.max_connections < c.threads || c.max_connections > 65536)
    return "IRON_MAX_CONNECTIONS must be IRON_THREADS..65536";
  if (c.keep_alive_timeout_s < 1 || c.keep_alive_timeout_s > 300) return "IRON_KEEPALIVE_TIMEOUT must be 1..300 seconds";
  if (c.max_body_bytes < 1024 || c.max_body_bytes > (int64_t{1} << 30)) return "IRON_MAX_BODY_BYTES must be 1024..1073741824";
  if (c.max_db_mb < 0 || c.max_db_mb > (int64_t{1} << 24)) return "IRON_MAX_DB_MB must be 0 (no cap)..16777216 MiB";
  if (c.audit_retention_days < 1) return "IRON_AUDIT_RETENTION_DAYS must be at least 1";
  if (c.event_retention_days < 1) return "IRON_EVENT_RETENTION_DAYS must be at least 1";
  if (c.lease_ttl_s < 10 || c.lease_ttl_s > 7 * 86400) return "IRON_LEASE_TTL must be 10..604800 seconds";
  if (c.max_event_streams < 1 || c.max_event_streams > 1000) return "IRON_MAX_EVENT_STREAMS must be 1..1000";
  if (c.event_heartbeat_s < 1 || c.event_heartbeat_s > 300) return "IRON_EVENT_HEARTBEAT must be 1..300 seconds";
  if (c.alert_timeout_ms < 100 || c.alert_timeout_ms > 60'000) return "IRON_ALERT_TIMEOUT_MS must be 100..60000";
  if (c.alert_max_attempts < 1 || c.alert_max_attempts > 100) return "IRON_ALERT_MAX_ATTEMPTS must be 1..100";
  if (c.alert_retry_base_ms < 10 || c.alert_retry_base_ms > 3'600'000)
    return "IRON_ALERT_RETRY_BASE_MS must be 10..3600000";
  if (c.deployment_mode == "production") c.mode = DeploymentMode::production;
  else if (c.deployment_mode == "development") c.mode = DeploymentMode::development;
  else return "IRON_DEPLOYMENT_MODE must be production or development, got: " + c.deployment_mode;
  if (auto e = check_trusted_proxies(c.trusted_proxies)) return e;
  // The non-throwing form: a name the file system refuses (too long, say) is a usage error,
  // not an exception out of startup (the config fuzz harness found one).
  std::error_code ec;
  if (!c.assets_dir.empty() && !fs::is_directory(c.assets_dir, ec))
    return "IRON_ASSETS_DIR/--assets-dir is not a directory: " + c.assets_dir;
  if (!c.alert_ca_file.empty() && !fs::is_regular_file(c.alert_ca_file, ec))
    return "IRON_ALERT_CA_FILE/--alert-ca-file is not a file: " + c.alert_ca_file;
  if (auto e = check_smtp(c)) return e;
  return check_data_dir(c.data_dir);
}

}  // namespace iron::config
