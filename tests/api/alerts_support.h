#pragma once
// The alert tests' fixtures: a real HTTP receiver in the test process (cpp-httplib on an
// ephemeral loopback port) that records every request and answers from a script of statuses,
// the check of the webhook signature as a receiver would do it (docs/alerts.md), and a Panel
// started with the alert settings a test needs.
#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <httplib.h>

#include "security/crypto.h"
#include "support/panel.h"

namespace alerts_test {

// The harness (tests/support): Panel, Account, Reply, expect_error, json, ...
using namespace iron::test;

struct Received {
  std::string path;
  std::map<std::string, std::string> headers;
  std::string body;
};

class Receiver {
 public:
  // `statuses`: the answers to the first requests, in order; 200 after them. A 302 answer
  // redirects to /elsewhere on the same receiver. With `cert` and `key` (PEM files) it
  // serves https.
  explicit Receiver(std::vector<int> statuses = {}, const std::string& cert = "", const std::string& key = "")
      : server_(cert.empty() ? std::make_unique<httplib::Server>()
                             : std::make_unique<httplib::SSLServer>(cert.c_str(), key.c_str())),
        scheme_(cert.empty() ? "http" : "https"),
        statuses_(std::move(statuses)) {
    server_->Post(".*", [this](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard lock(mutex_);
      Received r{req.path, {}, req.body};
      for (const auto& [k, v] : req.headers) r.headers[k] = v;
      received_.push_back(std::move(r));
      const size_t n = received_.size() - 1;
      res.status = n < statuses_.size() ? statuses_[n] : 200;
      if (res.status == 302) res.set_header("Location", "/elsewhere");
      res.set_content("{}", "application/json");
      cv_.notify_all();
    });
    port_ = server_->bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_->listen_after_bind(); });
    server_->wait_until_ready();
  }
  ~Receiver() {
    server_->stop();
    if (thread_.joinable()) thread_.join();
  }
  int port() const { return port_; }
  std::string url(const std::string& path = "/hook") const {
    return scheme_ + "://127.0.0.1:" + std::to_string(port_) + path;
  }
  // Waits (up to `timeout`) until `n` requests arrived; returns what arrived.
  std::vector<Received> wait_for(size_t n, std::chrono::milliseconds timeout = std::chrono::seconds(15)) {
    std::unique_lock lock(mutex_);
    cv_.wait_for(lock, timeout, [&] { return received_.size() >= n; });
    return received_;
  }
  std::vector<Received> received() {
    std::lock_guard lock(mutex_);
    return received_;
  }

 private:
  std::unique_ptr<httplib::Server> server_;
  std::string scheme_;
  std::vector<int> statuses_;
  int port_ = 0;
  std::thread thread_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::vector<Received> received_;
};

// The receiver's side of docs/alerts.md: the signature is HMAC-SHA256 over
// "<X-Ironpanel-Timestamp>.<body>" with the channel's secret, and the timestamp is recent.
inline bool signature_valid(const Received& r, const std::string& secret) {
  const auto ts = r.headers.find("X-Ironpanel-Timestamp");
  const auto sig = r.headers.find("X-Ironpanel-Signature");
  if (ts == r.headers.end() || sig == r.headers.end()) return false;
  const int64_t now_s = std::chrono::duration_cast<std::chrono::seconds>(
                            std::chrono::system_clock::now().time_since_epoch()).count();
  if (std::llabs(now_s - std::stoll(ts->second)) > 300) return false;  // a replay window of 5 min
  const std::string expected =
      "sha256=" + iron::security::hex_encode(iron::security::hmac_sha256(secret, ts->second + "." + r.body));
  return iron::security::constant_time_equal(expected, sig->second);
}

// A receiver's certificate and key (PEM files); the certificate doubles as the CA a test trusts.
struct SelfSigned {
  std::string cert, key;
};

// A certificate for 127.0.0.1 and localhost, valid for a day; nullopt without openssl.
inline std::optional<SelfSigned> self_signed() {
  const std::string dir = iron::test::make_temp_dir();
  const SelfSigned s{dir + "/cert.pem", dir + "/key.pem"};
  const std::string cmd = "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost "
                          "-addext subjectAltName=IP:127.0.0.1,DNS:localhost -keyout " + s.key + " -out " + s.cert +
                          " >/dev/null 2>&1";
  if (std::system(cmd.c_str()) != 0) return std::nullopt;
  return s;
}

// The alert settings of the tests: loopback receivers allowed, fast retries.
inline std::map<std::string, std::string> loopback_env(std::map<std::string, std::string> extra = {}) {
  std::map<std::string, std::string> env = {{"IRON_ALERT_ALLOW_PRIVATE_DESTINATIONS", "1"},
                                            {"IRON_ALERT_RETRY_BASE_MS", "50"},
                                            {"IRON_ALERT_MAX_ATTEMPTS", "3"},
                                            {"IRON_ALERT_TIMEOUT_MS", "3000"}};
  for (auto& [k, v] : extra) env[k] = v;
  return env;
}

inline std::string channel_path(int64_t id, const std::string& suffix = "") {
  return "/api/v1/alert-channels/" + std::to_string(id) + suffix;
}

class AlertPanel : public iron::test::Panel {
 public:
  explicit AlertPanel(std::map<std::string, std::string> env, std::string data_dir = "")
      : iron::test::Panel(with_dir(iron::test::admin_options({}, std::move(env)), std::move(data_dir))) {}

  // POST /alert-channels; the created channel (with its one-time signing_secret).
  json add_channel(const std::string& url, const std::string& kind = "webhook") {
    const Reply r = call("POST", "/api/v1/alert-channels", admin.token,
                         {{"name", kind + " channel"}, {"kind", kind}, {"url", url}});
    EXPECT_EQ(r.status, 201) << r.raw;
    return r.body;
  }
  // POST /alert-rules sending `types` to `channel_id`; the rule's id.
  int64_t add_rule(const std::vector<std::string>& types, int64_t channel_id) {
    const Reply r = call("POST", "/api/v1/alert-rules", admin.token,
                         {{"name", "rule"}, {"event_types", types}, {"channel_ids", {channel_id}}});
    EXPECT_EQ(r.status, 201) << r.raw;
    return r.body.value("id", int64_t{0});
  }
  // POST /alert-channels/:id/test as the admin; the outcome of that one delivery.
  json send_test(int64_t channel_id) {
    const Reply r = call("POST", channel_path(channel_id, "/test"), admin.token);
    EXPECT_EQ(r.status, 200) << r.raw;
    return r.body;
  }
  // The channel's delivery log, newest first.
  json deliveries(int64_t channel_id) {
    const Reply r = call("GET", channel_path(channel_id, "/deliveries"), admin.token);
    EXPECT_EQ(r.status, 200) << r.raw;
    return r.body["items"];
  }
  // Waits until the channel's log holds `n` rows (the worker writes them after each send).
  json wait_for_deliveries(int64_t channel_id, size_t n) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
    json items = deliveries(channel_id);
    while (items.size() < n && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));  // polling a condition, not a fixed wait
      items = deliveries(channel_id);
    }
    return items;
  }

 private:
  static iron::test::ServerProcess::Options with_dir(iron::test::ServerProcess::Options o, std::string dir) {
    o.data_dir = std::move(dir);
    return o;
  }
};

}  // namespace alerts_test
