// Cat(...): concatenation for error messages. absl::StrCat is not used because
// this absl build's string_view is not std::string_view.
#ifndef ACCRETE_LIB_EDN_STR_CAT_HPP_
#define ACCRETE_LIB_EDN_STR_CAT_HPP_

#include <string>
#include <string_view>
#include <type_traits>

namespace accrete::internal {

template <typename T>
void AppendPiece(std::string* out, const T& piece) {
  if constexpr (std::is_arithmetic_v<T> && !std::is_same_v<T, char>) {
    out->append(std::to_string(piece));
  } else if constexpr (std::is_same_v<T, char>) {
    out->push_back(piece);
  } else if constexpr (requires { std::string_view(piece.data(), piece.size()); } &&
                       !std::is_convertible_v<T, std::string_view>) {
    out->append(piece.data(), piece.size());  // absl::string_view (Status::message())
  } else {
    out->append(std::string_view(piece));
  }
}

template <typename... Pieces>
std::string Cat(const Pieces&... pieces) {
  std::string out;
  (AppendPiece(&out, pieces), ...);
  return out;
}

}  // namespace accrete::internal

#endif  // ACCRETE_LIB_EDN_STR_CAT_HPP_
