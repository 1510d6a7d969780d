#pragma once
// Well-formed UTF-8, for text that arrives outside a JSON body (URL paths, query strings),
// which the JSON parser has therefore not checked.
#include <string_view>

namespace iron::util {

// No stray continuation bytes, truncated sequences, over-long forms, surrogates or code points
// past U+10FFFF: the rule the JSON parser applies to bodies.
bool valid_utf8(std::string_view s);

}  // namespace iron::util
