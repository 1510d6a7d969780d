#pragma once
// Query parameters, decoded the way bodies are (body.h): one struct per operation's query,
// read from one field table that also writes the operation's OpenAPI `parameters`, so a
// parameter's type, bounds and allowed values are stated once. Every parameter is optional
// (absent → the struct's default); a present but bad value is 400 naming it in
// `details.field`: VALIDATION_ERROR unless the table says otherwise. Parameters are read in
// table order, so the first bad one is named.
//
//   struct TokenQuery { std::optional<std::string> status; PageParams page; };
//   const QueryFields<TokenQuery> kTokenQuery = QueryFields<TokenQuery>()
//       .one_of("status", &TokenQuery::status, {"active", "expired"}, "only this status")
//       .within(&TokenQuery::page, page_on_request_fields(25));
//   e.push_back({op, with_query(kTokenQuery, list)});  // endpoint.h: list(call, const TokenQuery&)
//                                                      // gets the decoded query; the Op lists them
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

// The value rules of the table, for one present parameter `raw`.
Result<int64_t> query_int(const std::string& name, const std::string& raw, int64_t min, int64_t max);
Result<bool> query_bool(const std::string& name, const std::string& raw);
// min_len..max_len bytes under the text rule of JSON strings (body.h).
Result<std::string> query_text(const std::string& name, const std::string& raw, size_t min_len, size_t max_len);
// A path parameter that must be a positive integer id (else 400 INVALID_PARAMETER).
Result<int64_t> path_id(const Request& req, const std::string& name);

template <class T>
class QueryFields {
 public:
  // Reads a present parameter's raw text into `out`; an error names the parameter.
  using Reader = std::function<Status(const std::string& raw, T& out)>;
  // A rule across parameters, checked once those before it are read.
  using Rule = std::function<Status(const Request& req, const T& in)>;

  // `start`: the value decoding begins from (defaults a sub-table carries, e.g. a page size).
  explicit QueryFields(T start = T{}) : start_(std::move(start)) {}

  // An integer in min..max, into an optional (absent → nullopt) or a plain int64_t (absent →
  // the start value's).
  template <class M>
  QueryFields& integer(std::string name, M T::*member, int64_t min, int64_t max, std::string description) {
    return custom(name, openapi::integer_range(min, max, ""), std::move(description),
                  [name, member, min, max](const std::string& raw, T& out) -> Status {
                    auto v = query_int(name, raw, min, max);
                    if (!v) return v.error();
                    out.*member = *v;
                    return ok_status();
                  });
  }
  // true / 1 or false / 0.
  QueryFields& boolean(std::string name, std::optional<bool> T::*member, std::string description) {
    return custom(name, openapi::boolean(), std::move(description), [name, member](const std::string& raw, T& out) -> Status {
      auto v = query_bool(name, raw);
      if (!v) return v.error();
      out.*member = *v;
      return ok_status();
    });
  }
  // Text of min_len..max_len characters.
  QueryFields& text(std::string name, std::optional<std::string> T::*member, size_t min_len, size_t max_len,
                    std::string description) {
    return custom(name, openapi::str(min_len, max_len), std::move(description),
                  [name, member, min_len, max_len](const std::string& raw, T& out) -> Status {
                    auto v = query_text(name, raw, min_len, max_len);
                    if (!v) return v.error();
                    out.*member = std::move(*v);
                    return ok_status();
                  });
  }
  // One of `allowed` (else 400 with `details.allowed`).
  QueryFields& one_of(std::string name, std::optional<std::string> T::*member, std::vector<std::string> allowed,
                      std::string description) {
    return custom(name, openapi::one_of_strings(allowed), std::move(description),
                  [name, member, allowed](const std::string& raw, T& out) -> Status {
                    for (const auto& a : allowed)
                      if (raw == a) {
                        out.*member = raw;
                        return ok_status();
                      }
                    return errors::not_one_of(name, allowed);
                  });
  }
  // A parameter with its own decoding (dates, cursors, names of a domain enum).
  QueryFields& custom(std::string name, nlohmann::json schema, std::string description, Reader read) {
    params_.push_back({{"name", name}, {"in", "query"}, {"required", false},
                       {"description", std::move(description)}, {"schema", std::move(schema)}});
    steps_.push_back([name = std::move(name), read = std::move(read)](const Request& req, T& out) -> Status {
      const auto raw = req.query_param(name);
      return raw ? read(*raw, out) : ok_status();
    });
    return *this;
  }
  // The parameters of `part`, decoded into `member`.
  template <class U>
  QueryFields& within(U T::*member, const QueryFields<U>& part) {
    params_.insert(params_.end(), part.parameters().begin(), part.parameters().end());
    steps_.push_back([member, part](const Request& req, T& out) -> Status {
      auto v = part.decode(req);
      if (!v) return v.error();
      out.*member = std::move(*v);
      return ok_status();
    });
    return *this;
  }
  QueryFields& check(Rule rule) {
    steps_.push_back([rule = std::move(rule)](const Request& req, T& out) { return rule(req, out); });
    return *this;
  }

  // ---- modifiers of the parameter added last ----
  // Schema keywords the bounds do not express (a description, a $ref in place of an enum).
  QueryFields& schema_with(const nlohmann::json& extra) {
    auto& s = params_.back()["schema"];
    if (extra.contains("$ref")) s = extra;
    else s.update(extra);
    return *this;
  }

  // Reads the parameters into `out`, which keeps what the query does not name.
  Status read_into(const Request& req, T& out) const {
    for (const auto& step : steps_)
      if (auto st = step(req, out); !st) return st.error();
    return ok_status();
  }
  Result<T> decode(const Request& req) const {
    T out = start_;
    if (auto st = read_into(req, out); !st) return st.error();
    return out;
  }
  const std::vector<nlohmann::json>& parameters() const { return params_; }

 private:
  T start_;
  std::vector<nlohmann::json> params_;
  std::vector<std::function<Status(const Request&, T&)>> steps_;
};

}  // namespace iron::api
