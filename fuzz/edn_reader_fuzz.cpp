// libFuzzer target for the EDN reader: whatever reads must print, read back
// equal (with an equal hash and order), and print the same again; PrettyPrint
// must read back equal too. Anything else aborts.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "accrete/edn.hpp"
#include "fail.hpp"

using accrete::fuzz::Fail;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  accrete::edn::ReadOptions options;
  options.max_depth = 64;  // keep deep inputs fast; the limit itself is tested in edn_test
  absl::StatusOr<accrete::Value> value = accrete::edn::Read(input, options);
  if (!value.ok()) {
    std::string message(value.status().message());
    if (message.empty() || message.find(": ") == std::string::npos) {
      Fail("error message without line:column", input, message);
    }
    return 0;
  }
  std::string printed = accrete::edn::Print(*value);
  absl::StatusOr<accrete::Value> again = accrete::edn::Read(printed);
  if (!again.ok())
    Fail("printed value does not read", input, printed + "\n" + again.status().ToString());
  if (!(*again == *value)) Fail("printed value reads back different", input, printed);
  if (again->hash() != value->hash()) Fail("equal values hash differently", input, printed);
  if (compare(*again, *value) != 0) Fail("equal values compare unequal", input, printed);
  std::string reprinted = accrete::edn::Print(*again);
  if (reprinted != printed) Fail("printing is not canonical", input, printed + "\n" + reprinted);
  std::string pretty = accrete::edn::PrettyPrint(*value, static_cast<int>(size % 50));
  absl::StatusOr<accrete::Value> from_pretty = accrete::edn::Read(pretty);
  if (!from_pretty.ok() || !(*from_pretty == *value))
    Fail("pretty print reads back different", input, pretty);
  (void)accrete::edn::ReadAll(input, options);
  return 0;
}
