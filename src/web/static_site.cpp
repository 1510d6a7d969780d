#include "web/static_site.h"

#include "web/content_coding.h"
#include "web/etag.h"
#include "web/request_path.h"

namespace iron::web {

namespace {

// Cache classes. Files under /assets/ carry a content hash in their name, so a URL never
// changes meaning; index.html names those files and must be revalidated every time; other
// root files (favicon, robots.txt) keep their names across releases, so a short lifetime.
constexpr std::string_view kCacheImmutable = "public, max-age=31536000, immutable";
constexpr std::string_view kCacheIndex = "no-cache";
constexpr std::string_view kCacheRootFile = "public, max-age=300";

constexpr std::string_view kIndexPath = "index.html";
constexpr std::string_view kAssetsDir = "assets/";

StaticResponse error_response(int status, std::string_view code) {
    StaticResponse r;
    r.status = status;
    r.error = code;
    return r;
}

StaticResponse not_found() { return error_response(404, "not_found"); }

// A last segment with a '.' names a file, so a miss is a 404 rather than an SPA route: a
// stale /assets/old-abc123.js must not come back as HTML (the browser would report a MIME
// error instead of a missing chunk). Same rule as Vite's dev server.
bool names_a_file(std::string_view path) {
    const std::string_view last = path.substr(path.rfind('/') + 1);  // npos + 1 == 0
    return last.find('.') != std::string_view::npos;
}

StaticResponse respond_with(const Asset& asset, const StaticRequest& request,
                            std::string_view cache_control) {
    const ContentCoding coding = choose_content_coding(
        request.accept_encoding, asset.gzip.present(), asset.brotli.present());
    const AssetVariant& variant = coding == ContentCoding::brotli ? asset.brotli
                                  : coding == ContentCoding::gzip ? asset.gzip
                                                                  : asset.identity;
    StaticResponse r;
    // Vary always: caches must key on Accept-Encoding whenever a variant might exist, and
    // the header costs nothing when it does not.
    r.headers = {
        {"Cache-Control", std::string(cache_control)},
        {"ETag", std::string(variant.etag)},
        {"Vary", "Accept-Encoding"},
    };
    if (!request.if_none_match.empty() && if_none_match_matches(request.if_none_match, variant.etag)) {
        r.status = 304;
        return r;
    }
    r.status = 200;
    if (coding != ContentCoding::identity) {
        r.headers.emplace_back("Content-Encoding", std::string(content_encoding_token(coding)));
    }
    r.content_type = std::string(asset.content_type);
    r.body = variant.bytes;
    r.body_owner = asset.owner;
    return r;
}

}  // namespace

Asset rewrite_index_base(const Asset& index, std::string_view base_path) {
    constexpr std::string_view kMarker = R"(<base href="/">)";
    if (base_path == "/") return index;
    std::string_view html = index.identity.bytes;
    if (html.find(kMarker) == std::string_view::npos) return index;

    struct Rewritten {
        std::string bytes;
        std::string etag;
    };
    auto out = std::make_shared<Rewritten>();
    out->bytes.reserve(html.size() + base_path.size());
    // Every occurrence, so a comment quoting the tag ahead of the real one cannot steal it.
    for (std::size_t at; (at = html.find(kMarker)) != std::string_view::npos;) {
        out->bytes.append(html.substr(0, at));
        out->bytes.append(R"(<base href=")").append(base_path).append(R"(">)");
        html.remove_prefix(at + kMarker.size());
    }
    out->bytes.append(html);
    out->etag = strong_etag(out->bytes);
    // Precompressed variants hold the old bytes, so they are dropped; index.html is small.
    return Asset{
        .content_type = index.content_type,
        .identity = {out->bytes, out->etag},
        .gzip = {},
        .brotli = {},
        .owner = out,
    };
}

StaticSite::StaticSite(std::unique_ptr<AssetSource> source, std::string_view base_path)
    : source_(std::move(source)), base_path_(normalize_base_path(base_path)) {
    if (source_->immutable()) {
        if (auto raw = source_->find(kIndexPath)) cached_index_ = rewrite_index_base(*raw, base_path_);
    }
}

std::optional<Asset> StaticSite::index() const {
    if (source_->immutable()) return cached_index_;
    if (auto raw = source_->find(kIndexPath)) return rewrite_index_base(*raw, base_path_);
    return std::nullopt;
}

bool StaticSite::has_index() const { return index().has_value(); }

StaticResponse StaticSite::serve(const StaticRequest& request) const {
    if (request.method != "GET" && request.method != "HEAD") {
        StaticResponse r = error_response(405, "method_not_allowed");
        r.headers.emplace_back("Allow", "GET, HEAD");
        return r;
    }
    if (!is_clean_request_path(request.path)) return not_found();
    const std::string_view path = request.path.substr(1);

    const auto serve_index = [&]() -> StaticResponse {
        const std::optional<Asset> page = index();
        if (!page) return error_response(503, "dashboard_not_built");
        return respond_with(*page, request, kCacheIndex);
    };

    if (path.empty() || path == kIndexPath) return serve_index();
    if (const std::optional<Asset> asset = source_->find(path)) {
        return respond_with(*asset, request,
                            path.starts_with(kAssetsDir) ? kCacheImmutable : kCacheRootFile);
    }
    // /assets/ holds only build output, never client routes: a miss there is always a 404.
    if (path.starts_with(kAssetsDir) || names_a_file(path)) return not_found();
    return serve_index();  // SPA fallback: the client-side router renders the route
}

}  // namespace iron::web
