#pragma once
// `IRON_JSON_FIELDS(r, a, b)` is `{"a", r.a}, {"b", r.b}`: members shown under their own names in
// a JSON object's initializer, each name written once. An optional member shows as its value or
// null (json_optional.h).
//
//   return {IRON_JSON_FIELDS(r, id, name, is_enabled), {"created_at", rfc3339(r.created_at)}};
#include "util/for_each_macro.h"
#include "util/json_optional.h"

#define IRON_JSON_FIELDS(object, ...) IRON_FOR_EACH_LISTED(IRON_JSON_FIELD, object, __VA_ARGS__)
#define IRON_JSON_FIELD(object, member) {#member, object.member}
