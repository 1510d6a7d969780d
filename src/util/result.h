#pragma once
// The result of a domain operation: a value or a typed error with a stable code.
// api/ maps ErrorKind to an HTTP status in one place (http_status in api/responses.cpp).
#include <string>
#include <utility>
#include <variant>

#include <nlohmann/json.hpp>

namespace iron {

enum class ErrorKind {
  validation,         // 400
  unauthenticated,    // 401
  forbidden,          // 403
  not_found,          // 404
  method_not_allowed, // 405
  conflict,           // 409
  payload_too_large,  // 413
  unsupported_media,  // 415
  unprocessable,      // 422
  rate_limited,       // 429
  internal,           // 500
  unavailable,        // 503
};

struct Error {
  ErrorKind kind = ErrorKind::internal;
  std::string code;      // SNAKE_CASE, stable
  std::string message;   // a human sentence; never contains secrets
  nlohmann::json details = nlohmann::json::object();
  int retry_after_s = 0; // for rate_limited / unavailable

  static Error validation(std::string field, std::string message, std::string code = "VALIDATION_ERROR") {
    return {ErrorKind::validation, std::move(code), std::move(message), {{"field", std::move(field)}}, 0};
  }
  static Error not_found(std::string what) {
    return {ErrorKind::not_found, "NOT_FOUND", what + " not found", nlohmann::json::object(), 0};
  }
  static Error forbidden(std::string message, std::string code = "FORBIDDEN") {
    return {ErrorKind::forbidden, std::move(code), std::move(message), nlohmann::json::object(), 0};
  }
  static Error conflict(std::string code, std::string message) {
    return {ErrorKind::conflict, std::move(code), std::move(message), nlohmann::json::object(), 0};
  }
  static Error unauthenticated(std::string code, std::string message) {
    return {ErrorKind::unauthenticated, std::move(code), std::move(message), nlohmann::json::object(), 0};
  }
  static Error rate_limited(std::string code, std::string message, int retry_after_s) {
    return {ErrorKind::rate_limited, std::move(code), std::move(message),
            {{"retry_after", retry_after_s}}, retry_after_s};
  }
  static Error internal(std::string message = "internal error") {
    return {ErrorKind::internal, "INTERNAL", std::move(message), nlohmann::json::object(), 0};
  }
};

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}          // NOLINT: implicit by design
  Result(Error error) : v_(std::move(error)) {}      // NOLINT
  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() { return std::get<0>(v_); }
  const T& value() const { return std::get<0>(v_); }
  T& operator*() { return value(); }
  T* operator->() { return &value(); }
  const Error& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

struct Unit {};
using Status = Result<Unit>;
inline Status ok_status() { return Unit{}; }

}  // namespace iron
