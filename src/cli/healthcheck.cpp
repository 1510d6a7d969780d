// The binary as its own HTTP client: distroless images have no curl, so the container
// HEALTHCHECK runs `ironpanel healthcheck`.
#include <httplib.h>

#include <iostream>

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

}  // namespace

void add_healthcheck(CLI::App& app, Invocation& inv) {
  auto* cmd = app.add_subcommand("healthcheck", "Exit 0 when the local server is ready, 1 otherwise");
  auto url = std::make_shared<std::string>();
  cmd->add_option("--url", *url, "URL to probe (default: /health/ready of --listen)")->envname("IRON_HEALTHCHECK_URL");
  cmd->add_option("--listen", inv.config.listen, "Server address the default URL is derived from")
      ->envname("IRON_LISTEN")->capture_default_str();
  cmd->add_option("--base-path", inv.config.base_path, "Server base path")->envname("IRON_BASE_PATH");
  cmd->callback([&inv, url] {
    auto& c = inv.config;
    std::string target = *url;
    if (target.empty()) {
      if (!config::split_host_port(c.listen, c.listen_host, c.listen_port)) {
        inv.exit_code = fail("IRON_LISTEN/--listen is not a numeric HOST:PORT: " + c.listen, 1);
        return;
      }
      if (c.base_path.empty() || c.base_path.back() != '/') c.base_path += '/';
      target = default_url(c);
    }
    const auto scheme_end = target.find("://");
    const auto path_start = target.find('/', scheme_end == std::string::npos ? 0 : scheme_end + 3);
    if (scheme_end == std::string::npos || target.substr(0, scheme_end) != "http") {
      inv.exit_code = fail("healthcheck --url must be an http:// URL", 1);
      return;
    }
    httplib::Client client(target.substr(0, path_start));
    client.set_connection_timeout(2);
    client.set_read_timeout(3);
    auto res = client.Get(path_start == std::string::npos ? "/" : target.substr(path_start));
    if (!res) {
      inv.exit_code = fail("unhealthy: " + httplib::to_string(res.error()), 1);
      return;
    }
    if (res->status != 200) {
      inv.exit_code = fail("unhealthy: HTTP " + std::to_string(res->status) + " " + res->body, 1);
      return;
    }
    std::cout << "healthy\n";
    inv.exit_code = 0;
  });
}

}  // namespace iron::cli
