// Whole-history export and import in the streaming EDN format of
// docs/cli.md, and the compacting backup. Internal to tools/accrete.
#ifndef ACCRETE_TOOLS_ACCRETE_TRANSFER_HPP_
#define ACCRETE_TOOLS_ACCRETE_TRANSFER_HPP_

#include <cstdio>
#include <istream>
#include <string>

#include "accrete/connection.hpp"
#include "accrete/db.hpp"
#include "accrete/ion.hpp"
#include "accrete/status.hpp"

namespace accrete::tools {

// The export format's version (docs/cli.md); import refuses others.
inline constexpr int kExportVersion = 1;

// Writes every transaction of `db` (t ascending) to `out`, one EDN map per
// line between a header and a trailer. With `progress`, a progress line on
// stderr.
absl::Status Export(const Db& db, std::FILE* out, bool progress);

struct ImportOptions {
  // Default: durable.
  Durability durability = Durability::kDurable;
  // A progress line on stderr. Default: true.
  bool progress = true;
  // A longer line is refused: the format keeps a transaction on one line, so
  // this bounds what import holds in memory. Default: 256 MiB.
  size_t max_line_bytes = size_t{256} << 20;
};

// Replays an export into `dir`, which must be absent or an empty directory:
// each transaction keeps its t, its :db/txInstant and its entity ids. All
// or nothing: the replay goes into a sibling directory `dir`.import-<pid>
// that becomes `dir` only once the whole export is in, and is removed on
// any error, so `dir` is as it was unless import succeeded.
// InvalidArgument, naming the line, for a malformed, oversized or truncated
// export; FailedPrecondition when `dir` is not empty or a transaction cannot
// be reproduced exactly.
absl::Status Import(const std::string& dir, std::istream& in, const Registry* registry,
                    const ImportOptions& options);

}  // namespace accrete::tools

#endif  // ACCRETE_TOOLS_ACCRETE_TRANSFER_HPP_
