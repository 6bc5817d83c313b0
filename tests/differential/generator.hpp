// The generator of the differential test: from a seed, a random schema, a
// few transactions of random facts (with retractions, so the current db is
// not the whole history) and random queries over them, each printed twice:
// as Datomic text for accrete and as DataScript text for its JS API (which
// names attributes by strings and has no keyword values).
//
// Deterministic: the same seed gives the same case on every platform (the
// generator draws from a std::mt19937_64 with its own range reduction, not
// from the implementation-defined std distributions).
//
// Entities are named by labels ("e12") in the generated data; each side
// resolves labels to its own entity ids as it transacts, and results are
// compared by label, never by raw id.
#ifndef ACCRETE_TESTS_DIFFERENTIAL_GENERATOR_HPP_
#define ACCRETE_TESTS_DIFFERENTIAL_GENERATOR_HPP_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace accrete::differential {

enum class Type { kString, kLong, kDouble, kKeyword, kRef };

struct Attr {
  std::string name;  // "d/a1": the keyword :d/a1 for accrete, the string "d/a1" for DataScript
  Type type = Type::kString;
  bool many = false;
  bool unique = false;  // :db.unique/identity
};

// A value in the data or a constant in a query. Keywords are kept without
// the colon; a ref holds the label of the entity it points to.
struct Val {
  Type type = Type::kLong;
  int64_t i = 0;
  double d = 0;
  std::string s;
};

struct Op {
  enum Kind { kAdd, kRetract, kRetractEntity } kind = kAdd;
  std::string e;  // label
  int attr = -1;
  Val v;
};

// How a column of a result is compared.
enum class Column {
  kEntity,  // an entity id: compared by label
  kValue,   // a scalar (numbers compare by value, long or double)
  kPull,    // a pull map
};

struct GenQuery {
  std::string accrete;     // Datomic query text
  std::string datascript;  // the same query for DataScript's JS API
  // Inputs after `$`, in :in order, each as accrete EDN and as a JSON value
  // for node (the rules are the EDN string of the rules in both cases).
  std::vector<std::string> inputs_edn;
  std::vector<std::string> inputs_json;
  std::vector<Column> columns;
  enum class Shape { kRelation, kCollection, kScalar } shape = Shape::kRelation;
};

struct Case {
  uint64_t seed = 0;
  std::vector<Attr> attrs;  // attrs[0] is the unique :d/name
  std::vector<std::vector<Op>> txs;
  std::vector<GenQuery> queries;

  // The schema transaction for accrete.
  std::string SchemaEdn() const;
  // Transaction `i` for accrete; labels already transacted resolve through
  // `ids`, the others are tempids (their label).
  std::string TxEdn(size_t i, const std::map<std::string, int64_t>& ids) const;
  // The whole case as JSON for run.js: schema, transactions, queries.
  std::string Json() const;
};

// Generates the case of `seed` with `num_queries` queries.
Case Generate(uint64_t seed, int num_queries);

// A double as EDN prints it, always with a '.' so that it reads back as a
// double ("2.0", "1.25").
std::string DoubleText(double d);
// A string as a quoted EDN/JSON string literal.
std::string Quoted(const std::string& s);

}  // namespace accrete::differential

#endif  // ACCRETE_TESTS_DIFFERENTIAL_GENERATOR_HPP_
