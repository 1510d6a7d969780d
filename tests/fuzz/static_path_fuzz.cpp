// The static path resolver: request-path cleanliness checks, base-path normalisation and
// StaticSite::serve over the dashboard compiled into the binary. Input: first byte picks the
// method and mount, the rest is "path\naccept-encoding\nif-none-match".
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <stdexcept>
#include <string>

#include "input_lines.h"
#include "web/embedded_asset_source.h"
#include "web/request_path.h"
#include "web/static_site.h"

namespace {
const iron::web::StaticSite& site(bool panel) {
  static const iron::web::StaticSite root(std::make_unique<iron::web::EmbeddedAssetSource>(), "/");
  static const iron::web::StaticSite mounted(std::make_unique<iron::web::EmbeddedAssetSource>(), "/panel");
  return panel ? mounted : root;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace iron::web;
  if (size == 0) return 0;
  const std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);
  size_t pos = 0;
  const std::string path = next_line(text, pos);
  const std::string accept_encoding = next_line(text, pos);
  const std::string if_none_match = next_line(text, pos);

  // A clean path never climbs out of the site root.
  if (is_clean_request_path(path) &&
      (path.find("..") != std::string::npos || path.find('\\') != std::string::npos ||
       path.find('\0') != std::string::npos || path.find("//") != std::string::npos))
    std::abort();
  (void)is_clean_relative_path(path);
  try {
    const auto base = normalize_base_path(path);
    if (base.empty() || base.front() != '/' || base.back() != '/') std::abort();
  } catch (const std::invalid_argument&) {
  }

  static const char* const kMethods[] = {"GET", "HEAD", "POST", "OPTIONS"};
  const StaticRequest request{kMethods[data[0] % 4], path, accept_encoding, if_none_match};
  const auto response = site(data[0] & 4).serve(request);
  if (response.status != 200 && response.status != 304 && response.status != 404 && response.status != 405 &&
      response.status != 503)
    std::abort();
  if (response.status == 200 && !is_clean_request_path(path)) std::abort();
  return 0;
}
