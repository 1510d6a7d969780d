#pragma once
// The `allowed_models` body field that agents and API tokens share (docs/model-allow-lists.md):
// null or an array of strings. Each string follows the body's text rule (body.h); the
// entries' length, count and spacing are the domain's rules (domain/model_allow_list.h),
// stated in the schema too.
#include <string>

#include <nlohmann/json.hpp>

#include "api/body.h"
#include "domain/model_allow_list.h"

namespace iron::api {

inline constexpr const char* kAllowedModelsText =
    "the models this may use: exact names or patterns where `*` stands for any characters (`gpt-4o*`), "
    "optionally provider-qualified (`openai/gpt-4o*`); case-sensitive. null = every model; [] = no model at all";

nlohmann::json allowed_models_schema();

// Absent → nullopt; null → an unrestricted list (AllowedModels{}); an array → its strings.
Result<std::optional<domain::AllowedModels>> allowed_models_member(const nlohmann::json& object);

// For a create body: absent and null both mean every model.
template <class T>
typename BodyFields<T>::Reader allowed_models_reader(domain::AllowedModels T::*member) {
  return [member](const nlohmann::json& o, T& out) -> Status {
    auto v = allowed_models_member(o);
    if (!v) return v.error();
    if (*v) out.*member = std::move(**v);
    return ok_status();
  };
}

// For a patch body: absent = unchanged, null = every model.
template <class T>
typename BodyFields<T>::Reader allowed_models_patch_reader(std::optional<domain::AllowedModels> T::*member) {
  return [member](const nlohmann::json& o, T& out) -> Status {
    auto v = allowed_models_member(o);
    if (!v) return v.error();
    out.*member = std::move(*v);
    return ok_status();
  };
}

}  // namespace iron::api
