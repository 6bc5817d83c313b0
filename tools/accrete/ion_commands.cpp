// serve, ion list and ion invoke: the commands that run the application's
// ions, for a program that links them in (accrete/tools.hpp). Each loads an
// ion-config.edn and activates it on the application's registry; serve and
// ion invoke first open DIR and hand the connection to the application.
#include <signal.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "accrete/http_direct.hpp"
#include "accrete/ion_config.hpp"
#include "cli.hpp"
#include "common.hpp"
#include "fmt/core.h"

namespace accrete::tools {
namespace {

// The plain `accrete` binary has no ions: say so rather than report every
// name of the config as unregistered.
absl::StatusOr<Registry*> ApplicationRegistry(const Application& app) {
  if (app.registry != nullptr) return app.registry;
  return absl::FailedPreconditionError(
      "This binary has no ions linked in (no registry, so no lambdas and no web ion): build "
      "your own with accrete::tools::main(argc, argv, app) and your ions registered "
      "(docs/cli.md)");
}

absl::StatusOr<IonConfig> LoadConfig(const std::string& path) {
  absl::StatusOr<IonConfig> config = IonConfig::Load(path);
  if (!config.ok()) {
    return absl::Status(config.status().code(),
                        fmt::format("ion config {}: {}", path, MessageOf(config.status())));
  }
  return config;
}

absl::Status Activate(Registry& registry, const IonConfig& config, const std::string& path) {
  absl::Status s = registry.Activate(config);
  if (s.ok()) return s;
  return absl::Status(s.code(), fmt::format("ion config {}: {}", path, MessageOf(s)));
}

// Opens DIR for the application's ions (which may write: an absent
// directory becomes an empty database, as with transact), gives it to the
// application, then activates the config, in that order so that on_open may
// still register ions.
absl::StatusOr<std::unique_ptr<Connection>> OpenForIons(const Application& app, Registry& registry,
                                                        const std::string& dir,
                                                        const IonConfig& config,
                                                        const std::string& config_path) {
  absl::StatusOr<std::unique_ptr<Connection>> conn =
      OpenForWrite(dir, &registry, /*create=*/true, Durability::kDurable);
  if (!conn.ok()) return conn.status();
  if (app.on_open) {
    absl::Status s = app.on_open(**conn);
    if (!s.ok()) {
      return absl::Status(s.code(),
                          fmt::format("The application cannot use {}: {}", dir, MessageOf(s)));
    }
  }
  if (absl::Status s = Activate(registry, config, config_path); !s.ok()) return s;
  return conn;
}

// Blocks SIGINT and SIGTERM in the calling thread, and so in every thread
// it starts afterwards, until destroyed; Wait() takes one of them. Blocking
// before the connection and the server start their threads is what keeps
// the signal from killing the process instead of stopping it cleanly.
class StopSignals {
 public:
  StopSignals() {
    sigemptyset(&set_);
    sigaddset(&set_, SIGINT);
    sigaddset(&set_, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set_, &previous_);
  }
  ~StopSignals() { pthread_sigmask(SIG_SETMASK, &previous_, nullptr); }
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;

  int Wait() {
    int signal = 0;
    while (sigwait(&set_, &signal) != 0) {
    }
    return signal;
  }

 private:
  sigset_t set_;
  sigset_t previous_;
};

std::string Url(const std::string& host, int port) {
  const bool v6 = host.find(':') != std::string::npos;
  return fmt::format("http://{}{}{}:{}", v6 ? "[" : "", host, v6 ? "]" : "", port);
}

struct ServeArgs {
  std::string dir;
  std::string config;
  HttpDirectOptions http;
};

absl::Status Serve(const Application& app, const ServeArgs& args) {
  absl::StatusOr<Registry*> registry = ApplicationRegistry(app);
  if (!registry.ok()) return registry.status();
  absl::StatusOr<IonConfig> config = LoadConfig(args.config);
  if (!config.ok()) return config.status();
  if (!config->http_direct.has_value()) {
    return absl::FailedPreconditionError(fmt::format(
        "ion config {} has no :http-direct: there is no web ion to serve", args.config));
  }
  StopSignals signals;
  absl::StatusOr<std::unique_ptr<Connection>> conn =
      OpenForIons(app, **registry, args.dir, *config, args.config);
  if (!conn.ok()) return conn.status();
  absl::StatusOr<std::unique_ptr<HttpDirect>> server = HttpDirect::Start(**registry, args.http);
  if (!server.ok()) return server.status();
  // Tests and scripts read the port from this line (--port 0 picks a free one).
  fmt::print(stderr, "accrete serve: {} on {} serving {} (SIGINT or SIGTERM stops)\n",
             config->http_direct->handler_fn, Url(args.http.host, (*server)->port()), args.dir);
  std::fflush(stderr);
  const int signal = signals.Wait();
  (*server)->Stop();
  fmt::print(stderr, "accrete serve: stopped ({})\n", signal == SIGINT ? "SIGINT" : "SIGTERM");
  return absl::OkStatus();
}

// The config as `ion list` shows it: every lambda with its settings (the
// defaults filled in), the web ion, and the :allow and :xforms lists.
Value ConfigValue(const IonConfig& config) {
  auto symbols = [](const std::vector<std::string>& names) {
    std::vector<Value> out;
    for (const std::string& name : names) out.push_back(sym(name));
    return Value::Vector(std::move(out));
  };
  std::vector<MapEntry> lambdas;
  for (const auto& [name, lambda] : config.lambdas) {
    const int64_t ms = lambda.timeout.count();
    std::vector<MapEntry> entry = {
        {kw("fn"), sym(lambda.fn)},
        {kw("description"), Value(lambda.description)},
        {kw("timeout-secs"), ms % 1000 == 0 ? Value(static_cast<long long>(ms / 1000))
                                            : Value(static_cast<double>(ms) / 1000.0)},
        {kw("concurrency-limit"), lambda.concurrency_limit
                                      ? Value(static_cast<long long>(*lambda.concurrency_limit))
                                      : kw("none")}};
    if (!lambda.integration.empty()) entry.emplace_back(kw("integration"), lambda.integration);
    lambdas.emplace_back(kw(name), Value::Map(std::move(entry)));
  }
  std::vector<MapEntry> out = {{kw("app-name"), Value(config.app_name)},
                               {kw("lambdas"), Value::Map(std::move(lambdas))},
                               {kw("allow"), symbols(config.allow)},
                               {kw("xforms"), symbols(config.xforms)}};
  if (const std::optional<HttpDirectConfig>& http = config.http_direct) {
    out.emplace_back(kw("http-direct"),
                     Value::Map({{kw("handler-fn"), sym(http->handler_fn)},
                                 {kw("processing-concurrency"),
                                  Value(static_cast<long long>(http->processing_concurrency))},
                                 {kw("pending-ops-queue-length"),
                                  Value(static_cast<long long>(http->pending_ops_queue_length))}}));
  }
  return Value::Map(std::move(out));
}

struct InvokeArgs {
  std::string dir;
  std::string name;
  std::string input;
  std::string config;
};

absl::Status Invoke(const Application& app, const InvokeArgs& args) {
  absl::StatusOr<Registry*> registry = ApplicationRegistry(app);
  if (!registry.ok()) return registry.status();
  absl::StatusOr<std::string> input = ReadTextArg(args.input);
  if (!input.ok()) return input.status();
  absl::StatusOr<IonConfig> config = LoadConfig(args.config);
  if (!config.ok()) return config.status();
  absl::StatusOr<std::unique_ptr<Connection>> conn =
      OpenForIons(app, **registry, args.dir, *config, args.config);
  if (!conn.ok()) return conn.status();
  absl::StatusOr<std::string> output = (*registry)->InvokeLambda(args.name, *input);
  if (absl::IsDeadlineExceeded(output.status())) {
    // The lambda goes on running on its own thread and may still use the
    // connection: leave it open for the rest of the process.
    static_cast<void>(conn->release());
  }
  if (!output.ok()) return output.status();
  PrintLine(*output);
  return FlushStdout();
}

CLI::Option* AddConfigOption(CLI::App* cmd, std::string* path) {
  return cmd->add_option("--config", *path, "The ion-config.edn to activate")
      ->required()
      ->type_name("FILE");
}

}  // namespace

void AddIonCommands(Cli& cli) {
  const Application& app = cli.application;

  auto serve_args = std::make_shared<ServeArgs>();
  CLI::App* serve = cli.app.add_subcommand(
      "serve", "Serve the config's :http-direct web ion on DIR until SIGINT or SIGTERM");
  serve->add_option("DIR", serve_args->dir, "The database directory (created when absent)")
      ->required();
  AddConfigOption(serve, &serve_args->config);
  serve->add_option("--host", serve_args->http.host, "The address to listen on")
      ->capture_default_str();
  serve_args->http.port = 8080;
  serve->add_option("--port", serve_args->http.port, "The port; 0 picks a free one")
      ->capture_default_str()
      ->check(CLI::Range(0, 65535));
  serve
      ->add_option("--max-body-bytes", serve_args->http.max_body_bytes,
                   "Larger request bodies are answered 413")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cli.commands.emplace_back(serve, [&app, serve_args] { return Serve(app, *serve_args); });

  CLI::App* ion = cli.app.add_subcommand("ion", "The application's ions: list, invoke");
  ion->require_subcommand(1);

  auto list_config = std::make_shared<std::string>();
  CLI::App* list = ion->add_subcommand(
      "list", "The lambdas, web ion and :allow list of the config, checked against this binary");
  AddConfigOption(list, list_config.get());
  cli.commands.emplace_back(list, [&app, list_config]() -> absl::Status {
    absl::StatusOr<Registry*> registry = ApplicationRegistry(app);
    if (!registry.ok()) return registry.status();
    absl::StatusOr<IonConfig> config = LoadConfig(*list_config);
    if (!config.ok()) return config.status();
    if (absl::Status s = Activate(**registry, *config, *list_config); !s.ok()) return s;
    return PrintResult(ConfigValue(*config), true);
  });

  auto invoke_args = std::make_shared<InvokeArgs>();
  CLI::App* invoke =
      ion->add_subcommand("invoke", "Invoke the lambda NAME of the config on DIR with INPUT");
  invoke->add_option("DIR", invoke_args->dir, "The database directory (created when absent)")
      ->required();
  invoke->add_option("NAME", invoke_args->name, "The lambda, a key of the config's :lambdas")
      ->required();
  invoke->add_option("INPUT", invoke_args->input,
                     "Its input (JSON text), @path to read a file, @- for stdin; default: empty");
  AddConfigOption(invoke, &invoke_args->config);
  cli.commands.emplace_back(invoke, [&app, invoke_args] { return Invoke(app, *invoke_args); });
}

}  // namespace accrete::tools
