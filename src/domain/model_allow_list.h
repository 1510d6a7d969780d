#pragma once
// Model allow-lists (docs/model-allow-lists.md): the models an agent, or an API token, may use.
// nullopt = every model; an empty list = none. An entry is an exact model name or a pattern
// where `*` stands for any run of characters (`gpt-4o*`, `*-mini`); matching is
// case-sensitive, like the price catalogue's keys. An entry with a `/` is also tried against
// `provider/model` (`openai/gpt-4o*`), so a list can name a model of one provider only;
// model names that themselves hold a `/` (OpenRouter's `meta-llama/…`) still match as names.
//
// The lists are checked where a model is named: the budget handshake (the agent's list),
// the plaintext key fetch (the API token's list) and event ingestion (the agent's list:
// recorded, but flagged).
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"

namespace iron::domain {

using AllowedModels = std::optional<std::vector<std::string>>;

inline constexpr size_t kMaxAllowedModels = 100;
inline constexpr size_t kMaxAllowedModelLength = 200;  // an event's model is at most 200 characters

// The list as stored: entries checked (1..200 characters, no control characters, no leading
// or trailing space, at most 100), duplicates dropped in order; nullopt stays nullopt.
// VALIDATION_ERROR naming `field`.
Result<AllowedModels> normalized_allowed_models(const AllowedModels& list, const std::string& field);

// Whether `pattern` (`*` = any run of characters) matches all of `text`.
bool model_pattern_matches(std::string_view pattern, std::string_view text);

bool model_allowed(const AllowedModels& list, std::string_view provider, std::string_view model);

// A request that is about to use a model (the handshake, a key fetch) against `whose` list
// ("this agent", "this API token"): with a list set, `model` is required (400 MODEL_REQUIRED)
// and must be allowed for `provider` (403 MODEL_NOT_ALLOWED); both name the field `model`.
Status check_requested_model(const AllowedModels& list, const std::string& whose, std::string_view provider,
                             const std::optional<std::string>& model);

}  // namespace iron::domain
