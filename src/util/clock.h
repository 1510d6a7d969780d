#pragma once
// Time is UTC everywhere. Inside: std::chrono; at the edge: ms epoch or RFC 3339.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace iron::util {

using Clock = std::chrono::system_clock;
using TimePoint = Clock::time_point;

TimePoint now();
int64_t now_unix_ms();  // to_unix_ms(now())
int64_t to_unix_ms(TimePoint t);
int64_t to_unix_s(TimePoint t);
TimePoint from_unix_ms(int64_t ms);
std::string to_rfc3339(TimePoint t);          // 2026-11-23T04:37:06Z
std::string to_rfc3339_millis(TimePoint t);   // 2026-11-23T04:37:06.123Z
std::optional<TimePoint> parse_rfc3339(std::string_view text);

}  // namespace iron::util
