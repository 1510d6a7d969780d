#pragma once
// Which email addresses ironpanel accepts (the SMTP sender in config/, alert recipients in
// domain/): a bare addr-spec `local@domain` with a dot-atom local part (RFC 5322 atext) and a
// domain of letters, digits and hyphens in dot-separated labels. Deliberately narrower than
// RFC 5322 (no quoted local parts, comments, display names or address literals): what passes
// holds no CR, LF, space, comma, quote or angle bracket, so it can go into a header line or an
// SMTP command as it is.
#include <cstddef>
#include <string_view>

namespace iron::util {

constexpr size_t kMailAddressMax = 254;  // RFC 5321's path limit, less the brackets

bool is_mail_address(std::string_view text);

}  // namespace iron::util
