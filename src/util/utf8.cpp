#include "util/utf8.h"

#include <cstddef>
#include <cstdint>

namespace iron::util {

bool valid_utf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    size_t n = 0;  // continuation bytes that follow
    uint32_t cp = c;
    if (c >= 0x80) {
      if ((c >> 5) == 0x6) n = 1, cp = c & 0x1f;
      else if ((c >> 4) == 0xe) n = 2, cp = c & 0x0f;
      else if ((c >> 3) == 0x1e) n = 3, cp = c & 0x07;
      else return false;
      if (i + n >= s.size()) return false;
      for (size_t k = 1; k <= n; ++k) {
        const auto cc = static_cast<unsigned char>(s[i + k]);
        if ((cc >> 6) != 0x2) return false;
        cp = (cp << 6) | (cc & 0x3f);
      }
      if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10ffff ||
          (cp >= 0xd800 && cp <= 0xdfff))
        return false;
    }
    i += n + 1;
  }
  return true;
}

}  // namespace iron::util
