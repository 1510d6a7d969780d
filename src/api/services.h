#pragma once
// What api/ handlers are built with: the long-lived objects of one running server.
#include <atomic>
#include <chrono>

#include "config/config.h"
#include "store/database.h"

namespace iron::api {

struct Services {
  store::Database& db;
  const config::Config& config;
  const std::atomic<bool>& draining;  // set on SIGTERM: readiness turns 503
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
};

}  // namespace iron::api
