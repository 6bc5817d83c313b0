// The LMDB environment, read snapshots with a pool of reset read
// transactions, write transactions (nested and thread-active), ApplyTx, and
// map growth. docs/format.md describes what is written.
#include "store/store.hpp"

#include <fcntl.h>
#include <lmdb.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "accrete/db.hpp"
#include "store/lmdb_status.hpp"
#include "store/log.hpp"
#include "store/strings.hpp"

namespace accrete::internal {
namespace {

// on-disk format: do not change.
constexpr const char* kDbiNames[kDbiCount] = {"eavt",  "aevt",  "avet",  "vaet", "heavt",
                                              "haevt", "havet", "hvaet", "log",  "vals",
                                              "stats", "meta",  "hteavt"};
constexpr std::string_view kMetaKey = "meta";
constexpr uint32_t kFormatVersion = 3;
constexpr size_t kMetaBytes = 4 + 5 * 8;
constexpr size_t kStatsBytes = 16;
constexpr size_t kIdBytes = 8;
// How often a transaction begin is retried after adopting a map size that
// another process grew.
constexpr int kMapResizedRetries = 8;

MDB_val Val(std::string_view s) { return MDB_val{s.size(), const_cast<char*>(s.data())}; }
std::string_view View(const MDB_val& v) {
  return std::string_view(static_cast<const char*>(v.mv_data), v.mv_size);
}

// One cursor move; `seek` is the target of MDB_SET_RANGE. Sets `*key` and
// `*value` on success.
int MoveCursor(MDB_cursor* cursor, MDB_cursor_op op, std::string_view seek, std::string_view* key,
               std::string_view* value) {
  MDB_val k = Val(seek);
  MDB_val v;
  const int rc = mdb_cursor_get(cursor, &k, &v, op);
  if (rc == MDB_SUCCESS) {
    *key = View(k);
    *value = View(v);
  }
  return rc;
}

// The write transactions open on this thread, innermost last. Store::Read
// reads through the innermost one of its store.
struct ActiveWrite {
  const Store* store;
  MDB_txn* txn;
};
thread_local std::vector<ActiveWrite> t_active_writes;

MDB_txn* InnermostWrite(const Store* store) {
  for (auto it = t_active_writes.rbegin(); it != t_active_writes.rend(); ++it) {
    if (it->store == store) return it->txn;
  }
  return nullptr;
}

// Removes `txn` and everything opened after it (its nested transactions).
void RemoveActiveWrite(MDB_txn* txn) {
  auto it = std::find_if(t_active_writes.begin(), t_active_writes.end(),
                         [&](const ActiveWrite& w) { return w.txn == txn; });
  t_active_writes.erase(it, t_active_writes.end());
}

// How many transactions of each store (by its Impl) this thread holds. A
// thread holding one must not wait for a map resize, which waits for it.
thread_local absl::flat_hash_map<const void*, int> t_holds;

// FNV-1a, 64 bits: the id of a long value is a pure function of its bytes,
// the same in every process and version. on-disk format: do not change.
uint64_t LongValueHash(std::string_view bytes) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (char c : bytes) {
    h ^= static_cast<uint8_t>(c);
    h *= 0x100000001b3ull;
  }
  return h;
}

// Finds the id under which the long value `full` is stored in `vals`: the
// first free or matching slot from its hash on (linear probing; nothing is
// ever deleted from `vals`, so a free slot ends the probe). With `insert`, a
// value not yet stored is stored; otherwise it yields nullopt.
absl::StatusOr<std::optional<uint64_t>> ProbeLongValue(MDB_txn* txn, MDB_dbi vals,
                                                       std::string_view full, bool insert) {
  char id_bytes[kIdBytes];
  for (uint64_t id = LongValueHash(full);; ++id) {
    for (size_t i = 0; i < kIdBytes; ++i) id_bytes[i] = static_cast<char>(id >> (56 - 8 * i));
    MDB_val key{kIdBytes, id_bytes};
    MDB_val stored;
    const int rc = mdb_get(txn, vals, &key, &stored);
    if (rc == MDB_NOTFOUND) {
      if (!insert) return std::nullopt;
      MDB_val data = Val(full);
      absl::Status put = LmdbStatus(mdb_put(txn, vals, &key, &data, 0), "storing a long value");
      if (!put.ok()) return put;
      return id;
    }
    if (rc != MDB_SUCCESS) return LmdbStatus(rc, "looking up a long value");
    if (View(stored) == full) return id;
  }
}

void AppendLongValueRef(std::string_view full, uint64_t id, std::string* out) {
  out->assign(full.substr(0, kMaxInlineValue));
  PutU64(out, id);
}

std::string EncodeMeta(const Meta& meta) {
  std::string out;
  for (int shift = 24; shift >= 0; shift -= 8) {
    out.push_back(static_cast<char>(meta.format_version >> shift));
  }
  for (int64_t x :
       {meta.basis_t, meta.next_db_eid, meta.next_user_eid, meta.last_tx_instant, meta.schema_t}) {
    PutU64(&out, static_cast<uint64_t>(x));
  }
  return out;
}

absl::StatusOr<Meta> DecodeMeta(std::string_view bytes) {
  if (bytes.size() < 4) return absl::DataLossError("malformed meta record");
  Meta meta;
  meta.format_version = 0;
  for (int i = 0; i < 4; ++i) {
    meta.format_version = (meta.format_version << 8) | static_cast<uint8_t>(bytes[i]);
  }
  if (meta.format_version != kFormatVersion) return meta;  // the caller refuses it
  if (bytes.size() != kMetaBytes) return absl::DataLossError("malformed meta record");
  const char* p = bytes.data() + 4;
  for (int64_t* field : {&meta.basis_t, &meta.next_db_eid, &meta.next_user_eid,
                         &meta.last_tx_instant, &meta.schema_t}) {
    *field = static_cast<int64_t>(GetU64(p));
    p += 8;
  }
  return meta;
}

absl::Status CheckFormat(const Meta& meta, const std::string& path) {
  if (meta.format_version == kFormatVersion) return absl::OkStatus();
  return absl::FailedPreconditionError(absl::StrCat("the database at ", path,
                                                    " has format version ", meta.format_version,
                                                    "; this build reads version ", kFormatVersion));
}

// The size of the tail-form id ending `key` (its last byte is the count).
size_t TailIdSize(std::string_view key) { return static_cast<uint8_t>(key.back()) + size_t{2}; }

// Whether AVET key `key` is `prefix` (a v') followed by one tail-form e.
// v' is never a proper prefix of another in-key value, so this is exact.
bool HasValuePrefix(std::string_view key, std::string_view prefix) {
  return key.size() > prefix.size() && key.starts_with(prefix) &&
         key.size() == prefix.size() + TailIdSize(key);
}

// Writes the index entries of one transaction and keeps the attribute
// statistics. Key buffers are reused across datoms.
class IndexWriter {
 public:
  IndexWriter(MDB_txn* txn, const unsigned* dbis, int64_t t) : txn_(txn), dbis_(dbis), t_(t) {
    AppendEntryT(&tx_bytes_, t);
  }
  ~IndexWriter() {
    if (avet_cursor_ != nullptr) mdb_cursor_close(avet_cursor_);
  }
  IndexWriter(const IndexWriter&) = delete;
  IndexWriter& operator=(const IndexWriter&) = delete;

  // Writes every assertion of the transaction, one index at a time: the
  // keys are built into one reused arena, sorted, and written through one
  // cursor, so that neighbouring keys share the descent, and keys that sort
  // after the last key of the sub-database are appended (MDB_APPEND: no
  // search, and the split leaves the left page full). Call after the
  // retractions (they only close lifetimes that were current before the
  // transaction, so the order does not change what is written).
  absl::Status AssertAll(std::span<const DatomWrite> datoms) {
    pending_.clear();
    long_refs_.clear();
    for (size_t i = 0; i < datoms.size(); ++i) {
      const DatomWrite& d = datoms[i];
      if (!d.added) continue;
      if (absl::Status s = InKeyForm(d, /*insert=*/true); !s.ok()) return s;
      Pending p{static_cast<uint32_t>(i), kInline};
      if (d.v.size() > kMaxInlineValue) {
        p.long_ref = static_cast<uint32_t>(long_refs_.size());
        long_refs_.append(v_);
      }
      pending_.push_back(p);
      ++stats_[d.a].datoms;
    }
    if (pending_.empty()) return absl::OkStatus();
    for (Dbi index : {Dbi::kEavt, Dbi::kAevt, Dbi::kAvet, Dbi::kVaet}) {
      if (absl::Status s = WriteSorted(index, datoms); !s.ok()) return s;
    }
    return absl::OkStatus();
  }

  // Moves the open lifetime of d's [e a v] to history (or drops it) and sets
  // `*tx_a` to the transaction that opened it.
  absl::Status Retract(const DatomWrite& d, uint64_t* tx_a) {
    if (absl::Status s = InKeyForm(d, /*insert=*/false); !s.ok()) return s;
    if (v_.empty()) return NotCurrentError(d, "retracting", "not current");
    BuildIndexKey(Dbi::kEavt, d.e, d.a, v_, &key_);
    MDB_val key = Val(key_);
    MDB_val data;
    const int rc = mdb_get(txn_, dbi(Dbi::kEavt), &key, &data);
    if (rc == MDB_NOTFOUND) return NotCurrentError(d, "retracting", "not current");
    if (rc != MDB_SUCCESS) return LmdbStatus(rc, "reading eavt");
    if (data.mv_size == 0 || data.mv_size > 8) return absl::DataLossError("malformed eavt entry");
    const int64_t t_a = EntryT(View(data));
    *tx_a = static_cast<uint64_t>(TToTx(t_a));
    const int last = d.is_ref ? static_cast<int>(Dbi::kVaet) : static_cast<int>(Dbi::kAvet);
    for (int i = 0; i <= last; ++i) {
      const auto index = static_cast<Dbi>(i);
      BuildIndexKey(index, d.e, d.a, v_, &key_);
      key = Val(key_);
      const int del = mdb_del(txn_, dbi(index), &key, nullptr);
      if (del != MDB_SUCCESS && del != MDB_NOTFOUND)
        return LmdbStatus(del, "deleting an index entry");
      if (!d.keep_history) continue;
      AppendHistorySuffix(&key_, t_a);
      key = Val(key_);
      MDB_val tx_r = Val(tx_bytes_);
      const int put = mdb_put(txn_, dbi(HistoryOf(index)), &key, &tx_r, 0);
      if (put != MDB_SUCCESS) return LmdbStatus(put, "writing history");
    }
    if (d.keep_history) {
      BuildTimeKey(d.e, d.a, t_, v_, &key_);
      key = Val(key_);
      std::string t_a_bytes;
      AppendEntryT(&t_a_bytes, t_a);
      MDB_val value = Val(t_a_bytes);
      const int put = mdb_put(txn_, dbi(Dbi::kHistEavtByTime), &key, &value, 0);
      if (put != MDB_SUCCESS) return LmdbStatus(put, "writing history by time");
    }
    absl::StatusOr<bool> still_held = HasCurrentValue(d.a);
    if (!still_held.ok()) return still_held.status();
    Delta& delta = stats_[d.a];
    --delta.datoms;
    if (!*still_held) --delta.distinct_values;
    return absl::OkStatus();
  }

  absl::Status WriteStats() {
    for (const auto& [a, delta] : stats_) {
      if (delta.datoms == 0 && delta.distinct_values == 0) continue;
      std::string key;
      PutU64(&key, a);
      MDB_val k = Val(key);
      MDB_val data;
      int64_t datoms = 0;
      int64_t distinct = 0;
      const int rc = mdb_get(txn_, dbi(Dbi::kStats), &k, &data);
      if (rc == MDB_SUCCESS) {
        if (data.mv_size != kStatsBytes) return absl::DataLossError("malformed stats entry");
        datoms = static_cast<int64_t>(GetU64(static_cast<const char*>(data.mv_data)));
        distinct = static_cast<int64_t>(GetU64(static_cast<const char*>(data.mv_data) + 8));
      } else if (rc != MDB_NOTFOUND) {
        return LmdbStatus(rc, "reading stats");
      }
      datoms += delta.datoms;
      distinct += delta.distinct_values;
      if (datoms < 0 || distinct < 0 || distinct > datoms) {
        return absl::InternalError(absl::StrCat("statistics of attribute ", a, " went negative"));
      }
      if (datoms == 0) {
        const int del = mdb_del(txn_, dbi(Dbi::kStats), &k, nullptr);
        if (del != MDB_SUCCESS && del != MDB_NOTFOUND) return LmdbStatus(del, "writing stats");
        continue;
      }
      std::string value;
      PutU64(&value, static_cast<uint64_t>(datoms));
      PutU64(&value, static_cast<uint64_t>(distinct));
      data = Val(value);
      const int put = mdb_put(txn_, dbi(Dbi::kStats), &k, &data, 0);
      if (put != MDB_SUCCESS) return LmdbStatus(put, "writing stats");
    }
    return absl::OkStatus();
  }

 private:
  struct Delta {
    int64_t datoms = 0;
    int64_t distinct_values = 0;
  };

  MDB_dbi dbi(Dbi d) const { return dbis_[static_cast<int>(d)]; }

  // Sets v_ to d.v's in-key form; empty when the long value is not stored
  // and `insert` is false.
  absl::Status InKeyForm(const DatomWrite& d, bool insert) {
    if (d.v.empty()) return absl::InvalidArgumentError("a datom with an empty value encoding");
    if (d.is_ref && (d.v.size() < 2 || EncodedType(d.v) != ValueType::kRef)) {
      return absl::InvalidArgumentError(
          absl::StrCat("datom [", d.e, " ", d.a, " ...] is marked as a ref but its value is not"));
    }
    if (d.v.size() <= kMaxInlineValue) {
      v_.assign(d.v);
      return absl::OkStatus();
    }
    absl::StatusOr<std::optional<uint64_t>> id = ProbeLongValue(txn_, dbi(Dbi::kVals), d.v, insert);
    if (!id.ok()) return id.status();
    if (!id->has_value()) {
      v_.clear();
      return absl::OkStatus();
    }
    AppendLongValueRef(d.v, **id, &v_);
    return absl::OkStatus();
  }

  absl::Status PutIndex(Dbi index, const DatomWrite& d, std::string_view value) {
    BuildIndexKey(index, d.e, d.a, v_, &key_);
    MDB_val key = Val(key_);
    MDB_val data = Val(value);
    return LmdbStatus(mdb_put(txn_, dbi(index), &key, &data, 0), "writing an index");
  }

  static constexpr uint32_t kInline = UINT32_MAX;
  // An assertion still to write: its datom and, for a long value, where its
  // in-key form lies in long_refs_.
  struct Pending {
    uint32_t datom;
    uint32_t long_ref;
  };
  // One built key in arena_.
  struct KeyRef {
    // 8 bytes of the key as a big-endian number (zero-padded), from byte
    // 8 * depth while SortKeys works at that depth: comparisons compare
    // these, not the keys in the arena.
    uint64_t head;
    uint32_t offset;
    uint32_t size;
    uint32_t datom;
    // The key's bytes from 8 * depth on, capped at 9 ("more than 8").
    uint8_t rest;
  };

  static bool HeadLess(const KeyRef& x, const KeyRef& y) {
    return x.head != y.head ? x.head < y.head : x.rest < y.rest;
  }

  void LoadHead(KeyRef* r, size_t depth) const {
    const size_t from = depth * 8;
    const size_t left = r->size > from ? r->size - from : 0;
    char bytes[8] = {};
    std::memcpy(bytes, arena_.data() + r->offset + from, std::min<size_t>(left, 8));
    r->head = GetU64(bytes);
    r->rest = static_cast<uint8_t>(std::min<size_t>(left, 9));
  }

  // Sorts [first, last) -- whose heads are loaded at `depth` -- by key: a
  // sort by 8-byte words, most significant first, recursing into runs that
  // tie on a whole word. Keys of one attribute share long prefixes (the
  // attribute, a value's type tag, "entity number "...), so a comparison
  // sort on the keys would spend its time in memcmp on cold arena bytes;
  // here each level compares integers in the KeyRefs and reads the arena
  // once per key. A shorter key with equal padded bytes is a prefix of the
  // longer one and sorts first, which `rest` orders.
  void SortKeys(KeyRef* first, KeyRef* last, size_t depth) {
    std::sort(first, last, HeadLess);
    for (KeyRef* run = first; run != last;) {
      KeyRef* end = run + 1;
      while (end != last && end->head == run->head && end->rest == run->rest) ++end;
      if (run->rest > 8 && end - run > 1) {
        for (KeyRef* r = run; r != end; ++r) LoadHead(r, depth + 1);
        SortKeys(run, end, depth + 1);
      }
      run = end;
    }
  }

  std::string_view InKey(const Pending& p, std::span<const DatomWrite> datoms) const {
    if (p.long_ref == kInline) return datoms[p.datom].v;
    return std::string_view(long_refs_).substr(p.long_ref, kLongValueRef);
  }

  std::string_view KeyOf(const KeyRef& r) const {
    return std::string_view(arena_.data() + r.offset, r.size);
  }

  absl::Status WriteSorted(Dbi index, std::span<const DatomWrite> datoms) {
    arena_.clear();
    refs_.clear();
    for (const Pending& p : pending_) {
      const DatomWrite& d = datoms[p.datom];
      if (index == Dbi::kVaet && !d.is_ref) continue;
      const size_t offset = arena_.size();
      AppendIndexKey(index, d.e, d.a, InKey(p, datoms), &arena_);
      const std::string_view key = std::string_view(arena_).substr(offset);
      refs_.push_back(
          KeyRef{0, static_cast<uint32_t>(offset), static_cast<uint32_t>(key.size()), p.datom, 0});
      LoadHead(&refs_.back(), 0);
    }
    if (refs_.empty()) return absl::OkStatus();
    auto less = [this](const KeyRef& x, const KeyRef& y) {
      if (x.head != y.head) return x.head < y.head;
      return KeyOf(x) < KeyOf(y);
    };
    if (!std::is_sorted(refs_.begin(), refs_.end(), less)) {
      SortKeys(refs_.data(), refs_.data() + refs_.size(), 0);
    }
    MDB_cursor* cursor = nullptr;
    if (int rc = mdb_cursor_open(txn_, dbi(index), &cursor); rc != MDB_SUCCESS) {
      return LmdbStatus(rc, "opening an index cursor");
    }
    absl::Status status = WriteSortedWith(cursor, index, datoms);
    mdb_cursor_close(cursor);
    return status;
  }

  absl::Status WriteSortedWith(MDB_cursor* cursor, Dbi index, std::span<const DatomWrite> datoms) {
    // Keys from append_from on sort after every stored key.
    size_t append_from = 0;
    MDB_val last_key;
    MDB_val last_data;
    const int last = mdb_cursor_get(cursor, &last_key, &last_data, MDB_LAST);
    if (last == MDB_SUCCESS) {
      const std::string_view stored_last = View(last_key);
      append_from = static_cast<size_t>(
          std::partition_point(refs_.begin(), refs_.end(),
                               [&](const KeyRef& r) { return KeyOf(r) <= stored_last; }) -
          refs_.begin());
    } else if (last != MDB_NOTFOUND) {
      return LmdbStatus(last, "reading an index");
    }
    const bool count_values = index == Dbi::kAvet;
    std::string_view previous_prefix;  // a v' of the previous key written
    for (size_t j = 0; j < refs_.size(); ++j) {
      const KeyRef& r = refs_[j];
      const DatomWrite& d = datoms[r.datom];
      MDB_val key = Val(KeyOf(r));
      MDB_val data = Val(tx_bytes_);
      unsigned flags = j >= append_from ? MDB_APPEND : 0;
      if (index == Dbi::kEavt) flags |= MDB_NOOVERWRITE;
      const int rc = mdb_cursor_put(cursor, &key, &data, flags);
      if (rc == MDB_KEYEXIST) return NotCurrentError(d, "asserting", "already current");
      if (rc != MDB_SUCCESS) return LmdbStatus(rc, "writing an index");
      if (!count_values) continue;
      // The AVET key is a v' e: its a v' prefix is the key without e.
      const std::string_view prefix = KeyOf(r).substr(0, r.size - TailIdSize(KeyOf(r)));
      if (prefix == previous_prefix) continue;  // held by the previous key
      previous_prefix = prefix;
      absl::StatusOr<bool> held = NeighbourHolds(cursor, prefix, j >= append_from);
      if (!held.ok()) return held.status();
      if (!*held) ++stats_[d.a].distinct_values;
    }
    return absl::OkStatus();
  }

  // Whether a neighbour of the key just put at `cursor` (an AVET key) has the
  // same a v' prefix, i.e. the value was held before. v' is never a proper
  // prefix of another in-key value, so prefix plus e length is exact.
  absl::StatusOr<bool> NeighbourHolds(MDB_cursor* cursor, std::string_view prefix, bool appended) {
    auto same_value = [&](const MDB_val& k) { return HasValuePrefix(View(k), prefix); };
    MDB_val k;
    MDB_val v;
    int rc = mdb_cursor_get(cursor, &k, &v, MDB_PREV);
    if (rc == MDB_SUCCESS) {
      if (same_value(k)) return true;
      if (appended) return false;                     // nothing follows an appended key
      rc = mdb_cursor_get(cursor, &k, &v, MDB_NEXT);  // back on the new key
      if (rc != MDB_SUCCESS) return LmdbStatus(rc, "scanning avet");
    } else if (rc == MDB_NOTFOUND) {
      if (appended) return false;
      // The new key is the first of the sub-database: position on it again.
      rc = mdb_cursor_get(cursor, &k, &v, MDB_FIRST);
      if (rc != MDB_SUCCESS) return LmdbStatus(rc, "scanning avet");
    } else {
      return LmdbStatus(rc, "scanning avet");
    }
    rc = mdb_cursor_get(cursor, &k, &v, MDB_NEXT);
    if (rc == MDB_NOTFOUND) return false;
    if (rc != MDB_SUCCESS) return LmdbStatus(rc, "scanning avet");
    return same_value(k);
  }

  // Whether any entity currently has `a` = v_ (an AVET entry a v_ e exists).
  // v_ is never a proper prefix of another in-key value, so the prefix test
  // is exact.
  absl::StatusOr<bool> HasCurrentValue(uint64_t a) {
    if (avet_cursor_ == nullptr) {
      const int rc = mdb_cursor_open(txn_, dbi(Dbi::kAvet), &avet_cursor_);
      if (rc != MDB_SUCCESS) return LmdbStatus(rc, "opening an avet cursor");
    }
    prefix_.clear();
    AppendId(&prefix_, a);
    prefix_.append(v_);
    MDB_val key = Val(prefix_);
    MDB_val data;
    const int rc = mdb_cursor_get(avet_cursor_, &key, &data, MDB_SET_RANGE);
    if (rc == MDB_NOTFOUND) return false;
    if (rc != MDB_SUCCESS) return LmdbStatus(rc, "scanning avet");
    return HasValuePrefix(View(key), prefix_);
  }

  absl::Status NotCurrentError(const DatomWrite& d, std::string_view doing,
                               std::string_view state) const {
    return absl::InternalError(absl::StrCat(AsAbsl(doing), " [", d.e, " ", d.a, " <", d.v.size(),
                                            "-byte value>], which is ", AsAbsl(state)));
  }

  MDB_txn* txn_;
  const unsigned* dbis_;
  MDB_cursor* avet_cursor_ = nullptr;
  const int64_t t_;
  std::string tx_bytes_;
  std::string v_;
  std::string key_;
  std::string prefix_;
  absl::flat_hash_map<uint64_t, Delta> stats_;
  std::vector<Pending> pending_;
  std::string long_refs_;  // in-key forms of long values, kLongValueRef each
  std::string arena_;      // the keys of one index
  std::vector<KeyRef> refs_;
};

}  // namespace

struct WriteTxn::Node {
  MDB_txn* txn = nullptr;
  Node* parent = nullptr;
  Node* child = nullptr;
  WriteTxn* owner = nullptr;  // kept current across moves
  bool top = false;
  bool ended = false;
  std::thread::id holder;  // top level: the thread registered with the store
};

// ---- Store::Impl: the gate between transactions and map resizing ----------

struct Store::Impl {
  std::mutex mu;
  std::condition_variable cv;
  // Owned snapshots and top-level write transactions alive in this process.
  int active = 0;
  // Set while a resize waits for `active` to drain or runs.
  bool resizing = false;
  // Reset read transactions ready for mdb_txn_renew; each keeps its reader
  // slot, so the pool is capped well below max_readers.
  std::vector<MDB_txn*> pool;
  size_t pool_cap = 1;
  // The key of this store in the registry of open stores; empty until
  // registered.
  std::string registry_key;

  // Registers a transaction about to begin; hands back a pooled read
  // transaction when `want_pooled` and one is idle.
  MDB_txn* Enter(bool want_pooled) {
    int& holds = t_holds[this];
    std::unique_lock lock(mu);
    if (holds == 0) cv.wait(lock, [&] { return !resizing; });
    ++active;
    ++holds;
    if (!want_pooled || pool.empty()) return nullptr;
    MDB_txn* txn = pool.back();
    pool.pop_back();
    return txn;
  }

  // Unregisters a transaction begun by `holder`; `reset_txn`, if any, goes
  // back to the pool.
  void Exit(std::thread::id holder, MDB_txn* reset_txn) {
    MDB_txn* discard = nullptr;
    {
      std::lock_guard lock(mu);
      --active;
      if (reset_txn != nullptr) {
        if (!resizing && pool.size() < pool_cap) {
          pool.push_back(reset_txn);
        } else {
          discard = reset_txn;
        }
      }
      if (active == 0) cv.notify_all();
    }
    if (discard != nullptr) mdb_txn_abort(discard);
    // A snapshot handed to another thread leaves its holder's count as is:
    // that thread then merely stops waiting for resizes (never a deadlock).
    if (holder == std::this_thread::get_id()) {
      auto it = t_holds.find(this);
      if (it != t_holds.end() && --it->second == 0) t_holds.erase(it);
    }
  }

  // Runs `fn` (an LMDB call) with no transaction of this process active.
  // A thread that keeps a read open (say, a Datoms stream it is consuming
  // while it waits for its own transact) would block the resize forever; after
  // `wait` the resize gives up with an error instead.
  template <typename Fn>
  absl::Status Exclusive(Fn fn, std::string_view what, std::chrono::milliseconds wait) {
    if (auto it = t_holds.find(this); it != t_holds.end() && it->second > 0) {
      return absl::FailedPreconditionError(absl::StrCat(
          AsAbsl(what), ": this thread still holds a snapshot or transaction of the store"));
    }
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return !resizing; });
    resizing = true;
    if (!cv.wait_for(lock, wait, [&] { return active == 0; })) {
      resizing = false;
      cv.notify_all();
      return absl::ResourceExhaustedError(
          absl::StrCat(AsAbsl(what), ": the map is full and ", active,
                       " read transaction(s) of this process stayed open for ", wait.count(),
                       " ms; finish or drop open Datoms streams before transacting"));
    }
    for (MDB_txn* txn : pool) mdb_txn_abort(txn);
    pool.clear();
    const int rc = fn();
    resizing = false;
    cv.notify_all();
    return LmdbStatus(rc, what);
  }
};

// ---- Store ------------------------------------------------------------------

Store::Store(std::string path, StoreOptions options)
    : path_(std::move(path)), options_(options), impl_(std::make_unique<Impl>()) {
  impl_->pool_cap = std::clamp<size_t>(options_.max_readers / 8, 1, 64);
}

namespace {

// The environments open in this process, by canonical directory. LMDB must
// not open one environment twice in a process (closing either would drop the
// other's file locks), so Open hands out the Store already open instead.
struct OpenStores {
  std::mutex mu;
  absl::flat_hash_map<std::string, std::weak_ptr<Store>> by_dir;
  // A forked child inherits the parent's entries but must open its own
  // environments.
  pid_t pid = getpid();
};
OpenStores& Registry() {
  static auto* registry = new OpenStores;  // never destroyed: Stores may outlive statics
  return *registry;
}

}  // namespace

Store::~Store() {
  for (MDB_txn* txn : impl_->pool) mdb_txn_abort(txn);
  impl_->pool.clear();
  if (impl_->registry_key.empty()) {
    if (env_ != nullptr) mdb_env_close(env_);
    return;
  }
  // Under the registry lock, so that no Open of this directory starts before
  // the environment is closed.
  std::lock_guard lock(Registry().mu);
  if (env_ != nullptr) mdb_env_close(env_);
  Registry().by_dir.erase(impl_->registry_key);
}

absl::StatusOr<std::shared_ptr<Store>> Store::Open(const std::string& dir,
                                                   const StoreOptions& options) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::exists(fs::path(dir) / "data.mdb", ec)) {
    if (!options.create_if_missing || options.read_only) {
      return absl::NotFoundError(absl::StrCat("no database at ", dir));
    }
    if (!fs::is_directory(dir, ec)) {
      if (!fs::create_directories(dir, ec) && ec) {
        return absl::PermissionDeniedError(
            absl::StrCat("cannot create the database directory ", dir, ": ", ec.message()));
      }
      fs::permissions(dir, fs::perms::owner_all, fs::perm_options::replace, ec);
    }
  }
  std::string key = fs::weakly_canonical(dir, ec).string();
  if (ec) key = dir;
  for (;;) {
    std::unique_lock lock(Registry().mu);
    if (Registry().pid != getpid()) {
      Registry().by_dir.clear();
      Registry().pid = getpid();
    }
    if (auto it = Registry().by_dir.find(key); it != Registry().by_dir.end()) {
      std::shared_ptr<Store> existing = it->second.lock();
      if (existing == nullptr) {
        // Its last owner is closing it right now; wait for the entry to go.
        lock.unlock();
        std::this_thread::yield();
        continue;
      }
      if (existing->read_only() != options.read_only) {
        return absl::FailedPreconditionError(
            absl::StrCat("the database at ", dir, " is already open in this process ",
                         existing->read_only() ? "read-only" : "for writing"));
      }
      return existing;
    }
    std::shared_ptr<Store> store(new Store(dir, options));
    if (absl::Status s = store->OpenEnvironment(); !s.ok()) return s;
    store->impl_->registry_key = key;
    Registry().by_dir[key] = store;
    return store;
  }
}

absl::Status Store::OpenEnvironment() {
  const std::string& dir = path_;
  const StoreOptions& options = options_;
  const std::string what = absl::StrCat("opening the database at ", dir);
  int rc = mdb_env_create(&env_);
  if (rc == MDB_SUCCESS) rc = mdb_env_set_maxdbs(env_, kDbiCount);
  if (rc == MDB_SUCCESS) rc = mdb_env_set_maxreaders(env_, options.max_readers);
  if (rc == MDB_SUCCESS) rc = mdb_env_set_mapsize(env_, options.initial_map_size);
  unsigned flags = MDB_NOTLS;
  if (!options.durable) flags |= MDB_NOSYNC;
  if (options.read_only) flags |= MDB_RDONLY;
  if (rc == MDB_SUCCESS) rc = mdb_env_open(env_, dir.c_str(), flags, 0600);
  if (rc != MDB_SUCCESS) return LmdbStatus(rc, what);

  // Open (or create) the sub-databases; the handles live as long as the env.
  MDB_txn* txn = nullptr;
  for (int attempt = 0;; ++attempt) {
    rc = mdb_txn_begin(env_, nullptr, options.read_only ? MDB_RDONLY : 0, &txn);
    if (rc != MDB_MAP_RESIZED || attempt == kMapResizedRetries) break;
    rc = mdb_env_set_mapsize(env_, 0);
    if (rc != MDB_SUCCESS) break;
  }
  if (rc != MDB_SUCCESS) return LmdbStatus(rc, what);
  for (int i = 0; i < kDbiCount && rc == MDB_SUCCESS; ++i) {
    rc = mdb_dbi_open(txn, kDbiNames[i], options.read_only ? 0 : MDB_CREATE, &dbis_[i]);
    if (rc == MDB_NOTFOUND) {
      mdb_txn_abort(txn);
      return absl::FailedPreconditionError(absl::StrCat(
          dir, " is not an accrete database (it has no sub-database ", kDbiNames[i], ")"));
    }
  }
  MDB_val key = Val(kMetaKey);
  MDB_val data;
  if (rc == MDB_SUCCESS) rc = mdb_get(txn, dbis_[static_cast<int>(Dbi::kMeta)], &key, &data);
  if (rc == MDB_SUCCESS) {
    absl::StatusOr<Meta> meta = DecodeMeta(View(data));
    absl::Status status = meta.ok() ? CheckFormat(*meta, dir) : meta.status();
    if (!status.ok()) {
      mdb_txn_abort(txn);
      return status;
    }
  } else if (rc == MDB_NOTFOUND && !options.read_only) {
    const std::string meta = EncodeMeta(Meta{});
    data = Val(meta);
    rc = mdb_put(txn, dbis_[static_cast<int>(Dbi::kMeta)], &key, &data, 0);
  } else if (rc == MDB_NOTFOUND) {
    rc = MDB_SUCCESS;  // read-only over a store that was never written: empty
  }
  if (rc != MDB_SUCCESS) {
    mdb_txn_abort(txn);
    return LmdbStatus(rc, what);
  }
  // Committing (even a read-only txn) keeps the opened handles.
  rc = mdb_txn_commit(txn);
  return LmdbStatus(rc, what);
}

absl::StatusOr<Snapshot> Store::Read() const {
  if (MDB_txn* write = InnermostWrite(this)) return Snapshot(this, write, /*owned=*/false);
  for (int attempt = 0;; ++attempt) {
    MDB_txn* txn = impl_->Enter(/*want_pooled=*/true);
    int rc;
    if (txn != nullptr) {
      rc = mdb_txn_renew(txn);
      if (rc != MDB_SUCCESS) mdb_txn_abort(txn);
    } else {
      rc = mdb_txn_begin(env_, nullptr, MDB_RDONLY, &txn);
    }
    if (rc == MDB_SUCCESS) return Snapshot(this, txn, /*owned=*/true);
    impl_->Exit(std::this_thread::get_id(), nullptr);
    if (rc != MDB_MAP_RESIZED || attempt == kMapResizedRetries) {
      return LmdbStatus(rc, absl::StrCat("beginning a read transaction on ", path_));
    }
    if (absl::Status s = AdoptMapSize(); !s.ok()) return s;
  }
}

absl::StatusOr<WriteTxn> Store::BeginWrite() {
  if (options_.read_only) {
    return absl::PermissionDeniedError(absl::StrCat("the database at ", path_, " is read-only"));
  }
  if (InnermostWrite(this) != nullptr) {
    return absl::FailedPreconditionError(
        "a write transaction of this store is already open on this thread; use BeginNested");
  }
  for (int attempt = 0;; ++attempt) {
    impl_->Enter(/*want_pooled=*/false);
    MDB_txn* txn = nullptr;
    const int rc = mdb_txn_begin(env_, nullptr, 0, &txn);
    if (rc == MDB_SUCCESS) {
      auto node = std::make_unique<WriteTxn::Node>();
      node->txn = txn;
      node->top = true;
      node->holder = std::this_thread::get_id();
      t_active_writes.push_back({this, txn});
      return WriteTxn(this, std::move(node));
    }
    impl_->Exit(std::this_thread::get_id(), nullptr);
    if (rc != MDB_MAP_RESIZED || attempt == kMapResizedRetries) {
      return LmdbStatus(rc, absl::StrCat("beginning a write transaction on ", path_));
    }
    if (absl::Status s = AdoptMapSize(); !s.ok()) return s;
  }
}

size_t MapBytesFor(std::span<const DatomWrite> datoms) {
  // Per datom: four current index entries (five for a ref), each a key of
  // about three ids and the in-key value plus LMDB's node header; a
  // retraction also writes the history entries and the time index. Long
  // values are stored once more in full. Measured stores take about half.
  size_t bytes = 0;
  for (const DatomWrite& d : datoms) {
    const size_t entry = std::min<size_t>(d.v.size(), 208) + 40;
    const size_t entries = 5 + (d.is_ref ? 1 : 0) + (d.added ? 0 : 5);
    bytes += entries * entry + d.v.size() + (d.v.size() > 200 ? d.v.size() + 64 : 0);
  }
  return bytes;
}

absl::Status Store::Grow(size_t room) {
  if (options_.read_only) {
    return absl::FailedPreconditionError("a read-only database cannot grow its map");
  }
  if (InnermostWrite(this) != nullptr) {
    return absl::FailedPreconditionError("Grow called inside a write transaction");
  }
  const double factor = options_.map_growth_factor > 1.0 ? options_.map_growth_factor : 2.0;
  return impl_->Exclusive(
      [&] {
        MDB_envinfo info;
        mdb_env_info(env_, &info);
        const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
        size_t next = static_cast<size_t>(static_cast<double>(info.me_mapsize) * factor);
        next = std::max(next, info.me_mapsize + page);
        next = std::max(next, (info.me_last_pgno + 1) * page + room);
        next = (next + page - 1) / page * page;
        return mdb_env_set_mapsize(env_, next);
      },
      "growing the map", options_.grow_wait);
}

absl::StatusOr<EnvInfo> Store::Info() const {
  MDB_envinfo info;
  MDB_stat stat;
  int rc = mdb_env_info(env_, &info);
  if (rc == MDB_SUCCESS) rc = mdb_env_stat(env_, &stat);
  if (rc != MDB_SUCCESS) return LmdbStatus(rc, absl::StrCat("reading the environment of ", path_));
  EnvInfo out;
  out.map_size = info.me_mapsize;
  out.page_size = stat.ms_psize;
  out.used_bytes = (info.me_last_pgno + 1) * static_cast<size_t>(stat.ms_psize);
  out.max_readers = info.me_maxreaders;
  out.readers = info.me_numreaders;
  std::error_code ec;
  const uintmax_t file_size =
      std::filesystem::file_size(std::filesystem::path(path_) / "data.mdb", ec);
  out.file_size = ec ? 0 : static_cast<uint64_t>(file_size);
  return out;
}

namespace {

// Creates `dest` unless it already holds a database.
absl::Status PrepareCopyDir(const std::filesystem::path& dir) {
  std::error_code ec;
  if (std::filesystem::exists(dir / "data.mdb", ec)) {
    return absl::AlreadyExistsError(
        absl::StrCat("The backup directory ", dir.string(), " already holds a database"));
  }
  if (std::filesystem::is_directory(dir, ec)) return absl::OkStatus();
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    return absl::InvalidArgumentError(
        absl::StrCat("Cannot create the backup directory ", dir.string(), ": ", ec.message()));
  }
  // A copy is the whole database: the owner's only, as the original is.
  std::filesystem::permissions(dir, std::filesystem::perms::owner_all,
                               std::filesystem::perm_options::replace, ec);
  return absl::OkStatus();
}

// Copies every entry of each sub-database of `src` into the empty
// environment `out`, in key order with MDB_APPEND. LMDB splits an appended
// page by starting a new one, so every page but the last of each tree ends
// up full: the copy is as small as the entries allow, where the live store's
// mid-tree inserts leave pages about two-thirds full.
absl::Status AppendAll(MDB_txn* src, const unsigned* src_dbis, MDB_env* out) {
  // Bounds the dirty pages one write transaction of the copy holds.
  constexpr size_t kEntriesPerTxn = 200'000;
  MDB_txn* txn = nullptr;
  int rc = mdb_txn_begin(out, nullptr, 0, &txn);
  if (rc != MDB_SUCCESS) return LmdbStatus(rc, "beginning a write to the copy");
  unsigned out_dbis[kDbiCount] = {};
  for (int i = 0; i < kDbiCount && rc == MDB_SUCCESS; ++i) {
    rc = mdb_dbi_open(txn, kDbiNames[i], MDB_CREATE, &out_dbis[i]);
  }
  size_t in_txn = 0;
  for (int i = 0; i < kDbiCount && rc == MDB_SUCCESS; ++i) {
    MDB_cursor* cursor = nullptr;
    rc = mdb_cursor_open(src, src_dbis[i], &cursor);
    if (rc != MDB_SUCCESS) break;
    MDB_val key;
    MDB_val value;
    int got = mdb_cursor_get(cursor, &key, &value, MDB_FIRST);
    while (got == MDB_SUCCESS) {
      rc = mdb_put(txn, out_dbis[i], &key, &value, MDB_APPEND);
      if (rc != MDB_SUCCESS) break;
      if (++in_txn == kEntriesPerTxn) {
        in_txn = 0;
        rc = mdb_txn_commit(txn);
        txn = nullptr;
        if (rc == MDB_SUCCESS) rc = mdb_txn_begin(out, nullptr, 0, &txn);
        if (rc != MDB_SUCCESS) break;
      }
      got = mdb_cursor_get(cursor, &key, &value, MDB_NEXT);
    }
    mdb_cursor_close(cursor);
    if (rc == MDB_SUCCESS && got != MDB_NOTFOUND) rc = got;
  }
  if (rc != MDB_SUCCESS) {
    if (txn != nullptr) mdb_txn_abort(txn);
    return LmdbStatus(rc, "copying entries");
  }
  return LmdbStatus(mdb_txn_commit(txn), "committing the copy");
}

}  // namespace

absl::Status Store::CopyCompact(const std::string& dest) const {
  const std::filesystem::path dir(dest);
  if (absl::Status s = PrepareCopyDir(dir); !s.ok()) return s;
  // mdb_env_copy2 would create the file 0666 less the umask.
  const std::string file = (dir / "data.mdb").string();
  const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return LmdbStatus(errno, absl::StrCat("creating ", file));
  int rc = mdb_env_copyfd2(env_, fd, MDB_CP_COMPACT);
  if (rc == MDB_SUCCESS && ::fsync(fd) != 0) rc = errno;
  ::close(fd);
  if (rc != MDB_SUCCESS) {
    ::unlink(file.c_str());
    return LmdbStatus(rc, absl::StrCat("copying ", path_, " to ", dest));
  }
  return absl::OkStatus();
}

absl::Status Store::CopyRepacked(const std::string& dest) const {
  const std::filesystem::path dir(dest);
  if (absl::Status s = PrepareCopyDir(dir); !s.ok()) return s;
  // The copy is built under another name and renamed into place when whole,
  // so `dest` never holds a partial database that opens.
  const std::filesystem::path partial = dir / "data.mdb.partial";
  std::error_code ec;
  std::filesystem::remove(partial, ec);
  absl::StatusOr<Snapshot> snapshot = Read();
  if (!snapshot.ok()) return snapshot.status();
  MDB_envinfo info;
  int rc = mdb_env_info(env_, &info);
  if (rc != MDB_SUCCESS) return LmdbStatus(rc, absl::StrCat("reading the environment of ", path_));
  MDB_env* out = nullptr;
  rc = mdb_env_create(&out);
  if (rc != MDB_SUCCESS) return LmdbStatus(rc, "creating the copy's environment");
  const std::string what = absl::StrCat("copying ", path_, " to ", dest);
  // The entries fit in the source's map: the copy only drops free space.
  rc = mdb_env_set_maxdbs(out, kDbiCount);
  if (rc == MDB_SUCCESS) rc = mdb_env_set_mapsize(out, info.me_mapsize);
  // No lock file (nothing else opens the partial file) and one sync at the end.
  if (rc == MDB_SUCCESS) {
    rc = mdb_env_open(out, partial.c_str(), MDB_NOSUBDIR | MDB_NOLOCK | MDB_NOSYNC, 0600);
  }
  absl::Status status = LmdbStatus(rc, what);
  if (status.ok()) status = AppendAll(snapshot->txn(), dbis_, out);
  if (status.ok()) status = LmdbStatus(mdb_env_sync(out, 1), what);
  mdb_env_close(out);
  if (status.ok()) {
    std::filesystem::rename(partial, dir / "data.mdb", ec);
    if (ec) status = absl::InternalError(absl::StrCat(what, ": ", ec.message()));
  }
  if (status.ok()) {
    // The rename is durable once the directory is synced.
    const int fd = ::open(dest.c_str(), O_RDONLY | O_DIRECTORY);
    if (fd >= 0) {
      ::fsync(fd);
      ::close(fd);
    }
  }
  if (!status.ok()) std::filesystem::remove(partial, ec);
  return status;
}

absl::Status Store::AdoptMapSize() const {
  return impl_->Exclusive([&] { return mdb_env_set_mapsize(env_, 0); },
                          "adopting the map size grown by another process", options_.grow_wait);
}

// ---- Cursor -----------------------------------------------------------------

Cursor::Cursor(Cursor&& other) noexcept
    : cursor_(std::exchange(other.cursor_, nullptr)),
      valid_(std::exchange(other.valid_, false)),
      key_(other.key_),
      value_(other.value_),
      status_(std::move(other.status_)) {}

Cursor& Cursor::operator=(Cursor&& other) noexcept {
  if (this != &other) {
    if (cursor_ != nullptr) mdb_cursor_close(cursor_);
    cursor_ = std::exchange(other.cursor_, nullptr);
    valid_ = std::exchange(other.valid_, false);
    key_ = other.key_;
    value_ = other.value_;
    status_ = std::move(other.status_);
  }
  return *this;
}

Cursor::~Cursor() {
  if (cursor_ != nullptr) mdb_cursor_close(cursor_);
}

bool Cursor::Load(int rc) {
  valid_ = rc == MDB_SUCCESS;
  if (!valid_) {
    key_ = value_ = {};
    if (rc != MDB_NOTFOUND) status_ = LmdbStatus(rc, "moving a cursor");
  }
  return valid_;
}

bool Cursor::Seek(std::string_view key) {
  if (key.empty()) return First();  // LMDB refuses empty keys
  if (cursor_ == nullptr) return Load(MDB_NOTFOUND);
  return Load(MoveCursor(cursor_, MDB_SET_RANGE, key, &key_, &value_));
}

bool Cursor::First() {
  if (cursor_ == nullptr) return Load(MDB_NOTFOUND);
  return Load(MoveCursor(cursor_, MDB_FIRST, {}, &key_, &value_));
}

bool Cursor::Next() {
  if (cursor_ == nullptr || !valid_) return Load(MDB_NOTFOUND);
  return Load(MoveCursor(cursor_, MDB_NEXT, {}, &key_, &value_));
}

// ---- Snapshot ---------------------------------------------------------------

Snapshot::Snapshot(const Store* store, MDB_txn* txn, bool owned)
    : store_(store), txn_(txn), owned_(owned), holder_(std::this_thread::get_id()) {}

Snapshot::Snapshot(Snapshot&& other) noexcept
    : store_(other.store_),
      txn_(std::exchange(other.txn_, nullptr)),
      owned_(std::exchange(other.owned_, false)),
      holder_(other.holder_) {}

Snapshot& Snapshot::operator=(Snapshot&& other) noexcept {
  if (this != &other) {
    Release();
    store_ = other.store_;
    txn_ = std::exchange(other.txn_, nullptr);
    owned_ = std::exchange(other.owned_, false);
    holder_ = other.holder_;
  }
  return *this;
}

Snapshot::~Snapshot() { Release(); }

void Snapshot::Release() {
  if (owned_ && txn_ != nullptr) {
    mdb_txn_reset(txn_);
    store_->impl_->Exit(holder_, txn_);
  }
  txn_ = nullptr;
  owned_ = false;
}

absl::StatusOr<Meta> Snapshot::ReadMeta() const {
  absl::StatusOr<std::optional<std::string_view>> bytes = Get(Dbi::kMeta, kMetaKey);
  if (!bytes.ok()) return bytes.status();
  if (!bytes->has_value()) return Meta{};
  absl::StatusOr<Meta> meta = DecodeMeta(**bytes);
  if (!meta.ok()) return meta.status();
  if (absl::Status s = CheckFormat(*meta, store_->path()); !s.ok()) return s;
  return meta;
}

absl::StatusOr<std::optional<std::string_view>> Snapshot::Get(Dbi dbi, std::string_view key) const {
  if (txn_ == nullptr) return absl::FailedPreconditionError("the snapshot has ended");
  if (key.empty()) return std::nullopt;
  MDB_val k = Val(key);
  MDB_val v;
  const int rc = mdb_get(txn_, store_->dbis_[static_cast<int>(dbi)], &k, &v);
  if (rc == MDB_NOTFOUND) return std::nullopt;
  if (rc != MDB_SUCCESS) return LmdbStatus(rc, "reading a key");
  return View(v);
}

absl::StatusOr<Cursor> Snapshot::OpenCursor(Dbi dbi) const {
  if (txn_ == nullptr) return absl::FailedPreconditionError("the snapshot has ended");
  MDB_cursor* cursor = nullptr;
  const int rc = mdb_cursor_open(txn_, store_->dbis_[static_cast<int>(dbi)], &cursor);
  if (rc != MDB_SUCCESS) return LmdbStatus(rc, "opening a cursor");
  return Cursor(cursor);
}

absl::StatusOr<AttrStats> Snapshot::Stats(uint64_t attr) const {
  std::string key;
  PutU64(&key, attr);
  absl::StatusOr<std::optional<std::string_view>> bytes = Get(Dbi::kStats, key);
  if (!bytes.ok()) return bytes.status();
  AttrStats stats;
  if (!bytes->has_value()) return stats;
  if ((*bytes)->size() != kStatsBytes) return absl::DataLossError("malformed stats entry");
  stats.datoms = GetU64((*bytes)->data());
  stats.distinct_values = GetU64((*bytes)->data() + 8);
  return stats;
}

absl::StatusOr<std::string_view> Snapshot::FullValue(std::string_view v_in_key) const {
  if (v_in_key.size() <= kMaxInlineValue) return v_in_key;
  if (v_in_key.size() != kLongValueRef) {
    return absl::DataLossError(
        absl::StrCat("an in-key value of ", v_in_key.size(), " bytes is neither short nor long"));
  }
  absl::StatusOr<std::optional<std::string_view>> full =
      Get(Dbi::kVals, v_in_key.substr(kMaxInlineValue));
  if (!full.ok()) return full.status();
  if (!full->has_value()) {
    return absl::DataLossError(absl::StrCat(
        "long value ", GetU64(v_in_key.data() + kMaxInlineValue), " is missing from vals"));
  }
  return **full;
}

absl::StatusOr<std::optional<std::string>> Snapshot::KeyValue(std::string_view full) const {
  if (full.size() <= kMaxInlineValue) return std::string(full);
  if (txn_ == nullptr) return absl::FailedPreconditionError("the snapshot has ended");
  absl::StatusOr<std::optional<uint64_t>> id =
      ProbeLongValue(txn_, store_->dbis_[static_cast<int>(Dbi::kVals)], full, /*insert=*/false);
  if (!id.ok()) return id.status();
  if (!id->has_value()) return std::nullopt;
  std::string v;
  AppendLongValueRef(full, **id, &v);
  return v;
}

// ---- WriteTxn ---------------------------------------------------------------

WriteTxn::WriteTxn(const Store* store, std::unique_ptr<Node> node)
    : Snapshot(store, node->txn, /*owned=*/false), node_(std::move(node)) {
  node_->owner = this;
}

WriteTxn::WriteTxn(WriteTxn&& other) noexcept
    : Snapshot(std::move(other)), node_(std::move(other.node_)) {
  if (node_) node_->owner = this;
}

WriteTxn& WriteTxn::operator=(WriteTxn&& other) noexcept {
  if (this != &other) {
    Abort();
    Snapshot::operator=(std::move(other));
    // Only the Snapshot part of `other` was moved from.
    node_ = std::move(other.node_);  // NOLINT(bugprone-use-after-move)
    if (node_) node_->owner = this;
  }
  return *this;
}

WriteTxn::~WriteTxn() { Abort(); }

absl::Status WriteTxn::End(bool commit) {
  if (!node_ || node_->ended) {
    if (!commit) return absl::OkStatus();
    return absl::FailedPreconditionError("the write transaction has already ended");
  }
  if (commit && node_->child != nullptr) {
    return absl::FailedPreconditionError(
        "committing a write transaction while its nested transaction is open");
  }
  // LMDB ends the open nested transactions with this one; mark them ended.
  for (Node* c = std::exchange(node_->child, nullptr); c != nullptr;) {
    c->ended = true;
    c->parent = nullptr;
    if (c->owner != nullptr) c->owner->txn_ = nullptr;
    c = std::exchange(c->child, nullptr);
  }
  MDB_txn* txn = node_->txn;
  int rc = MDB_SUCCESS;
  if (commit) {
    rc = mdb_txn_commit(txn);
  } else {
    mdb_txn_abort(txn);
  }
  node_->ended = true;
  txn_ = nullptr;
  if (node_->parent != nullptr) node_->parent->child = nullptr;
  node_->parent = nullptr;
  RemoveActiveWrite(txn);
  if (node_->top) store_->impl_->Exit(node_->holder, nullptr);
  return LmdbStatus(rc, "committing a write transaction");
}

absl::Status WriteTxn::Commit() { return End(/*commit=*/true); }

void WriteTxn::Abort() { End(/*commit=*/false).IgnoreError(); }

absl::StatusOr<WriteTxn> WriteTxn::BeginNested() {
  if (!node_ || node_->ended) {
    return absl::FailedPreconditionError("the write transaction has ended");
  }
  if (node_->child != nullptr) {
    return absl::FailedPreconditionError("a nested transaction is already open");
  }
  MDB_txn* child = nullptr;
  const int rc = mdb_txn_begin(store_->env_, node_->txn, 0, &child);
  if (rc != MDB_SUCCESS) return LmdbStatus(rc, "beginning a nested transaction");
  auto node = std::make_unique<Node>();
  node->txn = child;
  node->parent = node_.get();
  node_->child = node.get();
  t_active_writes.push_back({store_, child});
  return WriteTxn(store_, std::move(node));
}

absl::Status WriteTxn::Put(Dbi dbi, std::string_view key, std::string_view value) {
  if (!node_ || node_->ended)
    return absl::FailedPreconditionError("the write transaction has ended");
  MDB_val k = Val(key);
  MDB_val v = Val(value);
  return LmdbStatus(mdb_put(txn_, store_->dbis_[static_cast<int>(dbi)], &k, &v, 0),
                    "writing a key");
}

absl::Status WriteTxn::Delete(Dbi dbi, std::string_view key) {
  if (!node_ || node_->ended)
    return absl::FailedPreconditionError("the write transaction has ended");
  MDB_val k = Val(key);
  const int rc = mdb_del(txn_, store_->dbis_[static_cast<int>(dbi)], &k, nullptr);
  if (rc == MDB_NOTFOUND) return absl::OkStatus();
  return LmdbStatus(rc, "deleting a key");
}

absl::Status WriteTxn::ApplyTx(int64_t t, std::span<const DatomWrite> datoms,
                               const Meta& meta_after) {
  if (!node_ || node_->ended)
    return absl::FailedPreconditionError("the write transaction has ended");
  if (t < 0) return absl::InvalidArgumentError(absl::StrCat("transaction t ", t, " is negative"));
  IndexWriter writer(txn_, store_->dbis_, t);
  std::vector<uint64_t> closed_tx_a(datoms.size(), 0);
  for (size_t i = 0; i < datoms.size(); ++i) {
    if (datoms[i].added) continue;
    if (absl::Status s = writer.Retract(datoms[i], &closed_tx_a[i]); !s.ok()) return s;
  }
  if (absl::Status s = writer.AssertAll(datoms); !s.ok()) return s;
  if (absl::Status s = writer.WriteStats(); !s.ok()) return s;

  std::string record;
  EncodeLogRecord(t, datoms, closed_tx_a, &record);
  const std::string log_key = LogKey(t);
  MDB_val k = Val(log_key);
  MDB_val v = Val(record);
  // t grows, so the log is always appended to (full pages, no search).
  const int rc = mdb_put(txn_, store_->dbis_[static_cast<int>(Dbi::kLog)], &k, &v, MDB_APPEND);
  if (rc == MDB_KEYEXIST) {
    return absl::InternalError(
        absl::StrCat("the log already holds transaction t ", t, " or later"));
  }
  if (rc != MDB_SUCCESS) return LmdbStatus(rc, "writing the log");
  return Put(Dbi::kMeta, kMetaKey, EncodeMeta(meta_after));
}

}  // namespace accrete::internal
