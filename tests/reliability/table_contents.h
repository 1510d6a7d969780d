#pragma once
// Every row of every table of a database file, read-only and as text: two reads compared
// prove that requests in between changed nothing (bad input, a write refused for lack of
// space).
#include <map>
#include <string>
#include <vector>

#include "store/sqlite.h"

namespace iron::test::reliability {

inline std::map<std::string, std::string> table_contents(const std::string& db_path) {
  iron::store::SqliteConnection c(db_path, true);
  std::vector<std::string> tables;
  auto& list = c.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name");
  while (list.step()) tables.push_back(list.text(0));
  std::map<std::string, std::string> out;
  for (const auto& t : tables) {
    sqlite3_stmt* s = nullptr;
    sqlite3_prepare_v2(c.handle(), ("SELECT * FROM \"" + t + "\" ORDER BY 1").c_str(), -1, &s, nullptr);
    std::string text;
    while (sqlite3_step(s) == SQLITE_ROW) {
      for (int i = 0; i < sqlite3_column_count(s); ++i) {
        const auto* v = sqlite3_column_text(s, i);
        text += v ? std::string(reinterpret_cast<const char*>(v)) : "NULL";
        text += '\x1f';
      }
      text += '\n';
    }
    sqlite3_finalize(s);
    out[t] = text;
  }
  return out;
}

}  // namespace iron::test::reliability
