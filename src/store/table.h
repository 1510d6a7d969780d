#pragma once
// One table's columns and the fields of the plain struct that holds its row, listed once: the
// SELECT list, the reading of a row and the INSERT with its bindings all come from that list,
// so a column cannot be read at one index and written at another. A column named after its
// member is listed by the member's name alone (IRON_COLUMNS / IRON_BLOBS below).
//
//   const Table<User> kUsers = Table<User>("users") IRON_COLUMNS(User, id, email);
//   auto& s = c.prepare(kUsers.select() + " WHERE id = ?");
//   s.bind(1, id);
//   return kUsers.one(s);
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "store/connection.h"
#include "util/for_each_macro.h"

namespace iron::store {

template <class Row>
class Table {
 public:
  using Reader = std::function<void(const Statement& s, int col, Row& out)>;
  using Binder = std::function<void(Statement& s, int index, const Row& in)>;

  explicit Table(std::string name) : name_(std::move(name)) {}

  // A column holding `member` (of Row or of a base Row inherits it from, store::BudgetFigures):
  // int64_t, bool, double, std::string, or an optional of those.
  template <class F, class Owner>
    requires std::is_base_of_v<Owner, Row>
  Table& column(std::string name, F Owner::*member) {
    return column(std::move(name), [member](const Statement& s, int col, Row& r) { s.get(col, r.*member); },
                  [member](Statement& s, int i, const Row& r) { s.bind(i, r.*member); });
  }
  // A BLOB (BYTEA) column of bytes held in a std::string or an optional one (text() returns the
  // stored bytes unchanged).
  template <class F>
  Table& blob(std::string name, F Row::*member) {
    return column(std::move(name), [member](const Statement& s, int col, Row& r) { s.get(col, r.*member); },
                  [member](Statement& s, int i, const Row& r) { s.bind_blob(i, r.*member); });
  }
  // A column stored in another form than the member's, converted by `Codec`: `Codec::read(s, col)`
  // gives the member's value, `Codec::bind(s, index, value)` stores it (StringListColumn).
  template <class Codec, class F>
  Table& column(std::string name, F Row::*member, Codec) {
    return column(std::move(name), [member](const Statement& s, int col, Row& r) { r.*member = Codec::read(s, col); },
                  [member](Statement& s, int i, const Row& r) { Codec::bind(s, i, r.*member); });
  }
  // A column stored in another form than the field's (a list kept as JSON text).
  Table& column(std::string name, Reader read, Binder bind) {
    columns_.push_back({std::move(name), std::move(read), std::move(bind)});
    compose();
    return *this;
  }
  // The first column is an integer key the database assigns: insert() leaves it out. (May
  // stand anywhere in the declaration: it always names the first column.)
  Table& key_assigned_on_insert() {
    assigned_key_ = true;
    compose();
    return *this;
  }

  // "SELECT <every column> FROM <table>", for the caller to finish with WHERE / ORDER BY.
  const std::string& select() const { return select_; }
  // Every column name, comma-separated (for a RETURNING clause).
  std::string columns() const { return names(0); }
  // The same, each qualified by `alias` ("e.id, e.name"), for a SELECT that joins another table.
  std::string columns(const std::string& alias) const { return names(0, alias + "."); }
  // How many columns a row reads: the extra columns of a joined SELECT come after them.
  int width() const { return static_cast<int>(columns_.size()); }
  // The row the statement stands on, read in column order.
  Row read(const Statement& s) const {
    Row r{};
    for (size_t i = 0; i < columns_.size(); ++i) columns_[i].read(s, static_cast<int>(i), r);
    return r;
  }
  // The first row, or nullopt. The statement is reset, so it keeps no read snapshot open.
  std::optional<Row> one(Statement& s) const {
    std::optional<Row> r;
    if (s.step()) r = read(s);
    s.reset();
    return r;
  }
  std::vector<Row> all(Statement& s) const {
    std::vector<Row> out;
    while (s.step()) out.push_back(read(s));
    return out;
  }
  // The row whose key (the first column) is `key`, or nullopt.
  template <class K>
  std::optional<Row> find(Connection& c, const K& key) const {
    auto& s = c.prepare(find_);
    s.bind(1, key);
    return one(s);
  }
  // Deletes the row whose key is `key`; whether there was one.
  template <class K>
  bool remove(Connection& c, const K& key) const {
    c.prepare("DELETE FROM " + name_ + " WHERE " + columns_.front().name + " = ?").bind(1, key).run();
    return c.changes() > 0;
  }
  // UPDATEs every other column of the row whose key is `r`'s key to `r`'s values.
  void update(Connection& c, const Row& r) const {
    std::string sets;
    for (size_t i = 1; i < columns_.size(); ++i) sets += (i > 1 ? ", " : "") + columns_[i].name + " = ?";
    auto& s = c.prepare("UPDATE " + name_ + " SET " + sets + " WHERE " + columns_.front().name + " = ?");
    for (size_t i = 1; i < columns_.size(); ++i) columns_[i].bind(s, static_cast<int>(i), r);
    columns_.front().bind(s, static_cast<int>(columns_.size()), r);
    s.run();
  }
  // INSERTs `r`; returns the key the database assigned (with key_assigned_on_insert()), or 0.
  int64_t insert(Connection& c, const Row& r) const {
    const size_t first = assigned_key_ ? 1 : 0;
    auto& s = c.prepare(insert_);
    for (size_t i = first; i < columns_.size(); ++i) columns_[i].bind(s, static_cast<int>(i - first + 1), r);
    if (!assigned_key_) {
      s.run();
      return 0;
    }
    return s.value<int64_t>().value_or(0);
  }
  // INSERTs `r` unless a row with the same primary or unique key exists; whether it did.
  bool insert_new(Connection& c, const Row& r) const {
    const size_t first = assigned_key_ ? 1 : 0;
    auto& s = c.prepare(insert_new_);
    for (size_t i = first; i < columns_.size(); ++i) columns_[i].bind(s, static_cast<int>(i - first + 1), r);
    s.run();
    return c.changes() > 0;
  }

 private:
  // The statements' text, composed as the declaration adds columns rather than on every call
  // (building it was ~10k instructions of each budget report; docs/benchmarks.md, fifth pass).
  void compose() {
    if (columns_.empty()) return;  // key_assigned_on_insert() before the first column
    const size_t first = assigned_key_ ? 1 : 0;
    select_ = "SELECT " + names(0) + " FROM " + name_;
    find_ = select_ + " WHERE " + columns_.front().name + " = ?";
    std::string marks = "?";
    for (size_t i = first + 1; i < columns_.size(); ++i) marks += ", ?";
    insert_ = "INSERT INTO " + name_ + "(" + names(first) + ") VALUES(" + marks + ")";
    insert_new_ = insert_ + " ON CONFLICT DO NOTHING";
    if (assigned_key_) insert_ += " RETURNING " + columns_.front().name;
  }
  // The column names from the `first`th on, each after `qualifier`, comma-separated.
  std::string names(size_t first, const std::string& qualifier = "") const {
    std::string list;
    for (size_t i = first; i < columns_.size(); ++i) list += (list.empty() ? "" : ", ") + qualifier + columns_[i].name;
    return list;
  }
  struct Column {
    std::string name;
    Reader read;
    Binder bind;
  };
  std::string name_;
  std::vector<Column> columns_;
  bool assigned_key_ = false;
  std::string select_, find_, insert_, insert_new_;
};

}  // namespace iron::store

// `IRON_COLUMNS(Row, a, b)` continues a Table<Row> declaration with `.column("a", &Row::a)
// .column("b", &Row::b)`: each column named once, after the member that holds it, in table order.
// IRON_BLOBS does the same with .blob().
#define IRON_COLUMNS(Row, ...) IRON_FOR_EACH(IRON_TABLE_COLUMN, Row, __VA_ARGS__)
#define IRON_BLOBS(Row, ...) IRON_FOR_EACH(IRON_TABLE_BLOB, Row, __VA_ARGS__)
#define IRON_TABLE_COLUMN(Row, member) .column(#member, &Row::member)
#define IRON_TABLE_BLOB(Row, member) .blob(#member, &Row::member)
