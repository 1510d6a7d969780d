#pragma once
// AssetSource reading a directory on every request, for `--assets-dir DIR` while working on
// the frontend: rebuild with Vite, reload the browser, no server rebuild. Identity only (no
// precompressed variants); the ETag is computed from the bytes just read.

#include <filesystem>
#include <string>

#include "web/asset_source.h"

namespace iron::web {

class DiskAssetSource final : public AssetSource {
public:
    // Throws std::runtime_error when `root` does not resolve to a directory.
    explicit DiskAssetSource(const std::filesystem::path& root);

    // Never returns a file outside the canonical root: the path is validated, resolved with
    // symlinks followed, and the result must still lie under the root. Only regular files.
    std::optional<Asset> find(std::string_view path) const override;
    bool immutable() const override { return false; }

    const std::filesystem::path& root() const { return root_; }

private:
    std::filesystem::path root_;  // canonical
    std::string root_prefix_;     // canonical root with a trailing '/'
};

}  // namespace iron::web
