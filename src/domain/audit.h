#pragma once
// Writing audit rows. Always called inside the transaction of the change it describes, so
// a mutation and its audit row commit (or roll back) together.
#include <string>

#include <nlohmann/json.hpp>

#include "domain/principal.h"
#include "store/sqlite.h"

namespace iron::domain {

void audit(store::Connection& c, const RequestContext& ctx, const std::string& action, const std::string& entity_type,
           const std::string& entity_id, const nlohmann::json& before = nullptr, const nlohmann::json& after = nullptr);

}  // namespace iron::domain
