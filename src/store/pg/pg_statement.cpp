#include "store/pg/pg_statement.h"

#include <cctype>

namespace iron::store::pg {
namespace {

// pg_type OIDs of the result columns that need reading differently from text.
constexpr Oid kBool = 16, kBytea = 17, kText = 25, kFloat4 = 700, kFloat8 = 701, kNumeric = 1700;

bool word_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// The length of " IS NULL" / " IS NOT NULL" at `at` (any case and spacing), or 0.
size_t null_check_length(const std::string& sql, size_t at) {
  size_t i = at;
  auto spaces = [&] {
    const size_t from = i;
    while (i < sql.size() && std::isspace(static_cast<unsigned char>(sql[i]))) ++i;
    return i > from;
  };
  auto word = [&](std::string_view w) {
    if (sql.size() - i < w.size()) return false;
    for (size_t k = 0; k < w.size(); ++k)
      if (std::toupper(static_cast<unsigned char>(sql[i + k])) != w[k]) return false;
    if (i + w.size() < sql.size() && word_char(sql[i + w.size()])) return false;
    i += w.size();
    return true;
  };
  if (!spaces() || !word("IS") || !spaces()) return 0;
  if (word("NOT") && !spaces()) return 0;
  return word("NULL") ? i - at : 0;
}

}  // namespace

Translated translate(const std::string& in) {
  Translated out;
  out.sql.reserve(in.size() + 16);
  std::string probe;  // out.sql with every `$N IS [NOT] NULL` as TRUE
  bool null_checks = false;
  std::vector<bool> compared;  // [N-1]: $N occurs other than in an IS [NOT] NULL
  auto emit = [&](std::string_view text) {
    out.sql += text;
    probe += text;
  };
  int next = 0;  // SQLite numbers a bare `?` one past the largest number so far
  for (size_t i = 0; i < in.size();) {
    const char c = in[i];
    if (c == '\'' || c == '"') {  // a string literal or quoted name, copied as it is
      const size_t end = in.find(c, i + 1);
      const size_t stop = end == std::string::npos ? in.size() : end + 1;
      emit(std::string_view(in).substr(i, stop - i));
      i = stop;
    } else if (c == '?') {
      size_t j = i + 1;
      while (j < in.size() && std::isdigit(static_cast<unsigned char>(in[j]))) ++j;
      const int n = j > i + 1 ? std::stoi(in.substr(i + 1, j - i - 1)) : next + 1;
      next = std::max(next, n);
      if (compared.size() < static_cast<size_t>(n)) compared.resize(static_cast<size_t>(n), false);
      std::string param = "$";
      param += std::to_string(n);
      const size_t null_check = null_check_length(in, j);
      if (null_check > 0) {
        null_checks = true;
        out.sql += param;
        out.sql.append(in, j, null_check);
        probe += "TRUE";
        j += null_check;
      } else {
        compared[static_cast<size_t>(n - 1)] = true;
        emit(param);
      }
      i = j;
    } else if ((c == 'L' || c == 'l') && (i == 0 || !word_char(in[i - 1])) && in.size() - i >= 4 &&
               (in.compare(i, 4, "LIKE") == 0 || in.compare(i, 4, "like") == 0) &&
               (i + 4 == in.size() || !word_char(in[i + 4]))) {
      emit("ILIKE");
      i += 4;
    } else {
      out.sql += c;
      probe += c;
      ++i;
    }
  }
  out.params = next;
  if (null_checks) {
    out.probe = std::move(probe);
    compared.resize(static_cast<size_t>(next), false);
    for (size_t k = 0; k < compared.size(); ++k)
      if (!compared[k]) out.only_null_checked.push_back(static_cast<int>(k + 1));
  }
  return out;
}

Statement& PgStatement::set(int i, Param p) {
  if (i < 1 || i > params_) {
    throw PgError("08P01", "bind index " + std::to_string(i) + " is outside 1.." + std::to_string(params_));
  }
  if (rows_) reset();  // binding again starts a new run, as in SQLite after a reset
  binds_[static_cast<size_t>(i - 1)] = std::move(p);
  return *this;
}

bool PgStatement::step() {
  if (!rows_) {
    binds_.resize(static_cast<size_t>(params_), Param(nullptr));
    rows_ = owner_.raw().exec_prepared(name_, binds_);
    owner_.set_changes(rows_->affected());
    row_ = -1;
  }
  return ++row_ < rows_->size();
}

void PgStatement::reset() {
  rows_.reset();
  row_ = -1;
  binds_.assign(static_cast<size_t>(params_), Param(nullptr));
}

Row PgStatement::current() const {
  if (!rows_ || row_ < 0 || row_ >= rows_->size()) throw PgError("24000", "no current row to read");
  return (*rows_)[row_];
}

int64_t PgStatement::int64(int col) const {
  const Row r = current();
  if (r.is_null(col)) return 0;  // as sqlite3_column_int64 reads NULL
  switch (r.type(col)) {
    case kBool: return r.text(col) == "t" ? 1 : 0;
    case kNumeric:
    case kFloat4:
    case kFloat8: return static_cast<int64_t>(r.real(col));  // SQLite truncates a real read as an integer
    default: return r.int64(col);
  }
}

std::string PgStatement::text(int col) const {
  const Row r = current();
  if (r.is_null(col)) return {};
  return r.type(col) == kBytea ? r.bytes(col) : r.text(col);
}

std::vector<Oid> PgConnection::parameter_types(const Translated& t, const std::string& name) {
  // PostgreSQL cannot type a parameter whose first use is `$1 IS NULL` and a later one
  // `col = $1` ("could not determine data type of parameter $1"), the shape of every optional
  // filter here. So it types the statement without those checks first, and a parameter used
  // only in them is text (any type would do: only its NULL-ness is asked).
  if (t.probe.empty()) return {};
  std::vector<Oid> types(static_cast<size_t>(t.params), 0);
  for (int n : t.only_null_checked) types[static_cast<size_t>(n - 1)] = kText;
  const std::string probe = name + "p";
  conn_.prepare(probe, t.probe, types);
  types = conn_.parameter_types(probe);
  conn_.deallocate(probe);
  return types;
}

Statement& PgConnection::prepare(const std::string& sql) {
  if (auto it = cache_.find(sql); it != cache_.end()) {
    it->second->reset();
    return *it->second;
  }
  const Translated t = translate(sql);
  std::string name = std::to_string(cache_.size());
  name.insert(0, 1, 's');
  conn_.prepare(name, t.sql, parameter_types(t, name));
  auto stmt = std::make_unique<PgStatement>(*this, name, t.params);
  stmt->reset();
  auto [it, _] = cache_.emplace(sql, std::move(stmt));
  return *it->second;
}

void PgConnection::reset_statements() {
  for (auto& [sql, stmt] : cache_) stmt->reset();
}

}  // namespace iron::store::pg
