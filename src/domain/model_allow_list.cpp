#include "domain/model_allow_list.h"

#include <algorithm>

#include <nlohmann/json.hpp>

namespace iron::domain {

Result<AllowedModels> normalized_allowed_models(const AllowedModels& list, const std::string& field) {
  if (!list) return AllowedModels{};
  const auto& entries = *list;
  if (entries.size() > kMaxAllowedModels)
    return Error::validation(field, field + " holds at most " + std::to_string(kMaxAllowedModels) + " entries");
  std::vector<std::string> out;
  for (const auto& e : entries) {
    if (e.empty() || e.size() > kMaxAllowedModelLength)
      return Error::validation(field, "each entry of " + field + " must be 1 to " +
                                          std::to_string(kMaxAllowedModelLength) + " characters");
    // Tab, LF and CR pass the body's text rule; in a model name they are always a typing slip.
    if (std::any_of(e.begin(), e.end(), [](char ch) { return static_cast<unsigned char>(ch) < 0x20 || ch == 0x7f; }))
      return Error::validation(field, "entries of " + field + " must not contain control characters");
    if (e.front() == ' ' || e.back() == ' ')
      return Error::validation(field, "entries of " + field + " must not start or end with a space");
    if (std::find(out.begin(), out.end(), e) == out.end()) out.push_back(e);
  }
  return AllowedModels{std::move(out)};
}

// Iterative glob with `*` only: on a mismatch, the last `*` absorbs one more character.
// O(|pattern| × |text|) at worst, and both are at most 200 characters.
bool model_pattern_matches(std::string_view pattern, std::string_view text) {
  size_t p = 0, t = 0;
  std::optional<size_t> star;
  size_t star_t = 0;
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      star_t = t;
    } else if (p < pattern.size() && pattern[p] == text[t]) {
      ++p;
      ++t;
    } else if (star) {
      p = *star + 1;
      t = ++star_t;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

bool model_allowed(const AllowedModels& list, std::string_view provider, std::string_view model) {
  if (!list) return true;
  std::string qualified;
  for (const auto& entry : *list) {
    if (model_pattern_matches(entry, model)) return true;
    if (entry.find('/') == std::string::npos) continue;
    if (qualified.empty()) qualified = std::string(provider) + "/" + std::string(model);
    if (model_pattern_matches(entry, qualified)) return true;
  }
  return false;
}

Status check_requested_model(const AllowedModels& list, const std::string& whose, std::string_view provider,
                             const std::optional<std::string>& model) {
  // Checked with or without a list, so the field means the same either way.
  if (model && model->empty()) return Error::validation("model", "model must be 1 to 200 characters");
  if (!list) return ok_status();
  if (!model) return Error::validation("model", whose + " has a model allow-list: name the model", "MODEL_REQUIRED");
  if (model_allowed(list, provider, *model)) return ok_status();
  Error e = Error::forbidden("model '" + *model + "' is not in " + whose + "'s model allow-list", "MODEL_NOT_ALLOWED");
  e.details = {{"field", "model"}, {"model", *model}};
  return e;
}

}  // namespace iron::domain
