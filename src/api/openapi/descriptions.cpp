#include "api/openapi/descriptions.h"

#include <map>

namespace iron::api::openapi {
namespace {

std::string_view trimmed(std::string_view s) {
  const auto first = s.find_first_not_of(" \t\r");
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(" \t\r") - first + 1);
}

}  // namespace

std::vector<OperationDescription> parse_operation_markdown(std::string_view file, std::string_view markdown) {
  std::vector<OperationDescription> out;
  std::string paragraph;
  auto end_paragraph = [&] {
    if (paragraph.empty() || out.empty()) return;
    auto& text = out.back().text;
    if (!text.empty()) text += "\n\n";
    text += paragraph;
    paragraph.clear();
  };
  while (!markdown.empty()) {
    const auto eol = markdown.find('\n');
    const std::string_view line = markdown.substr(0, eol);
    markdown.remove_prefix(eol == std::string_view::npos ? markdown.size() : eol + 1);
    if (line.starts_with("## ")) {
      end_paragraph();
      out.push_back({std::string(file), std::string(trimmed(line.substr(3))), ""});
    } else if (out.empty()) {
      continue;  // the file's title and preface
    } else if (trimmed(line).empty()) {
      end_paragraph();
    } else {
      if (!paragraph.empty()) paragraph += ' ';
      paragraph += trimmed(line);
    }
  }
  end_paragraph();
  return out;
}

const std::vector<OperationDescription>& operation_descriptions() {
  static const std::vector<OperationDescription> all = [] {
    std::vector<OperationDescription> out;
    for (const auto& f : embedded_operation_markdown())
      for (auto& d : parse_operation_markdown(f.name, f.text)) out.push_back(std::move(d));
    return out;
  }();
  return all;
}

std::string_view description_of(std::string_view operation_id) {
  static const std::map<std::string_view, std::string_view> by_id = [] {
    std::map<std::string_view, std::string_view> out;
    for (const auto& d : operation_descriptions()) out.emplace(d.operation_id, d.text);
    return out;
  }();
  const auto it = by_id.find(operation_id);
  return it == by_id.end() ? std::string_view{} : it->second;
}

}  // namespace iron::api::openapi
