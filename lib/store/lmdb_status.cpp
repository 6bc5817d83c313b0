#include "store/lmdb_status.hpp"

#include <lmdb.h>

#include <cerrno>

#include "absl/strings/str_cat.h"
#include "store/strings.hpp"

namespace accrete::internal {

absl::Status LmdbStatus(int rc, std::string_view what) {
  if (rc == MDB_SUCCESS) return absl::OkStatus();
  // The Connection recognises a full map by this exact message (see
  // IsMapFull), so it carries no context.
  if (rc == MDB_MAP_FULL) return absl::ResourceExhaustedError("map full");
  const std::string message = absl::StrCat(AsAbsl(what), ": ", mdb_strerror(rc));
  switch (rc) {
    case MDB_READERS_FULL:
      return absl::ResourceExhaustedError(absl::StrCat(
          AsAbsl(what), ": every LMDB reader slot is in use (raise StoreOptions::max_readers)"));
    case MDB_CORRUPTED:
    case MDB_PAGE_NOTFOUND:
    case MDB_INVALID:
      return absl::DataLossError(message);
    case MDB_VERSION_MISMATCH:
      return absl::FailedPreconditionError(message);
    case MDB_NOTFOUND:
    case ENOENT:
      return absl::NotFoundError(message);
    case EACCES:
      return absl::PermissionDeniedError(message);
    case ENOSPC:
    case EFBIG:
    case EDQUOT:
      // Not "map full": growing the map cannot help, so it reaches the caller.
      return absl::ResourceExhaustedError(
          absl::StrCat(AsAbsl(what), ": the disk is full (", mdb_strerror(rc), ")"));
    case EIO:
      // LMDB reports a short write as EIO: on a full disk or at a file-size
      // limit, the write that crosses it is short.
      return absl::InternalError(
          absl::StrCat(message, " writing the database file: the disk may be full or failing"));
    default:
      return absl::InternalError(message);
  }
}

}  // namespace accrete::internal
