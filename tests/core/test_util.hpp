// Helpers shared by the core tests: temporary database directories and
// assertions on Status values.
#ifndef ACCRETE_TESTS_CORE_TEST_UTIL_HPP_
#define ACCRETE_TESTS_CORE_TEST_UTIL_HPP_

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <string>

#include "accrete/accrete.hpp"
#include "gtest/gtest.h"

namespace accrete {
// Readable values in test failure messages.
inline void PrintTo(const Value& v, std::ostream* os) { *os << v.to_string(); }
inline void PrintTo(const Datom& d, std::ostream* os) { *os << d.to_string(); }
}  // namespace accrete

namespace accrete::testing_util {

// A fresh directory under the test temp dir, removed when the object dies.
class TempDir {
 public:
  TempDir() {
    static std::atomic<int> counter{0};
    path_ = std::filesystem::path(::testing::TempDir()) /
            ("accrete-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    std::filesystem::remove_all(path_);
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string path() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

inline const absl::Status& StatusOf(const absl::Status& s) { return s; }
template <typename T>
const absl::Status& StatusOf(const absl::StatusOr<T>& s) {
  return s.status();
}

inline Options RelaxedOptions() {
  Options options;
  options.durability = Durability::kRelaxed;
  return options;
}

}  // namespace accrete::testing_util

#define ASSERT_OK(expr)                                                               \
  do {                                                                                \
    const auto& _st = (expr);                                                         \
    ASSERT_TRUE(_st.ok()) << #expr << ": " << ::accrete::testing_util::StatusOf(_st); \
  } while (0)

#define EXPECT_OK(expr)                                                               \
  do {                                                                                \
    const auto& _st = (expr);                                                         \
    EXPECT_TRUE(_st.ok()) << #expr << ": " << ::accrete::testing_util::StatusOf(_st); \
  } while (0)

// Evaluates a StatusOr expression, asserts it is OK and moves its value out.
#define ASSERT_OK_AND_ASSIGN(lhs, expr)                             \
  auto ACCRETE_CONCAT_(_so_, __LINE__) = (expr);                    \
  ASSERT_TRUE(ACCRETE_CONCAT_(_so_, __LINE__).ok())                 \
      << #expr << ": " << ACCRETE_CONCAT_(_so_, __LINE__).status(); \
  lhs = *std::move(ACCRETE_CONCAT_(_so_, __LINE__))

#define ACCRETE_CONCAT_INNER_(a, b) a##b
#define ACCRETE_CONCAT_(a, b) ACCRETE_CONCAT_INNER_(a, b)

#endif  // ACCRETE_TESTS_CORE_TEST_UTIL_HPP_
