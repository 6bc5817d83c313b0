// Query forms to ParsedQuery: the grammar of Datomic's Datalog (see
// docs/query.md). Parsing checks everything that does not depend on a
// database or on inputs; the engine checks the rest.
#include <algorithm>
#include <string>
#include <string_view>
#include <utility>

#include "edn/str_cat.hpp"
#include "pull/pull.hpp"
#include "query/ast.hpp"

namespace accrete::internal::query {
namespace {

// Rule evaluation keys its tables by which arguments are bound, as a 32-bit
// mask.
constexpr size_t kMaxRuleArgs = 32;

bool IsSymbolStarting(const Value& v, char c) {
  return v.is_symbol() && v.ns().empty() && !v.name().empty() && v.name()[0] == c;
}
bool IsVar(const Value& v) { return IsSymbolStarting(v, '?'); }
bool IsSrc(const Value& v) { return IsSymbolStarting(v, '$'); }
bool IsBlank(const Value& v) { return v.is_symbol() && v.qualified_name() == "_"; }
bool IsRulesVar(const Value& v) { return v.is_symbol() && v.qualified_name() == "%"; }
// Datomic's pattern-name: a plain symbol in :in naming a pull pattern input,
// as in `[:find (pull ?e pattern) :in $ pattern]`.
bool IsPatternName(const Value& v) {
  return v.is_symbol() && v.ns().empty() && !v.name().empty() && v.name()[0] != '?' &&
         v.name()[0] != '$' && v.name()[0] != '%' && v.name() != "_" && v.name() != "..." &&
         v.name() != ".";
}
bool IsEllipsis(const Value& v) { return v.is_symbol() && v.qualified_name() == "..."; }
bool IsSym(const Value& v, std::string_view name) {
  return v.is_symbol() && v.qualified_name() == name;
}

absl::Status Invalid(std::string_view what, const Value& where) {
  return absl::InvalidArgumentError(Cat(what, " in ", where.to_string()));
}

// Variable names to ids. Child scopes (not-join, or-join, rule branches) see
// only what their parent lends them.
class Scope {
 public:
  explicit Scope(std::vector<std::string>* names) : names_(names) {}

  int Var(const Value& sym) {
    std::string name(sym.name());
    auto it = ids_.find(name);
    if (it != ids_.end()) return it->second;
    const int id = static_cast<int>(names_->size());
    names_->push_back(name);
    ids_.emplace(std::move(name), id);
    return id;
  }
  // A scope that shares these variables with `parent` and numbers every
  // other variable afresh.
  static Scope Child(Scope* parent, const std::vector<Value>& shared) {
    Scope child(parent->names_);
    for (const Value& v : shared) child.ids_.emplace(std::string(v.name()), parent->Var(v));
    return child;
  }
  bool Has(const Value& sym) const { return ids_.contains(std::string(sym.name())); }

 private:
  std::vector<std::string>* names_;
  absl::flat_hash_map<std::string, int> ids_;
};

void AddVar(std::vector<int>* vars, int v) {
  if (v >= 0) vars->push_back(v);
}
void Normalize(std::vector<int>* vars) {
  std::sort(vars->begin(), vars->end());
  vars->erase(std::unique(vars->begin(), vars->end()), vars->end());
}

class Parser {
 public:
  explicit Parser(std::vector<std::string>* names) : root_(names) {}
  Scope& root() { return root_; }

  // Sets the source of unprefixed clauses for its lifetime.
  class DefaultSource {
   public:
    DefaultSource(Parser* p, Value src)
        : p_(p), saved_(std::exchange(p->default_src_, std::move(src))) {}
    ~DefaultSource() { p_->default_src_ = std::move(saved_); }
    DefaultSource(const DefaultSource&) = delete;
    DefaultSource& operator=(const DefaultSource&) = delete;

   private:
    Parser* p_;
    Value saved_;
  };

  absl::StatusOr<Term> ParseTerm(Scope& scope, const Value& v) {
    Term t;
    if (IsBlank(v)) return t;
    if (IsVar(v)) {
      t.kind = Term::Kind::kVar;
      t.var = scope.Var(v);
    } else if (IsSrc(v)) {
      t.kind = Term::Kind::kSrc;
      t.value = v;
    } else {
      t.kind = Term::Kind::kConst;
      t.value = v;
    }
    return t;
  }

  absl::StatusOr<Binding> ParseBinding(Scope& scope, const Value& v, const Value& clause) {
    Binding b;
    auto var_of = [&](const Value& x) -> absl::StatusOr<int> {
      if (IsBlank(x)) return -1;
      if (!IsVar(x))
        return Invalid(Cat("Cannot bind ", x.to_string(), " (not a variable)"), clause);
      return scope.Var(x);
    };
    if (v.is_symbol()) {
      absl::StatusOr<int> id = var_of(v);
      if (!id.ok()) return id.status();
      b.kind = Binding::Kind::kScalar;
      b.vars.push_back(*id);
      return b;
    }
    if (!v.is_vector() || v.size() == 0) return Invalid("Malformed binding form", clause);
    std::span<const Value> items = v.items();
    if (items.size() == 1 && items[0].is_vector()) {
      b.kind = Binding::Kind::kRel;
      for (const Value& x : items[0].items()) {
        absl::StatusOr<int> id = var_of(x);
        if (!id.ok()) return id.status();
        b.vars.push_back(*id);
      }
      if (b.vars.empty()) return Invalid("Empty relation binding", clause);
      return b;
    }
    if (items.size() == 2 && IsEllipsis(items[1])) {
      absl::StatusOr<int> id = var_of(items[0]);
      if (!id.ok()) return id.status();
      b.kind = Binding::Kind::kColl;
      b.vars.push_back(*id);
      return b;
    }
    b.kind = Binding::Kind::kTuple;
    for (const Value& x : items) {
      absl::StatusOr<int> id = var_of(x);
      if (!id.ok()) return id.status();
      b.vars.push_back(*id);
    }
    return b;
  }

  absl::Status ParseBody(Scope& scope, std::span<const Value> forms, std::vector<Clause>* out) {
    for (const Value& form : forms) {
      absl::StatusOr<Clause> c = ParseClause(scope, form);
      if (!c.ok()) return c.status();
      out->push_back(*std::move(c));
    }
    return absl::OkStatus();
  }

  absl::StatusOr<Clause> ParseClause(Scope& scope, const Value& form) {
    if (form.is_vector()) return ParseVectorClause(scope, form);
    if (form.is_list()) return ParseListClause(scope, form);
    return Invalid("A where clause must be a vector or a list", form);
  }

  absl::StatusOr<Clause> ParseVectorClause(Scope& scope, const Value& form) {
    std::span<const Value> items = form.items();
    Clause c;
    c.form = form;
    c.src = default_src_;
    if (items.empty()) return Invalid("Empty clause", form);
    if (items[0].is_list()) {
      // [(f args...)] or [(f args...) binding]
      std::span<const Value> call = items[0].items();
      if (call.empty() || !call[0].is_symbol()) return Invalid("Malformed function call", form);
      if (items.size() > 2) return Invalid("Too many forms after the function call", form);
      c.kind = items.size() == 1 ? ClauseKind::kPred : ClauseKind::kFn;
      c.fn = call[0];
      for (const Value& arg : call.subspan(1)) {
        absl::StatusOr<Term> t = ParseTerm(scope, arg);
        if (!t.ok()) return t.status();
        AddVar(&c.vars, t->var);
        c.terms.push_back(*std::move(t));
      }
      if (c.kind == ClauseKind::kFn) {
        absl::StatusOr<Binding> b = ParseBinding(scope, items[1], form);
        if (!b.ok()) return b.status();
        c.binding = *std::move(b);
        for (int v : c.binding.vars) AddVar(&c.vars, v);
      }
      Normalize(&c.vars);
      return c;
    }
    size_t i = 0;
    if (IsSrc(items[0])) {
      c.src = items[0];
      ++i;
    }
    if (items.size() - i == 0) return Invalid("Empty data pattern", form);
    if (items.size() - i > 5)
      return Invalid("A data pattern has at most 5 elements [e a v tx added]", form);
    c.kind = ClauseKind::kPattern;
    for (; i < items.size(); ++i) {
      if (items[i].is_list()) return Invalid("Function call inside a data pattern", form);
      absl::StatusOr<Term> t = ParseTerm(scope, items[i]);
      if (!t.ok()) return t.status();
      if (t->kind == Term::Kind::kSrc) return Invalid("A source can only prefix a clause", form);
      AddVar(&c.vars, t->var);
      c.terms.push_back(*std::move(t));
    }
    // Trailing blanks are the same as omitted positions.
    while (c.terms.size() > 1 && c.terms.back().kind == Term::Kind::kBlank) c.terms.pop_back();
    Normalize(&c.vars);
    return c;
  }

  // (not ...), (not-join [..] ...), (or ...), (or-join [..] ...), (and ...),
  // (rule args...), each optionally after a source symbol.
  absl::StatusOr<Clause> ParseListClause(Scope& scope, const Value& form) {
    std::span<const Value> items = form.items();
    Clause c;
    c.form = form;
    c.src = default_src_;
    size_t i = 0;
    if (!items.empty() && IsSrc(items[0])) {
      c.src = items[0];
      ++i;
    }
    // `($src not ...)`: $src is the source of the clauses inside that name
    // none of their own.
    DefaultSource inner_src(this, c.src);
    if (i >= items.size() || !items[i].is_symbol()) return Invalid("Malformed clause", form);
    const Value& head = items[i++];
    std::span<const Value> rest = items.subspan(i);
    const std::string_view op = head.qualified_name();
    if (op == "not" || op == "and") {
      if (rest.empty()) return Invalid(Cat("(", op, ") needs at least one clause"), form);
      c.kind = op == "not" ? ClauseKind::kNot : ClauseKind::kAnd;
      c.bodies.emplace_back();
      if (absl::Status s = ParseBody(scope, rest, &c.bodies.back()); !s.ok()) return s;
      for (const Clause& b : c.bodies.back())
        c.vars.insert(c.vars.end(), b.vars.begin(), b.vars.end());
      Normalize(&c.vars);
      return c;
    }
    if (op == "or") {
      if (rest.empty()) return Invalid("(or) needs at least one clause", form);
      c.kind = ClauseKind::kOr;
      std::vector<int> first_vars;
      for (size_t b = 0; b < rest.size(); ++b) {
        absl::StatusOr<std::vector<Clause>> body = ParseBranch(scope, rest[b]);
        if (!body.ok()) return body.status();
        std::vector<int> vars;
        for (const Clause& x : *body) vars.insert(vars.end(), x.vars.begin(), x.vars.end());
        Normalize(&vars);
        if (b == 0) {
          first_vars = vars;
        } else if (vars != first_vars) {
          return Invalid("All clauses in 'or' must use the same set of free vars", form);
        }
        c.bodies.push_back(*std::move(body));
      }
      c.vars = first_vars;
      return c;
    }
    if (op == "not-join" || op == "or-join") {
      if (rest.empty() || !rest[0].is_vector()) {
        return Invalid(Cat("(", op, ") needs a vector of join variables first"), form);
      }
      std::vector<Value> join;
      int required = 0;
      for (const Value& v : rest[0].items()) {
        if (v.is_vector() && op == "or-join" && join.empty()) {
          for (const Value& r : v.items()) {
            if (!IsVar(r)) return Invalid("Join variables must be variables", form);
            join.push_back(r);
            ++required;
          }
          continue;
        }
        if (!IsVar(v)) return Invalid("Join variables must be variables", form);
        join.push_back(v);
      }
      if (join.empty()) return Invalid(Cat("(", op, ") needs at least one join variable"), form);
      if (rest.size() < 2) return Invalid(Cat("(", op, ") needs at least one clause"), form);
      c.kind = op == "not-join" ? ClauseKind::kNot : ClauseKind::kOr;
      c.explicit_join = true;
      c.required = required;
      for (const Value& v : join) c.join_vars.push_back(scope.Var(v));
      Scope inner = Scope::Child(&scope, join);
      if (c.kind == ClauseKind::kNot) {
        c.bodies.emplace_back();
        if (absl::Status s = ParseBody(inner, rest.subspan(1), &c.bodies.back()); !s.ok()) return s;
      } else {
        for (const Value& branch : rest.subspan(1)) {
          absl::StatusOr<std::vector<Clause>> body = ParseBranch(inner, branch);
          if (!body.ok()) return body.status();
          c.bodies.push_back(*std::move(body));
        }
      }
      c.vars = c.join_vars;
      Normalize(&c.vars);
      return c;
    }
    // A rule call.
    c.kind = ClauseKind::kRule;
    c.fn = head;
    if (rest.empty()) return Invalid("A rule call needs arguments", form);
    if (rest.size() > kMaxRuleArgs) {
      return Invalid(Cat("A rule call has ", rest.size(), " arguments; at most ", kMaxRuleArgs,
                         " are supported"),
                     form);
    }
    for (const Value& arg : rest) {
      absl::StatusOr<Term> t = ParseTerm(scope, arg);
      if (!t.ok()) return t.status();
      if (t->kind == Term::Kind::kSrc) return Invalid("A source cannot be a rule argument", form);
      AddVar(&c.vars, t->var);
      c.terms.push_back(*std::move(t));
    }
    Normalize(&c.vars);
    return c;
  }

  // An `or` branch: one clause, or (and clause...).
  absl::StatusOr<std::vector<Clause>> ParseBranch(Scope& scope, const Value& form) {
    std::vector<Clause> body;
    if (form.is_list() && form.size() > 0 && IsSym(form.items()[0], "and")) {
      if (form.size() == 1) return Invalid("(and) needs at least one clause", form);
      if (absl::Status s = ParseBody(scope, form.items().subspan(1), &body); !s.ok()) return s;
      return body;
    }
    absl::StatusOr<Clause> c = ParseClause(scope, form);
    if (!c.ok()) return c.status();
    body.push_back(*std::move(c));
    return body;
  }

 private:
  Scope root_;
  Value default_src_;  // nil: the scope's default source
};

// Splits the list form [:find ... :in ... :where ...] into a map of keyword
// -> items.
absl::StatusOr<absl::flat_hash_map<std::string, std::vector<Value>>> Sections(const Value& form) {
  absl::flat_hash_map<std::string, std::vector<Value>> out;
  if (form.is_map()) {
    for (const MapEntry& e : form.entries()) {
      if (!e.first.is_keyword()) return Invalid("Query map keys must be keywords", form);
      if (!e.second.is_sequential()) {
        return Invalid(Cat("The value of ", e.first.to_string(), " must be a vector"), form);
      }
      std::span<const Value> items = e.second.items();
      out[std::string(e.first.qualified_name())].assign(items.begin(), items.end());
    }
    return out;
  }
  if (!form.is_sequential()) {
    return absl::InvalidArgumentError(
        Cat("A query must be a vector [:find ...] or a map {:find [...]}, got ", form.to_string()));
  }
  std::vector<Value>* current = nullptr;
  for (const Value& item : form.items()) {
    if (item.is_keyword()) {
      std::string key(item.qualified_name());
      if (out.contains(key)) return Invalid(Cat("Duplicate ", item.to_string()), form);
      current = &out[key];
      continue;
    }
    if (current == nullptr) return Invalid("A query must start with :find", form);
    current->push_back(item);
  }
  return out;
}

absl::Status ParseFindElem(Parser& p, const Value& v, ParsedQuery* q) {
  FindElem e;
  e.form = v;
  if (IsVar(v)) {
    e.kind = FindElem::Kind::kVar;
    e.var = p.root().Var(v);
    q->find.push_back(std::move(e));
    return absl::OkStatus();
  }
  if (!v.is_list() || v.size() < 2 || !v.items()[0].is_symbol()) {
    return Invalid(Cat("Unsupported find element ", v.to_string()), q->form);
  }
  std::span<const Value> items = v.items();
  if (IsSym(items[0], "pull")) {
    size_t i = 1;
    e.pull_src = Value::Symbol("$");
    if (items.size() == 4 && IsSrc(items[1])) e.pull_src = items[i++];
    if (items.size() - i != 2 || !IsVar(items[i])) {
      return Invalid("Expected (pull ?e pattern) or (pull $src ?e pattern)", v);
    }
    e.kind = FindElem::Kind::kPull;
    e.var = p.root().Var(items[i]);
    const Value& pattern = items[i + 1];
    if (IsVar(pattern) || IsPatternName(pattern)) {
      e.pull_input = p.root().Var(pattern);
    } else {
      absl::StatusOr<std::shared_ptr<const PullPattern>> parsed = ParsePullPattern(pattern);
      if (!parsed.ok()) return parsed.status();
      e.pull = *std::move(parsed);
    }
    q->find.push_back(std::move(e));
    return absl::OkStatus();
  }
  e.kind = FindElem::Kind::kAggregate;
  e.agg = items[0];
  if (!IsVar(items.back())) {
    return Invalid("The last argument of an aggregate must be a variable", v);
  }
  for (const Value& x : items.subspan(1, items.size() - 2)) {
    absl::StatusOr<Term> t = p.ParseTerm(p.root(), x);
    if (!t.ok()) return t.status();
    if (t->kind != Term::Kind::kConst && t->kind != Term::Kind::kVar) {
      return Invalid("Aggregate arguments must be constants or :in variables", v);
    }
    e.agg_params.push_back(*std::move(t));
  }
  e.var = p.root().Var(items.back());
  q->has_aggregates = true;
  q->find.push_back(std::move(e));
  return absl::OkStatus();
}

absl::Status ParseFind(Parser& p, const std::vector<Value>& items, ParsedQuery* q) {
  using Shape = QueryResult::Shape;
  if (items.empty()) return Invalid(":find needs at least one element", q->form);
  if (items.size() == 1 && items[0].is_vector()) {
    std::span<const Value> inner = items[0].items();
    if (inner.size() == 2 && IsEllipsis(inner[1])) {
      q->shape = Shape::kCollection;
      return ParseFindElem(p, inner[0], q);
    }
    if (inner.empty()) return Invalid("Empty tuple find spec", q->form);
    q->shape = Shape::kTuple;
    for (const Value& v : inner) {
      if (absl::Status s = ParseFindElem(p, v, q); !s.ok()) return s;
    }
    return absl::OkStatus();
  }
  if (items.size() == 2 && IsSym(items[1], ".")) {
    q->shape = Shape::kScalar;
    return ParseFindElem(p, items[0], q);
  }
  q->shape = Shape::kRelation;
  for (const Value& v : items) {
    if (IsEllipsis(v) || IsSym(v, ".")) return Invalid("Malformed find spec", q->form);
    if (absl::Status s = ParseFindElem(p, v, q); !s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::Status ParseIn(Parser& p, const std::vector<Value>& items, ParsedQuery* q) {
  for (const Value& v : items) {
    InBinding b;
    b.form = v;
    if (IsSrc(v)) {
      b.kind = InBinding::Kind::kSrc;
      b.src = v;
    } else if (IsRulesVar(v)) {
      b.kind = InBinding::Kind::kRules;
    } else if (IsBlank(v)) {
      b.kind = InBinding::Kind::kBlank;
    } else if (IsPatternName(v)) {
      b.kind = InBinding::Kind::kScalar;
      b.vars.push_back(p.root().Var(v));
    } else {
      absl::StatusOr<Binding> binding = p.ParseBinding(p.root(), v, q->form);
      if (!binding.ok()) return binding.status();
      b.vars = binding->vars;
      switch (binding->kind) {
        case Binding::Kind::kScalar:
          b.kind = InBinding::Kind::kScalar;
          break;
        case Binding::Kind::kTuple:
          b.kind = InBinding::Kind::kTuple;
          break;
        case Binding::Kind::kColl:
          b.kind = InBinding::Kind::kColl;
          break;
        case Binding::Kind::kRel:
          b.kind = InBinding::Kind::kRel;
          break;
      }
    }
    q->in.push_back(std::move(b));
  }
  return absl::OkStatus();
}

// Collects the variables a clause list can bind (all of them, recursively
// for not/or bodies of the same scope).
void BoundVars(const std::vector<Clause>& body, std::vector<int>* out) {
  for (const Clause& c : body) out->insert(out->end(), c.vars.begin(), c.vars.end());
}

}  // namespace

absl::StatusOr<std::shared_ptr<const ParsedQuery>> ParseQuery(const Value& form) {
  auto q = std::make_shared<ParsedQuery>();
  q->form = form;
  absl::StatusOr<absl::flat_hash_map<std::string, std::vector<Value>>> sections = Sections(form);
  if (!sections.ok()) return sections.status();
  for (const auto& [key, items] : *sections) {
    if (key != "find" && key != "in" && key != "where" && key != "with" && key != "keys" &&
        key != "strs" && key != "syms") {
      return Invalid(Cat("Unknown query section :", key), form);
    }
  }
  auto find = sections->find("find");
  if (find == sections->end()) return Invalid("A query needs :find", form);
  Parser p(&q->var_names);
  if (absl::Status s = ParseFind(p, find->second, q.get()); !s.ok()) return s;

  int key_sections = 0;
  for (std::string_view key : {"keys", "strs", "syms"}) {
    auto it = sections->find(std::string(key));
    if (it == sections->end()) continue;
    ++key_sections;
    if (it->second.size() != q->find.size()) {
      return Invalid(Cat(":", key, " needs one name per find element (", q->find.size(), ")"),
                     form);
    }
    if (q->shape == QueryResult::Shape::kScalar) {
      return Invalid(Cat(":", key, " cannot be used with a scalar find spec"), form);
    }
    std::vector<Value> names;
    for (const Value& n : it->second) {
      if (!n.is_symbol() && !n.is_keyword() && !n.is_string()) {
        return Invalid(Cat("Malformed name ", n.to_string(), " in :", key), form);
      }
      std::string_view text = n.is_string() ? n.as_string() : n.qualified_name();
      if (key == "keys") names.push_back(Value::Keyword(text));
      if (key == "strs") names.push_back(Value::String(text));
      if (key == "syms") names.push_back(Value::Symbol(text));
    }
    q->keys = Value::Vector(std::move(names));
  }
  if (key_sections > 1) return Invalid("Only one of :keys, :strs, :syms may be given", form);

  if (auto it = sections->find("with"); it != sections->end()) {
    for (const Value& v : it->second) {
      if (!IsVar(v)) return Invalid(Cat(":with takes variables, got ", v.to_string()), form);
      q->with.push_back(p.root().Var(v));
    }
  }
  if (auto it = sections->find("in"); it != sections->end()) {
    if (absl::Status s = ParseIn(p, it->second, q.get()); !s.ok()) return s;
  } else {
    InBinding b;
    b.kind = InBinding::Kind::kSrc;
    b.src = Value::Symbol("$");
    b.form = b.src;
    q->in.push_back(std::move(b));
  }
  if (auto it = sections->find("where"); it != sections->end()) {
    if (absl::Status s = p.ParseBody(p.root(), it->second, &q->where); !s.ok()) return s;
  }

  // Every variable of :find and :with must be bound by :in or :where.
  std::vector<int> bound;
  BoundVars(q->where, &bound);
  for (const InBinding& b : q->in) bound.insert(bound.end(), b.vars.begin(), b.vars.end());
  Normalize(&bound);
  std::vector<std::string> unknown;
  auto check = [&](int v) {
    if (v >= 0 && !std::binary_search(bound.begin(), bound.end(), v)) {
      unknown.push_back(q->var_names[static_cast<size_t>(v)]);
    }
  };
  for (const FindElem& e : q->find) {
    check(e.var);
    check(e.pull_input);
    for (const Term& t : e.agg_params) check(t.var);
  }
  for (int v : q->with) check(v);
  if (!unknown.empty()) {
    std::string names;
    for (const std::string& n : unknown) names += (names.empty() ? "" : " ") + n;
    return absl::InvalidArgumentError(
        Cat("Query for unknown vars: [", names, "] in ", form.to_string()));
  }
  return std::shared_ptr<const ParsedQuery>(std::move(q));
}

absl::StatusOr<std::shared_ptr<const RuleSet>> ParseRules(const Value& rules) {
  auto out = std::make_shared<RuleSet>();
  if (!rules.is_sequential()) {
    return absl::InvalidArgumentError(
        Cat("Rules must be a vector of rules, got ", rules.to_string()));
  }
  for (const Value& rule : rules.items()) {
    if (!rule.is_sequential() || rule.size() < 2 || !rule.items()[0].is_list()) {
      return Invalid("A rule must be [(name ?args...) clause ...]", rule);
    }
    std::span<const Value> head = rule.items()[0].items();
    if (head.empty() || !head[0].is_symbol() || IsVar(head[0]) || IsSrc(head[0])) {
      return Invalid("A rule head must start with the rule's name", rule);
    }
    RuleBranch branch;
    branch.name = head[0];
    branch.form = rule;
    Parser p(&branch.var_names);
    std::span<const Value> args = head.subspan(1);
    if (args.empty()) return Invalid("A rule needs at least one argument", rule);
    for (size_t i = 0; i < args.size(); ++i) {
      if (i == 0 && args[i].is_vector()) {
        for (const Value& r : args[i].items()) {
          if (!IsVar(r)) return Invalid("Rule arguments must be variables", rule);
          branch.head.push_back(p.root().Var(r));
          ++branch.required;
        }
        continue;
      }
      if (!IsVar(args[i])) return Invalid("Rule arguments must be variables", rule);
      branch.head.push_back(p.root().Var(args[i]));
    }
    if (branch.head.size() > kMaxRuleArgs) {
      return Invalid(Cat("A rule has ", branch.head.size(), " arguments; at most ", kMaxRuleArgs,
                         " are supported"),
                     rule);
    }
    if (absl::Status s =
            p.ParseBody(p.root(), {rule.items().begin() + 1, rule.items().end()}, &branch.body);
        !s.ok()) {
      return s;
    }
    std::vector<RuleBranch>& branches = out->rules[branch.name];
    if (!branches.empty() && branches.front().head.size() != branch.head.size()) {
      return Invalid(Cat("Rule ", branch.name.to_string(), " is defined with different arities"),
                     rule);
    }
    branches.push_back(std::move(branch));
  }
  return std::shared_ptr<const RuleSet>(std::move(out));
}

}  // namespace accrete::internal::query
