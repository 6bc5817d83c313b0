// The built-in aggregates, with Datomic's semantics:
//
// - count: the size of the bag; count-distinct: of its distinct values.
// - sum: Clojure's `+` over the bag (integers stay integers and overflow is
//   an error; a double anywhere gives a double); 0 for an empty bag.
// - avg, variance, stddev: doubles; variance is the population variance
//   (divided by n, not n - 1), as Datomic and DataScript compute it.
// - median: the middle value of the sorted bag as it is (an integer stays
//   an integer) when the count is odd, the mean of the two middle values as
//   a double when it is even (Datomic's behaviour; DataScript's too).
// - min, max: numeric order for numbers, compare() for anything else
//   (Datomic's min/max accept every value type).
// - distinct: the set of distinct values.
// - (min n ?x), (max n ?x): a vector of the n smallest (ascending) or largest
//   (descending) items of the bag, duplicates kept; fewer when the bag is
//   smaller.
// - (rand n ?x): n items drawn with replacement; (sample n ?x): up to n
//   distinct items drawn without replacement; both vectors. (rand ?x) with
//   no n: one random item.
// Aggregates that have no answer for an empty bag (avg, min...) give nil;
// the engine only calls them on the groups a query produced, never empty.
#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "edn/str_cat.hpp"
#include "query/builtins.hpp"
#include "query/builtins_common.hpp"
#include "query/builtins_numeric.hpp"

namespace accrete::internal::query {
namespace {

using Values = std::span<const Value>;
using Result = absl::StatusOr<Value>;

absl::Status AggregateError(std::string_view name, std::string_view what) {
  return absl::InvalidArgumentError(Cat("(", name, " ...): ", what));
}

absl::Status CheckNumbers(std::string_view name, Values values) {
  for (const Value& v : values) {
    if (!IsNumber(v)) return AggregateError(name, Cat("expected a number, got ", Shown(v)));
  }
  return absl::OkStatus();
}

Result Count(Values, Values values) { return static_cast<int64_t>(values.size()); }

absl::flat_hash_set<Value> DistinctValues(Values values) {
  return absl::flat_hash_set<Value>(values.begin(), values.end());
}

Result CountDistinct(Values, Values values) {
  return static_cast<int64_t>(DistinctValues(values).size());
}

// The sum of a bag of numbers; integers are added without a Value per step.
Result Sum(std::string_view name, Values values) {
  if (absl::Status s = CheckNumbers(name, values); !s.ok()) return s;
  int64_t int_sum = 0;
  size_t i = 0;
  for (; i < values.size() && values[i].is_integer(); ++i) {
    if (__builtin_add_overflow(int_sum, values[i].as_int(), &int_sum)) {
      return AggregateError(name, "integer overflow");
    }
  }
  Value acc = Value::Integer(int_sum);
  for (; i < values.size(); ++i) {
    Result next = Arith(NumOp::kAdd, acc, values[i]);
    if (!next.ok()) return AggregateError(name, MessageOf(next.status()));
    acc = *std::move(next);
  }
  return acc;
}

Result SumAggregate(Values, Values values) { return Sum("sum", values); }

Result Avg(Values, Values values) {
  if (values.empty()) return Value();
  Result sum = Sum("avg", values);
  if (!sum.ok()) return sum.status();
  return ToDouble(*sum) / static_cast<double>(values.size());
}

// The bag's values sorted by OrderCompare.
std::vector<Value> Sorted(Values values) {
  std::vector<Value> sorted(values.begin(), values.end());
  std::sort(sorted.begin(), sorted.end(),
            [](const Value& a, const Value& b) { return OrderCompare(a, b) < 0; });
  return sorted;
}

Result Median(Values, Values values) {
  if (absl::Status s = CheckNumbers("median", values); !s.ok()) return s;
  if (values.empty()) return Value();
  std::vector<Value> sorted = Sorted(values);
  size_t mid = sorted.size() / 2;
  if (sorted.size() % 2 == 1) return sorted[mid];
  return (ToDouble(sorted[mid - 1]) + ToDouble(sorted[mid])) / 2;
}

// Population variance by Welford's method (one pass, no cancellation).
absl::StatusOr<double> Variance(std::string_view name, Values values) {
  if (absl::Status s = CheckNumbers(name, values); !s.ok()) return s;
  double mean = 0;
  double m2 = 0;
  double n = 0;
  for (const Value& v : values) {
    double x = ToDouble(v);
    n += 1;
    double delta = x - mean;
    mean += delta / n;
    m2 += delta * (x - mean);
  }
  return m2 / n;
}

Result VarianceAggregate(Values, Values values) {
  if (values.empty()) return Value();
  absl::StatusOr<double> variance = Variance("variance", values);
  if (!variance.ok()) return variance.status();
  return *variance;
}

Result Stddev(Values, Values values) {
  if (values.empty()) return Value();
  absl::StatusOr<double> variance = Variance("stddev", values);
  if (!variance.ok()) return variance.status();
  return std::sqrt(*variance);
}

template <int kSign>
Result Extreme(Values, Values values) {
  if (values.empty()) return Value();
  const Value* best = values.data();
  for (const Value& v : values) {
    if (OrderCompare(v, *best) == kSign) best = &v;
  }
  return *best;
}

Result Distinct(Values, Values values) {
  return Value::Set(std::vector<Value>(values.begin(), values.end()));
}

// The n of (min n ?x) and friends: a non-negative integer.
absl::StatusOr<size_t> CountParam(std::string_view name, Values params) {
  const Value& n = params[0];
  if (!n.is_integer() || n.as_int() < 0) {
    return AggregateError(name, Cat("expected a non-negative integer n, got ", Shown(n)));
  }
  return static_cast<size_t>(n.as_int());
}

template <int kSign>
Result ExtremeN(Values params, Values values) {
  absl::StatusOr<size_t> n = CountParam(kSign < 0 ? "min" : "max", params);
  if (!n.ok()) return n.status();
  std::vector<Value> items(values.begin(), values.end());
  size_t k = std::min(*n, items.size());
  std::partial_sort(items.begin(), items.begin() + static_cast<ptrdiff_t>(k), items.end(),
                    [](const Value& a, const Value& b) { return OrderCompare(a, b) == kSign; });
  items.resize(k);
  return Value::Vector(std::move(items));
}

std::mt19937_64& Random() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return rng;
}

const Value& RandomItem(Values values) {
  std::uniform_int_distribution<size_t> pick(0, values.size() - 1);
  return values[pick(Random())];
}

Result Rand(Values, Values values) {
  if (values.empty()) return Value();
  return RandomItem(values);
}

Result RandN(Values params, Values values) {
  absl::StatusOr<size_t> n = CountParam("rand", params);
  if (!n.ok()) return n.status();
  std::vector<Value> drawn;
  if (!values.empty()) {
    drawn.reserve(*n);
    for (size_t i = 0; i < *n; ++i) drawn.push_back(RandomItem(values));
  }
  return Value::Vector(std::move(drawn));
}

Result Sample(Values params, Values values) {
  absl::StatusOr<size_t> n = CountParam("sample", params);
  if (!n.ok()) return n.status();
  absl::flat_hash_set<Value> distinct = DistinctValues(values);
  std::vector<Value> items(distinct.begin(), distinct.end());
  size_t k = std::min(*n, items.size());
  // A partial Fisher-Yates shuffle: the first k items become the sample.
  for (size_t i = 0; i < k; ++i) {
    std::uniform_int_distribution<size_t> pick(i, items.size() - 1);
    std::swap(items[i], items[pick(Random())]);
  }
  items.resize(k);
  return Value::Vector(std::move(items));
}

struct NamedAggregate {
  std::string_view name;
  BuiltinAggregate aggregate;
};

// clang-format off
constexpr NamedAggregate kAggregates[] = {
    {"count", {Count, 0}},
    {"count-distinct", {CountDistinct, 0}},
    {"sum", {SumAggregate, 0}},
    {"avg", {Avg, 0}},
    {"median", {Median, 0}},
    {"variance", {VarianceAggregate, 0}},
    {"stddev", {Stddev, 0}},
    {"min", {Extreme<-1>, 0}},
    {"max", {Extreme<1>, 0}},
    {"distinct", {Distinct, 0}},
    {"rand", {Rand, 0}},
    {"min", {ExtremeN<-1>, 1}},
    {"max", {ExtremeN<1>, 1}},
    {"rand", {RandN, 1}},
    {"sample", {Sample, 1}},
};
// clang-format on

}  // namespace

// A linear scan: fifteen entries, looked up once per query at plan time.
const BuiltinAggregate* FindAggregate(std::string_view name, int nparams) {
  for (const NamedAggregate& a : kAggregates) {
    if (a.name == name && a.aggregate.params == nparams) return &a.aggregate;
  }
  return nullptr;
}

}  // namespace accrete::internal::query
