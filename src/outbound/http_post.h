#pragma once
// One outbound POST under the outbound/README.md rules: destination checked on its resolved
// address, connection pinned to that address, per-request timeout, redirects never followed.
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "outbound/destination.h"

namespace iron::outbound {

struct PostOutcome {
  bool delivered = false;            // a 2xx answer
  std::optional<int> status;         // the receiver's status, when it answered
  std::string error;                 // why not delivered; never holds the URL, headers or body
  int64_t duration_ms = 0;
};

using HeaderList = std::vector<std::pair<std::string, std::string>>;

PostOutcome post(const std::string& url, const HeaderList& headers, const std::string& body,
                 const std::string& content_type, const Policy& policy);

}  // namespace iron::outbound
