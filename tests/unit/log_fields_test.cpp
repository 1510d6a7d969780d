// The access log's hand-written JSON lines (log::format_fields) must say what nlohmann::json
// would: the same escaping, invalid UTF-8 replaced by U+FFFD, numbers as numbers.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "util/log.h"

namespace {

using iron::log::Format;
using iron::log::Level;
using nlohmann::json;

std::string as_nlohmann_would(const std::string& text) {
  return json(text).dump(-1, ' ', false, json::error_handler_t::replace);
}

TEST(LogFields, StringsAreEscapedExactlyAsNlohmannJsonDoes) {
  const std::vector<std::string> inputs = {
      "",
      "/api/v1/agents",
      "quote \" backslash \\ slash /",
      std::string("controls \x01\x02\x1f \b\f\n\r\t end"),
      std::string("nul \0 inside", 12),
      "del \x7f",
      "utf8 \xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80",
      "lone continuation \x80 and lead \xc3",
      "overlong \xc0\xaf and \xe0\x80\xaf",
      "surrogate \xed\xa0\x80",
      "above max \xf4\x90\x80\x80",
      "truncated \xe2\x82",
      "truncated \xe2\x82 mid-string \xf0\x9f\x98 and \xf4\x8f",
      "\xff\xfe\xc1\xbf\xf5\x80",
  };
  for (const auto& in : inputs) {
    const std::string line = iron::log::format_fields(Format::json, Level::info, "", "m", {{"path", in}});
    const std::string expected = R"({"level":"info","msg":"m","path":)" + as_nlohmann_would(in) + "}";
    EXPECT_EQ(line, expected) << "input: " << json(in).dump(-1, ' ', true, json::error_handler_t::replace);
  }
}

TEST(LogFields, ALineParsesBackToItsFields) {
  const std::string line = iron::log::format_fields(
      Format::json, Level::warn, "2026-01-02T03:04:05.678Z", "request",
      {{"status", int64_t{503}}, {"duration_ms", 1.25}, {"route", "/api/v1/agents/:id"}, {"bytes", int64_t{0}}});
  const json j = json::parse(line);
  EXPECT_EQ(j["ts"], "2026-01-02T03:04:05.678Z");
  EXPECT_EQ(j["level"], "warn");
  EXPECT_EQ(j["msg"], "request");
  EXPECT_EQ(j["status"], 503);
  EXPECT_DOUBLE_EQ(j["duration_ms"].get<double>(), 1.25);
  EXPECT_EQ(j["route"], "/api/v1/agents/:id");
  EXPECT_EQ(j["bytes"], 0);
}

TEST(LogFields, TextLinesAreKeyEqualsValue) {
  EXPECT_EQ(iron::log::format_fields(Format::text, Level::info, "T", "request",
                                     {{"status", int64_t{200}}, {"path", "/x"}, {"duration_ms", 0.5}}),
            "T info request status=200 path=/x duration_ms=0.5");
}

}  // namespace
