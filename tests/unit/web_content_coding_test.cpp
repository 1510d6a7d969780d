// Accept-Encoding parsing and the br > gzip > identity choice.
#include <gtest/gtest.h>

#include <string_view>

#include "web/content_coding.h"

namespace iron::web {
namespace {

using CC = ContentCoding;

struct ChooseCase {
    std::string_view accept_encoding;
    bool have_gzip;
    bool have_brotli;
    CC expected;
};

TEST(WebContentCoding, Chooses) {
    const ChooseCase cases[] = {
        {"", true, true, CC::identity},  // absent header: identity
        {"gzip, deflate, br, zstd", true, true, CC::brotli},
        {"gzip, deflate, br, zstd", true, false, CC::gzip},
        {"gzip, deflate, br, zstd", false, true, CC::brotli},
        {"gzip, deflate, br", false, false, CC::identity},
        {"gzip", true, true, CC::gzip},
        {"br", true, false, CC::identity},
        {"deflate", true, true, CC::identity},
        {"br;q=0, gzip", true, true, CC::gzip},
        {"br;q=0, gzip;q=0", true, true, CC::identity},
        {"gzip;q=0.001, br;q=0.5", true, true, CC::brotli},  // q only decides acceptability
        {"br;q=0.1, gzip", true, true, CC::brotli},
        {"*", true, true, CC::brotli},
        {"*", true, false, CC::gzip},
        {"*;q=0", true, true, CC::identity},
        {"*;q=0, gzip", true, true, CC::gzip},
        {"*, br;q=0", true, true, CC::gzip},
        {"*;q=0.5, gzip;q=0", true, true, CC::brotli},
        {"*;q=0.5, br;q=0", true, true, CC::gzip},
        {"identity;q=0", true, true, CC::identity},  // refused identity is still served
        {"identity;q=0, *;q=0", false, false, CC::identity},
        {"BR", true, true, CC::brotli},  // case-insensitive
        {"GZip", true, false, CC::gzip},
        {"x-gzip", true, true, CC::gzip},
        {"  gzip ;  q=0.5  ,br ; Q=0 ", true, true, CC::gzip},
        {"br;q=1.0", true, true, CC::brotli},
        {"br;q=1.000", true, true, CC::brotli},
        {"br;q=0.000", true, true, CC::identity},
        {"br;q=0.", true, true, CC::identity},
        {"br;q=1.5", true, true, CC::identity},  // malformed q: refused
        {"br;q=0.0001", true, true, CC::identity},
        {"br;q=abc, gzip", true, true, CC::gzip},
        {"br;q=", true, true, CC::identity},
        {"br;level=5", true, true, CC::brotli},  // unknown parameters ignored
        {",,, ,br", true, true, CC::brotli},
        {"brotli, gzipped", true, true, CC::identity},  // tokens, not prefixes
    };
    for (const ChooseCase& c : cases) {
        EXPECT_EQ(choose_content_coding(c.accept_encoding, c.have_gzip, c.have_brotli), c.expected)
            << '"' << c.accept_encoding << "\" gzip=" << c.have_gzip << " br=" << c.have_brotli;
    }
}

TEST(WebContentCoding, ParsesQValues) {
    const AcceptEncoding a = parse_accept_encoding("br;q=0.8, gzip;q=0, *;q=0.25, identity");
    EXPECT_EQ(a.brotli, 800);
    EXPECT_EQ(a.gzip, 0);
    EXPECT_EQ(a.wildcard, 250);
    EXPECT_EQ(a.identity, 1000);

    const AcceptEncoding twice = parse_accept_encoding("gzip;q=0, gzip;q=0.5");
    EXPECT_EQ(twice.gzip, 500);  // highest q wins

    const AcceptEncoding none = parse_accept_encoding("");
    EXPECT_EQ(none.brotli, -1);
    EXPECT_EQ(none.wildcard, -1);
    EXPECT_TRUE(none.accepts(CC::identity));
    EXPECT_FALSE(none.accepts(CC::gzip));
}

TEST(WebContentCoding, Tokens) {
    EXPECT_EQ(content_encoding_token(CC::brotli), "br");
    EXPECT_EQ(content_encoding_token(CC::gzip), "gzip");
    EXPECT_EQ(content_encoding_token(CC::identity), "");
}

}  // namespace
}  // namespace iron::web
