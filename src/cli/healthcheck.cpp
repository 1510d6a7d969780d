// The binary as its own HTTP client: distroless images have no curl, so the container
// HEALTHCHECK runs `ironpanel healthcheck`. A 200 alone proves nothing: at a wrong URL or
// base path the dashboard's SPA fallback answers 200 too. Healthy means the answer is the
// health endpoint's JSON with the status that endpoint gives when all is well.
#include <httplib.h>

#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.h"

namespace iron::cli {
namespace {

std::string default_url(const config::Config& c) {
  std::string host = c.listen_host;
  if (host == "0.0.0.0" || host.empty()) host = "127.0.0.1";
  if (host == "::") host = "::1";
  if (host.find(':') != std::string::npos) host = "[" + host + "]";
  return "http://" + host + ":" + std::to_string(c.listen_port) + c.base_path + "health/ready";
}

// The "status" each health endpoint reports when healthy, by the end of the URL's path.
std::optional<std::string> healthy_status(const std::string& path) {
  const auto ends_with = [&](const std::string& tail) {
    return path.size() >= tail.size() && path.compare(path.size() - tail.size(), tail.size(), tail) == 0;
  };
  if (ends_with("/api/health")) return "healthy";
  if (ends_with("/health/ready")) return "ready";
  if (ends_with("/health/live") || ends_with("/health")) return "ok";
  return std::nullopt;
}

int probe(Invocation& inv) {
  auto& c = inv.config;
  std::string target = c.healthcheck_url;
  if (target.empty()) {
    if (!config::split_host_port(c.listen, c.listen_host, c.listen_port))
      return fail("IRON_LISTEN/--listen is not a numeric HOST:PORT: " + c.listen, 1);
    if (c.base_path.empty() || c.base_path.back() != '/') c.base_path += '/';
    target = default_url(c);
  }
  const auto scheme_end = target.find("://");
  if (scheme_end == std::string::npos || target.substr(0, scheme_end) != "http")
    return fail("healthcheck --url must be an http:// URL", 1);
  const auto path_start = target.find('/', scheme_end + 3);
  const std::string path = path_start == std::string::npos ? "/" : target.substr(path_start);
  const auto expected = healthy_status(path.substr(0, path.find('?')));
  if (!expected) return fail("healthcheck --url must end in /health, /health/live, /health/ready or /api/health", 1);
  httplib::Client client(target.substr(0, path_start));
  client.set_connection_timeout(2);
  client.set_read_timeout(3);
  auto res = client.Get(path);
  if (!res) return fail("unhealthy: " + httplib::to_string(res.error()), 1);
  if (res->status != 200) return fail("unhealthy: HTTP " + std::to_string(res->status) + " " + res->body.substr(0, 200), 1);
  const auto body = nlohmann::json::parse(res->body, nullptr, false);
  const std::string status = body.is_object() && body.contains("status") && body["status"].is_string()
                                 ? body["status"].get<std::string>() : "";
  if (status != *expected)
    return fail("unhealthy: " + target + " did not answer with the health JSON (status \"" + *expected +
                    "\"); is the URL or base path right?",
                1);
  std::cout << "healthy\n";
  return 0;
}

}  // namespace

void add_healthcheck(CLI::App& app, Invocation& inv) {
  auto* cmd = app.add_subcommand("healthcheck", "Exit 0 when the local server is ready, 1 otherwise");
  config::add_flags(*cmd, inv.flags, config::scope_healthcheck);
  cmd->callback([&inv] {
    if (resolve_config(inv, config::scope_healthcheck)) inv.exit_code = probe(inv);
  });
}

}  // namespace iron::cli
