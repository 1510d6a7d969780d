#pragma once
// Applies a macro to each name of a list, for declarations that name a member once and derive
// both its text and its access from that name (store/table.h's IRON_COLUMNS, util/json_fields.h's
// IRON_JSON_FIELDS).
//
//   IRON_FOR_EACH(step, arg, a, b)        →  step(arg, a) step(arg, b)
//   IRON_FOR_EACH_LISTED(step, arg, a, b) →  step(arg, a), step(arg, b)
//
// A macro cannot expand into itself, so each step names the next one through IRON_EACH_AGAIN,
// which only expands on the following rescan; IRON_EACH_EXPAND rescans enough for 85 names (a
// longer list leaves an unexpanded IRON_EACH_AGAIN behind: a compile error, not a silent cut).
#define IRON_FOR_EACH(step, arg, ...) __VA_OPT__(IRON_EACH_EXPAND(IRON_EACH_STEP(step, arg, __VA_ARGS__)))
#define IRON_FOR_EACH_LISTED(step, arg, ...) \
  __VA_OPT__(IRON_EACH_EXPAND(IRON_EACH_LISTED_STEP(step, arg, __VA_ARGS__)))

#define IRON_EACH_STEP(step, arg, name, ...) \
  step(arg, name) __VA_OPT__(IRON_EACH_AGAIN IRON_EACH_PARENS(step, arg, __VA_ARGS__))
#define IRON_EACH_AGAIN() IRON_EACH_STEP
#define IRON_EACH_LISTED_STEP(step, arg, name, ...) \
  step(arg, name) __VA_OPT__(, IRON_EACH_LISTED_AGAIN IRON_EACH_PARENS(step, arg, __VA_ARGS__))
#define IRON_EACH_LISTED_AGAIN() IRON_EACH_LISTED_STEP
#define IRON_EACH_PARENS ()

#define IRON_EACH_EXPAND(...) \
  IRON_EACH_EXPAND16(IRON_EACH_EXPAND16(IRON_EACH_EXPAND16(IRON_EACH_EXPAND16(__VA_ARGS__))))
#define IRON_EACH_EXPAND16(...) IRON_EACH_EXPAND4(IRON_EACH_EXPAND4(IRON_EACH_EXPAND4(IRON_EACH_EXPAND4(__VA_ARGS__))))
#define IRON_EACH_EXPAND4(...) IRON_EACH_EXPAND1(IRON_EACH_EXPAND1(IRON_EACH_EXPAND1(IRON_EACH_EXPAND1(__VA_ARGS__))))
#define IRON_EACH_EXPAND1(...) __VA_ARGS__
