#pragma once
// Accept-Encoding negotiation (RFC 9110 §12.5.3) over the variants an asset actually has.

#include <string_view>

namespace iron::web {

enum class ContentCoding { identity, gzip, brotli };

// The Content-Encoding token for a coding: "br", "gzip", or "" for identity.
std::string_view content_encoding_token(ContentCoding coding);

// What the client accepts. q-values are in thousandths (0..1000); -1 = not mentioned.
struct AcceptEncoding {
    int brotli = -1;
    int gzip = -1;      // also set by the legacy alias "x-gzip"
    int identity = -1;
    int wildcard = -1;  // "*"

    // A coding is acceptable when its own q (else the wildcard's) is above 0. For identity
    // see choose_content_coding: it is the fallback whatever the header says.
    bool accepts(ContentCoding coding) const;
};

// Parses the header leniently: tokens are case-insensitive, whitespace is optional, unknown
// codings and parameters are ignored, a malformed q-value makes that element q=0 (refused),
// and a coding listed twice keeps its highest q. An empty header accepts nothing but identity.
AcceptEncoding parse_accept_encoding(std::string_view header);

// Picks br > gzip > identity among codings that are acceptable AND available. Non-zero
// q-values only decide acceptability, not rank: for the same bytes br is smaller than gzip,
// and browsers send equal weights anyway (nginx and Caddy rank by server order too).
// Identity is returned even when refused ("identity;q=0", or "*;q=0" with no identity entry):
// answering 406 would break a dashboard for a misconfigured proxy, and nginx does the same.
ContentCoding choose_content_coding(std::string_view accept_encoding, bool have_gzip,
                                    bool have_brotli);

}  // namespace iron::web
