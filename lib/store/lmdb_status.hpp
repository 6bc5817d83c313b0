// The one place where LMDB's int return codes become absl::Status.
#ifndef ACCRETE_LIB_STORE_LMDB_STATUS_HPP_
#define ACCRETE_LIB_STORE_LMDB_STATUS_HPP_

#include <string_view>

#include "absl/status/status.h"

namespace accrete::internal {

// OK for 0. Otherwise the code that fits, with `what` (e.g. "opening
// /data/db") in the message:
//   MDB_MAP_FULL       ResourceExhausted, message exactly "map full"
//   MDB_READERS_FULL   ResourceExhausted, naming the reader slots
//   MDB_CORRUPTED, MDB_PAGE_NOTFOUND, MDB_INVALID   DataLoss
//   MDB_VERSION_MISMATCH   FailedPrecondition
//   MDB_NOTFOUND, ENOENT   NotFound
//   EACCES             PermissionDenied
//   ENOSPC, EFBIG, EDQUOT   ResourceExhausted, "... the disk is full (...)"
//   EIO                Internal, "... the disk may be full or failing" (LMDB
//                      turns a short write into EIO)
//   anything else      Internal, with mdb_strerror's text
// Callers treat MDB_NOTFOUND at a cursor's end as "no more", not as an error,
// and never pass it here for that case.
absl::Status LmdbStatus(int rc, std::string_view what);

}  // namespace accrete::internal

#endif  // ACCRETE_LIB_STORE_LMDB_STATUS_HPP_
