#pragma once
// Where StaticSite gets bytes from: the table compiled into the binary, or a directory on
// disk for frontend work (--assets-dir). StaticSite only sees this interface.

#include <memory>
#include <optional>
#include <string_view>

namespace iron::web {

// One encoding of an asset's bytes. `etag` is strong and quoted; empty = variant absent.
struct AssetVariant {
    std::string_view bytes;
    std::string_view etag;

    bool present() const { return !etag.empty(); }
};

struct Asset {
    std::string_view content_type;  // static storage
    AssetVariant identity;          // always present
    AssetVariant gzip;
    AssetVariant brotli;
    // Keeps the views above alive for sources that read per request; null when the views
    // point at static data. Copying an Asset shares it, so copies stay valid.
    std::shared_ptr<const void> owner;
};

// Implementations must be safe to call from many request threads at once.
class AssetSource {
public:
    virtual ~AssetSource() = default;

    // `path` is relative to the site root without a leading '/', e.g. "assets/app-1a2b.js".
    // Callers validate it first (request_path.h); sources that touch the filesystem check again.
    virtual std::optional<Asset> find(std::string_view path) const = 0;

    // True when find() returns the same bytes for the life of the process, which lets
    // StaticSite do per-asset work (the index.html rewrite) once instead of per request.
    virtual bool immutable() const = 0;
};

}  // namespace iron::web
