// The writer workload of the reliability tests: a schema with every kind of
// datom the store keeps differently (refs, cardinality many, a unique
// identity, tuples, long values, a :db/noHistory attribute, attributes added
// on the fly), and transactions built from a sequence number so that a
// checker can tell whether one is whole.
//
// Every transaction carries its own checksum on the transaction entity:
// :crash/seq is its sequence number and :crash/sum the sum of the :item/n
// values it asserts. :item/n values are unique (seq * 100000 + k), so an
// upsert never makes one redundant, and a transaction visible only in part
// shows a sum that does not match. Each transaction also upserts the
// "counter" item with :crash/last = seq, so as_of(t) of the counter names
// the transaction at t.
#ifndef ACCRETE_TESTS_RELIABILITY_WORKLOAD_HPP_
#define ACCRETE_TESTS_RELIABILITY_WORKLOAD_HPP_

#include <algorithm>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "accrete/accrete.hpp"

namespace accrete::reliability {

inline constexpr const char* kSchema = R"([
  {:db/ident :item/sku :db/valueType :db.type/string :db/cardinality :db.cardinality/one
   :db/unique :db.unique/identity}
  {:db/ident :item/n :db/valueType :db.type/long :db/cardinality :db.cardinality/one}
  {:db/ident :item/tags :db/valueType :db.type/keyword :db/cardinality :db.cardinality/many}
  {:db/ident :item/parent :db/valueType :db.type/ref :db/cardinality :db.cardinality/one}
  {:db/ident :item/pair :db/valueType :db.type/tuple :db/tupleTypes [:db.type/long :db.type/string]
   :db/cardinality :db.cardinality/one}
  {:db/ident :item/blob :db/valueType :db.type/string :db/cardinality :db.cardinality/one}
  {:db/ident :item/scratch :db/valueType :db.type/string :db/cardinality :db.cardinality/one
   :db/noHistory true}
  {:db/ident :crash/seq :db/valueType :db.type/long :db/cardinality :db.cardinality/one
   :db/unique :db.unique/value}
  {:db/ident :crash/sum :db/valueType :db.type/long :db/cardinality :db.cardinality/one}
  {:db/ident :crash/last :db/valueType :db.type/long :db/cardinality :db.cardinality/one}
])";

inline Value K(std::string_view name) { return Value::Keyword(name); }

// A string of `n` bytes that differs for every (seed, n), so long values are
// not all one entry of `vals`.
inline std::string Filler(uint64_t seed, size_t n) {
  std::string s(n, 'x');
  std::mt19937_64 rng(seed);
  for (size_t i = 0; i < n; i += 8) s[i] = static_cast<char>('a' + rng() % 26);
  return s;
}

struct Workload {
  // Upper bounds, so that CI rounds stay short and a local run can go big.
  int max_entities = 400;       // entities in a "large" transaction
  size_t max_blob = 256 << 10;  // bytes of the largest long value
  // An attribute installed by an earlier schema change that is known to be
  // committed ("dyn/a12"), or empty.
  std::string dynamic_attribute;
};

// The kind of transaction `seq` is (MakeTx): 2 is a schema change that
// installs :dyn/a<seq>.
inline int TxKind(int64_t seq) {
  std::mt19937_64 rng(static_cast<uint64_t>(seq) * 7919 + 17);
  return static_cast<int>(rng() % 10);
}

// The transaction with sequence number `seq`. The kind (small, large, long
// values, retractions, schema change, tuple) follows from `seq`, the rest from
// an rng seeded with it. [retract_e retract_tag] is a current :item/tags
// datom the writer may retract (retract_e = 0: none).
inline Value MakeTx(int64_t seq, const Workload& w, int64_t retract_e = 0,
                    const Value& retract_tag = Value()) {
  std::mt19937_64 rng(static_cast<uint64_t>(seq) * 7919 + 17);
  std::vector<Value> forms;
  int64_t sum = 0;
  int k = 0;
  auto next_n = [&] {
    const int64_t n = seq * 100000 + k++;
    sum += n;
    return n;
  };
  auto item = [&](std::string sku) {
    std::vector<MapEntry> m{{K("item/sku"), Value(sku)}, {K("item/n"), Value(next_n())}};
    return m;
  };
  const int kind = static_cast<int>(rng() % 10);  // TxKind(seq)
  if (kind == 0) {                                // large: many new entities, refs between them
    const int n = 1 + static_cast<int>(rng() % static_cast<uint64_t>(w.max_entities));
    for (int i = 0; i < n; ++i) {
      auto m = item("L" + std::to_string(seq) + "-" + std::to_string(i));
      m.emplace_back(K("db/id"), Value("e" + std::to_string(i)));
      if (i > 0) m.emplace_back(K("item/parent"), Value("e" + std::to_string(i / 2)));
      forms.push_back(Value::Map(std::move(m)));
    }
  } else if (kind == 1) {  // long values, one in the noHistory attribute
    auto m = item("B" + std::to_string(rng() % 50));
    const size_t size = 201 + rng() % std::max<size_t>(1, w.max_blob - 200);
    m.emplace_back(K("item/blob"), Value(Filler(static_cast<uint64_t>(seq), size)));
    m.emplace_back(K("item/scratch"), Value(Filler(static_cast<uint64_t>(seq) + 1, 300)));
    forms.push_back(Value::Map(std::move(m)));
  } else if (kind == 2) {  // a schema change
    forms.push_back(Value::Map({{K("db/ident"), K("dyn/a" + std::to_string(seq))},
                                {K("db/valueType"), K("db.type/long")},
                                {K("db/cardinality"), K("db.cardinality/one")}}));
    forms.push_back(Value::Map(item("S" + std::to_string(seq))));
  } else if (kind == 3 && !w.dynamic_attribute.empty()) {  // use an attribute added earlier
    auto m = item("D" + std::to_string(rng() % 20));
    m.emplace_back(K(w.dynamic_attribute), Value(static_cast<int64_t>(rng() % 1000)));
    forms.push_back(Value::Map(std::move(m)));
  } else if (kind == 4 && retract_e != 0) {  // an explicit retraction
    forms.push_back(
        Value::Vector({K("db/retract"), Value(retract_e), K("item/tags"), retract_tag}));
    forms.push_back(Value::Map(item("R" + std::to_string(seq))));
  } else {  // small: updates of existing items (upserts), tags, tuples
    const int n = 1 + static_cast<int>(rng() % 3);
    const uint64_t first = rng() % 200;
    for (int i = 0; i < n; ++i) {
      auto m = item("I" + std::to_string((first + 67 * static_cast<uint64_t>(i)) % 200));
      m.emplace_back(K("item/tags"), K("t" + std::to_string(rng() % 8)));
      m.emplace_back(K("item/pair"), Value::Vector({Value(static_cast<int64_t>(rng() % 100)),
                                                    Value("p" + std::to_string(rng() % 5))}));
      m.emplace_back(K("item/scratch"), Value("s" + std::to_string(seq)));
      forms.push_back(Value::Map(std::move(m)));
    }
  }
  forms.push_back(Value::Map({{K("item/sku"), Value("counter")}, {K("crash/last"), Value(seq)}}));
  forms.push_back(Value::Map({{K("db/id"), Value("datomic.tx")},
                              {K("crash/seq"), Value(seq)},
                              {K("crash/sum"), Value(sum)}}));
  return Value::Vector(std::move(forms));
}

// An order-independent digest of a transaction's datoms (FNV-1a over each
// datom's text, combined by sum), so a tx report and the log can be compared.
inline uint64_t Digest(const std::vector<Datom>& datoms) {
  uint64_t total = 0;
  for (const Datom& d : datoms) {
    uint64_t h = 0xcbf29ce484222325ULL;
    for (unsigned char c : d.to_string()) h = (h ^ c) * 0x100000001b3ULL;
    total += h;
  }
  return total;
}

}  // namespace accrete::reliability

#endif  // ACCRETE_TESTS_RELIABILITY_WORKLOAD_HPP_
