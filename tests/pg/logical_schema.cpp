#include "logical_schema.h"

#include <algorithm>
#include <cctype>

namespace iron::test {
namespace {

// SQLite's type affinity rules (https://www.sqlite.org/datatype3.html, 3.1), as a class.
std::string sqlite_type_class(std::string declared) {
  std::transform(declared.begin(), declared.end(), declared.begin(), [](unsigned char ch) { return std::toupper(ch); });
  const auto has = [&](const char* s) { return declared.find(s) != std::string::npos; };
  if (has("INT")) return "integer";
  if (has("CHAR") || has("CLOB") || has("TEXT")) return "text";
  if (declared.empty() || has("BLOB")) return "blob";
  if (has("REAL") || has("FLOA") || has("DOUB")) return "real";
  return "numeric";
}

std::string postgres_type_class(const std::string& data_type, const std::string& udt) {
  if (data_type == "bigint" || data_type == "integer" || data_type == "smallint") return "integer";
  if (data_type == "text" || data_type == "character varying" || data_type == "character" || udt == "citext") {
    return "text";
  }
  if (data_type == "bytea") return "blob";
  if (data_type == "double precision" || data_type == "real") return "real";
  return data_type;
}

std::string column_shape(const std::string& type_class, bool not_null) {
  return type_class + (not_null ? " NOT NULL" : " NULL");
}

std::string index_shape(const std::string& name, bool unique, bool partial, const std::string& columns) {
  return name + (unique ? " UNIQUE" : "") + (partial ? " PARTIAL" : "") + " (" + columns + ")";
}

template <class F>
void each_difference(const std::set<std::string>& a, const std::set<std::string>& b, F&& f) {
  for (const auto& x : a) if (!b.count(x)) f(x, true);
  for (const auto& x : b) if (!a.count(x)) f(x, false);
}

}  // namespace

SchemaShape sqlite_schema(store::Connection& c) {
  SchemaShape schema;
  std::vector<std::string> tables;
  {
    auto& s = c.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'");
    while (s.step()) tables.push_back(s.text(0));
    s.reset();
  }
  for (const auto& table : tables) {
    auto& shape = schema[table];
    std::map<int64_t, std::string> pk;
    auto& cols = c.prepare("SELECT name, type, \"notnull\", pk FROM pragma_table_info(?)");
    cols.bind(1, table);
    while (cols.step()) {
      // A primary key column is NOT NULL in PostgreSQL; SQLite's table_info reports it
      // nullable unless declared so (a rowid alias never holds NULL; other keys should not).
      const bool in_pk = cols.int64(3) > 0;
      if (in_pk) pk[cols.int64(3)] = cols.text(0);
      shape.columns[cols.text(0)] = column_shape(sqlite_type_class(cols.text(1)), cols.int64(2) != 0 || in_pk);
    }
    cols.reset();
    for (const auto& [_, name] : pk) shape.primary_key += (shape.primary_key.empty() ? "" : ",") + name;

    struct Index {
      std::string name, origin;
      bool unique, partial;
    };
    std::vector<Index> indexes;
    auto& list = c.prepare("SELECT name, \"unique\", origin, partial FROM pragma_index_list(?)");
    list.bind(1, table);
    while (list.step()) indexes.push_back({list.text(0), list.text(2), list.int64(1) != 0, list.int64(3) != 0});
    list.reset();
    for (const auto& index : indexes) {
      if (index.origin == "pk") continue;  // compared as primary_key
      std::string columns;
      auto& info = c.prepare("SELECT coalesce(name, '<expr>') FROM pragma_index_xinfo(?) WHERE key = 1 ORDER BY seqno");
      info.bind(1, index.name);
      while (info.step()) columns += (columns.empty() ? "" : ",") + info.text(0);
      info.reset();
      shape.indexes.insert(index.origin == "u" ? index_shape("", true, false, columns)
                                               : index_shape(index.name, index.unique, index.partial, columns));
    }
  }
  auto& triggers = c.prepare("SELECT tbl_name, name FROM sqlite_master WHERE type = 'trigger'");
  while (triggers.step()) schema[triggers.text(0)].triggers.insert(triggers.text(1));
  triggers.reset();
  return schema;
}

SchemaShape postgres_schema(store::pg::Connection& c) {
  SchemaShape schema;
  for (const auto row : c.exec("SELECT table_name FROM information_schema.tables"
                               " WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'")) {
    schema[row.text(0)];
  }
  for (auto& [table, shape] : schema) {
    for (const auto col : c.exec("SELECT column_name, data_type, udt_name, is_nullable FROM information_schema.columns"
                                 " WHERE table_schema = current_schema() AND table_name = $1", {table})) {
      shape.columns[col.text(0)] = column_shape(postgres_type_class(col.text(1), col.text(2)), col.text(3) == "NO");
    }
    // Each index with its key columns in order (0 in indkey = an expression), whether a
    // UNIQUE or PRIMARY KEY constraint owns it, and whether it is partial.
    const auto indexes = c.exec(
        "SELECT ic.relname, i.indisunique, i.indisprimary, i.indpred IS NOT NULL,"
        "  EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid AND k.contype = 'u'),"
        "  (SELECT string_agg(CASE WHEN u.k = 0 THEN '<expr>' ELSE a.attname END, ',' ORDER BY u.ord)"
        "     FROM unnest(i.indkey::int2[]) WITH ORDINALITY AS u(k, ord)"
        "     LEFT JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = u.k)"
        " FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid"
        " WHERE i.indrelid = (quote_ident(current_schema()) || '.' || quote_ident($1))::regclass",
        {table});
    for (const auto index : indexes) {
      if (index.text(2) == "t") {
        shape.primary_key = index.text(5);
      } else if (index.text(4) == "t") {
        shape.indexes.insert(index_shape("", true, false, index.text(5)));
      } else {
        shape.indexes.insert(index_shape(index.text(0), index.text(1) == "t", index.text(3) == "t", index.text(5)));
      }
    }
    for (const auto trigger : c.exec("SELECT t.tgname FROM pg_trigger t"
                                     " WHERE NOT t.tgisinternal"
                                     " AND t.tgrelid = (quote_ident(current_schema()) || '.' || quote_ident($1))::regclass",
                                     {table})) {
      shape.triggers.insert(trigger.text(0));
    }
  }
  return schema;
}

std::vector<std::string> schema_differences(const SchemaShape& sqlite, const SchemaShape& postgres) {
  std::vector<std::string> out;
  const auto side = [](bool in_sqlite) { return in_sqlite ? "only in SQLite" : "only in PostgreSQL"; };
  std::set<std::string> tables;
  for (const auto& [name, _] : sqlite) tables.insert(name);
  for (const auto& [name, _] : postgres) tables.insert(name);
  for (const auto& table : tables) {
    const auto a = sqlite.find(table), b = postgres.find(table);
    if (a == sqlite.end() || b == postgres.end()) {
      out.push_back("table " + table + ": " + side(a != sqlite.end()));
      continue;
    }
    const std::string where = "table " + table + ": ";
    std::set<std::string> columns;
    for (const auto& [name, _] : a->second.columns) columns.insert(name);
    for (const auto& [name, _] : b->second.columns) columns.insert(name);
    for (const auto& column : columns) {
      const auto x = a->second.columns.find(column), y = b->second.columns.find(column);
      if (x == a->second.columns.end() || y == b->second.columns.end()) {
        out.push_back(where + "column " + column + " " + side(x != a->second.columns.end()));
      } else if (x->second != y->second) {
        out.push_back(where + "column " + column + ": " + x->second + " in SQLite vs " + y->second + " in PostgreSQL");
      }
    }
    if (a->second.primary_key != b->second.primary_key) {
      out.push_back(where + "primary key (" + a->second.primary_key + ") in SQLite vs (" + b->second.primary_key +
                    ") in PostgreSQL");
    }
    each_difference(a->second.indexes, b->second.indexes,
                    [&](const std::string& x, bool in_sqlite) { out.push_back(where + "index " + x + " " + side(in_sqlite)); });
    each_difference(a->second.triggers, b->second.triggers,
                    [&](const std::string& x, bool in_sqlite) { out.push_back(where + "trigger " + x + " " + side(in_sqlite)); });
  }
  return out;
}

}  // namespace iron::test
