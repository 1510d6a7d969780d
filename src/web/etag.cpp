#include "web/etag.h"

#include <sodium.h>

namespace iron::web {

std::string strong_etag(std::string_view bytes) {
    unsigned char digest[crypto_hash_sha256_BYTES];
    // crypto_hash_sha256 needs no sodium_init(): SHA-256 has a single implementation.
    crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
    constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    out.reserve(18);
    out.push_back('"');
    for (int i = 0; i < 8; ++i) {
        out.push_back(kHex[digest[i] >> 4]);
        out.push_back(kHex[digest[i] & 0x0f]);
    }
    out.push_back('"');
    return out;
}

namespace {

// Strips W/ and compares the opaque-tags, quotes included.
std::string_view opaque_tag(std::string_view etag) {
    if (etag.starts_with("W/")) etag.remove_prefix(2);
    return etag;
}

}  // namespace

bool if_none_match_matches(std::string_view header, std::string_view etag) {
    const std::string_view ours = opaque_tag(etag);
    std::size_t i = 0;
    const auto skip_separators = [&] {
        while (i < header.size() && (header[i] == ' ' || header[i] == '\t' || header[i] == ',')) ++i;
    };
    skip_separators();
    if (header.substr(i).starts_with('*')) {
        // "*" alone matches any current representation; we only get here when one exists.
        std::size_t j = i + 1;
        while (j < header.size() && (header[j] == ' ' || header[j] == '\t')) ++j;
        return j == header.size();
    }
    while (i < header.size()) {
        const std::size_t start = i;
        if (header.substr(i).starts_with("W/")) i += 2;
        if (i >= header.size() || header[i] != '"') return false;
        // etagc excludes DQUOTE but allows ',', so the closing quote ends the tag, not a comma.
        const std::size_t close = header.find('"', i + 1);
        if (close == std::string_view::npos) return false;
        i = close + 1;
        if (opaque_tag(header.substr(start, i - start)) == ours) return true;
        if (i < header.size() && header[i] != ',' && header[i] != ' ' && header[i] != '\t') {
            return false;
        }
        skip_separators();
    }
    return false;
}

}  // namespace iron::web
