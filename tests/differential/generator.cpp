// The differential test's generator: random schema, data and queries.
//
// Every corner where Datomic and DataScript are known to answer differently
// is kept out of the generated queries or data (docs/query.md, "Differences
// from DataScript", lists them); each such choice below says "Avoided:".
#include "generator.hpp"

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <deque>
#include <random>
#include <set>
#include <utility>

#include "edn/str_cat.hpp"

namespace accrete::differential {
namespace {

using internal::Cat;

// mt19937_64 with a fixed reduction: the same numbers on every stdlib.
class Rng {
 public:
  explicit Rng(uint64_t seed) : g_(seed * 0x9E3779B97F4A7C15ull + 1) {}
  // In [lo, hi].
  int Int(int lo, int hi) {
    return lo + static_cast<int>(g_() % static_cast<uint64_t>(hi - lo + 1));
  }
  bool Chance(int percent) { return static_cast<int>(g_() % 100) < percent; }
  template <typename T>
  const T& Pick(const std::vector<T>& v) {
    return v[static_cast<size_t>(Int(0, static_cast<int>(v.size()) - 1))];
  }

 private:
  std::mt19937_64 g_;
};

// Value domains are small so that joins on values and predicates hit.
constexpr int kLongs = 16;    // 0..15
constexpr int kStrings = 8;   // "s0".."s7"
constexpr int kKeywords = 5;  // :k/v0..:k/v4
// Avoided: inexact double sums. Doubles are multiples of 0.25 below 8, so
// every sum is exact whatever order either side adds in.
constexpr int kDoubles = 32;

Val RandomScalar(Rng& rng, Type type) {
  Val v;
  v.type = type;
  switch (type) {
    case Type::kLong:
      v.i = rng.Int(0, kLongs - 1);
      break;
    case Type::kDouble:
      v.d = rng.Int(0, kDoubles - 1) * 0.25;
      break;
    case Type::kString:
      // Avoided: string order. DataScript compares JS strings by UTF-16
      // code unit, Datomic by code point; ASCII strings order alike.
      v.s = Cat("s", rng.Int(0, kStrings - 1));
      break;
    case Type::kKeyword:
      v.s = Cat("k/v", rng.Int(0, kKeywords - 1));
      break;
    case Type::kRef:
      break;
  }
  return v;
}

bool SameVal(const Val& a, const Val& b) {
  return a.type == b.type && a.i == b.i && a.d == b.d && a.s == b.s;
}

// A value as accrete's EDN, refs resolved through `ids` (or left as the
// tempid, the label itself).
std::string EdnOf(const Val& v, const std::map<std::string, int64_t>& ids) {
  switch (v.type) {
    case Type::kLong:
      return std::to_string(v.i);
    case Type::kDouble:
      return DoubleText(v.d);
    case Type::kString:
      return Quoted(v.s);
    case Type::kKeyword:
      return Cat(":", v.s);
    case Type::kRef: {
      auto it = ids.find(v.s);
      return it != ids.end() ? std::to_string(it->second) : Quoted(v.s);
    }
  }
  return "nil";
}

// A constant as it appears in query text. Avoided: keyword values. The JS
// API transacts values as given, so DataScript holds a keyword value as the
// string ":k/v0" and the query must say ":k/v0" as a string; results are
// compared with accrete's keywords printed the same way. Keywords are never
// ordered (no < or min/max), since keyword and string orders differ.
std::string ConstText(const Val& v, bool ds) {
  if (v.type == Type::kKeyword) return ds ? Quoted(Cat(":", v.s)) : Cat(":", v.s);
  return EdnOf(v, {});
}

std::string JsonOf(const Val& v) {
  switch (v.type) {
    case Type::kKeyword:
      return Quoted(Cat(":", v.s));
    case Type::kRef:
      return Cat("{\"ref\":", Quoted(v.s), "}");
    default:
      return EdnOf(v, {});
  }
}

// ---------------------------------------------------------------------------
// Data

// The current state, kept to retract facts that exist and to refer only to
// live entities.
struct Model {
  std::vector<std::string> live;                                 // labels
  std::map<std::string, std::map<int, std::vector<Val>>> facts;  // e -> attr -> values
  int next_label = 0;

  void Kill(const std::string& e) {
    live.erase(std::find(live.begin(), live.end(), e));
    facts.erase(e);
    for (auto& [_, attrs] : facts) {
      for (auto& [a, values] : attrs) {
        std::erase_if(values, [&](const Val& v) { return v.type == Type::kRef && v.s == e; });
      }
    }
  }
};

std::vector<Attr> RandomSchema(Rng& rng) {
  std::vector<Attr> attrs;
  attrs.push_back({"d/name", Type::kString, false, true});
  const int n = rng.Int(3, 6);
  for (int i = 1; i <= n; ++i) {
    Attr a;
    a.name = Cat("d/a", i);
    a.type = static_cast<Type>(rng.Int(0, 4));
    a.many = rng.Chance(35);
    attrs.push_back(a);
  }
  // Most schemas get a ref attribute, for rules, reverse joins and nested pull.
  if (rng.Chance(80) && std::none_of(attrs.begin(), attrs.end(),
                                     [](const Attr& a) { return a.type == Type::kRef; })) {
    attrs.push_back({Cat("d/a", n + 1), Type::kRef, rng.Chance(50), false});
  }
  return attrs;
}

class DataGen {
 public:
  DataGen(Rng& rng, const std::vector<Attr>& attrs) : rng_(rng), attrs_(attrs) {}

  // How many entities Generate() made.
  int labels() const { return model_.next_label; }

  std::vector<std::vector<Op>> Generate() {
    std::vector<std::vector<Op>> txs;
    // The first transaction creates most entities; refs point anywhere in it.
    const int n = rng_.Int(60, 140);
    std::vector<std::string> fresh;
    for (int i = 0; i < n; ++i) fresh.push_back(NewLabel());
    for (const auto& e : fresh) model_.live.push_back(e);
    std::vector<Op> first;
    for (const auto& e : fresh) AddEntity(e, &first);
    txs.push_back(std::move(first));
    // Then a few transactions of changes, so the current db is not history.
    const int later = rng_.Int(2, 3);
    for (int t = 0; t < later; ++t) txs.push_back(Changes());
    return txs;
  }

 private:
  std::string NewLabel() { return Cat("e", model_.next_label++); }

  // Avoided: two values of a cardinality-one attribute for one entity in one
  // transaction (Datomic rejects it, DataScript keeps the last).
  bool Touch(const std::string& e, int a) { return touched_.insert({e, a}).second; }

  void Add(const std::string& e, int a, const Val& v, std::vector<Op>* tx) {
    auto& values = model_.facts[e][a];
    if (attrs_[a].many) {
      if (std::any_of(values.begin(), values.end(), [&](const Val& x) { return SameVal(x, v); }))
        return;
      values.push_back(v);
    } else {
      values = {v};
    }
    tx->push_back({Op::kAdd, e, a, v});
  }

  // A value for attribute `a` of entity `e`.
  Val RandomValue(const std::string& e, int a) {
    if (attrs_[a].type != Type::kRef) return RandomScalar(rng_, attrs_[a].type);
    Val v;
    v.type = Type::kRef;
    // Refs mostly point to older entities: a sparse, mostly acyclic graph
    // whose transitive closure stays small (DataScript evaluates recursive
    // rules far more slowly than accrete, and the test must stay fast); a
    // few point anywhere, so that rules still meet cycles.
    const bool anywhere = rng_.Chance(4);
    for (int tries = 0;; ++tries) {
      v.s = rng_.Pick(model_.live);
      if (dying_.count(v.s)) continue;
      if (anywhere || tries > 50 || LabelNumber(v.s) < LabelNumber(e)) break;
    }
    referenced_.insert(v.s);
    return v;
  }
  static int LabelNumber(const std::string& label) { return std::atoi(label.c_str() + 1); }

  void AddEntity(const std::string& e, std::vector<Op>* tx) {
    Val name;
    name.type = Type::kString;
    name.s = Cat("n", e.substr(1));  // unique: "n12" for e12
    Touch(e, 0);
    Add(e, 0, name, tx);
    for (int a = 1; a < static_cast<int>(attrs_.size()); ++a) {
      if (!rng_.Chance(60)) continue;
      Touch(e, a);
      const int count = attrs_[a].many ? rng_.Int(1, 3) : 1;
      for (int k = 0; k < count; ++k) Add(e, a, RandomValue(e, a), tx);
    }
  }

  std::vector<Op> Changes() {
    std::vector<Op> tx;
    touched_.clear();
    dying_.clear();
    referenced_.clear();
    const int ops = rng_.Int(20, 60);
    for (int k = 0; k < ops; ++k) {
      const int what = rng_.Int(0, 99);
      if (what < 40) {
        Retract(&tx);
      } else if (what < 75) {
        const std::string& e = LiveTarget();
        const int a = rng_.Int(1, static_cast<int>(attrs_.size()) - 1);
        if (dying_.count(e) || !Touch(e, a)) continue;
        Add(e, a, RandomValue(e, a), &tx);
      } else if (what < 95) {
        const std::string e = NewLabel();
        model_.live.push_back(e);
        dying_.insert(e);  // not a ref target until it exists
        AddEntity(e, &tx);
        dying_.erase(e);
      } else {
        RetractEntity(&tx);
      }
    }
    return tx;
  }

  const std::string& LiveTarget() { return rng_.Pick(model_.live); }

  void Retract(std::vector<Op>* tx) {
    const std::string e = LiveTarget();
    if (dying_.count(e)) return;
    auto& attrs = model_.facts[e];
    std::vector<int> candidates;
    for (const auto& [a, values] : attrs) {
      if (a != 0 && !values.empty()) candidates.push_back(a);  // names stay
    }
    if (candidates.empty()) return;
    const int a = rng_.Pick(candidates);
    if (!Touch(e, a)) return;
    auto& values = attrs[a];
    const size_t i = static_cast<size_t>(rng_.Int(0, static_cast<int>(values.size()) - 1));
    tx->push_back({Op::kRetract, e, a, values[i]});
    values.erase(values.begin() + static_cast<std::ptrdiff_t>(i));
  }

  // Retracts a whole entity that nothing else in this transaction mentions.
  void RetractEntity(std::vector<Op>* tx) {
    if (model_.live.size() < 20) return;
    const std::string e = LiveTarget();
    if (referenced_.count(e) || dying_.count(e)) return;
    for (const auto& t : touched_) {
      if (t.first == e) return;
    }
    dying_.insert(e);
    tx->push_back({Op::kRetractEntity, e, -1, {}});
    model_.Kill(e);
  }

  Rng& rng_;
  const std::vector<Attr>& attrs_;
  Model model_;
  std::set<std::pair<std::string, int>> touched_;  // this transaction's (e, a)
  std::set<std::string> dying_;                    // retracted in this transaction
  std::set<std::string> referenced_;               // ref targets in this transaction
};

// ---------------------------------------------------------------------------
// Queries

struct Term {
  enum Kind { kVar, kConst, kBlank } kind = kVar;
  std::string var;
  Val c;
};

Term V(std::string name) { return {Term::kVar, std::move(name), {}}; }
Term C(Val v) { return {Term::kConst, "", std::move(v)}; }
Term Blank() { return {Term::kBlank, "", {}}; }

struct Clause {
  enum Kind { kPattern, kPred, kFn, kNot, kNotJoin, kOr, kOrJoin, kAnd, kRule } kind = kPattern;
  std::vector<Term> terms;  // pattern: e, v; pred, fn and rule: arguments
  int attr = -1;
  std::string op;                 // predicate, function or rule name
  std::string out;                // the variable a function binds
  std::vector<std::string> join;  // not-join / or-join variables
  std::vector<Clause> body;       // not / or branches / and
};

Clause Pattern(Term e, int attr, Term v) {
  Clause c;
  c.attr = attr;
  c.terms = {std::move(e), std::move(v)};
  return c;
}

struct PullItem {
  enum Kind { kAttr, kNested, kReverse, kStar } kind = kAttr;
  int attr = 0;  // kNested: {:ref [:d/name]}; kReverse: {:d/_ref [:d/name]}
};

struct FindElem {
  enum Kind { kVar, kAggregate, kPull } kind = kVar;
  std::string var;
  std::string aggregate;
  std::vector<PullItem> pull;
};

struct Var {
  std::string name;
  Type type;  // kRef: an entity
};

class Printer {
 public:
  Printer(const std::vector<Attr>& attrs, bool ds) : attrs_(attrs), ds_(ds) {}

  std::string Name(int a) const { return ds_ ? Quoted(attrs_[a].name) : Cat(":", attrs_[a].name); }

  std::string Of(const Term& t) const {
    switch (t.kind) {
      case Term::kVar:
        return t.var;
      case Term::kConst:
        return ConstText(t.c, ds_);
      case Term::kBlank:
        return "_";
    }
    return "_";
  }

  std::string Of(const Clause& c) const {
    switch (c.kind) {
      case Clause::kPattern:
        return Cat("[", Of(c.terms[0]), " ", Name(c.attr), " ", Of(c.terms[1]), "]");
      case Clause::kPred:
        return Cat("[(", c.op, Args(c.terms, c.attr), ")]");
      case Clause::kFn:
        return Cat("[(", c.op, Args(c.terms, c.attr), ") ", c.out, "]");
      case Clause::kRule:
        return Cat("(", c.op, Args(c.terms), ")");
      case Clause::kNot:
        return Cat("(not", Body(c.body), ")");
      case Clause::kNotJoin:
        return Cat("(not-join ", Vars(c.join), Body(c.body), ")");
      case Clause::kOr:
        return Cat("(or", Body(c.body), ")");
      case Clause::kOrJoin:
        return Cat("(or-join ", Vars(c.join), Body(c.body), ")");
      case Clause::kAnd:
        return Cat("(and", Body(c.body), ")");
    }
    return "";
  }

  std::string Of(const FindElem& f) const {
    switch (f.kind) {
      case FindElem::kVar:
        return f.var;
      case FindElem::kAggregate:
        return Cat("(", f.aggregate, " ", f.var, ")");
      case FindElem::kPull: {
        std::string pattern;
        for (const PullItem& p : f.pull) {
          if (!pattern.empty()) pattern += " ";
          switch (p.kind) {
            case PullItem::kAttr:
              pattern += Name(p.attr);
              break;
            case PullItem::kNested:
              pattern += Cat("{", Name(p.attr), " [", Name(0), "]}");
              break;
            case PullItem::kReverse: {
              const std::string& n = attrs_[p.attr].name;
              const std::string rev =
                  Cat(n.substr(0, n.find('/') + 1), "_", n.substr(n.find('/') + 1));
              pattern += Cat("{", ds_ ? Quoted(rev) : Cat(":", rev), " [", Name(0), "]}");
              break;
            }
            case PullItem::kStar:
              pattern += "*";
              break;
          }
        }
        return Cat("(pull ", f.var, " [", pattern, "])");
      }
    }
    return "";
  }

 private:
  // A function's arguments; in get-else and missing? the `_` after the
  // entity is where the clause's attribute goes.
  std::string Args(const std::vector<Term>& terms, int attr = -1) const {
    std::string out;
    for (const Term& t : terms)
      out += Cat(" ", attr >= 0 && t.kind == Term::kBlank ? Name(attr) : Of(t));
    return out;
  }
  std::string Body(const std::vector<Clause>& body) const {
    std::string out;
    for (const Clause& c : body) out += Cat(" ", Of(c));
    return out;
  }
  static std::string Vars(const std::vector<std::string>& vars) {
    std::string out = "[";
    for (size_t i = 0; i < vars.size(); ++i) out += Cat(i ? " " : "", vars[i]);
    return out + "]";
  }

  const std::vector<Attr>& attrs_;
  bool ds_;
};

class QueryGen {
 public:
  // `labels`: how many entities the data made (named n0..n<labels-1>).
  QueryGen(Rng& rng, const std::vector<Attr>& attrs, int labels)
      : rng_(rng), attrs_(attrs), labels_(labels) {
    for (int a = 0; a < static_cast<int>(attrs.size()); ++a) {
      if (attrs[a].type == Type::kRef) refs_.push_back(a);
    }
  }

  GenQuery Generate() {
    vars_.clear();
    where_.clear();
    next_var_ = 0;
    value_joins_ = 0;
    rule_attr_ = -1;
    tag_attr_ = -1;
    input_values_.clear();
    input_var_.clear();

    // Rules decided up front: a query with a rule joins at most one more
    // pattern before it. DataScript expands a rule once per binding of the
    // clauses before it and needs minutes (or all of node's heap) on wide
    // intermediate relations that accrete answers in milliseconds.
    const int rules = refs_.empty() ? 0 : rng_.Int(0, 99) < 10 ? 1 : rng_.Int(0, 99) < 25 ? 2 : 0;
    if (rules == 1) {
      // A rule first, with both arguments free: the rule alone binds them.
      RuleClause(/*bound_first=*/false);
    } else {
      FirstPattern();
    }
    const int more = rng_.Int(0, rules ? 1 : 3);
    for (int k = 0; k < more; ++k) JoinPattern();
    if (rng_.Chance(30)) Predicate();
    if (rng_.Chance(20)) Function();
    if (rng_.Chance(12)) GetElseOrMissing();
    if (rng_.Chance(20)) Not();
    if (rng_.Chance(20)) Or();
    if (rules == 2) {
      if (rng_.Chance(60)) {
        RuleClause(/*bound_first=*/true);
      } else {
        TaggedClause();
      }
    }
    if (rng_.Chance(10)) Exists();
    if (rng_.Chance(25)) Predicate();
    return Finish();
  }

 private:
  std::string NewVar() { return Cat("?v", next_var_++); }
  std::string NewLocal() { return Cat("?l", next_var_++); }

  std::vector<const Var*> VarsOf(Type type) const {
    std::vector<const Var*> out;
    for (const Var& v : vars_) {
      if (v.type == type) out.push_back(&v);
    }
    return out;
  }
  const Var* AnyVarOf(Type type) {
    auto vs = VarsOf(type);
    return vs.empty() ? nullptr
                      : vs[static_cast<size_t>(rng_.Int(0, static_cast<int>(vs.size()) - 1))];
  }
  int RandomAttr() { return rng_.Int(0, static_cast<int>(attrs_.size()) - 1); }

  // A constant for attribute `a`: names come from the names given out.
  Val ConstFor(int a) { return a == 0 ? NameConst() : RandomScalar(rng_, attrs_[a].type); }
  Val NameConst() {
    Val v;
    v.type = Type::kString;
    v.s = Cat("n", rng_.Int(0, labels_ - 1));
    return v;
  }

  // A value term for attribute `a`: a constant sometimes, else a new variable.
  Term ValueTerm(int a, int const_percent) {
    if (attrs_[a].type != Type::kRef && rng_.Chance(const_percent)) {
      return C(ConstFor(a));
    }
    std::string v = NewVar();
    vars_.push_back({v, attrs_[a].type});
    return V(v);
  }

  void FirstPattern() {
    const int a = RandomAttr();
    std::string e = NewVar();
    vars_.push_back({e, Type::kRef});
    Term v = ValueTerm(a, 30);
    // Sometimes the constant comes in as a scalar input instead.
    // Or a collection of constants: [?in ...].
    if (v.kind == Term::kConst && rng_.Chance(40)) {
      input_values_ = {v.c};
      input_collection_ = rng_.Chance(50);
      if (input_collection_) {
        for (int k = rng_.Int(0, 2); k > 0; --k) input_values_.push_back(ConstFor(a));
      }
      input_var_ = "?in";
      v = V(input_var_);
    }
    where_.push_back(Pattern(V(e), a, v));
  }

  // A pattern sharing a variable with what is bound so far.
  void JoinPattern() {
    const int a = RandomAttr();
    const Attr& attr = attrs_[a];
    const bool by_value = rng_.Chance(attr.type == Type::kRef ? 40 : 20) && value_joins_ < 1;
    if (by_value) {
      // [?new :a ?bound]: a join on a value (a reverse ref for refs).
      if (const Var* bound = AnyVarOf(attr.type)) {
        if (attr.type != Type::kRef) ++value_joins_;
        std::string e = NewVar();
        Term v = V(bound->name);
        vars_.push_back({e, Type::kRef});
        where_.push_back(Pattern(V(e), a, v));
        return;
      }
    }
    const Var* e = AnyVarOf(Type::kRef);
    Term v;
    const Var* same = AnyVarOf(attr.type);
    if (same && same != e && rng_.Chance(15) && value_joins_ < 1) {
      if (attr.type != Type::kRef) ++value_joins_;
      v = V(same->name);
    } else {
      v = ValueTerm(a, 25);
    }
    where_.push_back(Pattern(V(e->name), a, v));
  }

  // [(op ?x c)] or [(op ?x ?y)] on longs, doubles or strings of one type.
  void Predicate() {
    std::vector<const Var*> candidates;
    for (const Var& v : vars_) {
      // Avoided: comparisons on keywords (ordered as strings by DataScript)
      // and on entity ids (different ids on each side).
      if (v.type == Type::kLong || v.type == Type::kString || v.type == Type::kDouble) {
        candidates.push_back(&v);
      }
    }
    if (candidates.empty()) return;
    const Var* x =
        candidates[static_cast<size_t>(rng_.Int(0, static_cast<int>(candidates.size()) - 1))];
    static const std::vector<std::string> kOps = {"<", ">", "<=", ">=", "=", "!=", "not="};
    Clause c;
    c.kind = Clause::kPred;
    c.op = rng_.Pick(kOps);
    c.terms.push_back(V(x->name));
    const Var* y = AnyVarOf(x->type);
    if (y && y != x && rng_.Chance(40)) {
      c.terms.push_back(V(y->name));
    } else {
      c.terms.push_back(C(
          x->type == Type::kString && rng_.Chance(50) ? NameConst() : RandomScalar(rng_, x->type)));
    }
    if (rng_.Chance(50)) std::swap(c.terms[0], c.terms[1]);
    where_.push_back(std::move(c));
  }

  // [(+ ?x c) ?y], [(- ?x ?z) ?y], [(str ?s "-" ?n) ?t].
  void Function() {
    Clause c;
    c.kind = Clause::kFn;
    Type out_type;
    if (const Var* x = AnyVarOf(Type::kLong); x && rng_.Chance(60)) {
      c.op = rng_.Chance(50) ? "+" : "-";
      c.terms.push_back(V(x->name));
      const Var* y = AnyVarOf(Type::kLong);
      if (y && rng_.Chance(40)) {
        c.terms.push_back(V(y->name));
      } else {
        c.terms.push_back(C(RandomScalar(rng_, Type::kLong)));
      }
      out_type = Type::kLong;
    } else if (const Var* s = AnyVarOf(Type::kString)) {
      // Avoided: str of doubles (Java prints 2.0, JavaScript 2) and of
      // keywords (DataScript holds them as strings).
      c.op = "str";
      c.terms.push_back(V(s->name));
      Val dash;
      dash.type = Type::kString;
      dash.s = "-";
      c.terms.push_back(C(dash));
      if (const Var* n = AnyVarOf(Type::kLong)) c.terms.push_back(V(n->name));
      out_type = Type::kString;
    } else {
      return;
    }
    c.out = NewVar();
    vars_.push_back({c.out, out_type});
    where_.push_back(std::move(c));
  }

  // [(get-else $ ?e :a default) ?x] or [(missing? $ ?e :a)], on a
  // cardinality-one attribute (get-else rejects card-many in Datomic).
  void GetElseOrMissing() {
    const Var* e = AnyVarOf(Type::kRef);
    const int a = RandomAttr();
    if (attrs_[a].many) return;
    Clause c;
    c.terms = {V("$"), V(e->name), Blank()};
    c.attr = a;
    if (attrs_[a].type == Type::kRef || rng_.Chance(40)) {
      c.kind = Clause::kPred;
      c.op = "missing?";
    } else {
      c.kind = Clause::kFn;
      c.op = "get-else";
      c.terms.push_back(C(ConstFor(a)));
      c.out = NewVar();
      vars_.push_back({c.out, attrs_[a].type});
    }
    where_.push_back(std::move(c));
  }

  // (not [?e :a c]), (not [?e :a ?bound]), (not-join [?e] [?e :ref ?l] [?l :a c]),
  // (not [?e :a ?l] [(< ?l c)]).
  void Not() {
    const Var* e = AnyVarOf(Type::kRef);
    Clause c;
    const int a = RandomAttr();
    if (!refs_.empty() && rng_.Chance(35)) {
      c.kind = Clause::kNotJoin;
      c.join = {e->name};
      std::string l = NewLocal();
      c.body.push_back(Pattern(V(e->name), rng_.Pick(refs_), V(l)));
      c.body.push_back(Pattern(V(l), a, LocalValue(a)));
    } else if (attrs_[a].type == Type::kLong && rng_.Chance(40)) {
      c.kind = Clause::kNot;
      std::string l = NewLocal();
      c.body.push_back(Pattern(V(e->name), a, V(l)));
      Clause pred;
      pred.kind = Clause::kPred;
      pred.op = rng_.Chance(50) ? "<" : ">";
      pred.terms = {V(l), C(ConstFor(a))};
      c.body.push_back(std::move(pred));
    } else {
      c.kind = Clause::kNot;
      const Var* same = AnyVarOf(attrs_[a].type);
      Term v = same && same != e && rng_.Chance(30) ? V(same->name) : LocalValue(a);
      c.body.push_back(Pattern(V(e->name), a, v));
    }
    where_.push_back(std::move(c));
  }

  // A constant, `_` or a fresh local variable as the value of `a`.
  Term LocalValue(int a) {
    if (attrs_[a].type != Type::kRef && rng_.Chance(60)) return C(ConstFor(a));
    return rng_.Chance(50) ? Blank() : V(NewLocal());
  }

  void Or() {
    const Var* e = AnyVarOf(Type::kRef);
    Clause c;
    const int branches = rng_.Int(2, 3);
    // (or [?e :a ?x] [?e :b ?x]) binds ?x when two attributes share a type.
    const int a = RandomAttr();
    std::vector<int> same_type;
    for (int b = 0; b < static_cast<int>(attrs_.size()); ++b) {
      if (b != a && attrs_[b].type == attrs_[a].type) same_type.push_back(b);
    }
    if (!same_type.empty() && rng_.Chance(30)) {
      c.kind = Clause::kOr;
      std::string x = NewVar();
      c.body.push_back(Pattern(V(e->name), a, V(x)));
      c.body.push_back(Pattern(V(e->name), rng_.Pick(same_type), V(x)));
      vars_.push_back({x, attrs_[a].type});
      where_.push_back(std::move(c));
      return;
    }
    if (!refs_.empty() && rng_.Chance(40)) {
      c.kind = Clause::kOrJoin;
      c.join = {e->name};
      for (int k = 0; k < branches; ++k) {
        const int b = RandomAttr();
        if (rng_.Chance(50)) {
          Clause both;
          both.kind = Clause::kAnd;
          std::string l = NewLocal();
          both.body.push_back(Pattern(V(e->name), rng_.Pick(refs_), V(l)));
          both.body.push_back(Pattern(V(l), b, LocalValue(b)));
          c.body.push_back(std::move(both));
        } else {
          c.body.push_back(Pattern(V(e->name), b, LocalValue(b)));
        }
      }
    } else {
      // Plain or: every branch has the same variables, just ?e.
      c.kind = Clause::kOr;
      for (int k = 0; k < branches; ++k) {
        const int b = RandomAttr();
        Term v = attrs_[b].type != Type::kRef && rng_.Chance(70) ? C(ConstFor(b)) : Blank();
        c.body.push_back(Pattern(V(e->name), b, v));
      }
    }
    where_.push_back(std::move(c));
  }

  // (reach ?x ?y) over one ref attribute, transitively.
  void RuleClause(bool bound_first) {
    rule_attr_ = rng_.Pick(refs_);
    Clause c;
    c.kind = Clause::kRule;
    c.op = "reach";
    std::string x;
    if (bound_first) {
      x = AnyVarOf(Type::kRef)->name;
    } else {
      x = NewVar();
      vars_.push_back({x, Type::kRef});
    }
    std::string y;
    const Var* other = AnyVarOf(Type::kRef);
    if (bound_first && other && other->name != x && rng_.Chance(25)) {
      y = other->name;
    } else {
      y = NewVar();
      vars_.push_back({y, Type::kRef});
    }
    c.terms = {V(x), V(y)};
    if (rng_.Chance(30)) std::swap(c.terms[0], c.terms[1]);
    where_.push_back(std::move(c));
  }

  // (tagged ?e ?v): ?v is a value of a scalar attribute of ?e or of an
  // entity ?e reaches over the ref attribute: a recursive rule that binds
  // values, with two bodies.
  void TaggedClause() {
    std::vector<int> scalars;
    for (int a = 0; a < static_cast<int>(attrs_.size()); ++a) {
      if (attrs_[a].type != Type::kRef) scalars.push_back(a);
    }
    if (scalars.empty()) return;
    if (rule_attr_ < 0) rule_attr_ = rng_.Pick(refs_);
    tag_attr_ = rng_.Pick(scalars);
    Clause c;
    c.kind = Clause::kRule;
    c.op = "tagged";
    c.terms = {V(AnyVarOf(Type::kRef)->name), ValueTerm(tag_attr_, 40)};
    where_.push_back(std::move(c));
  }

  // [_ :a ?bound]: some entity has this value.
  void Exists() {
    const int a = RandomAttr();
    if (const Var* v = AnyVarOf(attrs_[a].type)) where_.push_back(Pattern(Blank(), a, V(v->name)));
  }

  std::string Rules(bool ds) const {
    Printer p(attrs_, ds);
    const std::string r = p.Name(rule_attr_);
    std::string rules =
        Cat("[[(reach ?a ?b) [?a ", r, " ?b]] [(reach ?a ?b) [?a ", r, " ?t] (reach ?t ?b)]");
    if (tag_attr_ >= 0) {
      const std::string t = p.Name(tag_attr_);
      rules +=
          Cat(" [(tagged ?e ?v) [?e ", t, " ?v]] [(tagged ?e ?v) [?e ", r, " ?t] (tagged ?t ?v)]");
    }
    return rules + "]";
  }

  GenQuery Finish() {
    GenQuery q;
    std::vector<FindElem> find;
    std::vector<std::string> with;
    const int kind = rng_.Int(0, 99);
    if (kind < 55) {
      // Plain variables.
      std::vector<const Var*> pool;
      for (const Var& v : vars_) pool.push_back(&v);
      const int n = std::min<int>(rng_.Int(1, 3), static_cast<int>(pool.size()));
      for (int k = 0; k < n; ++k) {
        const size_t i = static_cast<size_t>(rng_.Int(0, static_cast<int>(pool.size()) - 1));
        find.push_back({FindElem::kVar, pool[i]->name, "", {}});
        q.columns.push_back(pool[i]->type == Type::kRef ? Column::kEntity : Column::kValue);
        pool.erase(pool.begin() + static_cast<std::ptrdiff_t>(i));
      }
      if (n == 1 && rng_.Chance(15)) q.shape = GenQuery::Shape::kCollection;
    } else if (kind < 82) {
      Aggregate(&q, &find, &with);
    } else {
      const Var* e = AnyVarOf(Type::kRef);
      if (rng_.Chance(40)) {
        const Var* other =
            &vars_[static_cast<size_t>(rng_.Int(0, static_cast<int>(vars_.size()) - 1))];
        if (other != e) {
          find.push_back({FindElem::kVar, other->name, "", {}});
          q.columns.push_back(other->type == Type::kRef ? Column::kEntity : Column::kValue);
        }
      }
      FindElem pull;
      pull.kind = FindElem::kPull;
      pull.var = e->name;
      std::vector<int> order;
      for (int a = 0; a < static_cast<int>(attrs_.size()); ++a) order.push_back(a);
      const int n = rng_.Int(1, 3);
      for (int k = 0; k < n && !order.empty(); ++k) {
        const size_t i = static_cast<size_t>(rng_.Int(0, static_cast<int>(order.size()) - 1));
        const int a = order[i];
        order.erase(order.begin() + static_cast<std::ptrdiff_t>(i));
        PullItem item{PullItem::kAttr, a};
        if (attrs_[a].type == Type::kRef) {
          const int r = rng_.Int(0, 2);
          item.kind = r == 0 ? PullItem::kAttr : r == 1 ? PullItem::kNested : PullItem::kReverse;
        }
        pull.pull.push_back(item);
      }
      if (rng_.Chance(15)) pull.pull = {{PullItem::kStar, 0}};
      find.push_back(pull);
      q.columns.push_back(Column::kPull);
    }

    std::vector<std::string> in;
    if (rule_attr_ >= 0) {
      in.push_back("%");
      q.inputs_edn.push_back(Rules(false));
      q.inputs_json.push_back(Quoted(Rules(true)));
    }
    if (!input_values_.empty()) {
      if (input_collection_) {
        in.push_back(Cat("[", input_var_, " ...]"));
        std::string edn = "[", json = "[";
        for (size_t k = 0; k < input_values_.size(); ++k) {
          edn += Cat(k ? " " : "", ConstText(input_values_[k], false));
          json += Cat(k ? "," : "", JsonOf(input_values_[k]));
        }
        q.inputs_edn.push_back(edn + "]");
        q.inputs_json.push_back(json + "]");
      } else {
        in.push_back(input_var_);
        q.inputs_edn.push_back(ConstText(input_values_[0], false));
        q.inputs_json.push_back(JsonOf(input_values_[0]));
      }
    }
    // The planner must not depend on clause order: accrete sometimes gets
    // the leading data patterns in another order (any order of patterns is
    // valid Datomic; later clauses stay put so their variables stay bound).
    std::vector<Clause> accrete_where = where_;
    size_t lead = 0;
    while (lead < accrete_where.size() && accrete_where[lead].kind == Clause::kPattern) ++lead;
    if (lead > 1 && rng_.Chance(40)) {
      for (size_t i = lead - 1; i > 0; --i) {
        std::swap(accrete_where[i],
                  accrete_where[static_cast<size_t>(rng_.Int(0, static_cast<int>(i)))]);
      }
    }
    for (bool ds : {false, true}) {
      Printer p(attrs_, ds);
      std::string text = "[:find";
      if (q.shape == GenQuery::Shape::kCollection) {
        text += Cat(" [", p.Of(find[0]), " ...]");
      } else {
        for (const FindElem& f : find) text += Cat(" ", p.Of(f));
        if (q.shape == GenQuery::Shape::kScalar) text += " .";
      }
      if (!with.empty()) {
        text += " :with";
        for (const auto& w : with) text += Cat(" ", w);
      }
      if (!in.empty()) {
        text += " :in $";
        for (const auto& i : in) text += Cat(" ", i);
      }
      text += " :where";
      for (const Clause& c : ds ? where_ : accrete_where) text += Cat(" ", p.Of(c));
      text += "]";
      (ds ? q.datascript : q.accrete) = std::move(text);
    }
    return q;
  }

  void Aggregate(GenQuery* q, std::vector<FindElem>* find, std::vector<std::string>* with) {
    const Var& x = vars_[static_cast<size_t>(rng_.Int(0, static_cast<int>(vars_.size()) - 1))];
    std::vector<std::string> aggregates = {"count", "count-distinct"};
    // Avoided: sum/min/max of entity ids (different ids on each side) and
    // min/max of keywords (keyword order is not string order); avg,
    // median, variance and stddev (double formatting and rounding).
    if (x.type == Type::kLong || x.type == Type::kDouble) {
      aggregates.insert(aggregates.end(), {"sum", "min", "max"});
    } else if (x.type == Type::kString) {
      aggregates.insert(aggregates.end(), {"min", "max"});
    }
    if (x.type != Type::kRef) aggregates.push_back("distinct");
    if (x.type == Type::kLong || x.type == Type::kDouble || x.type == Type::kString) {
      aggregates.insert(aggregates.end(), {"min 2", "max 3"});
    }
    FindElem agg{FindElem::kAggregate, x.name, rng_.Pick(aggregates), {}};
    // Group by another variable sometimes.
    std::vector<const Var*> others;
    for (const Var& v : vars_) {
      if (&v != &x) others.push_back(&v);
    }
    const Var* group = nullptr;
    if (!others.empty() && rng_.Chance(50)) {
      group = others[static_cast<size_t>(rng_.Int(0, static_cast<int>(others.size()) - 1))];
      find->push_back({FindElem::kVar, group->name, "", {}});
      q->columns.push_back(group->type == Type::kRef ? Column::kEntity : Column::kValue);
    }
    find->push_back(agg);
    q->columns.push_back(Column::kValue);
    // :with another variable: bag semantics for the aggregate.
    for (const Var* v : others) {
      if (v != group && rng_.Chance(35)) {
        with->push_back(v->name);
        break;
      }
    }
    // A lone aggregate as a scalar: [:find (count ?x) . ...].
    if (!group && rng_.Chance(30)) q->shape = GenQuery::Shape::kScalar;
  }

  Rng& rng_;
  const std::vector<Attr>& attrs_;
  int labels_;
  std::vector<int> refs_;
  // Variables bound outside not/or (find candidates); a deque, so that the
  // Var pointers handed out stay valid as variables are added.
  std::deque<Var> vars_;
  std::vector<Clause> where_;
  int next_var_ = 0;
  int value_joins_ = 0;            // joins on non-entity values: kept to one (result size)
  int rule_attr_ = -1;             // the ref attribute of the rules, when the query uses them
  int tag_attr_ = -1;              // the scalar attribute of `tagged`, when used
  std::vector<Val> input_values_;  // a scalar input, or a collection's values
  bool input_collection_ = false;
  std::string input_var_;
};

}  // namespace

std::string DoubleText(double d) {
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, d);
  std::string s(buf, end);
  if (s.find_first_of(".eE") == std::string::npos) s += ".0";
  return s;
}

std::string Quoted(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string Case::SchemaEdn() const {
  static const char* kTypes[] = {"string", "long", "double", "keyword", "ref"};
  std::string out = "[";
  for (const Attr& a : attrs) {
    out += Cat("{:db/ident :", a.name, " :db/valueType :db.type/", kTypes[static_cast<int>(a.type)],
               " :db/cardinality :db.cardinality/", a.many ? "many" : "one",
               a.unique ? " :db/unique :db.unique/identity" : "", "}\n");
  }
  return out + "]";
}

std::string Case::TxEdn(size_t i, const std::map<std::string, int64_t>& ids) const {
  std::string out = "[";
  for (const Op& op : txs[i]) {
    auto e = ids.find(op.e);
    const std::string entity = e != ids.end() ? std::to_string(e->second) : Quoted(op.e);
    switch (op.kind) {
      case Op::kAdd:
      case Op::kRetract:
        out += Cat("[", op.kind == Op::kAdd ? ":db/add " : ":db/retract ", entity, " :",
                   attrs[op.attr].name, " ", EdnOf(op.v, ids), "]\n");
        break;
      case Op::kRetractEntity:
        out += Cat("[:db/retractEntity ", entity, "]\n");
        break;
    }
  }
  return out + "]";
}

std::string Case::Json() const {
  std::string out = Cat("{\"seed\":", seed, ",\n\"schema\":{");
  for (size_t i = 0; i < attrs.size(); ++i) {
    const Attr& a = attrs[i];
    // DataScript only types refs; other value types are untyped there.
    std::string spec;
    auto add = [&](const char* k, const char* v) {
      spec += Cat(spec.empty() ? "" : ",", "\"", k, "\":\"", v, "\"");
    };
    if (a.many) add(":db/cardinality", ":db.cardinality/many");
    if (a.type == Type::kRef) add(":db/valueType", ":db.type/ref");
    if (a.unique) add(":db/unique", ":db.unique/identity");
    out += Cat(i ? "," : "", Quoted(a.name), ":{", spec, "}");
  }
  out += "},\n\"txs\":[";
  for (size_t t = 0; t < txs.size(); ++t) {
    out += t ? ",\n[" : "\n[";
    for (size_t k = 0; k < txs[t].size(); ++k) {
      const Op& op = txs[t][k];
      out += k ? "," : "";
      switch (op.kind) {
        case Op::kAdd:
        case Op::kRetract:
          out += Cat("[\"", op.kind == Op::kAdd ? "add" : "retract", "\",", Quoted(op.e), ",",
                     Quoted(attrs[op.attr].name), ",", JsonOf(op.v), "]");
          break;
        case Op::kRetractEntity:
          out += Cat("[\"retractEntity\",", Quoted(op.e), "]");
          break;
      }
    }
    out += "]";
  }
  out += "],\n\"queries\":[";
  for (size_t i = 0; i < queries.size(); ++i) {
    const GenQuery& q = queries[i];
    out += Cat(i ? ",\n" : "\n", "{\"q\":", Quoted(q.datascript), ",\"inputs\":[");
    for (size_t k = 0; k < q.inputs_json.size(); ++k) out += Cat(k ? "," : "", q.inputs_json[k]);
    out += "]}";
  }
  return out + "]}\n";
}

Case Generate(uint64_t seed, int num_queries) {
  Rng rng(seed);
  Case c;
  c.seed = seed;
  c.attrs = RandomSchema(rng);
  DataGen data(rng, c.attrs);
  c.txs = data.Generate();
  QueryGen gen(rng, c.attrs, data.labels());
  for (int i = 0; i < num_queries; ++i) c.queries.push_back(gen.Generate());
  return c;
}

}  // namespace accrete::differential
