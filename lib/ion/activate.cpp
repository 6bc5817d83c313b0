// Activating an ion config on a registry, the :allow policy, and invoking
// lambdas with their timeout and concurrency limit.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "accrete/ion.hpp"
#include "accrete/ion_config.hpp"
#include "edn/str_cat.hpp"
#include "ion/active.hpp"

namespace accrete {
namespace {

using internal::ActiveIons;
using internal::ActiveLambda;
using internal::Cat;

template <typename Table>
bool Has(const Table& table, const std::string& name) {
  return table.find(name) != table.end();
}

// The context a lambda sees: the caller's map plus what the runtime knows.
Value LambdaContext(const Value& given, const ActiveLambda& lambda, int64_t deadline_millis) {
  static std::atomic<uint64_t> next_request{1};
  std::vector<MapEntry> entries;
  if (given.is_map()) {
    entries.assign(given.entries().begin(), given.entries().end());
  }
  auto put = [&entries](std::string_view key, Value value) {
    const Value k = Value::Keyword(key);
    for (MapEntry& e : entries) {
      if (e.first == k) {
        e.second = std::move(value);
        return;
      }
    }
    entries.emplace_back(k, std::move(value));
  };
  put("function-name", Value::String(lambda.name));
  if (given.is_nil() || !given.is_map() || given.get(Value::Keyword("request-id")) == nullptr) {
    put("request-id", Value::String(Cat("req-", next_request.fetch_add(1))));
  }
  put("deadline-millis", Value::Integer(deadline_millis));
  return Value::Map(std::move(entries));
}

// One invocation's outcome, shared by the caller and the thread running it
// (which may outlive the caller's wait).
struct LambdaCall {
  std::mutex mu;
  std::condition_variable done_cv;
  bool done = false;
  absl::StatusOr<std::string> result;
};

absl::StatusOr<std::string> RunCatching(const ActiveLambda& lambda, std::string_view input,
                                        const Value& context) {
  try {
    absl::StatusOr<std::string> r = (*lambda.fn)(input, context);
    if (!r.ok()) {
      return absl::Status(r.status().code(),
                          Cat("Lambda :", lambda.name, ": ", r.status().message()));
    }
    return r;
  } catch (const std::exception& e) {
    return absl::InternalError(
        Cat("Lambda :", lambda.name, " (", lambda.config.fn, ") threw: ", e.what()));
  } catch (...) {
    return absl::InternalError(
        Cat("Lambda :", lambda.name, " (", lambda.config.fn, ") threw an exception"));
  }
}

absl::Status CheckListed(const absl::flat_hash_set<std::string>& listed, std::string_view key,
                         std::string_view name) {
  if (listed.contains(absl::string_view(name.data(), name.size()))) return absl::OkStatus();
  return absl::PermissionDeniedError(
      Cat(name, " is not in the ", key, " list of the active ion-config"));
}

}  // namespace

absl::Status Registry::Activate(const IonConfig& config) {
  auto active = std::make_shared<ActiveIons>();
  active->config = std::make_shared<const IonConfig>(config);
  std::vector<std::string> problems;
  std::lock_guard<std::mutex> lock(mu_);
  for (const std::string& name : config.allow) {
    if (!Has(tx_functions_, name) && !Has(query_functions_, name) && !Has(aggregates_, name) &&
        !Has(attr_predicates_, name) && !Has(entity_predicates_, name)) {
      problems.push_back(Cat(name, " in :allow is not a registered transaction function, query ",
                             "function, aggregate, attribute or entity predicate"));
    }
    active->allow.insert(name);
  }
  for (const std::string& name : config.xforms) {
    if (!Has(xforms_, name)) problems.push_back(Cat(name, " in :xforms is not a registered xform"));
    active->xforms.insert(name);
  }
  for (const auto& [name, lambda_config] : config.lambdas) {
    auto it = lambdas_.find(lambda_config.fn);
    if (it == lambdas_.end()) {
      problems.push_back(
          Cat(lambda_config.fn, " (:fn of lambda :", name, ") is not a registered lambda"));
      continue;
    }
    auto lambda = std::make_shared<ActiveLambda>();
    lambda->name = name;
    lambda->config = lambda_config;
    lambda->fn = it->second;
    active->lambdas.emplace(name, std::move(lambda));
  }
  if (config.http_direct && !Has(web_handlers_, config.http_direct->handler_fn)) {
    problems.push_back(Cat(config.http_direct->handler_fn,
                           " (:http-direct :handler-fn) is not a registered web handler"));
  }
  if (!problems.empty()) {
    std::string message = Cat("Cannot activate ion-config",
                              config.app_name.empty() ? "" : Cat(" of ", config.app_name), ":");
    for (const std::string& p : problems) message += Cat("\n  ", p);
    return absl::InvalidArgumentError(message);
  }
  active_ = std::move(active);
  return absl::OkStatus();
}

std::shared_ptr<const IonConfig> Registry::active_config() const {
  std::lock_guard<std::mutex> lock(mu_);
  return active_ ? active_->config : nullptr;
}

absl::Status Registry::CheckAllowed(std::string_view name) const {
  std::lock_guard<std::mutex> lock(mu_);
  return active_ == nullptr ? absl::OkStatus() : CheckListed(active_->allow, ":allow", name);
}

absl::Status Registry::CheckXformAllowed(std::string_view name) const {
  std::lock_guard<std::mutex> lock(mu_);
  return active_ == nullptr ? absl::OkStatus() : CheckListed(active_->xforms, ":xforms", name);
}

absl::StatusOr<std::string> Registry::InvokeLambda(std::string_view name,
                                                   std::string_view input_json,
                                                   const Value& context) const {
  if (!name.empty() && name[0] == ':') name.remove_prefix(1);
  std::shared_ptr<ActiveLambda> lambda;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (active_ == nullptr) {
      return absl::NotFoundError(Cat("No lambda :", name, ": no ion-config is active"));
    }
    auto it = active_->lambdas.find(absl::string_view(name.data(), name.size()));
    if (it == active_->lambdas.end()) {
      return absl::NotFoundError(Cat("No lambda :", name, " in the active ion-config"));
    }
    lambda = it->second;
  }
  const int running = lambda->running.fetch_add(1);
  if (lambda->config.concurrency_limit && running >= *lambda->config.concurrency_limit) {
    lambda->running.fetch_sub(1);
    return absl::ResourceExhaustedError(Cat("Lambda :", name, " is at its concurrency limit of ",
                                            *lambda->config.concurrency_limit));
  }
  const auto deadline = std::chrono::steady_clock::now() + lambda->config.timeout;
  const int64_t deadline_millis =
      std::chrono::duration_cast<std::chrono::milliseconds>(
          (std::chrono::system_clock::now() + lambda->config.timeout).time_since_epoch())
          .count();
  auto call = std::make_shared<LambdaCall>();
  // The lambda runs on its own thread so that the caller can stop waiting at
  // the deadline; a C++ function cannot be stopped from outside, so a late
  // one runs to its end and keeps its concurrency slot until then.
  try {
    std::thread([lambda, call, input = std::string(input_json),
                 ctx = LambdaContext(context, *lambda, deadline_millis)] {
      absl::StatusOr<std::string> result = RunCatching(*lambda, input, ctx);
      lambda->running.fetch_sub(1);
      std::lock_guard<std::mutex> lock(call->mu);
      call->result = std::move(result);
      call->done = true;
      call->done_cv.notify_all();
    }).detach();
  } catch (const std::system_error&) {
    lambda->running.fetch_sub(1);
    return absl::ResourceExhaustedError(Cat("Lambda :", name, ": no thread to run it on"));
  }
  std::unique_lock<std::mutex> lock(call->mu);
  if (!call->done_cv.wait_until(lock, deadline, [&call] { return call->done; })) {
    return absl::DeadlineExceededError(Cat("Lambda :", name, " did not return within its ",
                                           lambda->config.timeout.count(), " ms timeout"));
  }
  return std::move(call->result);
}

}  // namespace accrete
