#include "util/mail_address.h"

#include <cctype>

namespace iron::util {
namespace {

bool is_atext(unsigned char c) {
  return std::isalnum(c) || std::string_view("!#$%&'*+/=?^_`{|}~-").find(static_cast<char>(c)) != std::string_view::npos;
}

}  // namespace

bool is_mail_address(std::string_view text) {
  if (text.empty() || text.size() > kMailAddressMax) return false;
  const size_t at = text.rfind('@');
  if (at == std::string_view::npos || at == 0 || at > 64 || at + 1 == text.size()) return false;
  const std::string_view local = text.substr(0, at), domain = text.substr(at + 1);
  // Dot-atom: atext runs separated by single dots, none leading or trailing.
  if (local.front() == '.' || local.back() == '.' || local.find("..") != std::string_view::npos) return false;
  for (unsigned char c : local)
    if (c != '.' && !is_atext(c)) return false;
  if (domain.front() == '.' || domain.back() == '.' || domain.find("..") != std::string_view::npos) return false;
  size_t label_start = 0;
  for (size_t i = 0; i <= domain.size(); ++i) {
    if (i == domain.size() || domain[i] == '.') {
      const std::string_view label = domain.substr(label_start, i - label_start);
      if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') return false;
      label_start = i + 1;
      continue;
    }
    const unsigned char c = static_cast<unsigned char>(domain[i]);
    if (!std::isalnum(c) && c != '-') return false;
  }
  return true;
}


}  // namespace iron::util
