#pragma once
// Strong validators for asset bytes and the If-None-Match check (RFC 9110 §8.8.3, §13.1.2).

#include <string>
#include <string_view>

namespace iron::web {

// "\"<first 16 hex digits of sha256(bytes)>\"" - the same format resources/embed_assets.sh
// writes, so a file has one ETag whether it is embedded or read from --assets-dir.
// 64 bits is plenty to tell versions of one URL apart; it is not a security boundary.
std::string strong_etag(std::string_view bytes);

// True when the If-None-Match header value matches `etag` ("*" or any listed tag). Uses the
// weak comparison the RFC prescribes for If-None-Match, so W/"x" matches "x". A malformed
// list stops matching at the first bad element (we then just send the full response).
bool if_none_match_matches(std::string_view header, std::string_view etag);

}  // namespace iron::web
