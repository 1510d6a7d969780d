// Strong ETags and If-None-Match matching.
#include <gtest/gtest.h>

#include <string_view>

#include "web/etag.h"

namespace iron::web {
namespace {

TEST(WebEtag, IsQuotedSha256Prefix) {
    // Known SHA-256 values; the generator (sha256sum) writes the same 16 hex digits.
    EXPECT_EQ(strong_etag(""), "\"e3b0c44298fc1c14\"");
    EXPECT_EQ(strong_etag("abc"), "\"ba7816bf8f01cfea\"");
    EXPECT_NE(strong_etag("a"), strong_etag("b"));
}

struct MatchCase {
    std::string_view header;
    bool matches;
};

TEST(WebEtag, IfNoneMatch) {
    constexpr std::string_view etag = "\"abc123\"";
    const MatchCase cases[] = {
        {"\"abc123\"", true},
        {"W/\"abc123\"", true},  // weak comparison for If-None-Match
        {"*", true},
        {" * ", true},
        {"\"x\", \"abc123\"", true},
        {"\"x\",W/\"abc123\"", true},
        {"  \"x\" ,  \"y\" , \"abc123\"  ", true},
        {"\"a,b\", \"abc123\"", true},  // a comma inside a tag is not a separator
        {"\"abc\"", false},
        {"\"abc1234\"", false},
        {"abc123", false},             // unquoted: malformed
        {"\"ABC123\"", false},         // opaque tags are case-sensitive
        {"w/\"abc123\"", false},       // the W/ prefix is case-sensitive
        {"\"x\", garbage, \"abc123\"", false},  // matching stops at a malformed element
        {"\"abc123", false},
        {"*, \"x\"", false},
        {"", false},
    };
    for (const MatchCase& c : cases) {
        EXPECT_EQ(if_none_match_matches(c.header, etag), c.matches) << c.header;
    }
}

}  // namespace
}  // namespace iron::web
