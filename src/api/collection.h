#pragma once
// A collection at `path` and `path/:id` whose service creates, lists, gets, updates and
// removes rows by integer id for the caller (alert channels, alert rules). Its five operations
// are named, summarised and answered alike but for the row's noun, and list, get and delete are
// served alike but for the service and the row's view, so both are written once here. Create
// and update stay the family's own: their bodies, actions, and the answers and errors they add
// to create_op() / update_op().
#include <string>
#include <utility>
#include <vector>

#include "api/endpoint.h"

namespace iron::api {

struct CollectionNames {
  std::string path;    // /api/v1/alert-rules
  std::string schema;  // AlertRule: one row's component; the operationIds are createAlertRule, listAlertRules, …
  std::string one;     // "an alert rule": the summaries' object ("Create an alert rule")
  std::string all;     // "the alert rules" ("List the alert rules")
  std::string row;     // "rule": the answers' ("The rule", "The updated rule", "The rules, oldest first")
};

// `service(services)` is the family's service, `view(row)` a row's JSON.
template <class ServiceOf, class View>
struct Collection {
  openapi::Resource ops;
  CollectionNames names;
  ServiceOf service;
  View view;

  // POST path: 201 with the row.
  openapi::Op create_op() const {
    return ops("POST", names.path, "create" + names.schema, "Create " + names.one)
        .returns(201, openapi::ref(names.schema), "Created");
  }
  // PUT path/:id: 200 with the changed row.
  openapi::Op update_op() const {
    return ops("PUT", names.path + "/:id", "update" + names.schema, "Update " + names.one)
        .returns(200, openapi::ref(names.schema), "The updated " + names.row);
  }

  // create, list, get, update, delete.
  std::vector<Endpoint> endpoints(Endpoint create, Endpoint update) const {
    const std::string item = names.path + "/:id";
    std::vector<Endpoint> e;
    e.push_back(std::move(create));
    e.push_back({ops("GET", names.path, "list" + names.schema + "s", "List " + names.all)
                     .returns(200, openapi::array_of(openapi::ref(names.schema)), "The " + names.row + "s, oldest first"),
                 [service = service, view = view](const Call& c) {
                   return reply(service(c.s).list(c.who()), 200,
                                [&view](const auto& rows) { return json_array_of(rows, view); });
                 }});
    e.push_back({ops("GET", item, "get" + names.schema, "Get " + names.one)
                     .returns(200, openapi::ref(names.schema), "The " + names.row),
                 [service = service, view = view](const Call& c) {
                   return reply(service(c.s).get(c.who(), c.id()), 200, view);
                 }});
    e.push_back(std::move(update));
    e.push_back({ops("DELETE", item, "delete" + names.schema, "Delete " + names.one).no_content("Deleted"),
                 [service = service](const Call& c) {
                   return reply_no_content(service(c.s).remove(c.who(), c.id(), c.context()));
                 }});
    return e;
  }
};

// Collection's arguments deduced (clang before 17 deduces no aggregate's template arguments).
template <class ServiceOf, class View>
Collection<ServiceOf, View> collection(openapi::Resource ops, CollectionNames names, ServiceOf service, View view) {
  return {std::move(ops), std::move(names), std::move(service), std::move(view)};
}

}  // namespace iron::api
