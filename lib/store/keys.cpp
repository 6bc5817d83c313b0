// Index key builders and the key parser (layouts in encoding.hpp and
// docs/format.md). ParseKey is on every scan's path: it allocates nothing.
#include "absl/strings/str_cat.h"
#include "accrete/db.hpp"
#include "store/store.hpp"

namespace accrete::internal {
namespace {

constexpr size_t kIdBytes = 8;

bool IsInKeyValueSize(size_t n) { return (n >= 1 && n <= kMaxInlineValue) || n == kLongValueRef; }

absl::Status BadKey(Dbi dbi, std::string_view key) {
  return absl::DataLossError(
      absl::StrCat("malformed key of ", key.size(), " bytes in index ", static_cast<int>(dbi)));
}

}  // namespace

void BuildIndexKey(Dbi dbi, uint64_t e, uint64_t a, std::string_view v, std::string* out) {
  out->clear();
  out->reserve(2 * kIdBytes + v.size() + kIdBytes);  // room for a history tx_a
  AppendIndexKey(dbi, e, a, v, out);
}

void AppendIndexKey(Dbi dbi, uint64_t e, uint64_t a, std::string_view v, std::string* out) {
  switch (dbi) {
    case Dbi::kEavt:
      PutU64(out, e);
      PutU64(out, a);
      out->append(v);
      break;
    case Dbi::kAevt:
      PutU64(out, a);
      PutU64(out, e);
      out->append(v);
      break;
    case Dbi::kAvet:
      PutU64(out, a);
      out->append(v);
      PutU64(out, e);
      break;
    default:  // kVaet
      out->append(v);
      PutU64(out, a);
      PutU64(out, e);
      break;
  }
}

std::string EavtKey(uint64_t e, uint64_t a, std::string_view v) {
  std::string key;
  BuildIndexKey(Dbi::kEavt, e, a, v, &key);
  return key;
}

std::string AevtKey(uint64_t a, uint64_t e, std::string_view v) {
  std::string key;
  BuildIndexKey(Dbi::kAevt, e, a, v, &key);
  return key;
}

std::string AvetKey(uint64_t a, std::string_view v, uint64_t e) {
  std::string key;
  BuildIndexKey(Dbi::kAvet, e, a, v, &key);
  return key;
}

std::string VaetKey(std::string_view v, uint64_t a, uint64_t e) {
  std::string key;
  BuildIndexKey(Dbi::kVaet, e, a, v, &key);
  return key;
}

absl::StatusOr<KeyParts> ParseKey(Dbi dbi, std::string_view key) {
  const int index = static_cast<int>(dbi);
  if (index >= static_cast<int>(Dbi::kLog)) {
    return absl::InvalidArgumentError(absl::StrCat("sub-database ", index, " is not an index"));
  }
  KeyParts parts;
  std::string_view body = key;
  if (index >= static_cast<int>(Dbi::kHistEavt)) {
    if (body.size() < kIdBytes) return BadKey(dbi, key);
    parts.tx_a = GetU64(body.data() + body.size() - kIdBytes);
    body.remove_suffix(kIdBytes);
  }
  if (body.size() < 2 * kIdBytes || !IsInKeyValueSize(body.size() - 2 * kIdBytes)) {
    return BadKey(dbi, key);
  }
  const char* p = body.data();
  const size_t v_size = body.size() - 2 * kIdBytes;
  switch (static_cast<Dbi>(index % 4)) {
    case Dbi::kEavt:
      parts.e = GetU64(p);
      parts.a = GetU64(p + kIdBytes);
      parts.v = body.substr(2 * kIdBytes);
      break;
    case Dbi::kAevt:
      parts.a = GetU64(p);
      parts.e = GetU64(p + kIdBytes);
      parts.v = body.substr(2 * kIdBytes);
      break;
    case Dbi::kAvet:
      parts.a = GetU64(p);
      parts.v = body.substr(kIdBytes, v_size);
      parts.e = GetU64(p + kIdBytes + v_size);
      break;
    default:  // kVaet
      parts.v = body.substr(0, v_size);
      parts.a = GetU64(p + v_size);
      parts.e = GetU64(p + v_size + kIdBytes);
      break;
  }
  return parts;
}

int64_t EntryT(std::string_view value) { return TxToT(static_cast<int64_t>(GetU64(value.data()))); }

absl::StatusOr<std::pair<std::string_view, int64_t>> SplitHistoryKey(std::string_view key) {
  if (key.size() < kIdBytes) {
    return absl::DataLossError("history key shorter than its tx suffix");
  }
  return std::make_pair(key.substr(0, key.size() - kIdBytes),
                        TxToT(static_cast<int64_t>(GetU64(key.data() + key.size() - kIdBytes))));
}

}  // namespace accrete::internal
