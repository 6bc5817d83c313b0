// Cast: validation, the map-to-JSON rendering, and the process-wide sink.
#include "accrete/cast.hpp"

#include <nlohmann/json.hpp>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <exception>
#include <memory>
#include <mutex>
#include <utility>

#include "accrete/edn.hpp"
#include "edn/literals.hpp"
#include "edn/str_cat.hpp"

namespace accrete::cast {
namespace {

using internal::Cat;
using Json = nlohmann::ordered_json;

struct Output {
  std::mutex mu;
  Sink sink = to_stderr();
  std::atomic<bool> dev_enabled{false};
};

Output& TheOutput() {
  // Never destroyed: casts may come from threads still running at exit.
  static Output* output = new Output();
  return *output;
}

// Names are written without the ':' of a keyword, as Cheshire does.
std::string KeyText(const Value& key) {
  if (key.is_keyword() || key.is_symbol()) return std::string(key.qualified_name());
  if (key.is_string()) return std::string(key.as_string());
  return edn::Print(key);
}

Json ToJson(const Value& v) {
  switch (v.kind()) {
    case Kind::kNil:
      return nullptr;
    case Kind::kBoolean:
      return v.as_bool();
    case Kind::kInteger:
      return v.as_int();
    case Kind::kFloat:
      // JSON has no NaN or infinities.
      return std::isfinite(v.as_double()) ? Json(v.as_double()) : Json(edn::Print(v));
    case Kind::kString:
      return std::string(v.as_string());
    case Kind::kKeyword:
    case Kind::kSymbol:
      return std::string(v.qualified_name());
    case Kind::kInst:
      return internal::FormatInst(v.inst_millis());
    case Kind::kList:
    case Kind::kVector:
    case Kind::kSet: {
      Json items = Json::array();
      for (const Value& item : v.items()) items.push_back(ToJson(item));
      return items;
    }
    case Kind::kMap: {
      Json object = Json::object();
      for (const auto& [key, value] : v.entries()) object[KeyText(key)] = ToJson(value);
      return object;
    }
    default:
      return edn::Print(v);
  }
}

absl::Status Invalid(std::string_view type, const Value& map, std::string_view problem) {
  return absl::InvalidArgumentError(Cat("cast/", type, " ", problem, ", in ", map.to_string()));
}

absl::Status RequireString(std::string_view type, const Value& map, std::string_view key) {
  const Value* value = map.get(kw(key));
  if (value == nullptr) return Invalid(type, map, Cat("needs :", key));
  if (!value->is_string()) return Invalid(type, map, Cat("needs :", key, " to be a string"));
  return absl::OkStatus();
}

absl::Status CheckMap(std::string_view type, const Value& map) {
  if (!map.is_map()) return Invalid(type, map, "takes a map");
  for (std::string_view own : {"timestamp", "type"}) {
    if (map.get(kw(own)) != nullptr) {
      return Invalid(type, map, Cat("keeps :", own, " for itself; name the key otherwise"));
    }
  }
  return absl::OkStatus();
}

absl::Status Write(std::string_view type, const Value& map) {
  const int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  Json line = Json::object();
  line["timestamp"] = internal::FormatInst(now);
  line["type"] = std::string(type);
  for (const auto& [key, value] : map.entries()) line[KeyText(key)] = ToJson(value);
  // Strings that are not UTF-8 are replaced rather than thrown over.
  const std::string text = line.dump(-1, ' ', false, Json::error_handler_t::replace);
  Output& out = TheOutput();
  std::lock_guard<std::mutex> lock(out.mu);
  if (!out.sink) return absl::OkStatus();
  try {
    out.sink(text);
  } catch (const std::exception& e) {
    return absl::InternalError(Cat("cast/", type, ": the sink threw: ", e.what()));
  } catch (...) {
    return absl::InternalError(Cat("cast/", type, ": the sink threw"));
  }
  return absl::OkStatus();
}

Sink StreamSink(std::FILE* stream) {
  return [stream](std::string_view line) {
    std::fwrite(line.data(), 1, line.size(), stream);
    std::fputc('\n', stream);
    std::fflush(stream);
  };
}

}  // namespace

void redirect(Sink sink) {
  Output& out = TheOutput();
  std::lock_guard<std::mutex> lock(out.mu);
  out.sink = std::move(sink);
}

Sink to_stdout() { return StreamSink(stdout); }

Sink to_stderr() { return StreamSink(stderr); }

absl::StatusOr<Sink> to_file(const std::string& path) {
  std::FILE* raw = std::fopen(path.c_str(), "a");
  if (raw == nullptr) {
    const int error = errno;
    return absl::Status(absl::ErrnoToStatusCode(error),
                        Cat("cast: cannot open ", path, ": ", std::strerror(error)));
  }
  std::shared_ptr<std::FILE> file(raw, [](std::FILE* f) { std::fclose(f); });
  return Sink([file, write = StreamSink(raw)](std::string_view line) { write(line); });
}

void enable_dev(bool enabled) { TheOutput().dev_enabled = enabled; }

absl::Status event(const Value& map) {
  if (absl::Status s = CheckMap("event", map); !s.ok()) return s;
  if (absl::Status s = RequireString("event", map, "msg"); !s.ok()) return s;
  return Write("event", map);
}

absl::Status alert(const Value& map) {
  if (absl::Status s = CheckMap("alert", map); !s.ok()) return s;
  if (absl::Status s = RequireString("alert", map, "msg"); !s.ok()) return s;
  return Write("alert", map);
}

absl::Status dev(const Value& map) {
  if (absl::Status s = CheckMap("dev", map); !s.ok()) return s;
  if (absl::Status s = RequireString("dev", map, "msg"); !s.ok()) return s;
  if (!TheOutput().dev_enabled) return absl::OkStatus();
  return Write("dev", map);
}

absl::Status metric(const Value& map) {
  if (absl::Status s = CheckMap("metric", map); !s.ok()) return s;
  const Value* name = map.get(kw("name"));
  if (name == nullptr || !(name->is_keyword() || name->is_string())) {
    return Invalid("metric", map, "needs :name, a keyword or string");
  }
  const Value* value = map.get(kw("value"));
  if (value == nullptr || !(value->is_integer() || value->is_float())) {
    return Invalid("metric", map, "needs :value, a number");
  }
  static const Value kUnits =
      set({kw("msec"), kw("bytes"), kw("kb"), kw("mb"), kw("gb"), kw("sec"), kw("count")});
  const Value* units = map.get(kw("units"));
  if (units == nullptr || !kUnits.contains(*units)) {
    return Invalid("metric", map, "needs :units, one of :msec :bytes :kb :mb :gb :sec :count");
  }
  return Write("metric", map);
}

}  // namespace accrete::cast
