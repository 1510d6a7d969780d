#include "util/log.h"

#include <atomic>
#include <cstdio>
#include <mutex>

#include "util/clock.h"

namespace iron::log {
namespace {
std::atomic<Format> g_format{Format::json};
std::atomic<Level> g_min_level{Level::info};
std::mutex g_write_mutex;

const char* level_name(Level level) {
  switch (level) {
    case Level::debug: return "debug";
    case Level::info: return "info";
    case Level::warn: return "warn";
    case Level::error: return "error";
  }
  return "info";
}
}  // namespace

void configure(Format format, Level min_level) {
  g_format = format;
  g_min_level = min_level;
}

bool parse_level(std::string_view text, Level& out) {
  for (Level l : {Level::debug, Level::info, Level::warn, Level::error}) {
    if (text == level_name(l)) { out = l; return true; }
  }
  return false;
}

bool parse_format(std::string_view text, Format& out) {
  if (text == "json") { out = Format::json; return true; }
  if (text == "text") { out = Format::text; return true; }
  return false;
}

bool enabled(Level level) { return level >= g_min_level.load(); }

void write(Level level, std::string_view msg, const nlohmann::json& fields) {
  if (!enabled(level)) return;
  std::string line;
  const std::string ts = util::to_rfc3339_millis(util::now());
  if (g_format == Format::json) {
    nlohmann::json j = {{"ts", ts}, {"level", level_name(level)}, {"msg", msg}};
    if (fields.is_object()) {
      for (auto it = fields.begin(); it != fields.end(); ++it) j[it.key()] = it.value();
    }
    line = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  } else {
    line = ts + " " + level_name(level) + " " + std::string(msg);
    if (fields.is_object()) {
      for (auto it = fields.begin(); it != fields.end(); ++it) {
        line += " " + it.key() + "=" +
                (it.value().is_string() ? it.value().get<std::string>()
                                        : it.value().dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
      }
    }
  }
  line += '\n';
  std::lock_guard lock(g_write_mutex);
  std::fwrite(line.data(), 1, line.size(), stdout);
  std::fflush(stdout);
}

}  // namespace iron::log
