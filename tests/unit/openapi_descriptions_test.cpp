// The operations' prose lives in src/api/<resource>.md (api/openapi/descriptions.h): every
// Markdown section must describe a declared operation, and no operation may lose the
// description it had when the prose moved out of the declarations.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "api/openapi/descriptions.h"
#include "api/openapi_document.h"
#include "api/routes.h"

namespace {

using iron::api::openapi::operation_descriptions;
using iron::api::openapi::OperationDescription;

// The operations without prose of their own: no Markdown section (some open with a sentence
// their family shares, e.g. analytics_params.h analytics_read_op). Describing one means removing
// it here.
const std::set<std::string> kWithoutOwnProse = {
    "activateUser", "cancelBudgetRequest", "createUser", "deleteLimit", "getAgent", "getAgentBudgetHistory",
    "getAlertChannel", "getAlertRule", "getApiToken", "getApiVersion", "getAverageCostPerRequest",
    "getBudgetRequest", "getHealth", "getIcTokenStatus", "getLimit", "getLiveness", "getMe", "getModelUsage",
    "getOpenApi", "getReadiness", "getSetupStatus", "getSpendingByAgent", "getSpendingByProvider",
    "getSpendingTotal", "getSystem", "getTokenUsageByAgent", "getUsageAggregate", "getUsageByProvider",
    "getUsageRequests", "getUser", "listAlertChannels", "listAlertRules", "listUsers", "regenerateIcToken",
    "revokeIcToken",
};

std::set<std::string> declared_operation_ids() {
  std::set<std::string> ids;
  for (const auto& e : iron::api::all_endpoints()) ids.insert(e.doc.id);
  return ids;
}

TEST(OpenApiDescriptions, MarkdownSectionsBecomeDescriptions) {
  const char* markdown =
      "# family.cpp: operation descriptions\n"
      "A preface for the reader.\n"
      "\n"
      "## createThing\n"
      "\n"
      "Wrapped lines\n"
      "  join with one space.\n"
      "\n"
      "\n"
      "A **second** paragraph.\n"
      "## listThings\n"
      "Newest first.";
  const auto sections = iron::api::openapi::parse_operation_markdown("family.md", markdown);
  ASSERT_EQ(sections.size(), 2u);
  EXPECT_EQ(sections[0].file, "family.md");
  EXPECT_EQ(sections[0].operation_id, "createThing");
  EXPECT_EQ(sections[0].text, "Wrapped lines join with one space.\n\nA **second** paragraph.");
  EXPECT_EQ(sections[1].operation_id, "listThings");
  EXPECT_EQ(sections[1].text, "Newest first.");
}

TEST(OpenApiDescriptions, EverySectionDescribesOneDeclaredOperation) {
  const auto declared = declared_operation_ids();
  std::map<std::string, std::string> file_of;
  ASSERT_FALSE(operation_descriptions().empty()) << "no src/api/*.md was embedded";
  for (const OperationDescription& d : operation_descriptions()) {
    SCOPED_TRACE(d.file + " ## " + d.operation_id);
    EXPECT_TRUE(declared.count(d.operation_id)) << "no operation has this id";
    EXPECT_FALSE(d.text.empty()) << "empty section";
    const auto [it, first] = file_of.emplace(d.operation_id, d.file);
    EXPECT_TRUE(first) << "also described in " << it->second;
  }
}

TEST(OpenApiDescriptions, EveryOperationKeepsItsDescription) {
  std::set<std::string> described;
  for (const OperationDescription& d : operation_descriptions()) described.insert(d.operation_id);
  for (const auto& id : declared_operation_ids()) {
    if (kWithoutOwnProse.count(id))
      EXPECT_FALSE(described.count(id)) << id << " is described now: remove it from kWithoutOwnProse";
    else
      EXPECT_TRUE(described.count(id)) << id << " has no section in the Markdown beside its declaration";
  }
}

TEST(OpenApiDescriptions, TheDocumentCarriesEverySection) {
  std::map<std::string, std::string> served;  // operationId -> description
  for (const auto& [path, item] : iron::api::openapi_document().at("paths").items())
    for (const auto& [method, op] : item.items()) served[op.at("operationId")] = op.value("description", "");
  for (const OperationDescription& d : operation_descriptions())
    EXPECT_NE(served[d.operation_id].find(d.text), std::string::npos) << d.operation_id;
}

}  // namespace
