// The pure rules of model allow-lists (domain/model_allow_list.h): `*` patterns, the
// provider-qualified form, the null / empty distinction, and the bounds of a stored list.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "domain/model_allow_list.h"

namespace {

namespace domain = iron::domain;

struct MatchCase {
  const char* pattern;
  const char* text;
  bool matches;
};

TEST(ModelAllowList, StarStandsForAnyRunOfCharacters) {
  const std::vector<MatchCase> cases = {
      {"gpt-4o", "gpt-4o", true},         {"gpt-4o", "gpt-4o-mini", false}, {"gpt-4o", "gpt-4", false},
      {"gpt-4o*", "gpt-4o", true},        {"gpt-4o*", "gpt-4o-mini", true}, {"gpt-4o*", "gpt-4", false},
      {"*-mini", "gpt-4o-mini", true},    {"*-mini", "gpt-4o-mini-x", false}, {"*", "", true},
      {"*", "anything", true},            {"a*b*c", "aXbYc", true},         {"a*b*c", "aXbY", false},
      {"a**b", "ab", true},               {"*a*a*a*b", "aaaaaaaaaaaaaaaa", false}, {"", "", true},
      {"", "x", false},                   {"GPT-4o", "gpt-4o", false},      {"?", "x", false},
      {"gpt.4o", "gpt-4o", false},        {"[ab]", "a", false},
  };
  for (const auto& c : cases)
    EXPECT_EQ(domain::model_pattern_matches(c.pattern, c.text), c.matches) << c.pattern << " vs " << c.text;
}

TEST(ModelAllowList, NullAllowsEverythingAndEmptyNothing) {
  EXPECT_TRUE(domain::model_allowed(std::nullopt, "openai", "gpt-4o"));
  EXPECT_FALSE(domain::model_allowed(std::vector<std::string>{}, "openai", "gpt-4o"));
}

TEST(ModelAllowList, ProviderQualifiedEntriesMatchProviderSlashModel) {
  const domain::AllowedModels list = std::vector<std::string>{"openai/gpt-4o*", "anthropic/claude-3-5-*"};
  EXPECT_TRUE(domain::model_allowed(list, "openai", "gpt-4o-mini"));
  EXPECT_FALSE(domain::model_allowed(list, "azure", "gpt-4o-mini"));
  EXPECT_TRUE(domain::model_allowed(list, "anthropic", "claude-3-5-sonnet"));
  EXPECT_FALSE(domain::model_allowed(list, "anthropic", "claude-3-opus"));
  // A model whose own name holds the slash matches as a name, whatever its provider.
  EXPECT_TRUE(domain::model_allowed(list, "openrouter", "openai/gpt-4o"));
  // An unqualified entry never matches a provider.
  EXPECT_FALSE(domain::model_allowed(std::vector<std::string>{"openai"}, "openai", "gpt-4o"));
}

TEST(ModelAllowList, StoredListsAreBoundedAndDeduplicated) {
  auto ok = domain::normalized_allowed_models(std::vector<std::string>{"b", "a", "b", "a*"}, "allowed_models");
  ASSERT_TRUE(ok);
  EXPECT_EQ(**ok, (std::vector<std::string>{"b", "a", "a*"}));
  EXPECT_FALSE(*domain::normalized_allowed_models(std::nullopt, "allowed_models"));

  std::vector<std::string> max(domain::kMaxAllowedModels);
  for (size_t i = 0; i < max.size(); ++i) max[i] = "m" + std::to_string(i);
  EXPECT_TRUE(domain::normalized_allowed_models(max, "f"));
  max.push_back("one-more");
  for (const auto& bad : std::vector<std::vector<std::string>>{
           max, {""}, {std::string(201, 'x')}, {" a"}, {"a "}, {"a\tb"}, {"a\nb"}, {std::string("a\x7f")}}) {
    const auto r = domain::normalized_allowed_models(bad, "f");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, "VALIDATION_ERROR");
    EXPECT_EQ(r.error().details.value("field", ""), "f");
  }
  EXPECT_TRUE(domain::normalized_allowed_models(std::vector<std::string>{std::string(200, 'x')}, "f"));
}

}  // namespace
