// Every API route's request decoding, in-process: the real route table over a real database
// in a scratch data dir, with a signed-in admin. Reaches each route family's body, query and
// path decoders, the guard (bearer token) and the auth routes' refresh-cookie parsing.
// Bad input must be a 4xx envelope: a crash, an escaping exception or a 500 is a finding.
//
// Input (seeds in corpus/routes are readable):
//   line 1  "METHOD /api/v1/pattern"   a route of the table (else chosen by a hash)
//   line 2  the value of every :param in the pattern
//   line 3  the raw query string "a=1&b=x"
//   line 4  flags: 'a' send the admin's bearer token, 'b' browser (X-Requested-With),
//           'j' Content-Type: application/json, 't' text/plain
//   line 5  the Cookie header
//   rest    the body
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "api/routes.h"
#include "input_lines.h"
#include "cli/panel.h"
#include "config/config.h"
#include "security/random.h"
#include "store/data_dir.h"
#include "store/database.h"
#include "util/log.h"

namespace {

using namespace iron;

constexpr const char* kAdminEmail = "fuzz-admin@example.com";
constexpr const char* kAdminPassword = "fuzzing-admin-password-1";

struct World {
  config::Config config;
  std::unique_ptr<store::Database> db;
  std::atomic<bool> draining{false};
  std::unique_ptr<cli::Panel> panel;
  std::vector<api::Route> routes;
  std::string token;
  std::string scratch;

  World() {
    // tmpfs when there is one: every write transaction fsyncs.
    const auto base = std::filesystem::exists("/dev/shm") ? std::filesystem::path("/dev/shm")
                                                           : std::filesystem::temp_directory_path();
    std::string dir = (base / "ironpanel-fuzz-XXXXXX").string();
    if (!mkdtemp(dir.data())) std::abort();
    scratch = dir;
    config.data_dir = dir + "/data";
    config.admin_email = kAdminEmail;
    config.admin_password = kAdminPassword;
    if (config::validate(config)) std::abort();
    store::ensure_data_dir(config.data_dir);
    db = std::make_unique<store::Database>(store::database_path(config.data_dir));
    panel = std::make_unique<cli::Panel>(*db, config, draining);
    routes = api::all_routes(panel->services());
    sign_in();
  }
  // libFuzzer ends a timed run with exit(): the scratch dir (backups, database) goes with it.
  ~World() { std::filesystem::remove_all(scratch); }

  void sign_in() {
    api::Request req;
    req.method = "POST";
    req.path = req.route = "/api/v1/auth/login";
    req.headers = {{"content-type", "application/json"}};
    req.body = nlohmann::json{{"email", kAdminEmail}, {"password", kAdminPassword}}.dump();
    req.client_ip = "127.0.0.1";
    for (const auto& r : routes) {
      if (r.method == req.method && r.pattern == req.route) {
        const api::Response response = r.handler(req);
        const auto reply = nlohmann::json::parse(response.body, nullptr, false);
        if (reply.is_object() && reply.contains("user_token")) {
          token = reply["user_token"];
          return;
        }
        // A refused sign-in (the login throttle after many re-sign-ins in one run) is a clean
        // 4xx envelope and leaves the old token; a 5xx or any other body is a defect.
        if (response.status >= 500 || !reply.is_object() || !reply.contains("error")) std::abort();
        return;
      }
    }
    std::abort();
  }
};

World& world() {
  static World w;
  return w;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  security::init();
  log::configure(log::Format::json, log::Level::error);
  world();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  World& w = world();
  const std::string text(reinterpret_cast<const char*>(data), size);
  size_t pos = 0;
  const std::string target = next_line(text, pos);
  const std::string param = next_line(text, pos);
  const std::string query = next_line(text, pos);
  const std::string flags = next_line(text, pos);
  const std::string cookie = next_line(text, pos);

  const api::Route* route = nullptr;
  for (const auto& r : w.routes)
    if (target == r.method + " " + r.pattern) route = &r;
  if (!route) route = &w.routes[std::hash<std::string>{}(target) % w.routes.size()];

  api::Request req;
  req.method = route->method;
  req.route = route->pattern;
  // Fill every :name segment with the fuzzed value.
  size_t seg = 0;
  while (seg < route->pattern.size()) {
    size_t end = route->pattern.find('/', seg + 1);
    if (end == std::string::npos) end = route->pattern.size();
    const std::string part = route->pattern.substr(seg, end - seg);
    if (part.size() > 1 && part[1] == ':') {
      req.path_params[part.substr(2)] = param;
      req.path += "/" + param;
    } else {
      req.path += part;
    }
    seg = end;
  }
  size_t q = 0;
  while (q < query.size()) {
    size_t amp = query.find('&', q);
    if (amp == std::string::npos) amp = query.size();
    const std::string pair = query.substr(q, amp - q);
    const size_t eq = pair.find('=');
    req.query.emplace_back(pair.substr(0, eq), eq == std::string::npos ? "" : pair.substr(eq + 1));
    q = amp + 1;
  }
  if (flags.find('a') != std::string::npos) req.headers.emplace_back("authorization", "Bearer " + w.token);
  if (flags.find('b') != std::string::npos) req.headers.emplace_back("x-requested-with", "XMLHttpRequest");
  if (flags.find('j') != std::string::npos) req.headers.emplace_back("content-type", "application/json");
  if (flags.find('t') != std::string::npos) req.headers.emplace_back("content-type", "text/plain");
  if (!cookie.empty()) req.headers.emplace_back("cookie", cookie);
  req.body = pos <= text.size() ? text.substr(pos) : "";
  req.client_ip = "127.0.0.1";
  req.request_id = "fuzz";

  const api::Response response = route->handler(req);
  if (response.status >= 500 && response.status != 503) std::abort();
  if (response.status >= 400 && !response.stream) {
    const auto envelope = nlohmann::json::parse(response.body, nullptr, false);
    if (!envelope.contains("error") || !envelope["error"].contains("code")) std::abort();
  }
  // A route that ended the admin's session (logout, session revocation): sign in again, so
  // later inputs still reach the authenticated decoders.
  if (response.status == 401 && flags.find('a') != std::string::npos &&
      nlohmann::json::parse(response.body, nullptr, false)["error"]["code"] == "AUTH_INVALID_TOKEN")
    w.sign_in();
  return 0;
}
