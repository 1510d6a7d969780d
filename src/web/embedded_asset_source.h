#pragma once
// AssetSource over a table of EmbeddedAsset: the generated one in production, a hand-built
// one in tests (so tests exercise the production lookup, not a stand-in).

#include <span>
#include <string_view>
#include <unordered_map>

#include "web/asset_source.h"
#include "web/embedded_assets.h"

namespace iron::web {

class EmbeddedAssetSource final : public AssetSource {
public:
    // The table must outlive the source (the generated one is static).
    explicit EmbeddedAssetSource(std::span<const EmbeddedAsset> table = embedded_assets());

    std::optional<Asset> find(std::string_view path) const override;
    bool immutable() const override { return true; }

    std::size_t size() const { return by_path_.size(); }

private:
    // A hash map rather than a binary search so lookups don't depend on the generator's
    // sort order matching std::string_view's.
    std::unordered_map<std::string_view, const EmbeddedAsset*> by_path_;
};

}  // namespace iron::web
