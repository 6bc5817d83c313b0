// Hostile queries, pull patterns, EDN text and ion configs: deep nesting,
// huge numbers, invalid UTF-8, NaN/Inf and oversized input all give a clear
// error (or a correct answer), never a crash, and read nothing they should not.
#include <string>

#include "accrete/ion_config.hpp"
#include "hostile_fixture.hpp"

namespace accrete::hostile_test {
namespace {

using ::testing::HasSubstr;
using Code = absl::StatusCode;

absl::StatusOr<Value> RunQuery(const Db& db, std::string_view text) {
  absl::StatusOr<Query> query = Query::Parse(text);
  if (!query.ok()) return query.status();
  QueryOptions options;
  options.timeout = absl::Seconds(20);  // a hang fails the test rather than the CI job
  options.memory_budget = size_t{64} << 20;
  const QueryInput inputs[] = {QueryInput(db)};
  absl::StatusOr<QueryResult> result = query->Run(inputs, options);
  if (!result.ok()) return result.status();
  return result->value();
}

TEST_F(HostileTest, QueryNestedAsDeepAsTheReaderAllows) {
  // Nested expressions, not-clauses and or-clauses 500 deep: an answer or an
  // error, never a stack overflow.
  for (const std::string& where :
       {"[(ground " + Nest("[", "1", "]", 500) + ") ?x]",
        "[?e :p/age ?a] [(+ " + Nest("(+ ", "?a", " 1)", 250) + " 1) ?x]",
        "[?e :p/age ?x] " + Nest("(not ", "[?e :p/age 0]", ")", 250),
        "[?e :p/age ?x] " + Nest("(or ", "[?e :p/age ?x]", ")", 250)}) {
    absl::StatusOr<Value> result = RunQuery(conn_->db(), "[:find ?x :where " + where + "]");
    if (!result.ok()) {
      EXPECT_NE(result.status().code(), Code::kInternal) << result.status();
      EXPECT_FALSE(result.status().message().empty());
    }
  }
}

TEST_F(HostileTest, QueryHugeNumbersAndNaN) {
  absl::StatusOr<Value> big =
      RunQuery(conn_->db(), "[:find ?e :where [?e :p/age 99999999999999999999999999999]]");
  if (big.ok()) {
    EXPECT_EQ(big->to_string(), "#{}");
  } else {
    EXPECT_EQ(big.status().code(), Code::kInvalidArgument) << big.status();
  }
  absl::StatusOr<Value> nan = RunQuery(conn_->db(), "[:find ?e :where [?e :p/age ##NaN]]");
  if (nan.ok()) {
    EXPECT_EQ(nan->to_string(), "#{}");
  } else {
    EXPECT_EQ(nan.status().code(), Code::kInvalidArgument) << nan.status();
  }
  absl::StatusOr<Value> overflow =
      RunQuery(conn_->db(), "[:find ?x :where [?e :p/age ?a] [(* ?a 9223372036854775807) ?x]]");
  ASSERT_FALSE(overflow.ok());
  EXPECT_THAT(std::string(overflow.status().message()), HasSubstr("overflow"));
}

TEST_F(HostileTest, QueryInvalidUtf8InputIsAValueNotACrash) {
  // A program may bind any bytes as a string input; the query compares them
  // as bytes and finds nothing.
  absl::StatusOr<Query> query = Query::Parse("[:find ?e :in $ ?n :where [?e :p/name ?n]]");
  ASSERT_TRUE(query.ok()) << query.status();
  const QueryInput inputs[] = {QueryInput(conn_->db()), QueryInput(Value(std::string("\xFF\xFE")))};
  absl::StatusOr<QueryResult> result = query->Run(inputs);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->value().to_string(), "#{}");
}

TEST_F(HostileTest, QueryOversizedText) {
  // A 4 MB string constant: an answer (nothing matches), not a crash.
  absl::StatusOr<Value> result =
      RunQuery(conn_->db(), "[:find ?e :where [?e :p/name \"" + std::string(4 << 20, 'z') + "\"]]");
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->to_string(), "#{}");
}

TEST_F(HostileTest, PullNestedAsDeepAsTheReaderAllows) {
  ASSERT_OK(conn_->transact(R"([{:p/name "ann" :p/friend [[:p/name "bob"]]}
                                {:p/name "bob" :p/friend [[:p/name "ann"]]}])"));
  // A pattern 250 maps deep is refused (patterns nest at most 128 deep);
  // recursion with a depth limit far past anything over a cycle of friends
  // ends (each entity is pulled once on a path).
  absl::StatusOr<Value> deep =
      pull(conn_->db(), Nest("[{:p/friend ", "[:p/name]", "}]", 250), vec({kw("p/name"), "ann"}));
  ASSERT_FALSE(deep.ok());
  EXPECT_EQ(deep.status().code(), Code::kInvalidArgument);
  EXPECT_THAT(std::string(deep.status().message()), HasSubstr("nest at most"));
  absl::StatusOr<Value> recursive =
      pull(conn_->db(), "[:p/name {:p/friend 100000}]", vec({kw("p/name"), "ann"}));
  if (!recursive.ok()) {
    EXPECT_EQ(recursive.status().code(), Code::kResourceExhausted) << recursive.status();
  }
  absl::StatusOr<Value> nested_vectors =
      pull(conn_->db(), Nest("[", ":p/name", "]", 500), vec({kw("p/name"), "ann"}));
  ASSERT_FALSE(nested_vectors.ok());
  EXPECT_EQ(nested_vectors.status().code(), Code::kInvalidArgument);
}

TEST_F(HostileTest, PullHugeNumbersNaNAndBadText) {
  const Db db = conn_->db();
  for (const Value& eid :
       {Value::BigInt("99999999999999999999999"), Value(std::nan("")), Value(std::string("\xFF")),
        vec({kw("p/name"), Value(std::nan(""))}), Value(int64_t{-1})}) {
    absl::StatusOr<Value> pulled = pull(db, "[*]", eid);
    if (pulled.ok()) {
      EXPECT_EQ(pulled->to_string(), "{}") << eid.to_string();
    } else {
      EXPECT_NE(pulled.status().code(), Code::kInternal) << pulled.status();
    }
  }
  for (const char* pattern :
       {"[(:p/friend :limit 99999999999999999999999)]", "[(:p/friend :limit ##NaN)]",
        "[(:p/friend :limit -1)]", "[(:p/age :default ##Inf)]", "[:db/mine]"}) {
    absl::StatusOr<Value> pulled = pull(db, pattern, vec({kw("p/name"), "ann"}));
    if (!pulled.ok()) {
      EXPECT_EQ(pulled.status().code(), Code::kInvalidArgument) << pattern << pulled.status();
    }
  }
}

TEST(HostileEdnTest, HugeNumbersInvalidTextAndDepth) {
  // A number past double's range is infinite, as in Clojure; past int64 a
  // bigint; neither is an error or undefined behaviour.
  absl::StatusOr<Value> huge = edn::Read("1e999999");
  if (huge.ok()) {
    EXPECT_TRUE(huge->is_float());
  }
  absl::StatusOr<Value> digits = edn::Read(std::string(100000, '9'));
  ASSERT_TRUE(digits.ok()) << digits.status();
  EXPECT_EQ(edn::Print(*digits), std::string(100000, '9') + "N");
  absl::StatusOr<Value> deep = edn::Read(Nest("{:a ", "1", "}", 100000));
  ASSERT_FALSE(deep.ok());
  EXPECT_THAT(std::string(deep.status().message()), HasSubstr("nesting deeper than"));
  absl::StatusOr<Value> tagged = edn::Read(Nest("#t ", "1", "", 100000));
  ASSERT_FALSE(tagged.ok());
  absl::StatusOr<Value> discards = edn::Read(Nest("#_ ", "1", "", 100000) + " 2");
  if (!discards.ok()) {
    EXPECT_EQ(discards.status().code(), Code::kInvalidArgument);
  }
}

TEST(HostileConfigTest, HostileIonConfigsAreInvalidArgument) {
  for (const std::string& text :
       {std::string("{:lambdas {:l {:fn a.b/c :timeout-secs ##Inf}}}"),
        std::string("{:lambdas {:l {:fn a.b/c :timeout-secs ##NaN}}}"),
        std::string("{:lambdas {:l {:fn a.b/c :timeout-secs 1e308}}}"),
        std::string("{:lambdas {:l {:fn a.b/c :concurrency-limit 99999999999999999999}}}"),
        std::string("{:http-direct {:handler-fn a.b/c :processing-concurrency -1}}"),
        std::string("{:http-direct {:handler-fn a.b/c :pending-ops-exceeded-code 200}}"),
        std::string("{:app-name \"\xFF\"}"),
        std::string("{:allow ") + Nest("[", "a.b/c", "]", 100) + "}",
        Nest("{:app-name ", "\"x\"", "}", 100000)}) {
    absl::StatusOr<IonConfig> config = IonConfig::Parse(text);
    ASSERT_FALSE(config.ok()) << text.substr(0, 80);
    EXPECT_EQ(config.status().code(), Code::kInvalidArgument) << config.status();
    EXPECT_FALSE(config.status().message().empty());
  }
}

}  // namespace
}  // namespace accrete::hostile_test
