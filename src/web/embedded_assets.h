#pragma once
// The dashboard files compiled into the binary by resources/embed_assets.sh. The generated
// embedded_assets.cpp defines embedded_assets(); this header is the contract between the two.

#include <span>
#include <string_view>

namespace iron::web {

// One regular file of frontend/dist. Every view points at static storage.
// A variant is absent when its view (and its ETag) is empty: the generator keeps gzip/brotli
// only when strictly smaller than identity, so a present variant is never empty.
struct EmbeddedAsset {
    std::string_view path;          // relative to dist, '/'-separated, no leading '/'
    std::string_view content_type;  // chosen from the extension at generation time
    std::string_view identity;      // the file's bytes (empty only for an empty file)
    std::string_view gzip;
    std::string_view brotli;
    std::string_view etag_identity;  // strong and quoted: "\"<16 hex of sha256(bytes)>\""
    std::string_view etag_gzip;      // hash of the gzip bytes, so it differs from identity
    std::string_view etag_brotli;
};

// Sorted by path (bytewise). Empty when frontend/dist was missing at build time.
std::span<const EmbeddedAsset> embedded_assets();

}  // namespace iron::web
