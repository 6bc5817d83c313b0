// The process-wide intern table of keyword and symbol names.
#include <array>
#include <cstdint>
#include <mutex>
#include <shared_mutex>

#include "absl/container/flat_hash_map.h"
#include "absl/hash/hash.h"
#include "edn/heap_block.hpp"

namespace accrete::internal {
namespace {

class InternTable {
 public:
  explicit InternTable(Kind kind) : kind_(kind) {}

  const NameEntry* Intern(std::string_view qualified) {
    {
      std::shared_lock lock(mu_);
      auto it = entries_.find(qualified);
      if (it != entries_.end()) return it->second;
    }
    std::lock_guard lock(mu_);
    auto it = entries_.find(qualified);
    if (it != entries_.end()) return it->second;
    auto* entry = new NameEntry;
    entry->kind = kind_;
    entry->qualified = std::string(qualified);
    // "/" alone is a name, not a namespace separator; otherwise the first '/'
    // separates namespace and name, as in Clojure.
    size_t slash = qualified.find('/');
    if (qualified.size() > 1 && slash != std::string_view::npos) entry->slash = slash;
    entry->hash = absl::HashOf(this, qualified);
    // The key views the entry's own string, which never moves: the entry is
    // heap-allocated and never freed.
    entries_.emplace(std::string_view(entry->qualified), entry);
    return entry;
  }

 private:
  const Kind kind_;
  // std::shared_mutex rather than absl::Mutex: ThreadSanitizer understands
  // pthread locks, and not those of an uninstrumented absl library (the
  // Debian package), which made every concurrent intern a false race.
  std::shared_mutex mu_;
  absl::flat_hash_map<std::string_view, const NameEntry*> entries_;  // guarded by mu_
};

// Leaked on purpose: Values in static storage may outlive any destructor.
InternTable& Table(Kind kind) {
  static InternTable* keywords = new InternTable(Kind::kKeyword);
  static InternTable* symbols = new InternTable(Kind::kSymbol);
  return kind == Kind::kKeyword ? *keywords : *symbols;
}

}  // namespace

// A small per-thread, direct-mapped cache in front of the shared table: the
// same few keywords recur throughout a transaction or query, and a hit costs
// no lock. Entries are never freed, so cached pointers stay valid.
const NameEntry* InternName(Kind kind, std::string_view qualified_name) {
  constexpr size_t kSlots = 512;
  thread_local std::array<const NameEntry*, kSlots> cache{};
  uint32_t h = kind == Kind::kKeyword ? 2166136261u : 16777619u;  // FNV-1a
  for (char c : qualified_name) h = (h ^ static_cast<unsigned char>(c)) * 16777619u;
  const NameEntry*& slot = cache[h % kSlots];
  if (slot != nullptr && slot->kind == kind && slot->qualified == qualified_name) return slot;
  slot = Table(kind).Intern(qualified_name);
  return slot;
}

}  // namespace accrete::internal
