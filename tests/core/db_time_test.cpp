// The time model test: random schemas and random transaction sequences are
// applied both to accrete and to a plain in-memory model of lifetimes; for
// many t, as_of(t), since(t), history(), the log, and Db values held since t
// must agree with the model exactly.
#include <algorithm>
#include <map>
#include <random>
#include <tuple>

#include "test_util.hpp"

namespace accrete {
namespace {

using testing_util::TempDir;

struct ModelAttr {
  Value ident;
  std::string type;  // "long", "string", ...
  bool many = false;
  bool no_history = false;
  EntityId id = 0;
};

struct Life {
  EntityId e;
  size_t attr;
  Value v;
  int64_t tx_a;
  int64_t tx_r = INT64_MAX;
};

struct Op {
  EntityId e;
  size_t attr;
  Value v;
  bool add;
};

class Model {
 public:
  std::vector<ModelAttr> attrs;
  std::vector<Life> lives;  // noHistory lifetimes vanish when closed

  // Applies a transaction with Datomic's rules; returns the datoms it wrote
  // (without the tx instant) as [e attr v added].
  std::vector<std::tuple<EntityId, size_t, Value, bool>> Apply(const std::vector<Op>& ops,
                                                               int64_t t) {
    std::vector<std::tuple<EntityId, size_t, Value, bool>> written;
    for (const Op& op : ops) {
      if (op.add) {
        if (FindOpen(op.e, op.attr, &op.v) != nullptr) continue;  // redundant
        if (!attrs[op.attr].many) {
          if (Life* old = FindOpen(op.e, op.attr, nullptr)) {
            written.emplace_back(op.e, op.attr, old->v, false);
            Close(old, t);
          }
        }
        lives.push_back({op.e, op.attr, op.v, t});
        written.emplace_back(op.e, op.attr, op.v, true);
      } else if (Life* open = FindOpen(op.e, op.attr, &op.v)) {
        written.emplace_back(op.e, op.attr, op.v, false);
        Close(open, t);
      }
    }
    // Closing a noHistory lifetime removes it.
    lives.erase(std::remove_if(
                    lives.begin(), lives.end(),
                    [&](const Life& l) { return l.tx_r != INT64_MAX && attrs[l.attr].no_history; }),
                lives.end());
    return written;
  }

  Life* FindOpen(EntityId e, size_t attr, const Value* v) {
    for (Life& l : lives) {
      if (l.e == e && l.attr == attr && l.tx_r == INT64_MAX && (v == nullptr || l.v == *v)) {
        return &l;
      }
    }
    return nullptr;
  }

 private:
  void Close(Life* l, int64_t t) { l->tx_r = t; }
};

Datom MakeDatom(EntityId e, EntityId a, const Value& v, int64_t t, bool added) {
  Datom d;
  d.e = e;
  d.a = a;
  d.v = v;
  d.tx = TToTx(t);
  d.added = added;
  return d;
}

bool DatomLess(const Datom& x, const Datom& y) {
  if (x.e != y.e) return x.e < y.e;
  if (x.a != y.a) return x.a < y.a;
  if (auto c = compare(x.v, y.v); c != 0) return c < 0;
  if (x.tx != y.tx) return x.tx < y.tx;
  return x.added > y.added;
}

std::vector<Datom> Sorted(std::vector<Datom> v) {
  std::sort(v.begin(), v.end(), DatomLess);
  return v;
}

class TimeModelTest : public ::testing::TestWithParam<uint32_t> {};

TEST_P(TimeModelTest, ViewsAgreeWithModel) {
  const uint32_t seed = GetParam();
  SCOPED_TRACE(::testing::Message() << "seed " << seed);
  std::mt19937 rng(seed);
  auto pick = [&](size_t n) { return static_cast<size_t>(rng() % n); };

  TempDir dir;
  ASSERT_OK_AND_ASSIGN(auto conn, Connection::Open(dir.path(), testing_util::RelaxedOptions()));

  // A random schema.
  Model model;
  const char* types[] = {"long", "string", "keyword", "ref", "double", "boolean", "instant"};
  size_t n_attrs = 3 + pick(4);
  std::vector<Value> schema_tx;
  for (size_t i = 0; i < n_attrs; ++i) {
    ModelAttr attr;
    attr.ident = Value::Keyword("m", "a" + std::to_string(i));
    attr.type = types[pick(7)];
    attr.many = pick(2) == 0;
    attr.no_history = pick(5) == 0;
    schema_tx.push_back(
        map({{kw("db/ident"), attr.ident},
             {kw("db/valueType"), Value::Keyword("db.type", attr.type)},
             {kw("db/cardinality"), kw(attr.many ? "db.cardinality/many" : "db.cardinality/one")},
             {kw("db/noHistory"), attr.no_history}}));
    model.attrs.push_back(attr);
  }
  ASSERT_OK_AND_ASSIGN(TxReport schema_report, conn->transact(Value::Vector(schema_tx)));
  for (ModelAttr& attr : model.attrs) {
    ASSERT_OK_AND_ASSIGN(attr.id, conn->db().entid(attr.ident));
  }
  const int64_t first_t = schema_report.t() + 1;

  // Entities to work on.
  std::vector<Value> create;
  const size_t n_entities = 6;
  for (size_t i = 0; i < n_entities; ++i) {
    create.push_back(vec({kw("db/add"), "e" + std::to_string(i), kw("db/doc"), "entity"}));
  }
  ASSERT_OK_AND_ASSIGN(TxReport created, conn->transact(Value::Vector(create)));
  std::vector<EntityId> entities;
  for (size_t i = 0; i < n_entities; ++i) {
    entities.push_back(created.tempids.at("e" + std::to_string(i)));
  }

  auto random_value = [&](const ModelAttr& attr) -> Value {
    int k = static_cast<int>(pick(4));
    if (attr.type == "long") return Value::Integer(k);
    if (attr.type == "string") {
      // Some values are longer than fit in an index key.
      if (pick(4) == 0) return Value::String(std::string(1, 'a' + k) + std::string(300, 'x'));
      return Value::String("s" + std::to_string(k));
    }
    if (attr.type == "keyword") return Value::Keyword("k", std::to_string(k));
    if (attr.type == "ref") return Value::Integer(entities[pick(n_entities)]);
    if (attr.type == "double") return Value::Float(0.5 * k - 1);
    if (attr.type == "boolean") return Value::Boolean(k % 2 == 0);
    return Value::Inst(1700000000000 + k * 1000);
  };

  // Random transactions; after each, the report must match the model and
  // the Db value is kept to be read again later.
  std::map<int64_t, Db> held;
  std::map<int64_t, std::vector<Datom>> reported = {{created.t(), created.tx_data}};
  const int n_tx = 40;
  for (int i = 0; i < n_tx; ++i) {
    std::vector<Op> ops;
    std::map<std::pair<EntityId, size_t>, std::vector<Value>> used;
    size_t n_ops = 1 + pick(6);
    for (size_t j = 0; j < n_ops; ++j) {
      EntityId e = entities[pick(n_entities)];
      size_t a = pick(model.attrs.size());
      Value v = random_value(model.attrs[a]);
      auto& seen = used[{e, a}];
      bool add = pick(3) != 0;
      if (!add && pick(2) == 0) {
        // Retract something that is actually there.
        if (Life* open = model.FindOpen(e, a, nullptr)) v = open->v;
      }
      // One op per [e a] for cardinality one (two values would conflict);
      // distinct values for cardinality many (asserting and retracting one
      // datom in one transaction is a conflict too).
      if (!model.attrs[a].many && !seen.empty()) continue;
      if (std::find(seen.begin(), seen.end(), v) != seen.end()) continue;
      seen.push_back(v);
      ops.push_back({e, a, v, add});
    }
    std::vector<Value> forms;
    for (const Op& op : ops) {
      forms.push_back(vec({kw(op.add ? "db/add" : "db/retract"), Value::Integer(op.e),
                           model.attrs[op.attr].ident, op.v}));
    }
    ASSERT_OK_AND_ASSIGN(TxReport report, conn->transact(Value::Vector(forms)));
    const int64_t t = report.t();
    auto written = model.Apply(ops, t);
    std::vector<Datom> expected;
    for (auto& [e, a, v, added] : written) {
      expected.push_back(MakeDatom(e, model.attrs[a].id, v, t, added));
    }
    std::vector<Datom> actual;
    for (const Datom& d : report.tx_data) {
      if (d.e != TToTx(t)) actual.push_back(d);
    }
    ASSERT_EQ(Sorted(actual), Sorted(expected)) << "report of t=" << t;
    held.emplace(t, report.db_after);
    reported.emplace(t, report.tx_data);
  }
  const Db latest = conn->db();
  const int64_t last_t = latest.basis_t();

  // Every datom of the model attributes visible in `db`, via AEVT.
  auto visible = [&](const Db& db) {
    std::vector<Datom> out;
    for (const ModelAttr& attr : model.attrs) {
      auto datoms = db.datoms(Index::kAevt, {attr.ident});
      EXPECT_TRUE(datoms.ok()) << datoms.status();
      if (!datoms.ok()) return out;
      auto all = std::move(*datoms).ToVector();
      EXPECT_TRUE(all.ok()) << all.status();
      if (!all.ok()) return out;
      // AEVT order: by entity, then value.
      for (size_t i = 1; i < all->size(); ++i) {
        const Datom& p = (*all)[i - 1];
        const Datom& q = (*all)[i];
        EXPECT_TRUE(p.e < q.e || (p.e == q.e && (compare(p.v, q.v) < 0 || p.tx < q.tx)))
            << "AEVT order broken at " << p.to_string() << " " << q.to_string();
      }
      out.insert(out.end(), all->begin(), all->end());
    }
    return Sorted(out);
  };
  auto as_of_model = [&](int64_t t) {
    std::vector<Datom> out;
    for (const Life& l : model.lives) {
      if (l.tx_a <= t && t < l.tx_r)
        out.push_back(MakeDatom(l.e, model.attrs[l.attr].id, l.v, l.tx_a, true));
    }
    return Sorted(out);
  };

  for (int64_t t = first_t; t <= last_t; ++t) {
    SCOPED_TRACE(::testing::Message() << "t " << t);
    std::vector<Datom> expected = as_of_model(t);
    EXPECT_EQ(visible(latest.as_of(t)), expected) << "as_of";
    EXPECT_EQ(visible(latest.as_of(TToTx(t))), expected) << "as_of tx id";
    auto it = held.find(t);
    if (it != held.end()) {
      EXPECT_EQ(visible(it->second), expected) << "held Db";
    }

    // since(t): what was asserted after t and is still there.
    std::vector<Datom> since;
    for (const Life& l : model.lives) {
      if (l.tx_a > t && l.tx_r == INT64_MAX) {
        since.push_back(MakeDatom(l.e, model.attrs[l.attr].id, l.v, l.tx_a, true));
      }
    }
    EXPECT_EQ(visible(latest.since(t)), Sorted(since)) << "since";
  }

  // history(): every assertion and retraction.
  std::vector<Datom> history;
  for (const Life& l : model.lives) {
    EntityId a = model.attrs[l.attr].id;
    history.push_back(MakeDatom(l.e, a, l.v, l.tx_a, true));
    if (l.tx_r != INT64_MAX) history.push_back(MakeDatom(l.e, a, l.v, l.tx_r, false));
  }
  EXPECT_EQ(visible(latest.history()), Sorted(history));

  // AVET and VAET find every datom of the model, for a sample of t.
  ASSERT_OK_AND_ASSIGN(const EntityId doc_id, latest.entid(kw("db/doc")));
  for (int64_t t : {first_t, (first_t + last_t) / 2, last_t}) {
    Db db = latest.as_of(t);
    std::vector<Datom> expected = as_of_model(t);
    for (const ModelAttr& attr : model.attrs) {
      for (const Datom& d : expected) {
        if (d.a != attr.id) continue;
        ASSERT_OK_AND_ASSIGN(Datoms avet, db.datoms(Index::kAvet, {attr.ident, d.v}));
        ASSERT_OK_AND_ASSIGN(std::vector<Datom> got, std::move(avet).ToVector());
        EXPECT_NE(std::find(got.begin(), got.end(), d), got.end()) << "AVET " << d.to_string();
        for (const Datom& g : got) EXPECT_EQ(g.v, d.v);
        if (attr.type == "ref") {
          ASSERT_OK_AND_ASSIGN(Datoms vaet, db.datoms(Index::kVaet, {d.v, attr.ident}));
          ASSERT_OK_AND_ASSIGN(std::vector<Datom> rev, std::move(vaet).ToVector());
          EXPECT_NE(std::find(rev.begin(), rev.end(), d), rev.end()) << "VAET " << d.to_string();
        }
      }
    }
  }

  // EAVT by entity, by [e a] and by [e a v], at every t: as_of reads of
  // EAVT take their closed lifetimes from the by-time history.
  for (int64_t t = first_t; t <= last_t; ++t) {
    SCOPED_TRACE(::testing::Message() << "EAVT as_of t " << t);
    Db db = latest.as_of(t);
    std::vector<Datom> expected = as_of_model(t);
    for (EntityId e : entities) {
      std::vector<Datom> want;
      for (const Datom& d : expected) {
        if (d.e == e) want.push_back(d);
      }
      ASSERT_OK_AND_ASSIGN(Datoms eavt, db.datoms(Index::kEavt, {Value::Integer(e)}));
      ASSERT_OK_AND_ASSIGN(std::vector<Datom> got, std::move(eavt).ToVector());
      got.erase(
          std::remove_if(got.begin(), got.end(), [&](const Datom& d) { return d.a == doc_id; }),
          got.end());
      // EAVT order: attribute, then value.
      for (size_t i = 1; i < got.size(); ++i) {
        EXPECT_TRUE(got[i - 1].a < got[i].a ||
                    (got[i - 1].a == got[i].a && compare(got[i - 1].v, got[i].v) < 0))
            << "EAVT order broken at " << got[i].to_string();
      }
      EXPECT_EQ(Sorted(got), want) << "EAVT of " << e;
      for (const ModelAttr& attr : model.attrs) {
        std::vector<Datom> want_ea;
        for (const Datom& d : want) {
          if (d.a == attr.id) want_ea.push_back(d);
        }
        ASSERT_OK_AND_ASSIGN(Datoms ea, db.datoms(Index::kEavt, {Value::Integer(e), attr.ident}));
        ASSERT_OK_AND_ASSIGN(std::vector<Datom> got_ea, std::move(ea).ToVector());
        EXPECT_EQ(Sorted(got_ea), want_ea) << "EAVT of " << e << " " << attr.ident.to_string();
        for (const Datom& d : want_ea) {
          ASSERT_OK_AND_ASSIGN(Datoms eav,
                               db.datoms(Index::kEavt, {Value::Integer(e), attr.ident, d.v}));
          ASSERT_OK_AND_ASSIGN(std::vector<Datom> got_eav, std::move(eav).ToVector());
          EXPECT_EQ(got_eav, std::vector<Datom>{d});
        }
      }
    }
  }

  // The log: each transaction's datoms, as the reports gave them.
  ASSERT_OK_AND_ASSIGN(auto log, latest.tx_range(first_t, last_t + 1));
  ASSERT_EQ(log.size(), static_cast<size_t>(last_t - first_t + 1));
  for (const TxLogEntry& entry : log) {
    ASSERT_TRUE(reported.count(entry.t)) << entry.t;
    EXPECT_EQ(Sorted(entry.data), Sorted(reported[entry.t])) << "log of t=" << entry.t;
  }
}

INSTANTIATE_TEST_SUITE_P(Seeds, TimeModelTest, ::testing::Range(1u, 13u));

}  // namespace
}  // namespace accrete
