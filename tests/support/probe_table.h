#pragma once
// The one-column `probe` table the store's group-commit tests write to: rows they insert and
// read back to see whose work a batch kept.
#include <string>
#include <vector>

#include "store/database.h"

namespace iron::test {

inline void create_probe_table(store::Database& db) {
  db.write([](store::Connection& c) {
    c.exec("CREATE TABLE probe (v TEXT PRIMARY KEY)");
    return 0;
  });
}

inline void insert_probe(store::Connection& c, const std::string& v) {
  c.prepare("INSERT INTO probe(v) VALUES (?1)").bind(1, v).run();
}

// Every row, in order.
inline std::vector<std::string> probe_rows(store::Database& db) {
  return db.read([](store::Connection& c) {
    std::vector<std::string> out;
    auto& s = c.prepare("SELECT v FROM probe ORDER BY v");
    while (s.step()) out.push_back(s.text(0));
    return out;
  });
}

}  // namespace iron::test
