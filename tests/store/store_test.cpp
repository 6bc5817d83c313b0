// The LMDB store: opening, ApplyTx (indexes, history, stats, log, long
// values), snapshots and write transactions.
#include "store/store.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <map>
#include <random>
#include <set>
#include <thread>

#include "store/log.hpp"
#include "store_test_util.hpp"

namespace accrete::internal {
namespace {

using testing::Add;
using testing::ApplyOne;
using testing::Enc;
using testing::EntryValue;
using testing::HistorySuffix;
using testing::Id;
using testing::Retract;
using testing::TempDir;
using testing::Tx;
using testing::U64;

StoreOptions FastOptions() {
  StoreOptions options;
  options.durable = false;
  options.initial_map_size = size_t{8} << 20;
  return options;
}

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::shared_ptr<Store>> store = Store::Open(dir_.Sub("db"), FastOptions());
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
  }

  Snapshot Read() {
    absl::StatusOr<Snapshot> snapshot = store_->Read();
    EXPECT_TRUE(snapshot.ok()) << snapshot.status();
    return *std::move(snapshot);
  }

  // Every key of `dbi`, in order, with its value.
  std::vector<std::pair<std::string, std::string>> Dump(Dbi dbi) {
    Snapshot snapshot = Read();
    absl::StatusOr<Cursor> cursor = snapshot.OpenCursor(dbi);
    EXPECT_TRUE(cursor.ok());
    std::vector<std::pair<std::string, std::string>> out;
    for (bool ok = cursor->First(); ok; ok = cursor->Next()) {
      out.emplace_back(cursor->key(), cursor->value());
    }
    EXPECT_TRUE(cursor->status().ok()) << cursor->status();
    return out;
  }

  std::optional<std::string> Get(Dbi dbi, const std::string& key) {
    Snapshot snapshot = Read();
    absl::StatusOr<std::optional<std::string_view>> value = snapshot.Get(dbi, key);
    EXPECT_TRUE(value.ok()) << value.status();
    if (!value.ok() || !value->has_value()) return std::nullopt;
    return std::string(**value);
  }

  AttrStats Stats(uint64_t a) {
    absl::StatusOr<AttrStats> stats = Read().Stats(a);
    EXPECT_TRUE(stats.ok()) << stats.status();
    return *stats;
  }

  TempDir dir_;
  std::shared_ptr<Store> store_;
};

TEST_F(StoreTest, CreatesOwnerOnlyDirectoryAndFiles) {
  struct stat st;
  ASSERT_EQ(stat(dir_.Sub("db").c_str(), &st), 0);
  EXPECT_TRUE(S_ISDIR(st.st_mode));
  EXPECT_EQ(st.st_mode & 077, 0u);
  ASSERT_EQ(stat((dir_.Sub("db") + "/data.mdb").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 077, 0u);
}

TEST_F(StoreTest, MissingStoreWithoutCreateIsNotFound) {
  StoreOptions options = FastOptions();
  options.create_if_missing = false;
  EXPECT_TRUE(absl::IsNotFound(Store::Open(dir_.Sub("absent"), options).status()));
  options.create_if_missing = true;
  options.read_only = true;
  EXPECT_TRUE(absl::IsNotFound(Store::Open(dir_.Sub("absent"), options).status()));
}

TEST_F(StoreTest, EmptyStoreHasDefaultMetaAndMetaRoundTrips) {
  absl::StatusOr<Meta> meta = Read().ReadMeta();
  ASSERT_TRUE(meta.ok());
  EXPECT_EQ(meta->basis_t, -1);
  EXPECT_EQ(meta->format_version, Meta{}.format_version);

  absl::StatusOr<WriteTxn> txn = store_->BeginWrite();
  ASSERT_TRUE(txn.ok());
  Meta after{.format_version = Meta{}.format_version,
             .basis_t = 4,
             .next_db_eid = 100,
             .next_user_eid = -7,
             .last_tx_instant = 1700000000000,
             .schema_t = 2};
  ASSERT_TRUE(txn->ApplyTx(4, {}, after).ok());
  ASSERT_TRUE(txn->Commit().ok());
  meta = Read().ReadMeta();
  ASSERT_TRUE(meta.ok());
  EXPECT_EQ(meta->basis_t, 4);
  EXPECT_EQ(meta->next_db_eid, 100);
  EXPECT_EQ(meta->next_user_eid, -7);
  EXPECT_EQ(meta->last_tx_instant, 1700000000000);
  EXPECT_EQ(meta->schema_t, 2);
}

TEST_F(StoreTest, FormatVersionOneIsRefused) {
  absl::StatusOr<WriteTxn> txn = store_->BeginWrite();
  ASSERT_TRUE(txn.ok());
  ASSERT_TRUE(txn->ApplyTx(0, {}, Meta{.format_version = 1, .basis_t = 0}).ok());
  ASSERT_TRUE(txn->Commit().ok());
  store_.reset();
  absl::Status opened = Store::Open(dir_.Sub("db"), FastOptions()).status();
  EXPECT_TRUE(absl::IsFailedPrecondition(opened)) << opened;
  EXPECT_NE(opened.message().find("format version 1"), std::string_view::npos) << opened;
  EXPECT_NE(opened.message().find("reads version 3"), std::string_view::npos) << opened;
}

TEST_F(StoreTest, BulkAssertionsInAnyOrderKeepExactDistinctValues) {
  // Sorted cursor writes must count a value once however the datoms arrive,
  // whether it was held before the transaction or not.
  ASSERT_TRUE(ApplyOne(*store_, 1, {Add(50, 10, Value::Integer(3))}).ok());
  std::vector<DatomWrite> writes;
  for (uint64_t e = 100; e > 0; --e) writes.push_back(Add(e, 10, Value::Integer(e % 7)));
  ASSERT_TRUE(ApplyOne(*store_, 2, writes).ok());
  EXPECT_EQ(Stats(10).datoms, 101u);
  EXPECT_EQ(Stats(10).distinct_values, 7u);
  // Values before and after everything stored, and one in between.
  ASSERT_TRUE(ApplyOne(*store_, 3,
                       {Add(200, 10, Value::Integer(-5)), Add(201, 10, Value::Integer(1000)),
                        Add(202, 10, Value::Integer(3)), Add(203, 9, Value::Integer(3)),
                        Add(204, 11, Value::Integer(3))})
                  .ok());
  EXPECT_EQ(Stats(10).distinct_values, 9u);
  EXPECT_EQ(Stats(9).distinct_values, 1u);
  EXPECT_EQ(Stats(11).distinct_values, 1u);
  // Asserting a current datom again is refused, as before.
  EXPECT_TRUE(absl::IsInternal(ApplyOne(*store_, 4, {Add(7, 10, Value::Integer(0))})));
}

TEST_F(StoreTest, AssertionWritesEveryCurrentIndexWithTxA) {
  const std::string v = Enc(Value::Integer(42), ValueType::kLong);
  const std::string ref = Enc(Value::Integer(7), ValueType::kRef);
  ASSERT_TRUE(
      ApplyOne(*store_, 1,
               {Add(5, 10, Value::Integer(42)), Add(5, 11, Value::Integer(7), ValueType::kRef)})
          .ok());
  const std::string tx = EntryValue(1);
  EXPECT_EQ(Get(Dbi::kEavt, EavtKey(5, 10, v)), tx);
  EXPECT_EQ(Get(Dbi::kAevt, AevtKey(10, 5, v)), tx);
  EXPECT_EQ(Get(Dbi::kAvet, AvetKey(10, v, 5)), tx);
  EXPECT_EQ(Get(Dbi::kVaet, VaetKey(ref, 11, 5)), tx);
  EXPECT_EQ(Dump(Dbi::kVaet).size(), 1u) << "only refs go to VAET";
  EXPECT_TRUE(Dump(Dbi::kHistEavt).empty());

  const auto avet = Dump(Dbi::kAvet);
  absl::StatusOr<KeyParts> parts = ParseKey(Dbi::kAvet, avet[0].first);
  ASSERT_TRUE(parts.ok());
  EXPECT_EQ(parts->a, 10u);
  EXPECT_EQ(parts->e, 5u);
  EXPECT_EQ(parts->v, v);
}

TEST_F(StoreTest, RetractionMovesTheLifetimeToHistory) {
  const std::string ref = Enc(Value::Integer(7), ValueType::kRef);
  ASSERT_TRUE(ApplyOne(*store_, 1, {Add(5, 11, Value::Integer(7), ValueType::kRef)}).ok());
  ASSERT_TRUE(ApplyOne(*store_, 2, {Retract(5, 11, Value::Integer(7), ValueType::kRef)}).ok());
  for (int i = 0; i < 4; ++i) EXPECT_TRUE(Dump(static_cast<Dbi>(i)).empty()) << i;
  const std::string tx_a = HistorySuffix(1);
  const std::string tx_r = EntryValue(2);
  EXPECT_EQ(Get(Dbi::kHistEavt, EavtKey(5, 11, ref) + tx_a), tx_r);
  EXPECT_EQ(Get(Dbi::kHistAevt, AevtKey(11, 5, ref) + tx_a), tx_r);
  EXPECT_EQ(Get(Dbi::kHistAvet, AvetKey(11, ref, 5) + tx_a), tx_r);
  EXPECT_EQ(Get(Dbi::kHistVaet, VaetKey(ref, 11, 5) + tx_a), tx_r);
  const auto history = Dump(Dbi::kHistVaet);
  absl::StatusOr<KeyParts> parts = ParseKey(Dbi::kHistVaet, history[0].first);
  ASSERT_TRUE(parts.ok());
  EXPECT_EQ(parts->tx_a, Tx(1));
  EXPECT_EQ(parts->v, ref);

  // Asserted again: a new lifetime, the old one stays in history.
  ASSERT_TRUE(ApplyOne(*store_, 3, {Add(5, 11, Value::Integer(7), ValueType::kRef)}).ok());
  EXPECT_EQ(Get(Dbi::kEavt, EavtKey(5, 11, ref)), EntryValue(3));
  EXPECT_EQ(Dump(Dbi::kHistEavt).size(), 1u);
}

TEST_F(StoreTest, NoHistoryAttributesDropClosedLifetimes) {
  DatomWrite add = Add(5, 12, Value::Integer(1));
  add.keep_history = false;
  DatomWrite retract = Retract(5, 12, Value::Integer(1));
  retract.keep_history = false;
  ASSERT_TRUE(ApplyOne(*store_, 1, {add}).ok());
  ASSERT_TRUE(ApplyOne(*store_, 2, {retract}).ok());
  for (int i = 0; i < 8; ++i) EXPECT_TRUE(Dump(static_cast<Dbi>(i)).empty()) << i;
  EXPECT_EQ(Dump(Dbi::kLog).size(), 2u) << "the log still records both";
}

TEST_F(StoreTest, InconsistentWritesAreInternalAndWriteNothing) {
  ASSERT_TRUE(ApplyOne(*store_, 1, {Add(5, 10, Value::Integer(1))}).ok());
  EXPECT_TRUE(absl::IsInternal(ApplyOne(*store_, 2, {Add(5, 10, Value::Integer(1))})));
  EXPECT_TRUE(absl::IsInternal(ApplyOne(*store_, 2, {Retract(5, 10, Value::Integer(2))})));
  EXPECT_TRUE(absl::IsInternal(ApplyOne(*store_, 1, {Add(6, 10, Value::Integer(1))})))
      << "t 1 is already in the log";
  EXPECT_TRUE(absl::IsInternal(ApplyOne(
      *store_, 2, {Retract(5, 10, Value::String(std::string(300, 'q')), ValueType::kString)})));
  EXPECT_EQ(Dump(Dbi::kEavt).size(), 1u);
  EXPECT_EQ(Dump(Dbi::kLog).size(), 1u);
}

TEST_F(StoreTest, StatsAreExactAcrossAssertionsAndRetractions) {
  // A random workload against a model: a set of current [e a v].
  std::mt19937 rng(3);
  std::set<std::tuple<uint64_t, uint64_t, int64_t>> model;
  for (int64_t t = 1; t <= 60; ++t) {
    std::vector<DatomWrite> writes;
    std::set<std::tuple<uint64_t, uint64_t, int64_t>> touched;
    for (int i = 0; i < 8; ++i) {
      auto datom =
          std::make_tuple(uint64_t{1} + rng() % 6, uint64_t{100} + rng() % 2, int64_t(rng() % 4));
      if (!touched.insert(datom).second) continue;
      const auto [e, a, v] = datom;
      if (model.erase(datom)) {
        writes.push_back(Retract(e, a, Value::Integer(v)));
      } else {
        model.insert(datom);
        writes.push_back(Add(e, a, Value::Integer(v)));
      }
    }
    ASSERT_TRUE(ApplyOne(*store_, t, writes).ok());
    for (uint64_t a : {100, 101}) {
      uint64_t datoms = 0;
      std::set<int64_t> values;
      for (const auto& [e, attr, v] : model) {
        if (attr != a) continue;
        ++datoms;
        values.insert(v);
      }
      AttrStats stats = Stats(a);
      ASSERT_EQ(stats.datoms, datoms) << "t " << t;
      ASSERT_EQ(stats.distinct_values, values.size()) << "t " << t;
    }
  }
  EXPECT_EQ(Stats(999).datoms, 0u);
}

TEST_F(StoreTest, LogEntryRecordsEveryDatomAndTheLifetimeARetractionClosed) {
  ASSERT_TRUE(ApplyOne(*store_, 1, {Add(5, 10, Value::Integer(1))}).ok());
  const std::string long_v = Enc(Value::String(std::string(1000, 'L')), ValueType::kString);
  std::vector<DatomWrite> writes = {
      Retract(5, 10, Value::Integer(1)), Add(5, 10, Value::Integer(2)),
      Add(6, 13, Value::String(std::string(1000, 'L')), ValueType::kString)};
  ASSERT_TRUE(ApplyOne(*store_, 2, writes).ok());
  absl::StatusOr<Snapshot> snapshot = store_->Read();
  ASSERT_TRUE(snapshot.ok());
  absl::StatusOr<std::optional<std::string_view>> record = snapshot->Get(Dbi::kLog, LogKey(2));
  ASSERT_TRUE(record.ok() && record->has_value());
  absl::StatusOr<LogEntry> entry = DecodeLogEntry(LogKey(2), **record);
  ASSERT_TRUE(entry.ok()) << entry.status();
  EXPECT_EQ(entry->t, 2);
  ASSERT_EQ(entry->datoms.size(), 3u);
  EXPECT_FALSE(entry->datoms[0].added);
  EXPECT_EQ(entry->datoms[0].tx_a, Tx(1));
  EXPECT_TRUE(entry->datoms[1].added);
  EXPECT_EQ(entry->datoms[1].tx_a, Tx(2));
  EXPECT_EQ(entry->datoms[2].v, long_v) << "the log keeps full encodings";
}

TEST_F(StoreTest, LongValuesRoundTripAndKeepOrderOutsideSharedPrefixes) {
  // Strings sharing long prefixes, some longer than the inline limit.
  std::vector<std::string> texts;
  std::mt19937 rng(11);
  for (int i = 0; i < 80; ++i) {
    std::string prefix(rng() % 2 ? 250 : 180, 'a' + static_cast<char>(rng() % 3));
    texts.push_back(prefix + std::to_string(rng() % 1000) + std::string(rng() % 300, 'z'));
  }
  std::sort(texts.begin(), texts.end());
  texts.erase(std::unique(texts.begin(), texts.end()), texts.end());
  std::vector<DatomWrite> writes;
  for (size_t i = 0; i < texts.size(); ++i) {
    writes.push_back(Add(1000 + i, 20, Value::String(texts[i]), ValueType::kString));
  }
  std::shuffle(writes.begin(), writes.end(), rng);
  ASSERT_TRUE(ApplyOne(*store_, 1, writes).ok());

  Snapshot snapshot = Read();
  absl::StatusOr<Cursor> cursor = snapshot.OpenCursor(Dbi::kAvet);
  ASSERT_TRUE(cursor.ok());
  std::vector<std::string> scanned;  // full encodings in AVET order
  for (bool ok = cursor->Seek(Id(20)); ok; ok = cursor->Next()) {
    absl::StatusOr<KeyParts> parts = ParseKey(Dbi::kAvet, cursor->key());
    ASSERT_TRUE(parts.ok());
    ASSERT_LE(parts->v.size(), kLongValueRef);
    absl::StatusOr<std::string_view> full = snapshot.FullValue(parts->v);
    ASSERT_TRUE(full.ok()) << full.status();
    absl::StatusOr<std::optional<std::string>> in_key = snapshot.KeyValue(*full);
    ASSERT_TRUE(in_key.ok() && in_key->has_value());
    EXPECT_EQ(**in_key, parts->v);
    scanned.emplace_back(*full);
  }
  ASSERT_EQ(scanned.size(), texts.size());
  // Order holds except within runs sharing the first kMaxInlineValue bytes,
  // which readers re-sort.
  for (size_t i = 0; i + 1 < scanned.size(); ++i) {
    if (scanned[i].compare(0, kMaxInlineValue, scanned[i + 1], 0, kMaxInlineValue) != 0) {
      EXPECT_LT(scanned[i], scanned[i + 1]);
    }
  }
  for (size_t begin = 0, end; begin < scanned.size(); begin = end) {
    for (end = begin + 1;
         end < scanned.size() &&
         scanned[end].compare(0, kMaxInlineValue, scanned[begin], 0, kMaxInlineValue) == 0;
         ++end) {
    }
    std::sort(scanned.begin() + begin, scanned.begin() + end);
  }
  for (size_t i = 0; i < texts.size(); ++i)
    EXPECT_EQ(scanned[i], Enc(texts[i], ValueType::kString));

  absl::StatusOr<std::optional<std::string>> absent =
      snapshot.KeyValue(Enc(std::string(500, 'n'), ValueType::kString));
  ASSERT_TRUE(absent.ok());
  EXPECT_FALSE(absent->has_value());
}

TEST_F(StoreTest, LongValueIdsAreStableHashesWithLinearProbing) {
  const std::string full = Enc(Value::String(std::string(400, 'h')), ValueType::kString);
  uint64_t hash = 0xcbf29ce484222325ull;  // FNV-1a 64, as docs/format.md specifies
  for (char c : full) hash = (hash ^ static_cast<uint8_t>(c)) * 0x100000001b3ull;
  {
    // Occupy the hash's slot with another value to force a probe.
    absl::StatusOr<WriteTxn> txn = store_->BeginWrite();
    ASSERT_TRUE(txn.ok());
    ASSERT_TRUE(txn->Put(Dbi::kVals, U64(hash), "someone else").ok());
    ASSERT_TRUE(txn->Commit().ok());
  }
  ASSERT_TRUE(
      ApplyOne(*store_, 1, {Add(1, 20, Value::String(std::string(400, 'h')), ValueType::kString)})
          .ok());
  Snapshot snapshot = Read();
  absl::StatusOr<std::optional<std::string>> in_key = snapshot.KeyValue(full);
  ASSERT_TRUE(in_key.ok() && in_key->has_value());
  EXPECT_EQ(**in_key, full.substr(0, kMaxInlineValue) + U64(hash + 1));
  absl::StatusOr<std::optional<std::string_view>> stored = snapshot.Get(Dbi::kVals, U64(hash + 1));
  ASSERT_TRUE(stored.ok() && stored->has_value());
  EXPECT_EQ(**stored, full);
  // The same value asserted again shares the stored copy.
  ASSERT_TRUE(
      ApplyOne(*store_, 2, {Add(2, 20, Value::String(std::string(400, 'h')), ValueType::kString)})
          .ok());
  EXPECT_EQ(Dump(Dbi::kVals).size(), 2u);
  EXPECT_EQ(Stats(20).distinct_values, 1u);
}

TEST_F(StoreTest, OpeningAnOpenDirectoryAgainSharesTheStore) {
  absl::StatusOr<std::shared_ptr<Store>> again = Store::Open(dir_.Sub("db"), FastOptions());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->get(), store_.get());
  StoreOptions read_only = FastOptions();
  read_only.read_only = true;
  EXPECT_TRUE(absl::IsFailedPrecondition(Store::Open(dir_.Sub("db"), read_only).status()));
  // Once closed, it opens anew.
  again->reset();
  store_.reset();
  absl::StatusOr<std::shared_ptr<Store>> reopened = Store::Open(dir_.Sub("db"), read_only);
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  EXPECT_TRUE((*reopened)->read_only());
}

TEST_F(StoreTest, ReadOnlyOpenReadsButRefusesWrites) {
  ASSERT_TRUE(ApplyOne(*store_, 1, {Add(5, 10, Value::Integer(1))}).ok());
  store_.reset();  // one environment per directory and process
  StoreOptions options = FastOptions();
  options.read_only = true;
  absl::StatusOr<std::shared_ptr<Store>> reader = Store::Open(dir_.Sub("db"), options);
  ASSERT_TRUE(reader.ok()) << reader.status();
  EXPECT_TRUE((*reader)->read_only());
  {
    absl::StatusOr<Snapshot> snapshot = (*reader)->Read();
    ASSERT_TRUE(snapshot.ok()) << snapshot.status();
    EXPECT_EQ(snapshot->ReadMeta()->basis_t, 1);
    EXPECT_TRUE(snapshot->Get(Dbi::kEavt, EavtKey(5, 10, Enc(1, ValueType::kLong)))->has_value());
  }
  EXPECT_TRUE(absl::IsPermissionDenied((*reader)->BeginWrite().status()));
  EXPECT_FALSE((*reader)->Grow().ok());
}

TEST_F(StoreTest, NestedTransactionsCommitIntoTheParentAndAbortDiscards) {
  {
    absl::StatusOr<WriteTxn> top = store_->BeginWrite();
    ASSERT_TRUE(top.ok());
    {
      absl::StatusOr<WriteTxn> kept = top->BeginNested();
      ASSERT_TRUE(kept.ok()) << kept.status();
      ASSERT_TRUE(
          kept->ApplyTx(1, std::vector{Add(1, 10, Value::Integer(1))}, Meta{.basis_t = 1}).ok());
      EXPECT_TRUE(absl::IsFailedPrecondition(top->BeginNested().status()));
      ASSERT_TRUE(kept->Commit().ok());
      EXPECT_FALSE(kept->Commit().ok()) << "already ended";
    }
    {
      absl::StatusOr<WriteTxn> dropped = top->BeginNested();
      ASSERT_TRUE(dropped.ok());
      ASSERT_TRUE(
          dropped->ApplyTx(2, std::vector{Add(2, 10, Value::Integer(2))}, Meta{.basis_t = 2}).ok());
      dropped->Abort();
    }
    {
      absl::StatusOr<WriteTxn> left_open = top->BeginNested();
      ASSERT_TRUE(left_open.ok());
      ASSERT_TRUE(left_open->Put(Dbi::kMeta, "other", "x").ok());
      // Destroyed without Commit: aborted.
    }
    ASSERT_TRUE(top->Commit().ok());
  }
  EXPECT_EQ(Dump(Dbi::kEavt).size(), 1u);
  EXPECT_EQ(Read().ReadMeta()->basis_t, 1);
  EXPECT_FALSE(Get(Dbi::kMeta, "other").has_value());
}

TEST_F(StoreTest, EndingAParentEndsItsOpenNestedTransaction) {
  absl::StatusOr<WriteTxn> top = store_->BeginWrite();
  ASSERT_TRUE(top.ok());
  absl::StatusOr<WriteTxn> child = top->BeginNested();
  ASSERT_TRUE(child.ok());
  EXPECT_TRUE(absl::IsFailedPrecondition(top->Commit())) << "a nested transaction is open";
  top->Abort();
  EXPECT_TRUE(absl::IsFailedPrecondition(child->Put(Dbi::kMeta, "k", "v")));
  child->Abort();  // a no-op, and the destructors must not touch freed LMDB txns
  EXPECT_TRUE(store_->BeginWrite().ok()) << "the writer lock was released";
}

TEST_F(StoreTest, ReadInsideAWriteTransactionSeesItsUncommittedWrites) {
  ASSERT_TRUE(ApplyOne(*store_, 1, {Add(1, 10, Value::Integer(1))}).ok());
  absl::StatusOr<WriteTxn> top = store_->BeginWrite();
  ASSERT_TRUE(top.ok());
  ASSERT_TRUE(top->ApplyTx(2, std::vector{Add(2, 10, Value::Integer(2))}, Meta{.basis_t = 2}).ok());
  EXPECT_EQ(Read().ReadMeta()->basis_t, 2);
  {
    absl::StatusOr<WriteTxn> nested = top->BeginNested();
    ASSERT_TRUE(nested.ok());
    ASSERT_TRUE(
        nested->ApplyTx(3, std::vector{Add(3, 10, Value::Integer(3))}, Meta{.basis_t = 3}).ok());
    Snapshot inner = Read();
    EXPECT_EQ(inner.ReadMeta()->basis_t, 3);
    EXPECT_EQ(inner.txn(), nested->txn()) << "a view through the innermost transaction";
    EXPECT_EQ(Stats(10).datoms, 3u);
    // Another thread sees only what is committed.
    std::thread([&] { EXPECT_EQ(Read().ReadMeta()->basis_t, 1); }).join();
  }
  EXPECT_EQ(Read().ReadMeta()->basis_t, 2) << "the nested transaction was aborted";
  top->Abort();
  EXPECT_EQ(Read().ReadMeta()->basis_t, 1);
  EXPECT_TRUE(store_->Grow().ok()) << "Grow works again once no transaction is open";
}

TEST_F(StoreTest, SecondBeginWriteOnTheSameThreadIsRefused) {
  absl::StatusOr<WriteTxn> top = store_->BeginWrite();
  ASSERT_TRUE(top.ok());
  EXPECT_TRUE(absl::IsFailedPrecondition(store_->BeginWrite().status()));
  EXPECT_TRUE(absl::IsFailedPrecondition(store_->Grow()));
}

TEST_F(StoreTest, SnapshotsCursorsAndWriteTxnsMove) {
  ASSERT_TRUE(
      ApplyOne(*store_, 1, {Add(1, 10, Value::Integer(1)), Add(2, 10, Value::Integer(2))}).ok());
  Snapshot a = Read();
  Snapshot b = std::move(a);
  EXPECT_EQ(a.txn(), nullptr);
  EXPECT_TRUE(absl::IsFailedPrecondition(a.ReadMeta().status()));
  a = std::move(b);
  absl::StatusOr<Cursor> c1 = a.OpenCursor(Dbi::kEavt);
  ASSERT_TRUE(c1.ok());
  ASSERT_TRUE(c1->First());
  Cursor c2 = *std::move(c1);
  EXPECT_TRUE(c2.valid());
  EXPECT_TRUE(c2.Next());
  EXPECT_FALSE(c2.Next());
  EXPECT_FALSE(c2.valid());
  EXPECT_TRUE(c2.status().ok());
  EXPECT_TRUE(c2.Seek(EavtKey(2, 0, "")));
  EXPECT_EQ(ParseKey(Dbi::kEavt, c2.key())->e, 2u);
  EXPECT_FALSE(c2.Seek(EavtKey(3, 0, "")));

  std::vector<WriteTxn> txns;
  {
    absl::StatusOr<WriteTxn> w = store_->BeginWrite();
    ASSERT_TRUE(w.ok());
    txns.push_back(*std::move(w));
  }
  ASSERT_TRUE(txns[0].Put(Dbi::kMeta, "moved", "1").ok());
  EXPECT_TRUE(Read().Get(Dbi::kMeta, "moved")->has_value());
  ASSERT_TRUE(txns[0].Commit().ok());
  EXPECT_EQ(Get(Dbi::kMeta, "moved"), "1");
}

TEST_F(StoreTest, PooledReadTransactionsDoNotExhaustReaderSlots) {
  StoreOptions options = FastOptions();
  options.max_readers = 6;
  absl::StatusOr<std::shared_ptr<Store>> store = Store::Open(dir_.Sub("few-readers"), options);
  ASSERT_TRUE(store.ok());
  ASSERT_TRUE(ApplyOne(**store, 1, {Add(1, 10, Value::Integer(1))}).ok());
  for (int i = 0; i < 5000; ++i) {
    absl::StatusOr<Snapshot> s1 = (*store)->Read();
    absl::StatusOr<Snapshot> s2 = (*store)->Read();
    ASSERT_TRUE(s1.ok() && s2.ok()) << i << " " << s1.status() << s2.status();
    ASSERT_EQ(s1->ReadMeta()->basis_t, 1);
  }
  std::vector<std::thread> threads;
  std::atomic<int> failures = 0;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 2000; ++i) {
        absl::StatusOr<Snapshot> s = (*store)->Read();
        if (!s.ok() || s->ReadMeta()->basis_t != 1) ++failures;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures, 0);
  // Holding every slot: the next reader gets a clear error, not a hang.
  std::vector<Snapshot> held;
  absl::Status last;
  for (int i = 0; i < 10 && last.ok(); ++i) {
    absl::StatusOr<Snapshot> s = (*store)->Read();
    if (s.ok())
      held.push_back(*std::move(s));
    else
      last = s.status();
  }
  EXPECT_TRUE(absl::IsResourceExhausted(last)) << last;
  EXPECT_NE(last.message().find("reader slot"), absl::string_view::npos);
}

TEST_F(StoreTest, ConcurrentReadersAndAWriterWithGrowth) {
  StoreOptions options = FastOptions();
  options.initial_map_size = size_t{64} << 10;
  absl::StatusOr<std::shared_ptr<Store>> opened = Store::Open(dir_.Sub("busy"), options);
  ASSERT_TRUE(opened.ok());
  Store& store = **opened;
  std::atomic<bool> done = false;
  std::atomic<int> errors = 0;
  std::vector<std::thread> readers;
  for (int r = 0; r < 2; ++r) {
    readers.emplace_back([&] {
      int64_t last = -1;
      while (!done) {
        absl::StatusOr<Snapshot> s = store.Read();
        if (!s.ok()) {
          ++errors;
          continue;
        }
        absl::StatusOr<Meta> meta = s->ReadMeta();
        if (!meta.ok() || meta->basis_t < last) ++errors;
        if (meta.ok()) last = meta->basis_t;
      }
    });
  }
  for (int64_t t = 0; t < 40; ++t) {
    std::vector<DatomWrite> writes;
    for (int i = 0; i < 50; ++i) {
      writes.push_back(Add(t * 100 + i, 30,
                           Value::String(std::string(100, 'g') + std::to_string(i)),
                           ValueType::kString));
    }
    absl::Status s = ApplyOne(store, t, writes);
    while (IsMapFull(s)) {
      s = store.Grow();
      if (s.ok()) s = ApplyOne(store, t, writes);
    }
    EXPECT_TRUE(s.ok()) << s;
    if (!s.ok()) break;  // the reader threads still need joining
  }
  done = true;
  for (auto& t : readers) t.join();
  EXPECT_EQ(errors, 0);
}

}  // namespace
}  // namespace accrete::internal
