#include "web/request_path.h"

#include <stdexcept>

namespace iron::web {

namespace {

bool is_hex(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// Bytes allowed in a base path segment: RFC 3986 unreserved plus the sub-delims and ':' '@'
// that need no escaping inside a double-quoted HTML attribute (so no '&', '\'', '"').
bool is_base_path_byte(char c) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
    switch (c) {
        case '-': case '.': case '_': case '~': case '!': case '$': case '(': case ')':
        case '*': case '+': case ',': case ';': case '=': case ':': case '@':
            return true;
        default:
            return false;
    }
}

}  // namespace

bool is_clean_relative_path(std::string_view path) {
    // Substring checks first: they hold wherever the bytes sit. ".." is refused even inside
    // a name ("a..b.js"): build tools never emit it, and not parsing is safer than parsing.
    if (path.find("..") != std::string_view::npos) return false;
    for (std::size_t i = 0; i < path.size(); ++i) {
        const auto c = static_cast<unsigned char>(path[i]);
        if (c < 0x20 || c == 0x7f || c == '\\') return false;
        if (c == '%' && i + 2 < path.size() && is_hex(path[i + 1]) && is_hex(path[i + 2])) {
            return false;
        }
    }
    // Segment checks: no empty segment except a single trailing one ("settings/"), no ".".
    std::size_t start = 0;
    while (start < path.size()) {
        const std::size_t slash = path.find('/', start);
        const std::size_t end = slash == std::string_view::npos ? path.size() : slash;
        const std::string_view segment = path.substr(start, end - start);
        if (segment.empty() || segment == ".") return false;
        if (slash == std::string_view::npos) break;
        start = slash + 1;
    }
    return true;
}

bool is_clean_request_path(std::string_view path) {
    return !path.empty() && path.front() == '/' && is_clean_relative_path(path.substr(1));
}

std::string normalize_base_path(std::string_view base_path) {
    if (base_path.empty() || base_path == "/") return "/";
    if (base_path.front() != '/') {
        throw std::invalid_argument("base path must start with '/': " + std::string(base_path));
    }
    std::string out(base_path);
    if (out.back() != '/') out.push_back('/');
    const std::string_view inner = std::string_view(out).substr(1, out.size() - 2);
    std::size_t start = 0;
    while (start <= inner.size()) {
        const std::size_t slash = inner.find('/', start);
        const std::size_t end = slash == std::string_view::npos ? inner.size() : slash;
        const std::string_view segment = inner.substr(start, end - start);
        if (segment.empty() || segment == "." || segment == "..") {
            throw std::invalid_argument("base path has an empty, '.' or '..' segment: " +
                                        std::string(base_path));
        }
        for (char c : segment) {
            if (!is_base_path_byte(c)) {
                throw std::invalid_argument(
                    "base path may only contain letters, digits and -._~!$()*+,;=:@ between "
                    "slashes: " + std::string(base_path));
            }
        }
        if (slash == std::string_view::npos) break;
        start = slash + 1;
    }
    return out;
}

}  // namespace iron::web
