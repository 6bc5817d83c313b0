// The text forms of the built-in tagged literals: #inst (RFC 3339), #uuid
// (canonical 8-4-4-4-12 hex) and #bytes (base64).
#ifndef ACCRETE_LIB_EDN_LITERALS_HPP_
#define ACCRETE_LIB_EDN_LITERALS_HPP_

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace accrete::internal {

// 0-15 for a hex digit (either case), else -1.
inline int HexDigitValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Parses an RFC 3339 timestamp into milliseconds since the epoch. Accepts, as
// Clojure's #inst does, a prefix of "YYYY-MM-DDTHH:MM:SS.fff" (year alone,
// year-month, date, date with hours, ...), fractional seconds of any length
// (truncated to milliseconds), and an offset "Z" or "+HH:MM"/"-HH:MM" (absent
// means UTC). Years beyond 0000-9999 are written with a sign and at least
// four digits ("+10000", "-0001"), as ISO 8601 extends them. On failure
// returns false and sets `*error` to what was wrong.
bool ParseInst(std::string_view text, int64_t* millis, std::string* error);
// "YYYY-MM-DDTHH:MM:SS.fffZ", UTC, always with milliseconds.
std::string FormatInst(int64_t millis);

// Parses the canonical form "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" (either case).
bool ParseUuid(std::string_view text, std::array<uint8_t, 16>* out);
// Lower-case canonical form.
std::string FormatUuid(const std::array<uint8_t, 16>& bytes);

// Standard base64 (RFC 4648 section 4, '+' '/' and '=' padding required).
bool DecodeBase64(std::string_view text, std::string* out);
std::string EncodeBase64(std::string_view bytes);

// Whether `text` is acceptable in `#uri`: no spaces, controls or characters
// that RFC 3986 never allows (`"<>\^`{|}`), and every '%' starts a %XX escape.
// Non-ASCII characters are allowed (IRIs).
bool IsPlausibleUri(std::string_view text);

}  // namespace accrete::internal

#endif  // ACCRETE_LIB_EDN_LITERALS_HPP_
