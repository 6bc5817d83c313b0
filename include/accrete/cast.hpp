// Cast: what a running program tells its operators, as data. Four kinds,
// after Datomic's ion cast: an event (something ordinary happened), an alert
// (something needs a person's attention), a dev message (for developers, off
// unless enabled) and a metric (a named number with units). Each is a map;
// cast writes it as one JSON object per line, with "timestamp" (UTC,
// RFC 3339 with milliseconds) and "type" first, then the map's keys (keywords
// without their ':', as Cheshire writes them):
//
//   cast::event(map({{kw("msg"), "order placed"}, {kw("sku"), "SKU-42"}}));
//   {"timestamp":"2026-11-22T04:40:00.123Z","type":"event","msg":"order placed","sku":"SKU-42"}
//
// Where lines go is process-wide: stderr until redirect() says otherwise
// (stdout, stderr, a file, or any callback). See docs/ions.md.
//
// Thread safety: every function here may be called from any thread; lines
// are written whole, one at a time.
#ifndef ACCRETE_CAST_HPP_
#define ACCRETE_CAST_HPP_

#include <functional>
#include <string>
#include <string_view>

#include "accrete/status.hpp"
#include "accrete/value.hpp"

namespace accrete::cast {

// Receives each cast as one line of JSON, without the newline. Called under
// cast's lock, so it needs no locking of its own, and must not cast.
using Sink = std::function<void(std::string_view line)>;

// Sends every later cast to `sink` (nullptr: discard them). Default:
// to_stderr().
void redirect(Sink sink);
Sink to_stdout();
Sink to_stderr();
// Appends to the file at `path`, creating it. The error of opening it
// (NotFound, PermissionDenied, ...) naming the path when it cannot be opened.
[[nodiscard]] absl::StatusOr<Sink> to_file(const std::string& path);

// dev() writes only while enabled. Default: disabled.
void enable_dev(bool enabled);

// Each takes a map and returns InvalidArgument, writing nothing, when it is
// not a map, lacks a required key, or has :timestamp or :type (cast's own):
//   event: :msg (a string)
//   alert: :msg (a string); :ex, the error, is customary
//   dev:   :msg (a string)
//   metric: :name (a keyword or string), :value (a number), :units (one of
//           :msec :bytes :kb :mb :gb :sec :count)
// Internal when the sink throws.
[[nodiscard]] absl::Status event(const Value& map);
[[nodiscard]] absl::Status alert(const Value& map);
[[nodiscard]] absl::Status dev(const Value& map);
[[nodiscard]] absl::Status metric(const Value& map);

}  // namespace accrete::cast

#endif  // ACCRETE_CAST_HPP_
