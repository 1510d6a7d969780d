#include "web/embedded_asset_source.h"

namespace iron::web {

EmbeddedAssetSource::EmbeddedAssetSource(std::span<const EmbeddedAsset> table) {
    by_path_.reserve(table.size());
    for (const EmbeddedAsset& a : table) by_path_.emplace(a.path, &a);
}

std::optional<Asset> EmbeddedAssetSource::find(std::string_view path) const {
    const auto it = by_path_.find(path);
    if (it == by_path_.end()) return std::nullopt;
    const EmbeddedAsset& a = *it->second;
    return Asset{
        .content_type = a.content_type,
        .identity = {a.identity, a.etag_identity},
        .gzip = {a.gzip, a.etag_gzip},
        .brotli = {a.brotli, a.etag_brotli},
        .owner = nullptr,
    };
}

}  // namespace iron::web
