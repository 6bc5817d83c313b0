// Index key builders and the key parser (layouts in encoding.hpp and
// docs/format.md). ParseKey is on every scan's path: it allocates nothing.
#include "absl/strings/str_cat.h"
#include "accrete/db.hpp"
#include "store/store.hpp"

namespace accrete::internal {
namespace {

constexpr size_t kMaxIdBytes = 9;
// t fits in the 42 bits below the tx partition tag (TToTx).
constexpr uint64_t kMaxT = (uint64_t{1} << 42) - 1;

absl::Status BadKey(Dbi dbi, std::string_view key) {
  return absl::DataLossError(
      absl::StrCat("malformed key of ", key.size(), " bytes in index ", static_cast<int>(dbi)));
}

}  // namespace

void BuildIndexKey(Dbi dbi, uint64_t e, uint64_t a, std::string_view v, std::string* out) {
  out->clear();
  out->reserve(2 * kMaxIdBytes + v.size() + kMaxIdBytes);  // room for a history tx_a
  AppendIndexKey(dbi, e, a, v, out);
}

void AppendIndexKey(Dbi dbi, uint64_t e, uint64_t a, std::string_view v, std::string* out) {
  switch (dbi) {
    case Dbi::kEavt:
      AppendId(out, e);
      AppendId(out, a);
      out->append(v);
      break;
    case Dbi::kAevt:
      AppendId(out, a);
      AppendId(out, e);
      out->append(v);
      break;
    case Dbi::kAvet:
      AppendId(out, a);
      out->append(v);
      AppendTailId(out, e);
      break;
    default:  // kVaet
      out->append(v);
      AppendId(out, a);
      AppendId(out, e);
      break;
  }
}

void AppendHistorySuffix(std::string* key, int64_t t_a) {
  AppendTailId(key, static_cast<uint64_t>(t_a));
}

void BuildTimeKey(uint64_t e, uint64_t a, int64_t t_r, std::string_view v, std::string* out) {
  out->clear();
  AppendId(out, e);
  AppendId(out, a);
  AppendId(out, static_cast<uint64_t>(t_r));
  out->append(v);
}

absl::StatusOr<TimeKeyParts> ParseTimeKey(std::string_view key) {
  TimeKeyParts parts;
  const size_t n_e = ReadId(key, &parts.e);
  const size_t n_a = n_e == 0 ? 0 : ReadId(key.substr(n_e), &parts.a);
  uint64_t t_r = 0;
  const size_t n_t = n_a == 0 ? 0 : ReadId(key.substr(n_e + n_a), &t_r);
  if (n_t == 0 || key.size() == n_e + n_a + n_t) {
    return absl::DataLossError("malformed hteavt key");
  }
  parts.group_size = n_e + n_a;
  parts.t_r = static_cast<int64_t>(t_r);
  parts.v = key.substr(n_e + n_a + n_t);
  return parts;
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
    uint64_t t_a = 0;
    const size_t n = ReadTailId(body, &t_a);
    if (n == 0 || t_a > kMaxT) return BadKey(dbi, key);
    parts.tx_a = static_cast<uint64_t>(TToTx(static_cast<int64_t>(t_a)));
    body.remove_suffix(n);
  }
  if (!ParseCurrentKey(static_cast<Dbi>(index % 4), body, &parts)) return BadKey(dbi, key);
  return parts;
}

int64_t EntryT(std::string_view value) {
  return static_cast<int64_t>(ReadLowBytes(value.data(), std::min<size_t>(value.size(), 8)));
}

absl::StatusOr<std::pair<std::string_view, int64_t>> SplitHistoryKey(std::string_view key) {
  uint64_t t_a = 0;
  const size_t n = ReadTailId(key, &t_a);
  if (n == 0 || t_a > kMaxT) return absl::DataLossError("history key without a valid tx suffix");
  return std::make_pair(key.substr(0, key.size() - n), static_cast<int64_t>(t_a));
}

}  // namespace accrete::internal
