#include "util/json_writer.h"

#include <array>
#include <charconv>
#include <cstring>
#include <utility>

namespace iron::util {
namespace {

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

// Bytes that end a run copied as it is: the ones JSON escapes, and every non-ASCII byte (its
// UTF-8 sequence is checked first). One table lookup per byte: this loop is most of writing
// an access-log line.
constexpr std::array<bool, 256> kEndsPlainRun = [] {
  std::array<bool, 256> table{};
  for (size_t c = 0; c < table.size(); ++c) table[c] = c < 0x20 || c == '"' || c == '\\' || c >= 0x80;
  return table;
}();

size_t plain_run_end(std::string_view s, size_t i) {
  while (i < s.size() && !kEndsPlainRun[static_cast<unsigned char>(s[i])]) ++i;
  return i;
}

// Appends '"' + plain + '"' + suffix with one append when it fits a small buffer: the usual
// case of a name or a short value with nothing to escape.
void append_quoted(std::string& out, std::string_view plain, std::string_view suffix) {
  char buf[96];
  const size_t n = plain.size() + 2 + suffix.size();
  if (n > sizeof buf) {
    out += '"';
    out.append(plain);
    out += '"';
    out.append(suffix);
    return;
  }
  buf[0] = '"';
  std::memcpy(buf + 1, plain.data(), plain.size());
  buf[plain.size() + 1] = '"';
  std::memcpy(buf + plain.size() + 2, suffix.data(), suffix.size());
  out.append(buf, n);
}

}  // namespace

void append_json_string(std::string& out, std::string_view s) {
  size_t plain = plain_run_end(s, 0);
  if (plain == s.size()) {
    append_quoted(out, s, "");
    return;
  }
  out += '"';
  for (size_t i = 0;;) {
    out.append(s.data() + i, plain - i);
    if ((i = plain) == s.size()) break;
    const char c = s[i];
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x80) {
      const auto [n, valid] = utf8_sequence(s, i);
      if (valid) out.append(s.substr(i, n));
      else out += "\xEF\xBF\xBD";  // U+FFFD, as nlohmann's error_handler_t::replace writes it
      plain = plain_run_end(s, i += n);
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
      default: {  // the other control characters
        static constexpr char hex[] = "0123456789abcdef";
        const char escaped[] = {'\\', 'u', '0', '0', hex[u >> 4], hex[u & 0xF]};
        out.append(escaped, sizeof escaped);
      }
    }
    plain = plain_run_end(s, ++i);
  }
  out += '"';
}

void JsonWriter::separate() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (!first_) out_ += ',';
  first_ = false;
}

JsonWriter& JsonWriter::open(char bracket) {
  separate();
  out_ += bracket;
  first_ = true;
  return *this;
}

JsonWriter& JsonWriter::close(char bracket) {
  out_ += bracket;
  first_ = false;
  return *this;
}

JsonWriter& JsonWriter::begin_object() { return open('{'); }
JsonWriter& JsonWriter::end_object() { return close('}'); }
JsonWriter& JsonWriter::begin_array() { return open('['); }
JsonWriter& JsonWriter::end_array() { return close(']'); }

JsonWriter& JsonWriter::key(std::string_view k) {
  separate();
  if (plain_run_end(k, 0) == k.size()) {
    append_quoted(out_, k, ":");
  } else {
    append_json_string(out_, k);
    out_ += ':';
  }
  after_key_ = true;
  return *this;
}

JsonWriter& JsonWriter::string(std::string_view s) {
  separate();
  append_json_string(out_, s);
  return *this;
}

JsonWriter& JsonWriter::number(int64_t n) {
  separate();
  char buf[24];
  const auto r = std::to_chars(buf, buf + sizeof buf, n);
  out_.append(buf, r.ptr);
  return *this;
}

JsonWriter& JsonWriter::boolean(bool b) {
  separate();
  out_ += b ? "true" : "false";
  return *this;
}

JsonWriter& JsonWriter::null() {
  separate();
  out_ += "null";
  return *this;
}

JsonWriter& JsonWriter::raw(std::string_view json) {
  separate();
  out_.append(json);
  return *this;
}

}  // namespace iron::util
