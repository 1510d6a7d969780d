// Request-header parsers of the edge and the API: Accept-Encoding negotiation, If-None-Match,
// Authorization: Bearer, and the CORS origin check. (The refresh cookie is parsed inside the
// auth routes and fuzzed through them by routes_fuzz.) Input: first byte picks the parser.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "api/guard.h"
#include "server/cors.h"
#include "web/content_coding.h"
#include "web/etag.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace iron;
  if (size == 0) return 0;
  const std::string value(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 4) {
    case 0: {
      const auto accepted = web::parse_accept_encoding(value);
      for (int q : {accepted.brotli, accepted.gzip, accepted.identity, accepted.wildcard})
        if (q < -1 || q > 1000) std::abort();
      // Never a coding the asset does not have.
      if (web::choose_content_coding(value, false, false) != web::ContentCoding::identity) std::abort();
      if (web::choose_content_coding(value, true, false) == web::ContentCoding::brotli) std::abort();
      break;
    }
    case 1: {
      // Only "*" or the ETag's own text can match.
      const std::string etag = "\"0123456789abcdef\"";
      if (web::if_none_match_matches(value, etag) && value.find('*') == std::string::npos &&
          value.find("0123456789abcdef") == std::string::npos)
        std::abort();
      break;
    }
    case 2: {
      api::Request req;
      req.headers.emplace_back("authorization", value);
      if (const auto token = api::bearer_token(req); token && (token->empty() || token->front() == ' ')) std::abort();
      break;
    }
    default: {
      const server::CorsPolicy policy("https://a.example, https://b.example:8443");
      for (const auto& [name, header_value] : policy.response_headers(value))
        if (name == "Access-Control-Allow-Origin" && value != "https://a.example" && value != "https://b.example:8443")
          std::abort();
      (void)policy.preflight_headers(value);
      (void)server::CorsPolicy(value).response_headers("https://a.example");
      break;
    }
  }
  return 0;
}
