#pragma once
// The dashboard's serving rules, free of any HTTP library: the server layer turns an HTTP
// request into a StaticRequest and copies the StaticResponse back (see README.md).

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "web/asset_source.h"

namespace iron::web {

struct StaticRequest {
    std::string_view method;           // "GET" / "HEAD"; anything else gets 405
    std::string_view path;             // relative to the base path, starts with '/', decoded,
                                       // no query string; "/" is the dashboard root
    std::string_view accept_encoding;  // header value; empty when absent
    std::string_view if_none_match;    // header value; empty when absent
};

struct StaticResponse {
    int status = 200;  // 200, 304, 404, 405 or 503
    // Stable code for the caller's error envelope; empty for 200 and 304:
    // "not_found", "method_not_allowed", "dashboard_not_built" (503: no index.html).
    std::string_view error;
    // Set for 200 only. The caller sets Content-Length from body; on 304 it must send
    // neither a body nor a Content-Length.
    std::string content_type;
    std::vector<std::pair<std::string, std::string>> headers;
    // Valid while this response and the StaticSite that produced it are alive. HEAD gets the
    // same body; the HTTP layer drops it.
    std::string_view body;
    std::shared_ptr<const void> body_owner;  // keeps bytes read from disk alive
};

class StaticSite {
public:
    // `base_path` is where the site is mounted ("/", "/panel", "/panel/"); it is normalised
    // (request_path.h) and throws std::invalid_argument when unusable. With an immutable
    // source the index.html rewrite happens here, once.
    StaticSite(std::unique_ptr<AssetSource> source, std::string_view base_path);

    // Thread-safe: const and no mutable state.
    StaticResponse serve(const StaticRequest& request) const;

    // "/" or "/panel/": what the HTTP layer strips before building StaticRequest::path.
    const std::string& base_path() const { return base_path_; }

    // False when there is no index.html (dashboard not built): the caller can say so at start-up.
    bool has_index() const;

private:
    std::optional<Asset> index() const;

    std::unique_ptr<AssetSource> source_;
    std::string base_path_;
    std::optional<Asset> cached_index_;  // set for immutable sources
};

// index.html with every `<base href="/">` replaced by `<base href="BASE">`. Returns the asset
// unchanged when base is "/" or the tag is missing (the bytes then still match the
// precompressed variants); otherwise an identity-only asset with an ETag of the new bytes.
Asset rewrite_index_base(const Asset& index, std::string_view base_path);

}  // namespace iron::web
