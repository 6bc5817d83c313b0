// Helpers shared by the EDN tests.
#ifndef ACCRETE_TESTS_EDN_EDN_TEST_UTIL_HPP_
#define ACCRETE_TESTS_EDN_EDN_TEST_UTIL_HPP_

#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <string_view>

#include "accrete/edn.hpp"

namespace accrete::testing {

// Reads `text`, failing the test (and returning nil) when it does not read.
inline Value ReadOk(std::string_view text) {
  absl::StatusOr<Value> v = edn::Read(text);
  EXPECT_TRUE(v.ok()) << "reading " << text << ": " << v.status();
  return v.ok() ? *v : Value();
}

// The error message of reading `text`, or "OK: <printed value>" when it reads.
inline std::string ReadError(std::string_view text, const edn::ReadOptions& options = {}) {
  absl::StatusOr<Value> v = edn::Read(text, options);
  if (v.ok()) return "OK: " + edn::Print(*v);
  EXPECT_EQ(v.status().code(), absl::StatusCode::kInvalidArgument);
  return std::string(v.status().message());
}

}  // namespace accrete::testing

namespace accrete {
// GoogleTest prints Values as EDN in failure messages.
inline void PrintTo(const Value& v, std::ostream* os) { *os << edn::Print(v); }
inline void PrintTo(Kind k, std::ostream* os) { *os << KindName(k); }
}  // namespace accrete

#endif  // ACCRETE_TESTS_EDN_EDN_TEST_UTIL_HPP_
