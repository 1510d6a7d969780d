#pragma once
// Typed request bodies: one struct per body, decoded from one field table that also writes
// the body's OpenAPI schema, so a field's type and bounds are stated once. Decoding follows
// api-conventions.md: wrong content type → 415, malformed JSON → 400 MALFORMED_JSON, a body
// that is not an object → 400 INVALID_JSON, a missing required field → 400 MISSING_FIELD,
// a wrong type / length / range → 400 VALIDATION_ERROR naming the field (`details.field`);
// unknown fields are ignored. Fields are checked in table order, so the first bad one is named.
//
//   struct Login { std::string email, password; };
//   const BodyFields<Login> kLogin = BodyFields<Login>()
//       .text("email", &Login::email, 1, 255)
//       .text("password", &Login::password, 1, 1000);
//   e.push_back({op, with_body(kLogin, login)});  // endpoint.h: login(call, const Login&) gets
//                                                 // the decoded body; the Op documents kLogin
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "api/errors.h"
#include "api/http_types.h"
#include "api/openapi/spec.h"
#include "util/result.h"

namespace iron::api {

// The request body as a JSON object (415 / 400 as above); an empty body is {} when `optional`.
Result<nlohmann::json> json_object_of(const Request& req, bool optional = false);

// Members of a JSON object, by the rules above: absent or null → nullopt.
// Text rule, for every string any route decodes: no NUL and no control characters other
// than tab, line feed and carriage return (C APIs, SQLite's length() and terminals stop or
// misbehave at them). Invalid UTF-8, lone surrogates and over-long encodings never get this
// far: the JSON parser refuses them (400 MALFORMED_JSON).
Result<std::optional<std::string>> text_member(const nlohmann::json& object, const std::string& field, size_t max_len);
Result<std::optional<int64_t>> int_member(const nlohmann::json& object, const std::string& field, int64_t min,
                                          int64_t max);
Result<std::optional<bool>> bool_member(const nlohmann::json& object, const std::string& field);
// The first control character `s` may not hold (see the text rule), if any.
std::optional<unsigned> forbidden_control(const std::string& s);

template <class T>
class BodyFields {
 public:
  // Reads one field of `object` into `out`; an error names the field.
  using Reader = std::function<Status(const nlohmann::json& object, T& out)>;

  // A required string of min_len..max_len characters.
  BodyFields& text(std::string name, std::string T::*member, size_t min_len, size_t max_len) {
    return add(name, true, openapi::str(min_len, max_len), [name, member, min_len, max_len](const nlohmann::json& o, T& out) -> Status {
      auto v = text_member(o, name, max_len);
      if (!v) return v.error();
      if (!*v) return errors::missing_field(name);
      if ((*v)->size() < min_len) return errors::too_short(name, min_len);
      out.*member = std::move(**v);
      return ok_status();
    });
  }
  // An optional string of at most max_len characters.
  BodyFields& text(std::string name, std::optional<std::string> T::*member, size_t max_len) {
    return add(name, false, openapi::str(0, max_len), [name, member, max_len](const nlohmann::json& o, T& out) -> Status {
      auto v = text_member(o, name, max_len);
      if (!v) return v.error();
      out.*member = std::move(*v);
      return ok_status();
    });
  }
  // A required string from a fixed list (400 with `details.allowed` otherwise).
  BodyFields& one_of(std::string name, std::string T::*member, std::vector<std::string> allowed) {
    return add(name, true, openapi::one_of_strings(allowed), [name, member, allowed](const nlohmann::json& o, T& out) -> Status {
      auto v = text_member(o, name, 64);
      if (!v) return v.error();
      if (!*v || (*v)->empty()) return *v ? errors::too_short(name, 1) : errors::missing_field(name);
      for (const auto& a : allowed)
        if (**v == a) {
          out.*member = std::move(**v);
          return ok_status();
        }
      return errors::not_one_of(name, allowed);
    });
  }
  // An optional string from a fixed list.
  BodyFields& one_of(std::string name, std::optional<std::string> T::*member, std::vector<std::string> allowed) {
    return add(name, false, openapi::one_of_strings(allowed), [name, member, allowed](const nlohmann::json& o, T& out) -> Status {
      auto v = text_member(o, name, 64);
      if (!v) return v.error();
      if (!*v) return ok_status();
      for (const auto& a : allowed)
        if (**v == a) {
          out.*member = std::move(**v);
          return ok_status();
        }
      return errors::not_one_of(name, allowed);
    });
  }
  // A required integer in min..max.
  BodyFields& integer(std::string name, int64_t T::*member, int64_t min, int64_t max) {
    return add(name, true, openapi::integer_range(min, max), [name, member, min, max](const nlohmann::json& o, T& out) -> Status {
      auto v = int_member(o, name, min, max);
      if (!v) return v.error();
      if (!*v) return errors::missing_field(name);
      out.*member = **v;
      return ok_status();
    });
  }
  // An optional integer in min..max.
  BodyFields& integer(std::string name, std::optional<int64_t> T::*member, int64_t min, int64_t max) {
    return add(name, false, openapi::integer_range(min, max), [name, member, min, max](const nlohmann::json& o, T& out) -> Status {
      auto v = int_member(o, name, min, max);
      if (!v) return v.error();
      out.*member = *v;
      return ok_status();
    });
  }
  // An integer a PATCH-like body may also clear: absent → nullopt (untouched), null → a
  // nullopt inside (cleared), a number → that number.
  BodyFields& clearable_integer(std::string name, std::optional<std::optional<int64_t>> T::*member, int64_t min,
                                int64_t max) {
    return add(name, false, openapi::nullable(openapi::integer_range(min, max)),
               [name, member, min, max](const nlohmann::json& o, T& out) -> Status {
                 if (!o.contains(name)) return ok_status();
                 auto v = int_member(o, name, min, max);
                 if (!v) return v.error();
                 out.*member = *v;
                 return ok_status();
               });
  }
  // An optional boolean; absent or null leaves the member's default.
  BodyFields& boolean(std::string name, bool T::*member) {
    return add(name, false, openapi::boolean(), [name, member](const nlohmann::json& o, T& out) -> Status {
      auto v = bool_member(o, name);
      if (!v) return v.error();
      if (*v) out.*member = **v;
      return ok_status();
    });
  }
  BodyFields& boolean(std::string name, std::optional<bool> T::*member) {
    return add(name, false, openapi::boolean(), [name, member](const nlohmann::json& o, T& out) -> Status {
      auto v = bool_member(o, name);
      if (!v) return v.error();
      out.*member = *v;
      return ok_status();
    });
  }
  // A field with its own decoding (arrays, USD amounts, fields read under another name).
  BodyFields& custom(std::string name, bool required, nlohmann::json schema, Reader read) {
    return add(std::move(name), required, std::move(schema), std::move(read));
  }

  // A known field this body does not take (an update of something fixed at creation): when
  // present (`even_null`: present at all) it is `refusal`; silently keeping the old value
  // would mislead. Not part of the schema.
  BodyFields& refuse(std::string name, Error refusal, bool even_null = false) {
    refusals_.push_back({std::move(name), std::move(refusal), even_null});
    return *this;
  }

  // ---- modifiers of the field added last ----
  BodyFields& describe(const std::string& description) {
    fields_.back().schema = openapi::described(fields_.back().schema, description);
    return *this;
  }
  // The minimum length the domain enforces with its own error (a password's 12 characters):
  // documented here, checked there, so the two cannot disagree on the field name.
  BodyFields& domain_min_length(size_t n) {
    fields_.back().schema["minLength"] = n;
    return *this;
  }
  // Schema keywords the bounds do not express (format, pattern, a $ref in place of an enum).
  BodyFields& schema_with(const nlohmann::json& extra) {
    auto& s = fields_.back().schema;
    if (extra.contains("$ref")) s = extra;
    else s.update(extra);
    return *this;
  }
  // The body must name at least one field (an update with nothing to change is 400).
  BodyFields& at_least_one() {
    min_properties_ = true;
    return *this;
  }

  Result<T> decode_object(const nlohmann::json& object) const {
    for (const auto& r : refusals_)
      if (object.contains(r.name) && (r.even_null || !object[r.name].is_null())) return r.refusal;
    T out{};
    for (const auto& f : fields_)
      if (auto st = f.read(object, out); !st) return st.error();
    return out;
  }
  // `optional`: an empty body is accepted as {} (routes whose body may be left out).
  Result<T> decode(const Request& req, bool optional = false) const {
    auto object = json_object_of(req, optional);
    if (!object) return object.error();
    return decode_object(*object);
  }
  nlohmann::json schema() const {
    nlohmann::json props = nlohmann::json::object();
    std::vector<std::string> required;
    for (const auto& f : fields_) {
      props[f.name] = f.schema;
      if (f.required) required.push_back(f.name);
    }
    auto s = openapi::object(props, required);
    if (min_properties_) s["minProperties"] = 1;
    return s;
  }

 private:
  struct Field {
    std::string name;
    bool required;
    nlohmann::json schema;
    Reader read;
  };
  BodyFields& add(std::string name, bool required, nlohmann::json schema, Reader read) {
    fields_.push_back({std::move(name), required, std::move(schema), std::move(read)});
    return *this;
  }
  struct Refusal {
    std::string name;
    Error refusal;
    bool even_null;
  };
  std::vector<Field> fields_;
  std::vector<Refusal> refusals_;
  bool min_properties_ = false;
};

}  // namespace iron::api
