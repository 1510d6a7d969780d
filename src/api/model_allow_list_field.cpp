#include "api/model_allow_list_field.h"

#include "api/errors.h"
#include "api/openapi/spec.h"

namespace iron::api {

nlohmann::json allowed_models_schema() {
  auto list = openapi::array_of(openapi::str(1, domain::kMaxAllowedModelLength));
  list["maxItems"] = domain::kMaxAllowedModels;
  return openapi::described(openapi::nullable(list), kAllowedModelsText);
}

Result<std::optional<domain::AllowedModels>> allowed_models_member(const nlohmann::json& object) {
  constexpr const char* kField = "allowed_models";
  if (!object.contains(kField)) return std::optional<domain::AllowedModels>{};
  const auto& v = object[kField];
  if (v.is_null()) return std::optional<domain::AllowedModels>(std::in_place);
  if (!v.is_array()) return errors::must_be(kField, "null or an array of model names");
  if (v.size() > domain::kMaxAllowedModels)
    return errors::must_be(kField, "at most " + std::to_string(domain::kMaxAllowedModels) + " entries");
  std::vector<std::string> entries;
  entries.reserve(v.size());
  for (const auto& item : v) {
    if (!item.is_string()) return errors::must_be(kField, "null or an array of model names");
    if (const auto bad = forbidden_control(item.get_ref<const std::string&>())) {
      Error e = errors::must_be(kField, "model names without NUL or control characters");
      e.details["character"] = *bad;
      return e;
    }
    entries.push_back(item.get<std::string>());
  }
  return std::optional<domain::AllowedModels>{domain::AllowedModels{std::move(entries)}};
}

}  // namespace iron::api
