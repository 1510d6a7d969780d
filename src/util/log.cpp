#include "util/log.h"

#include <atomic>
#include <climits>
#include <charconv>
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

void emit(std::string& line) {
  line += '\n';
  std::lock_guard lock(g_write_mutex);
  std::fwrite(line.data(), 1, line.size(), stdout);
  std::fflush(stdout);
}

// The UTF-8 sequence starting at s[i]: its length, and whether it is valid (RFC 3629: no
// overlongs, no surrogates, nothing above U+10FFFF). An invalid one is its longest prefix
// that could still have begun a valid sequence (at least one byte): the bytes nlohmann::json
// replaces with one U+FFFD before looking at the next.
std::pair<size_t, bool> utf8_sequence(std::string_view s, size_t i) {
  const auto c = static_cast<unsigned char>(s[i]);
  if (c < 0x80) return {1, true};
  size_t need = 0;
  unsigned char lo = 0x80, hi = 0xBF;  // the range of the second byte
  if (c >= 0xC2 && c <= 0xDF) need = 1;
  else if (c >= 0xE0 && c <= 0xEF) need = 2, lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
  else if (c >= 0xF0 && c <= 0xF4) need = 3, lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
  else return {1, false};
  for (size_t k = 1; k <= need; ++k) {
    if (i + k >= s.size()) return {k, false};
    const auto b = static_cast<unsigned char>(s[i + k]);
    if (k == 1 ? (b < lo || b > hi) : (b & 0xC0) != 0x80) return {k, false};
  }
  return {need + 1, true};
}

void append_json_string(std::string& out, std::string_view s) {
  out += '"';
  for (size_t i = 0; i < s.size();) {
    // The usual run of printable ASCII goes in at once.
    size_t plain = i;
    while (plain < s.size() && s[plain] >= 0x20 && s[plain] != '"' && s[plain] != '\\') ++plain;
    out.append(s.substr(i, plain - i));
    if ((i = plain) == s.size()) break;
    const char c = s[i];
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x80) {
      const auto [n, valid] = utf8_sequence(s, i);
      if (valid) out.append(s.substr(i, n));
      else out += "\xEF\xBF\xBD";  // U+FFFD, as nlohmann's error_handler_t::replace writes it
      i += n;
      continue;
    }
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        if (u < 0x20) {
          static constexpr char hex[] = "0123456789abcdef";
          out += "\\u00";
          out += hex[u >> 4];
          out += hex[u & 0xF];
        } else {
          out += c;
        }
    }
    ++i;
  }
  out += '"';
}

template <typename T>
void append_number(std::string& out, T v) {
  char buf[32];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

void append_value(std::string& out, const Field& f, bool json) {
  if (const auto* s = std::get_if<std::string_view>(&f.value)) {
    if (json) append_json_string(out, *s);
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
    line = ts + " " + level_name(level) + " " + std::string(msg);
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
    line += "{";
    if (!ts.empty()) {
      line += "\"ts\":";
      append_json_string(line, ts);
      line += ',';
    }
    line += "\"level\":\"";
    line += level_name(level);
    line += "\",\"msg\":";
    append_json_string(line, msg);
    for (const auto& f : fields) {
      line += ',';
      append_json_string(line, f.key);
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
