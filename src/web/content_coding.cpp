#include "web/content_coding.h"

#include <algorithm>
#include <optional>

#include "util/ascii.h"

namespace iron::web {

namespace {

// qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ), as thousandths.
std::optional<int> parse_qvalue(std::string_view s) {
    if (s.empty() || (s[0] != '0' && s[0] != '1')) return std::nullopt;
    int value = (s[0] - '0') * 1000;
    if (s.size() == 1) return value;
    if (s[1] != '.' || s.size() > 5) return std::nullopt;
    int scale = 100;
    for (char c : s.substr(2)) {
        if (c < '0' || c > '9') return std::nullopt;
        value += (c - '0') * scale;
        scale /= 10;
    }
    if (value > 1000) return std::nullopt;
    return value;
}

void keep_highest(int& slot, int q) { slot = std::max(slot, q); }

}  // namespace

std::string_view content_encoding_token(ContentCoding coding) {
    switch (coding) {
        case ContentCoding::brotli: return "br";
        case ContentCoding::gzip: return "gzip";
        case ContentCoding::identity: break;
    }
    return "";
}

bool AcceptEncoding::accepts(ContentCoding coding) const {
    int q = -1;
    switch (coding) {
        case ContentCoding::brotli: q = brotli; break;
        case ContentCoding::gzip: q = gzip; break;
        case ContentCoding::identity: q = identity; break;
    }
    if (q < 0) q = wildcard;
    if (q < 0) return coding == ContentCoding::identity;  // identity is acceptable by default
    return q > 0;
}

AcceptEncoding parse_accept_encoding(std::string_view header) {
    AcceptEncoding result;
    while (!header.empty()) {
        const std::size_t comma = header.find(',');
        const std::string_view element = header.substr(0, comma);
        header = comma == std::string_view::npos ? std::string_view{} : header.substr(comma + 1);

        const std::size_t semi = element.find(';');
        const std::string_view coding = util::trim_ows(element.substr(0, semi));
        if (coding.empty()) continue;
        int q = 1000;
        std::string_view params =
            semi == std::string_view::npos ? std::string_view{} : element.substr(semi + 1);
        while (!params.empty()) {
            const std::size_t next = params.find(';');
            const std::string_view param = util::trim_ows(params.substr(0, next));
            params = next == std::string_view::npos ? std::string_view{} : params.substr(next + 1);
            const std::size_t eq = param.find('=');
            if (eq == std::string_view::npos || !util::iequals(util::trim_ows(param.substr(0, eq)), "q")) continue;
            q = parse_qvalue(util::trim_ows(param.substr(eq + 1))).value_or(0);
        }

        if (util::iequals(coding, "br")) keep_highest(result.brotli, q);
        else if (util::iequals(coding, "gzip") || util::iequals(coding, "x-gzip")) keep_highest(result.gzip, q);
        else if (util::iequals(coding, "identity")) keep_highest(result.identity, q);
        else if (coding == "*") keep_highest(result.wildcard, q);
    }
    return result;
}

ContentCoding choose_content_coding(std::string_view accept_encoding, bool have_gzip,
                                    bool have_brotli) {
    if (accept_encoding.empty() || (!have_gzip && !have_brotli)) return ContentCoding::identity;
    const AcceptEncoding accepted = parse_accept_encoding(accept_encoding);
    if (have_brotli && accepted.accepts(ContentCoding::brotli)) return ContentCoding::brotli;
    if (have_gzip && accepted.accepts(ContentCoding::gzip)) return ContentCoding::gzip;
    return ContentCoding::identity;
}

}  // namespace iron::web
