#pragma once
// Splitting a fuzzer's input into the newline-separated fields a harness feeds to the code
// under test (the format each harness's header comment describes).
#include <cstddef>
#include <string>

// The field starting at `pos` up to the next newline (or the end); moves `pos` past it.
// Past the end every further field is "".
inline std::string next_line(const std::string& text, size_t& pos) {
  if (pos > text.size()) return "";
  size_t nl = text.find('\n', pos);
  if (nl == std::string::npos) nl = text.size();
  std::string line = text.substr(pos, nl - pos);
  pos = nl + 1;
  return line;
}
