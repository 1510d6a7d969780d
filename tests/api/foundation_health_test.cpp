// Health, metrics and logging of the real binary over HTTP.
#include "util/build_info.h"
#include <gtest/gtest.h>

#include "support/raw_http.h"
#include "support/server_process.h"

using iron::test::json_of;
using iron::test::ServerProcess;

TEST(FoundationHealth, HealthReportsVersionBuildShaUptimeAndDatabase) {
  ServerProcess server;
  auto res = server.client()->Get("/health");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  const auto j = json_of(res);
  EXPECT_EQ(j["status"], "ok");
  EXPECT_EQ(j["version"], iron::util::build_version());
  EXPECT_EQ(j["build_sha"], iron::util::build_sha());
  EXPECT_TRUE(j["uptime_s"].is_number_integer());
  EXPECT_EQ(j["checks"]["database"], "ok");
}

TEST(FoundationHealth, LiveReadyAndTheLegacyAlias) {
  ServerProcess server;
  auto c = server.client();
  auto live = c->Get("/health/live");
  ASSERT_TRUE(live);
  EXPECT_EQ(live->status, 200);
  auto ready = c->Get("/health/ready");
  ASSERT_TRUE(ready);
  EXPECT_EQ(ready->status, 200);
  EXPECT_EQ(json_of(ready)["checks"]["migrations"], "ok");
  auto legacy = c->Get("/api/health");
  ASSERT_TRUE(legacy);
  EXPECT_EQ(legacy->status, 200);
  EXPECT_EQ(json_of(legacy)["status"], "healthy");
  EXPECT_TRUE(json_of(legacy)["timestamp"].is_number_integer());
}

TEST(FoundationHealth, RequestIdIsEchoedAndAccessLogLineHasTheFields) {
  ServerProcess server;
  auto res = server.client()->Get("/health", {{"X-Request-Id", "trace-abc-123"}});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->get_header_value("X-Request-Id"), "trace-abc-123");
  auto generated = server.client()->Get("/health");
  ASSERT_TRUE(generated);
  EXPECT_GE(generated->get_header_value("X-Request-Id").size(), 8u);
  server.stop();
  bool found = false;
  for (const auto& line : server.log_lines()) {
    if (line.value("request_id", "") != "trace-abc-123") continue;
    found = true;
    EXPECT_EQ(line["msg"], "request");
    EXPECT_EQ(line["level"], "info");
    EXPECT_TRUE(line["ts"].is_string());
    EXPECT_EQ(line["method"], "GET");
    EXPECT_EQ(line["path"], "/health");
    EXPECT_EQ(line["status"], 200);
    EXPECT_TRUE(line["duration_ms"].is_number());
    EXPECT_GT(line["bytes"].get<int>(), 0);
    EXPECT_EQ(line["client_ip"], "127.0.0.1");
  }
  EXPECT_TRUE(found);
}

TEST(FoundationMetrics, OffByDefault) {
  ServerProcess server;
  auto res = server.client()->Get("/metrics");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 404);
}

TEST(FoundationMetrics, PrometheusTextWithRouteTemplatesAndGauges) {
  ServerProcess server({.extra_args = {}, .env = {{"IRON_METRICS", "1"}}});
  auto c = server.client();
  ASSERT_TRUE(c->Get("/health"));
  ASSERT_TRUE(c->Get("/api/v1/does-not-exist"));
  auto res = c->Get("/metrics");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200);
  const std::string& m = res->body;
  EXPECT_NE(m.find("ironpanel_http_requests_total{method=\"GET\",route=\"/health\",status=\"2xx\"} 1"), std::string::npos) << m;
  EXPECT_NE(m.find("route=\"unmatched\",status=\"4xx\""), std::string::npos);
  EXPECT_NE(m.find("ironpanel_http_request_duration_seconds_bucket{method=\"GET\",route=\"/health\",status=\"2xx\",le=\"+Inf\"} 1"), std::string::npos);
  EXPECT_NE(m.find("ironpanel_http_requests_in_flight 1"), std::string::npos);  // this very request
  EXPECT_NE(m.find("ironpanel_db_size_bytes "), std::string::npos);
  EXPECT_NE(m.find("ironpanel_db_wal_size_bytes "), std::string::npos);
  EXPECT_NE(m.find(std::string("ironpanel_build_info{version=\"") + iron::util::build_version() + "\""), std::string::npos);
}

// Any method token is routed (405 or 404 in the envelope), but the metrics keep one series
// for all the methods nothing serves: requests cannot grow them without bound.
TEST(FoundationMetrics, MethodsNothingServesShareOneSeries) {
  ServerProcess server({.extra_args = {}, .env = {{"IRON_METRICS", "1"}}});
  for (const std::string method : {"PURGE", "BREW", "X-ANYTHING"}) {
    SCOPED_TRACE(method);
    iron::test::RawConnection conn(server.port());
    ASSERT_TRUE(conn.send(method + " /api/v1/agents HTTP/1.1\r\nHost: x\r\n\r\n"));
    EXPECT_EQ(conn.read_reply(std::chrono::seconds(5)).status, 405);
  }
  auto res = server.client()->Get("/metrics");
  ASSERT_TRUE(res);
  const std::string& m = res->body;
  EXPECT_NE(m.find("ironpanel_http_requests_total{method=\"OTHER\",route=\"method_not_allowed\",status=\"4xx\"} 3"),
            std::string::npos)
      << m;
  for (const char* method : {"PURGE", "BREW", "X-ANYTHING"}) EXPECT_EQ(m.find(method), std::string::npos) << m;
}

TEST(FoundationMetrics, TokenProtected) {
  ServerProcess server({.extra_args = {}, .env = {{"IRON_METRICS", "1"}, {"IRON_METRICS_TOKEN", "s3cret-metrics"}}});
  auto c = server.client();
  auto anon = c->Get("/metrics");
  ASSERT_TRUE(anon);
  EXPECT_EQ(anon->status, 401);
  auto wrong = c->Get("/metrics", {{"Authorization", "Bearer nope"}});
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 401);
  auto good = c->Get("/metrics", {{"Authorization", "Bearer s3cret-metrics"}});
  ASSERT_TRUE(good);
  EXPECT_EQ(good->status, 200);
}
