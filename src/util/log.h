#pragma once
// Structured logging: one JSON object per line on stdout (or a human-readable text line).
// Written by hand because Debian ships spdlog/fmt only as shared libraries.
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include <nlohmann/json.hpp>

namespace iron::log {

enum class Level { debug = 0, info = 1, warn = 2, error = 3 };
enum class Format { json, text };

void configure(Format format, Level min_level);
bool parse_level(std::string_view text, Level& out);
bool parse_format(std::string_view text, Format& out);
bool enabled(Level level);

// Emits `msg` with extra fields; `fields` must be a JSON object (or null).
void write(Level level, std::string_view msg, const nlohmann::json& fields = nullptr);

// A field of write_fields(): a string or a number.
struct Field {
  std::string_view key;
  std::variant<std::string_view, int64_t, double> value;
};
// The same line as write() would give, formatted straight into one buffer without building
// a JSON tree: for lines written on every request (the access log). JSON strings are
// escaped as nlohmann::json does, invalid UTF-8 replaced by U+FFFD.
void write_fields(Level level, std::string_view msg, std::initializer_list<Field> fields);
// The line write_fields() would emit, without its timestamp field and newline (for tests).
std::string format_fields(Format format, Level level, std::string_view ts, std::string_view msg,
                          std::initializer_list<Field> fields);

inline void debug(std::string_view msg, const nlohmann::json& f = nullptr) { write(Level::debug, msg, f); }
inline void info(std::string_view msg, const nlohmann::json& f = nullptr) { write(Level::info, msg, f); }
inline void warn(std::string_view msg, const nlohmann::json& f = nullptr) { write(Level::warn, msg, f); }
inline void error(std::string_view msg, const nlohmann::json& f = nullptr) { write(Level::error, msg, f); }

}  // namespace iron::log
