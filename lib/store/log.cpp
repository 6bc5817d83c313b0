#include "store/log.hpp"

#include "absl/strings/str_cat.h"
#include "accrete/db.hpp"
#include "store/strings.hpp"

namespace accrete::internal {
namespace {

constexpr uint8_t kLogRecordVersion = 1;
constexpr uint8_t kFlagAdded = 0x01;
// The datom's e is the previous datom's (omitted): transaction data comes
// grouped by entity, and a user entity id takes 7 bytes as a varint.
constexpr uint8_t kFlagSameEntity = 0x02;

// Unsigned LEB128: 7 bits a byte, least significant first, high bit = more.
void PutVarint(std::string* out, uint64_t x) {
  while (x >= 0x80) {
    out->push_back(static_cast<char>((x & 0x7F) | 0x80));
    x >>= 7;
  }
  out->push_back(static_cast<char>(x));
}

bool GetVarint(std::string_view* in, uint64_t* x) {
  *x = 0;
  for (int shift = 0; shift < 64 && !in->empty(); shift += 7) {
    const uint8_t byte = static_cast<uint8_t>((*in)[0]);
    in->remove_prefix(1);
    *x |= static_cast<uint64_t>(byte & 0x7F) << shift;
    if ((byte & 0x80) == 0) return true;
  }
  return false;
}

absl::Status Malformed(int64_t t, std::string_view what) {
  return absl::DataLossError(absl::StrCat("malformed log record for t ", t, ": ", AsAbsl(what)));
}

}  // namespace

std::string LogKey(int64_t t) {
  std::string key;
  PutU64(&key, static_cast<uint64_t>(t));
  return key;
}

void EncodeLogRecord(int64_t t, std::span<const DatomWrite> datoms,
                     std::span<const uint64_t> closed_tx_a, std::string* out) {
  (void)t;  // the key carries t
  out->push_back(static_cast<char>(kLogRecordVersion));
  PutVarint(out, datoms.size());
  for (size_t i = 0; i < datoms.size(); ++i) {
    const DatomWrite& d = datoms[i];
    const bool same_entity = i > 0 && d.e == datoms[i - 1].e;
    out->push_back(
        static_cast<char>((d.added ? kFlagAdded : 0) | (same_entity ? kFlagSameEntity : 0)));
    if (!same_entity) PutVarint(out, d.e);
    PutVarint(out, d.a);
    PutVarint(out, d.v.size());
    out->append(d.v);
    // Stored as a t: much shorter than the tx entity id's varint.
    if (!d.added)
      PutVarint(out, static_cast<uint64_t>(TxToT(static_cast<int64_t>(closed_tx_a[i]))));
  }
}

absl::StatusOr<LogEntry> DecodeLogEntry(std::string_view key, std::string_view value) {
  if (key.size() != 8) return absl::DataLossError("malformed log key: not 8 bytes");
  LogEntry entry;
  entry.t = static_cast<int64_t>(GetU64(key.data()));
  const uint64_t this_tx = static_cast<uint64_t>(TToTx(entry.t));
  if (value.empty() || static_cast<uint8_t>(value[0]) != kLogRecordVersion) {
    return Malformed(entry.t, "unknown record version");
  }
  value.remove_prefix(1);
  uint64_t count = 0;
  if (!GetVarint(&value, &count)) return Malformed(entry.t, "truncated datom count");
  // Each datom takes at least 4 bytes, which bounds a corrupt count.
  if (count > value.size() / 4) return Malformed(entry.t, "datom count exceeds record");
  entry.datoms.reserve(count);
  for (uint64_t i = 0; i < count; ++i) {
    LogDatom d;
    if (value.empty()) return Malformed(entry.t, "truncated datom");
    const uint8_t flags = static_cast<uint8_t>(value[0]);
    value.remove_prefix(1);
    if ((flags & ~(kFlagAdded | kFlagSameEntity)) != 0) {
      return Malformed(entry.t, "unknown datom flags");
    }
    d.added = (flags & kFlagAdded) != 0;
    if ((flags & kFlagSameEntity) != 0) {
      if (i == 0) return Malformed(entry.t, "first datom without an entity");
      d.e = entry.datoms.back().e;
    } else if (!GetVarint(&value, &d.e)) {
      return Malformed(entry.t, "truncated datom");
    }
    uint64_t v_size = 0;
    if (!GetVarint(&value, &d.a) || !GetVarint(&value, &v_size) || v_size == 0 ||
        v_size > value.size()) {
      return Malformed(entry.t, "truncated datom");
    }
    d.v = value.substr(0, v_size);
    value.remove_prefix(v_size);
    d.tx_a = this_tx;
    if (!d.added) {
      uint64_t t_a = 0;
      if (!GetVarint(&value, &t_a)) return Malformed(entry.t, "truncated retraction");
      d.tx_a = static_cast<uint64_t>(TToTx(static_cast<int64_t>(t_a)));
    }
    entry.datoms.push_back(d);
  }
  if (!value.empty()) return Malformed(entry.t, "trailing bytes");
  return entry;
}

}  // namespace accrete::internal
