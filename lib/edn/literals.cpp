#include "edn/literals.hpp"

#include <cstdio>

#include "edn/str_cat.hpp"

namespace accrete::internal {
namespace {

constexpr int64_t kMillisPerDay = 86'400'000;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
int64_t DaysFromCivil(int64_t y, int m, int d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

void CivilFromDays(int64_t z, int64_t* y, int* m, int* d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  *d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  *m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  *y = yoe + era * 400 + (*m <= 2);
}

bool IsLeap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int DaysInMonth(int64_t y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

// A cursor over inst text.
class InstScanner {
 public:
  explicit InstScanner(std::string_view text) : text_(text) {}
  bool AtEnd() const { return pos_ == text_.size(); }
  bool Peek(char c) const { return pos_ < text_.size() && text_[pos_] == c; }
  bool PeekAny(std::string_view chars) const {
    return pos_ < text_.size() && chars.find(text_[pos_]) != std::string_view::npos;
  }
  char Next() { return text_[pos_++]; }
  // Reads exactly `n` digits.
  bool Digits(int n, int* out) {
    int v = 0;
    for (int i = 0; i < n; ++i) {
      if (pos_ >= text_.size() || !IsDigit(text_[pos_])) return false;
      v = v * 10 + (text_[pos_++] - '0');
    }
    *out = v;
    return true;
  }
  // Reads a run of digits; returns how many.
  size_t DigitRun(std::string_view* out) {
    size_t start = pos_;
    while (pos_ < text_.size() && IsDigit(text_[pos_])) ++pos_;
    *out = text_.substr(start, pos_ - start);
    return pos_ - start;
  }

 private:
  std::string_view text_;
  size_t pos_ = 0;
};

bool ParseYear(InstScanner& s, int64_t* year) {
  bool has_sign = s.PeekAny("+-");
  bool negative = has_sign && s.Next() == '-';
  std::string_view digits;
  size_t n = s.DigitRun(&digits);
  // Four digits, or with a sign four to nine (ISO 8601 expanded years).
  if (has_sign ? (n < 4 || n > 9) : n != 4) return false;
  int64_t y = 0;
  for (char c : digits) y = y * 10 + (c - '0');
  *year = negative ? -y : y;
  return true;
}

}  // namespace

bool ParseInst(std::string_view text, int64_t* millis, std::string* error) {
  InstScanner s(text);
  int64_t year = 0;
  int month = 1, day = 1, hour = 0, minute = 0, second = 0, offset_minutes = 0;
  int64_t fraction_millis = 0;
  auto syntax = [&] {
    *error = "expected an RFC 3339 timestamp such as \"2024-01-31T12:30:00.000Z\"";
    return false;
  };
  if (!ParseYear(s, &year)) return syntax();
  if (s.Peek('-')) {
    s.Next();
    if (!s.Digits(2, &month)) return syntax();
    if (s.Peek('-')) {
      s.Next();
      if (!s.Digits(2, &day)) return syntax();
      if (s.PeekAny("Tt")) {
        s.Next();
        if (!s.Digits(2, &hour)) return syntax();
        if (s.Peek(':')) {
          s.Next();
          if (!s.Digits(2, &minute)) return syntax();
          if (s.Peek(':')) {
            s.Next();
            if (!s.Digits(2, &second)) return syntax();
            if (s.Peek('.')) {
              s.Next();
              std::string_view fraction;
              if (s.DigitRun(&fraction) == 0) return syntax();
              for (size_t i = 0; i < 3; ++i) {
                fraction_millis =
                    fraction_millis * 10 + (i < fraction.size() ? fraction[i] - '0' : 0);
              }
            }
          }
        }
      }
    }
  }
  if (s.PeekAny("Zz")) {
    s.Next();
  } else if (s.PeekAny("+-")) {
    bool negative = s.Next() == '-';
    int oh = 0, om = 0;
    if (!s.Digits(2, &oh) || !s.Peek(':')) return syntax();
    s.Next();
    if (!s.Digits(2, &om)) return syntax();
    if (oh > 23 || om > 59) {
      *error = Cat("offset out of range in \"", text, "\"");
      return false;
    }
    offset_minutes = (negative ? -1 : 1) * (oh * 60 + om);
  }
  if (!s.AtEnd()) return syntax();
  auto range = [&](std::string_view what, int value) {
    *error = Cat(what, " ", value, " out of range in \"", text, "\"");
    return false;
  };
  if (month < 1 || month > 12) return range("month", month);
  if (day < 1 || day > DaysInMonth(year, month)) return range("day", day);
  if (hour > 23) return range("hour", hour);
  if (minute > 59) return range("minute", minute);
  if (second > 59) return range("second", second);
  __int128 total = DaysFromCivil(year, month, day);
  const int64_t seconds_of_day = (hour * 60 + minute - offset_minutes) * 60 + second;
  total = total * kMillisPerDay + static_cast<__int128>(seconds_of_day) * 1000 + fraction_millis;
  if (total > INT64_MAX || total < INT64_MIN) {
    *error = Cat("instant out of range in \"", text, "\"");
    return false;
  }
  *millis = static_cast<int64_t>(total);
  return true;
}

std::string FormatInst(int64_t millis) {
  int64_t days = millis / kMillisPerDay;
  int64_t rest = millis % kMillisPerDay;
  if (rest < 0) {
    rest += kMillisPerDay;
    --days;
  }
  int64_t year;
  int month, day;
  CivilFromDays(days, &year, &month, &day);
  char year_text[24];
  if (year >= 0 && year <= 9999) {
    std::snprintf(year_text, sizeof year_text, "%04lld", static_cast<long long>(year));
  } else {
    std::snprintf(year_text, sizeof year_text, "%c%04lld", year < 0 ? '-' : '+',
                  static_cast<long long>(year < 0 ? -year : year));
  }
  int ms = static_cast<int>(rest % 1000);
  int total_seconds = static_cast<int>(rest / 1000);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s-%02d-%02dT%02d:%02d:%02d.%03dZ", year_text, month, day,
                total_seconds / 3600, total_seconds / 60 % 60, total_seconds % 60, ms);
  return buf;
}

bool ParseUuid(std::string_view text, std::array<uint8_t, 16>* out) {
  if (text.size() != 36) return false;
  size_t byte = 0;
  for (size_t i = 0; i < 36;) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (text[i] != '-') return false;
      ++i;
      continue;
    }
    int hi = HexDigitValue(text[i]);
    int lo = HexDigitValue(text[i + 1]);
    if (hi < 0 || lo < 0) return false;
    (*out)[byte++] = static_cast<uint8_t>(hi << 4 | lo);
    i += 2;
  }
  return true;
}

std::string FormatUuid(const std::array<uint8_t, 16>& bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (size_t i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    out.push_back(kHex[bytes[i] >> 4]);
    out.push_back(kHex[bytes[i] & 15]);
  }
  return out;
}

namespace {

constexpr char kBase64Alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int Base64Value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

}  // namespace

bool DecodeBase64(std::string_view text, std::string* out) {
  if (text.size() % 4 != 0) return false;
  size_t padding = 0;
  if (!text.empty() && text.back() == '=') ++padding;
  if (text.size() >= 2 && text[text.size() - 2] == '=') ++padding;
  out->clear();
  out->reserve(text.size() / 4 * 3);
  size_t data_chars = text.size() - padding;
  uint32_t acc = 0;
  int bits = 0;
  for (size_t i = 0; i < data_chars; ++i) {
    int v = Base64Value(text[i]);
    if (v < 0) return false;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out->push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  return true;
}

std::string EncodeBase64(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  auto at = [&](size_t k) { return static_cast<uint32_t>(static_cast<unsigned char>(bytes[k])); };
  for (; i + 3 <= bytes.size(); i += 3) {
    uint32_t n = at(i) << 16 | at(i + 1) << 8 | at(i + 2);
    for (int shift = 18; shift >= 0; shift -= 6) out.push_back(kBase64Alphabet[(n >> shift) & 63]);
  }
  size_t rest = bytes.size() - i;
  if (rest > 0) {
    uint32_t n = at(i) << 16 | (rest == 2 ? at(i + 1) << 8 : 0);
    out.push_back(kBase64Alphabet[(n >> 18) & 63]);
    out.push_back(kBase64Alphabet[(n >> 12) & 63]);
    out.push_back(rest == 2 ? kBase64Alphabet[(n >> 6) & 63] : '=');
    out.push_back('=');
  }
  return out;
}

bool IsPlausibleUri(std::string_view text) {
  for (size_t i = 0; i < text.size(); ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c <= 0x20 || c == 0x7F) return false;
    if (std::string_view("\"<>\\^`{|}").find(static_cast<char>(c)) != std::string_view::npos) {
      return false;
    }
    if (c == '%') {
      if (i + 2 >= text.size() || HexDigitValue(text[i + 1]) < 0 ||
          HexDigitValue(text[i + 2]) < 0) {
        return false;
      }
    }
  }
  return true;
}

}  // namespace accrete::internal
