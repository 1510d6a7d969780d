#include "store/sqlite_database.h"

#include <algorithm>
#include <bit>
#include <chrono>
#include <filesystem>

#include "store/migrations.h"
#include "util/blocking.h"
#include "util/elsewhere.h"

namespace iron::store {

void apply_connection_pragmas(Connection& c) {
  // busy_timeout covers the backup command and short checkpoints; temp_store=MEMORY
  // because a distroless root may have no writable /tmp.
  c.exec("PRAGMA busy_timeout=5000; PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY;");
}

SqliteDatabase::SqliteDatabase(std::string path, int reader_count, int64_t max_bytes) : path_(std::move(path)) {
  writer_ = std::make_unique<SqliteConnection>(path_, false);
  apply_connection_pragmas(*writer_);
  // synchronous=FULL: every acknowledged commit is on disk before we answer. The writer is
  // serialised anyway, and the panel's write rate (logins, leases, usage reports) is far
  // below what one fsync per commit allows; losing an acknowledged spend is not acceptable.
  writer_->exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;");
  apply_migrations(*writer_);
  if (max_bytes > 0) {
    // Per connection and not stored in the file: only the writer grows the database. SQLite
    // keeps the current page count if the cap is below it (writes that need a new page fail).
    auto& size = writer_->prepare("PRAGMA page_size");
    const int64_t page = size.step() ? size.int64(0) : 4096;
    writer_->exec("PRAGMA max_page_count=" + std::to_string(std::max<int64_t>(1, max_bytes / page)));
  }
  writer_->reset_statements();
  for (int i = 0; i < std::clamp(reader_count, 1, kMaxReaders); ++i) {
    auto reader = std::make_unique<SqliteConnection>(path_, true);
    apply_connection_pragmas(*reader);
    idle_readers_.fetch_or(uint64_t{1} << readers_.size());
    readers_.push_back(std::move(reader));
  }
}

void SqliteDatabase::rollback_quietly(SqliteConnection& c) {
  try {
    c.reset_statements();
    if (c.in_transaction()) c.exec("ROLLBACK");
  } catch (...) {
  }
}

namespace {
bool is_storage_full(const std::exception_ptr& error) {
  if (!error) return false;
  try {
    std::rethrow_exception(error);
  } catch (const SqliteError& e) {
    return e.is_storage_full();
  } catch (...) {
    return false;
  }
}

// Enough to gather every concurrent client of a busy panel into one commit, small enough that
// one batch's latency stays a few milliseconds.
constexpr size_t kMaxBatch = 256;
// The most a leader waits for late calls, whatever the last COMMIT took (a checkpoint or a
// slow disk must not hold every writer that long).
constexpr std::chrono::microseconds kMaxDelay{2000};
}  // namespace

void SqliteDatabase::write(WriteCall& call) {
  util::before_blocking();  // until the batch holding this call has committed
  Waiter me(&call);
  bool leading = enqueue(me);
  if (!leading) {
    std::unique_lock lock(me.mutex);
    me.cv.wait(lock, [&] { return me.signal != Waiter::none; });
    leading = me.signal == Waiter::lead;
  }
  if (leading) lead();
  if (call.error) std::rethrow_exception(call.error);
}

// Nobody waits: the call is queued and this thread goes on, unless no batch is running, when
// it leads one now (as write() would), which holds its own call.
void SqliteDatabase::write_async(WriteCall& call) {
  auto* w = new Waiter(&call);  // freed once its call is done (finish)
  if (!enqueue(*w)) return;
  util::before_blocking();  // until this batch has committed
  lead();
}

bool SqliteDatabase::enqueue(Waiter& w) {
  std::lock_guard lock(queue_mutex_);
  queue_.push_back(&w);
  if (gathering_) gathering_cv_.notify_one();
  // With no batch running, the head of the queue leads; otherwise the running leader either
  // takes this call into its batch or hands the lead on.
  const bool leading = !leader_active_ && queue_.front() == &w;
  if (leading) leader_active_ = true;
  return leading;
}

// This thread leads: it takes the queue's head as one batch. It may delay the commit for late
// calls only when the batch before had company: a call after a batch of one is most likely a
// lone writer's, and waiting would only add latency.
void SqliteDatabase::lead() {
  std::unique_lock lock(queue_mutex_);
  const bool delay = last_batch_size_ > 1;
  const size_t n = std::min(queue_.size(), kMaxBatch);
  std::vector<Waiter*> waiters(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(n));
  queue_.erase(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(n));
  lock.unlock();
  std::vector<WriteCall*> batch;
  batch.reserve(n);
  for (auto* w : waiters) batch.push_back(w->call);
  bool took_late = false;
  {
    std::lock_guard writer(writer_mutex_);
    late_.clear();
    run_batch(batch, delay);
    took_late = !late_.empty();
    waiters.insert(waiters.end(), late_.begin(), late_.end());
    late_.clear();
    data_version_.fetch_add(1, std::memory_order_release);
  }
  bool refused_for_space = false;
  for (auto* c : batch) refused_for_space = refused_for_space || is_storage_full(c->error);
  storage_full_ = refused_for_space;
  lock.lock();
  stats_.calls += static_cast<int64_t>(batch.size());
  ++stats_.batches;
  if (took_late) ++stats_.delayed;
  last_batch_size_ = batch.size();
  Waiter* next = queue_.empty() ? nullptr : queue_.front();
  leader_active_ = next != nullptr;
  lock.unlock();
  // The next leader first, so that its batch runs while this one's calls finish; and outside
  // queue_mutex_, which each woken caller would otherwise have to wait for (perf: ~11 % of the
  // CPU of single-event ingestion was threads blocked on it). A caller waiting in write()
  // leads on its own thread; for a call nobody waits on, a thread of the edge's pool does
  // (this one must return: its own caller, or its own request, is waiting for it).
  if (next && next->call->done) util::run_elsewhere([this] {
    util::before_blocking();  // until this batch has committed
    lead();
  });
  else if (next) signal(*next, Waiter::lead);
  for (auto* w : waiters) finish(*w);
}

// Under the waiter's own mutex: its caller cannot see the signal, return and destroy the
// Waiter (on its stack) before this is done with it.
void SqliteDatabase::signal(Waiter& w, Waiter::Signal s) {
  std::lock_guard lock(w.mutex);
  w.signal = s;
  w.cv.notify_one();
}

// A waiting caller is woken; a call nobody waits on is handed its outcome here.
void SqliteDatabase::finish(Waiter& w) {
  if (!w.call->done) return signal(w, Waiter::done);
  WriteCall& call = *w.call;
  delete &w;
  call.done(call);
}

WriteStats SqliteDatabase::write_stats() {
  std::lock_guard lock(queue_mutex_);
  return stats_;
}

size_t SqliteDatabase::queued_writes() {
  std::lock_guard lock(queue_mutex_);
  return queue_.size();
}

bool SqliteDatabase::take_late(std::vector<WriteCall*>& batch) {
  std::unique_lock lock(queue_mutex_);
  if (batch.size() >= kMaxBatch) return false;
  if (queue_.empty()) {
    // A bounded wait on the queue (woken by the next write()), not a sleep: it ends as soon
    // as a call is queued or the writer's own deadline passes.
    gathering_ = true;
    gathering_cv_.wait_until(lock, delay_until_, [&] { return !queue_.empty(); });
    gathering_ = false;
    if (queue_.empty()) return false;
  }
  const size_t n = std::min(queue_.size(), kMaxBatch - batch.size());
  for (size_t i = 0; i < n; ++i) {
    Waiter* w = queue_.front();
    queue_.pop_front();
    batch.push_back(w->call);
    late_.push_back(w);
  }
  return true;
}

void SqliteDatabase::run_batch(std::vector<WriteCall*>& batch, bool delay) {
  // The wait for late calls is bounded by what one COMMIT cost this writer last time,
  // counted from the start of the batch: at worst a batch's latency doubles, while each
  // fsync acknowledges the calls that would otherwise queue for the next one.
  if (delay) delay_until_ = std::chrono::steady_clock::now() + std::min<std::chrono::steady_clock::duration>(last_commit_, kMaxDelay);
  // A call alone in its batch (every call of a lone client) runs without a savepoint and keeps
  // the savepoint state as it is: undoing it is rolling the transaction back, while a
  // savepoint makes SQLite copy every page the call changes into a statement journal first
  // (~30k instructions of a budget report's ~480k, callgrind, docs/benchmarks.md, sixth pass).
  // The same saving for a batch while calls keep their work (nearly always: a refusal is rare
  // on the hot paths): one transaction, no savepoints; a call that throws or refuses undoes
  // the whole attempt, and the batch runs again one savepoint per call (docs/benchmarks.md,
  // "the writer's batches"). So a body may run more than once (store/database.h).
  if ((optimistic_ || batch.size() == 1) && run_optimistic(batch, delay)) return;
  // Savepoints stay until a batch has no failing call: a burst of refusals (an exhausted
  // budget, a rate limit) would otherwise run every batch twice. The late calls are in the
  // batch already: this run takes no more.
  optimistic_ = run_with_savepoints(batch, false);
}

bool SqliteDatabase::begin(const std::vector<WriteCall*>& batch) {
  try {
    writer_->run("BEGIN IMMEDIATE");
    return true;
  } catch (...) {
    for (auto* c : batch) c->error = std::current_exception();
    return false;
  }
}

void SqliteDatabase::commit(const std::vector<WriteCall*>& batch) {
  const auto t0 = std::chrono::steady_clock::now();
  try {
    writer_->run("COMMIT");
  } catch (...) {
    rollback_quietly(*writer_);
    for (auto* c : batch)
      if (!c->error) c->error = std::current_exception();
  }
  last_commit_ = std::chrono::steady_clock::now() - t0;
}

bool SqliteDatabase::run_optimistic(std::vector<WriteCall*>& batch, bool delay) {
  SqliteConnection& w = *writer_;
  if (!begin(batch)) return true;
  for (size_t i = 0; i < batch.size() || (delay && take_late(batch)); ++i) {
    WriteCall& call = *batch[i];
    bool keep = false;
    std::exception_ptr error;
    try {
      keep = call.run(call.body, w);
      w.reset_statements();
    } catch (...) {
      error = std::current_exception();
    }
    if (!keep) {
      rollback_quietly(w);  // every call's work so far; no call has an error set yet
      if (batch.size() > 1) return false;  // the savepoint run gives each call its own outcome
      call.error = error;  // alone: the rollback undid exactly its work
      return true;
    }
  }
  commit(batch);
  return true;
}

bool SqliteDatabase::run_with_savepoints(std::vector<WriteCall*>& batch, bool delay) {
  SqliteConnection& w = *writer_;
  if (!begin(batch)) return false;
  bool all_kept = true;
  for (size_t i = 0; i < batch.size() || (delay && take_late(batch)); ++i) {
    WriteCall& call = *batch[i];
    try {
      w.run("SAVEPOINT write_call");
      const bool keep = call.run(call.body, w);
      w.reset_statements();
      if (!keep) {
        all_kept = false;
        w.run("ROLLBACK TO write_call");
      }
      w.run("RELEASE write_call");
      continue;
    } catch (...) {
      call.error = std::current_exception();
      all_kept = false;
    }
    w.reset_statements();
    if (w.in_transaction()) {
      try {
        w.exec("ROLLBACK TO write_call; RELEASE write_call");
        continue;
      } catch (...) {
        rollback_quietly(w);
      }
    }
    // SQLite abandoned the whole transaction (an I/O error, a full disk): the calls before
    // this one lost their work too, so they fail with the same error; the rest start afresh.
    for (size_t j = 0; j < i; ++j)
      if (!batch[j]->error) batch[j]->error = call.error;
    std::vector<WriteCall*> rest(batch.begin() + static_cast<std::ptrdiff_t>(i) + 1, batch.end());
    if (!rest.empty()) run_with_savepoints(rest, false);
    return false;
  }
  commit(batch);
  return all_kept;
}

std::optional<size_t> SqliteDatabase::take_idle_reader() {
  uint64_t idle = idle_readers_.load(std::memory_order_relaxed);
  while (idle != 0) {
    const size_t i = static_cast<size_t>(std::countr_zero(idle));
    if (idle_readers_.compare_exchange_weak(idle, idle & ~(uint64_t{1} << i), std::memory_order_acquire))
      return i;
  }
  return std::nullopt;
}

SqliteDatabase::Lease::Lease(SqliteDatabase& d) : db(d) {
  auto taken = db.take_idle_reader();
  if (!taken) {
    util::before_blocking();  // every reader is taken: wait for one
    std::unique_lock lock(db.pool_mutex_);
    ++db.reader_waiters_;  // before looking again: a reader given back from now on wakes us
    db.pool_cv_.wait(lock, [&] { return (taken = db.take_idle_reader()).has_value(); });
    --db.reader_waiters_;
  }
  index = *taken;
}

SqliteDatabase::Lease::~Lease() {
  db.idle_readers_.fetch_or(uint64_t{1} << index, std::memory_order_seq_cst);
  if (db.reader_waiters_.load(std::memory_order_seq_cst) == 0) return;
  std::lock_guard lock(db.pool_mutex_);  // a waiter is between its look and its wait, or waits
  db.pool_cv_.notify_one();
}

void SqliteDatabase::read(ReadCall& call) {
  Lease lease(*this);
  lease.conn().run("BEGIN");
  try {
    call.run(call.body, lease.conn());
    lease.conn().reset_statements();
    lease.conn().run("COMMIT");
  } catch (...) {
    rollback_quietly(lease.conn());
    throw;
  }
}

void SqliteDatabase::checkpoint() {
  std::lock_guard lock(writer_mutex_);
  writer_->exec("PRAGMA wal_checkpoint(TRUNCATE)");
}

int64_t SqliteDatabase::file_size_bytes() const {
  std::error_code ec;
  auto n = std::filesystem::file_size(path_, ec);
  return ec ? 0 : static_cast<int64_t>(n);
}

int64_t SqliteDatabase::wal_size_bytes() const {
  std::error_code ec;
  auto n = std::filesystem::file_size(path_ + "-wal", ec);
  return ec ? 0 : static_cast<int64_t>(n);
}

}  // namespace iron::store
