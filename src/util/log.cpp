#include "util/log.h"

#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <climits>
#include <charconv>
#include <cstdio>
#include <mutex>

#include "util/clock.h"
#include "util/json_writer.h"

namespace iron::log {
using namespace std::string_view_literals;
namespace {
std::atomic<Format> g_format{Format::json};
std::atomic<Level> g_min_level{Level::info};
std::mutex g_write_mutex;

std::string_view level_name(Level level) {
  switch (level) {
    case Level::debug: return "debug";
    case Level::info: return "info";
    case Level::warn: return "warn";
    case Level::error: return "error";
  }
  return "info";
}

// One write(2) per line: a write of at most PIPE_BUF bytes to a pipe is atomic, and Linux
// serialises writes to one open file, so short lines need no lock of ours. A lock held
// across the system call was the most contended one at 128 connections (one access-log
// line per request; docs/benchmarks.md, "Fifth pass: the edge"). Longer lines, and a
// write cut short, keep the mutex so lines never interleave among themselves.
void emit(std::string& line) {
  line += '\n';
  std::fflush(stdout);  // whatever the CLI printed through stdio goes first, as before
  if (line.size() <= PIPE_BUF) {
    const ssize_t n = ::write(STDOUT_FILENO, line.data(), line.size());
    if (n == static_cast<ssize_t>(line.size())) return;
    if (n > 0) line.erase(0, static_cast<size_t>(n));
  }
  std::lock_guard lock(g_write_mutex);
  for (size_t done = 0; done < line.size();) {
    const ssize_t n = ::write(STDOUT_FILENO, line.data() + done, line.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // nowhere to log to
    done += static_cast<size_t>(n);
  }
}

template <typename T>
void append_number(std::string& out, T v) {
  char buf[32];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

void append_value(std::string& out, const Field& f, bool json) {
  if (const auto* s = std::get_if<std::string_view>(&f.value)) {
    if (json) util::append_json_string(out, *s);
    else out.append(*s);
  } else if (const auto* i = std::get_if<int64_t>(&f.value)) {
    append_number(out, *i);
  } else {
    append_number(out, std::get<double>(f.value));
  }
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
    line = ts + " " + std::string(level_name(level)) + " " + std::string(msg);
    if (fields.is_object()) {
      for (auto it = fields.begin(); it != fields.end(); ++it) {
        line += " " + it.key() + "=" +
                (it.value().is_string() ? it.value().get<std::string>()
                                        : it.value().dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
      }
    }
  }
  emit(line);
}

std::string format_fields(Format format, Level level, std::string_view ts, std::string_view msg,
                          std::initializer_list<Field> fields) {
  std::string line;
  line.reserve(256);
  if (format == Format::json) {
    // string_view literals: no strlen per piece on a line written for every request.
    line += "{"sv;
    if (!ts.empty()) {
      line += "\"ts\":"sv;
      util::append_json_string(line, ts);
      line += ',';
    }
    line += "\"level\":\""sv;
    line += level_name(level);
    line += "\",\"msg\":"sv;
    util::append_json_string(line, msg);
    for (const auto& f : fields) {
      line += ',';
      util::append_json_string(line, f.key);
      line += ':';
      append_value(line, f, true);
    }
    line += '}';
  } else {
    if (!ts.empty()) {
      line.append(ts);
      line += ' ';
    }
    line += level_name(level);
    line += ' ';
    line.append(msg);
    for (const auto& f : fields) {
      line += ' ';
      line.append(f.key);
      line += '=';
      append_value(line, f, false);
    }
  }
  return line;
}

namespace {
// util::to_rfc3339_millis(util::now()), with the part up to the seconds formatted once per
// second per thread (gmtime_r and snprintf were a twentieth of a static file's cost).
std::string_view timestamp_now() {
  thread_local int64_t cached_second = INT64_MIN;
  thread_local std::string out;  // YYYY-MM-DDTHH:MM:SS.mmmZ
  const int64_t ms = util::to_unix_ms(util::now());
  const int64_t second = ms >= 0 ? ms / 1000 : (ms - 999) / 1000;
  if (second != cached_second) {
    out = util::to_rfc3339_millis(util::from_unix_ms(ms));
    cached_second = out.size() == 24 ? second : INT64_MIN;  // outside years 0..9999: never cached
    return out;
  }
  const int milli = static_cast<int>(ms - second * 1000);
  out[20] = static_cast<char>('0' + milli / 100);
  out[21] = static_cast<char>('0' + milli / 10 % 10);
  out[22] = static_cast<char>('0' + milli % 10);
  return out;
}
}  // namespace

void write_fields(Level level, std::string_view msg, std::initializer_list<Field> fields) {
  if (!enabled(level)) return;
  const std::string_view ts = timestamp_now();
  std::string line = format_fields(g_format, level, ts, msg, fields);
  emit(line);
}

}  // namespace iron::log
