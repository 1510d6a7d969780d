// Invariants of the table resources/embed_assets.sh generated for THIS build. With no
// frontend build the table is empty and these pass vacuously; with one, they catch a
// generator that drifted from the C++ side (ETag format, media types, variant rules).
#include <gtest/gtest.h>

#include <string>

#include "web/embedded_asset_source.h"
#include "web/embedded_assets.h"
#include "web/etag.h"
#include "web/media_type.h"
#include "web/request_path.h"

namespace iron::web {
namespace {

TEST(WebEmbeddedAssets, TableIsConsistent) {
    std::string_view previous;
    for (const EmbeddedAsset& a : embedded_assets()) {
        SCOPED_TRACE(std::string(a.path));
        EXPECT_TRUE(is_clean_relative_path(a.path));
        EXPECT_FALSE(a.path.empty());
        EXPECT_LT(previous, a.path);  // sorted, unique
        previous = a.path;
        EXPECT_EQ(a.content_type, media_type_for_path(a.path));

        EXPECT_EQ(a.etag_identity, strong_etag(a.identity));
        EXPECT_EQ(a.gzip.empty(), a.etag_gzip.empty());
        EXPECT_EQ(a.brotli.empty(), a.etag_brotli.empty());
        if (!a.gzip.empty()) {
            EXPECT_LT(a.gzip.size(), a.identity.size());
            EXPECT_EQ(a.etag_gzip, strong_etag(a.gzip));
            ASSERT_GE(a.gzip.size(), 2u);
            EXPECT_EQ(static_cast<unsigned char>(a.gzip[0]), 0x1f);  // gzip magic
            EXPECT_EQ(static_cast<unsigned char>(a.gzip[1]), 0x8b);
        }
        if (!a.brotli.empty()) {
            EXPECT_LT(a.brotli.size(), a.identity.size());
            EXPECT_EQ(a.etag_brotli, strong_etag(a.brotli));
        }
    }
    EXPECT_EQ(EmbeddedAssetSource().size(), embedded_assets().size());
}

TEST(WebEmbeddedAssets, IndexKeepsTheBaseMarker) {
    // StaticSite rewrites this exact tag for a sub-path mount; a frontend change that drops
    // it would silently break --base-path.
    const auto index = EmbeddedAssetSource().find("index.html");
    if (!index) GTEST_SKIP() << "no frontend build embedded";
    EXPECT_NE(index->identity.bytes.find(R"(<base href="/">)"), std::string_view::npos);
}

}  // namespace
}  // namespace iron::web
