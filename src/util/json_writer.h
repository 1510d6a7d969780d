#pragma once
// JSON text written straight into one string, without building a nlohmann::json tree: for
// answers with many rows (the agent list, where building, dumping and freeing the tree was
// three quarters of the request, docs/benchmarks.md) and for lines written on every request
// (the access log). The text is what nlohmann::json's dump(-1, ' ', false,
// error_handler_t::replace) writes for the same values: strings escaped alike, invalid UTF-8
// replaced by U+FFFD. Keys are written in the order given; nlohmann orders them by name, so
// callers that must match it byte for byte give them in that order.
#include <cstdint>
#include <string>
#include <string_view>

namespace iron::util {

// Appends `s` as a JSON string (quotes included).
void append_json_string(std::string& out, std::string_view s);

class JsonWriter {
 public:
  JsonWriter() = default;
  explicit JsonWriter(size_t reserve) { out_.reserve(reserve); }  // the expected length
  JsonWriter& begin_object();
  JsonWriter& end_object();
  JsonWriter& begin_array();
  JsonWriter& end_array();
  JsonWriter& key(std::string_view k);  // the next value is this member's
  JsonWriter& string(std::string_view s);
  JsonWriter& number(int64_t n);
  JsonWriter& boolean(bool b);
  JsonWriter& null();
  JsonWriter& raw(std::string_view json);  // a value already serialised (e.g. a json::dump())
  std::string take() { return std::move(out_); }

 private:
  void separate();  // the comma before every element of a container but its first
  JsonWriter& open(char bracket);   // begins an object or array
  JsonWriter& close(char bracket);  // ends one
  std::string out_;
  bool first_ = true;       // the next element is its container's first
  bool after_key_ = false;  // a key was written: its value needs no comma
};

}  // namespace iron::util
