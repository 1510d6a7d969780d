#pragma once
// The logical shape of a schema, read from either engine, for comparing SQLite's migrations
// with PostgreSQL's (docs/postgresql.md, "Two sets of migrations"): per table, each column's
// type class (integer/text/real/blob), nullability, the primary key, the indexes and the
// triggers. Column order and constraint names are not part of it.
#include <map>
#include <set>
#include <string>
#include <vector>

#include "store/pg/connection.h"
#include "store/sqlite.h"

namespace iron::test {

struct TableShape {
  std::map<std::string, std::string> columns;  // name -> "integer NOT NULL", "text NULL", ...
  std::string primary_key;                     // "a,b" in key order
  std::set<std::string> indexes;               // "name UNIQUE PARTIAL (a,b)", "UNIQUE (a,b)" for constraints
  std::set<std::string> triggers;
};
using SchemaShape = std::map<std::string, TableShape>;

SchemaShape sqlite_schema(store::Connection& c);
SchemaShape postgres_schema(store::pg::Connection& c);

// Every difference, one readable line each ("table t: column c: integer NOT NULL vs text NULL").
std::vector<std::string> schema_differences(const SchemaShape& sqlite, const SchemaShape& postgres);

}  // namespace iron::test
