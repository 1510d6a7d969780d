// util::JsonWriter writes the text nlohmann::json's dump() would for the same values: the
// agent list is written with it and must answer the bytes the json tree did.
#include <gtest/gtest.h>

#include <climits>

#include <nlohmann/json.hpp>

#include "util/json_writer.h"

namespace {

using iron::util::JsonWriter;
using nlohmann::json;

std::string dumped(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

TEST(JsonWriter, ScalarsAreWrittenAsNlohmannJsonDumpsThem) {
  struct Case {
    std::function<void(JsonWriter&)> write;
    json expected;
  };
  const std::vector<Case> cases = {
      {[](JsonWriter& w) { w.number(0); }, 0},
      {[](JsonWriter& w) { w.number(-42); }, -42},
      {[](JsonWriter& w) { w.number(INT64_MAX); }, INT64_MAX},
      {[](JsonWriter& w) { w.number(INT64_MIN); }, INT64_MIN},
      {[](JsonWriter& w) { w.boolean(true); }, true},
      {[](JsonWriter& w) { w.boolean(false); }, false},
      {[](JsonWriter& w) { w.null(); }, nullptr},
      {[](JsonWriter& w) { w.string("quote \" backslash \\ \x01\x1f\b\f\n\r\t"); }, "quote \" backslash \\ \x01\x1f\b\f\n\r\t"},
      {[](JsonWriter& w) { w.string("utf8 \xc3\xa9 \xf0\x9f\x98\x80"); }, "utf8 \xc3\xa9 \xf0\x9f\x98\x80"},
      {[](JsonWriter& w) { w.string("bad \xc3 \xed\xa0\x80 \xff"); }, "bad \xc3 \xed\xa0\x80 \xff"},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    JsonWriter w;
    cases[i].write(w);
    EXPECT_EQ(w.take(), dumped(cases[i].expected)) << "case " << i;
  }
}

TEST(JsonWriter, ContainersGetTheirCommasAndColons) {
  JsonWriter w;
  w.begin_object();
  w.key("a").begin_array().number(1).begin_object().end_object().begin_array().end_array().string("x").end_array();
  w.key("b").begin_object().key("c").null().key("d").boolean(true).end_object();
  w.key("e").raw(R"({"f":[1,2]})");
  w.key("g").begin_array().end_array();
  w.end_object();
  const json expected = {{"a", {1, json::object(), json::array(), "x"}},
                         {"b", {{"c", nullptr}, {"d", true}}},
                         {"e", {{"f", {1, 2}}}},
                         {"g", json::array()}};
  EXPECT_EQ(w.take(), dumped(expected));
}

}  // namespace
