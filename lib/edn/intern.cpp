// The process-wide intern table of keyword and symbol names.
#include <new>

#include "absl/container/flat_hash_map.h"
#include "absl/hash/hash.h"
#include "absl/synchronization/mutex.h"
#include "edn/heap_block.hpp"

namespace accrete::internal {
namespace {

class InternTable {
 public:
  const NameEntry* Intern(std::string_view qualified) {
    {
      absl::ReaderMutexLock lock(&mu_);
      auto it = entries_.find(qualified);
      if (it != entries_.end()) return it->second;
    }
    absl::MutexLock lock(&mu_);
    auto it = entries_.find(qualified);
    if (it != entries_.end()) return it->second;
    auto* entry = new NameEntry;
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
  absl::Mutex mu_;
  absl::flat_hash_map<std::string_view, const NameEntry*> entries_ ABSL_GUARDED_BY(mu_);
};

// Leaked on purpose: Values in static storage may outlive any destructor.
InternTable& Table(Kind kind) {
  static InternTable* keywords = new InternTable;
  static InternTable* symbols = new InternTable;
  return kind == Kind::kKeyword ? *keywords : *symbols;
}

}  // namespace

const NameEntry* InternName(Kind kind, std::string_view qualified_name) {
  return Table(kind).Intern(qualified_name);
}

}  // namespace accrete::internal
