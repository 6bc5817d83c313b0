// How a fuzz target reports a broken invariant: what broke, the input, the
// detail, then abort() so that libFuzzer saves the input.
#ifndef ACCRETE_FUZZ_FAIL_HPP_
#define ACCRETE_FUZZ_FAIL_HPP_

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace accrete::fuzz {

[[noreturn]] inline void Fail(const char* what, std::string_view input, const std::string& detail) {
  std::fprintf(stderr, "%s\ninput: %.*s\n%s\n", what, static_cast<int>(input.size()), input.data(),
               detail.c_str());
  std::abort();
}

}  // namespace accrete::fuzz

#endif  // ACCRETE_FUZZ_FAIL_HPP_
