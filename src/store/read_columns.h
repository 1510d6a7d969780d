#pragma once
// Reads the row a statement stands on into `fields`: column 0 into the first, column 1 into the
// next, each by its field's type (Statement::get), for a query whose columns are not one
// table's (a join, an aggregate). A table's own rows are read by store/table.h.
//
//   while (s.step()) {
//     Row r;
//     read_columns(s, r.agent_id, r.agent_name, r.total);
//     out.push_back(std::move(r));
//   }
#include "store/sqlite.h"

namespace iron::store {

template <class... Field>
void read_columns(const Statement& s, Field&... fields) {
  int col = 0;
  (s.get(col++, fields), ...);
}

}  // namespace iron::store
