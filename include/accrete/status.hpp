// Errors at accrete's public boundary are absl::Status / absl::StatusOr<T>; no
// exception crosses it. Codes follow Datomic's anomaly categories:
//
//   incorrect (bad input)              InvalidArgument
//   not-found                          NotFound
//   conflict (cas, unique, upsert)     FailedPrecondition
//   forbidden (not in :allow)          PermissionDenied
//   busy (throttled, reader slots)     ResourceExhausted / Unavailable
//   interrupted / timeout              Cancelled / DeadlineExceeded
//   fault (bug, corrupt store)         Internal / DataLoss
//
// Every message names what was wrong and where, e.g.
//   Unknown attribute :person/nmae in [:db/add "p" :person/nmae "Ivan"]
#ifndef ACCRETE_STATUS_HPP_
#define ACCRETE_STATUS_HPP_

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace accrete {
using absl::Status;
using absl::StatusOr;
}  // namespace accrete

#endif  // ACCRETE_STATUS_HPP_
