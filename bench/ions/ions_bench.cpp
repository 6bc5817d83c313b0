// The ion layer's cost, measured beside what it adds to:
//   serve   HTTP Direct with a trivial web ion and with the inventory
//           example's items-by-type web ion, each beside a plain cpp-httplib
//           server answering the same bytes (same status, Content-Type and
//           body, same thread pool), and a plain server running the same
//           query, all five on loopback at once; prints
//           "name port" lines, then serves until stdin closes. The load
//           generator (wrk) is driven by scripts/bench-ions.sh.
//   lambda  the cost per call of Registry::InvokeLambda (JSON in, string
//           out) over calling the same std::function directly, and of an
//           ionized web ion over calling the web ion.
//   ions_bench serve|lambda
#include <httplib.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <string>
#include <string_view>

#include "accrete/accrete.hpp"
#include "accrete/http_direct.hpp"
#include "bench_util.hpp"

namespace {

using accrete::kw;
using accrete::Value;

// A failed call aborts the run (bench_util.hpp).
template <typename T>
T OrDie(absl::StatusOr<T> result) {
  return accrete::bench::Check(std::move(result), "ions_bench");
}
void OrDie(const absl::Status& status) { accrete::bench::Check(status, "ions_bench"); }

constexpr std::string_view kTrivialBody = "ok";
// The inventory example's query (examples/inventory/main.cpp).
constexpr std::string_view kItemsByType = R"([:find [(pull ?e [:inv/sku :inv/color :inv/size]) ...]
                                              :in $ ?type :where [?e :inv/type ?type]])";

// The inventory schema's item attributes and its 64 items.
void LoadItems(accrete::Connection& conn) {
  OrDie(conn.transact(std::string_view(R"([
    {:db/ident :inv/sku :db/valueType :db.type/string :db/cardinality :db.cardinality/one
     :db/unique :db.unique/identity}
    {:db/ident :inv/color :db/valueType :db.type/keyword :db/cardinality :db.cardinality/one}
    {:db/ident :inv/size :db/valueType :db.type/keyword :db/cardinality :db.cardinality/one}
    {:db/ident :inv/type :db/valueType :db.type/keyword :db/cardinality :db.cardinality/one}])")));
  const char* colors[] = {"red", "green", "blue", "yellow"};
  const char* sizes[] = {"small", "medium", "large", "xlarge"};
  const char* types[] = {"shirt", "pants", "dress", "hat"};
  std::vector<Value> items;
  for (int i = 0; i < 64; ++i) {
    items.push_back(accrete::map({{kw("inv/sku"), "SKU-" + std::to_string(i)},
                                  {kw("inv/color"), kw(colors[i / 16])},
                                  {kw("inv/size"), kw(sizes[i / 4 % 4])},
                                  {kw("inv/type"), kw(types[i % 4])}}));
  }
  OrDie(conn.transact(Value::Vector(std::move(items))));
}

// Starts HTTP Direct for `handler` with Datomic's default limits.
std::unique_ptr<accrete::HttpDirect> ServeIon(accrete::Registry& registry, std::string_view name,
                                              accrete::WebHandler handler) {
  OrDie(registry.RegisterWebHandler(name, std::move(handler)));
  OrDie(registry.Activate(OrDie(accrete::IonConfig::Parse(
      "{:app-name \"bench\" :http-direct {:handler-fn " + std::string(name) + "}}"))));
  return OrDie(accrete::HttpDirect::Start(registry));
}

// A plain cpp-httplib server answering every GET and POST with these bytes,
// on as many threads as HTTP Direct uses for the same config (16 + 100 + 4).
struct PlainServer {
  httplib::Server server;
  std::thread thread;
  int port = 0;
  PlainServer(std::string body, std::string content_type)
      : PlainServer([body, content_type](const httplib::Request&, httplib::Response& res) {
          res.status = 200;
          res.set_content(body, content_type.c_str());
        }) {}
  explicit PlainServer(httplib::Server::Handler answer) {
    server.new_task_queue = [] { return new httplib::ThreadPool(120); };
    server.set_tcp_nodelay(true);  // as HTTP Direct does
    server.Get("/.*", answer).Post("/.*", answer);
    port = server.bind_to_any_port("127.0.0.1");
    thread = std::thread([this] { server.listen_after_bind(); });
    while (!server.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~PlainServer() {
    server.stop();
    thread.join();
  }
};

int Serve() {
  accrete::bench::TempDir dir("ions");
  auto conn = OrDie(accrete::Connection::Open(dir.path()));
  LoadItems(*conn);
  const std::string hats =
      accrete::edn::Print(OrDie(accrete::q(kItemsByType, conn->db(), kw("hat"))).value());

  // Separate registries: each HTTP Direct serves its registry's active config.
  accrete::Registry trivial_registry;
  auto trivial =
      ServeIon(trivial_registry, "bench/trivial", [](const Value&) -> absl::StatusOr<Value> {
        return accrete::map({{kw("status"), 200},
                             {kw("headers"), accrete::map({{"Content-Type", "text/plain"}})},
                             {kw("body"), kTrivialBody}});
      });
  // The inventory example's web ion: an EDN keyword body -> the items as EDN.
  accrete::Registry items_registry;
  auto items = ServeIon(
      items_registry, "bench/items-by-type",
      [&conn](const Value& request) -> absl::StatusOr<Value> {
        const Value* body = request.get(kw("body"));
        absl::StatusOr<Value> type = body != nullptr && body->is_string()
                                         ? accrete::edn::Read(body->as_string())
                                         : absl::InvalidArgumentError("no body");
        if (!type.ok() || !type->is_keyword()) {
          return accrete::map({{kw("status"), 400}, {kw("body"), "Expected a keyword"}});
        }
        absl::StatusOr<accrete::QueryResult> found = accrete::q(kItemsByType, conn->db(), *type);
        if (!found.ok()) return found.status();
        return accrete::map({{kw("status"), 200},
                             {kw("headers"), accrete::map({{"Content-Type", "application/edn"}})},
                             {kw("body"), accrete::edn::Print(found->value())}});
      });
  PlainServer plain_trivial{std::string(kTrivialBody), "text/plain"};
  PlainServer plain_items{hats, "application/edn"};
  // The same query without the ion layer: what the ion layer adds to
  // items-by-type, apart from the database's own work.
  PlainServer plain_items_query{[&conn](const httplib::Request& req, httplib::Response& res) {
    absl::StatusOr<Value> type = accrete::edn::Read(req.body);
    if (!type.ok() || !type->is_keyword()) {
      res.status = 400;
      return;
    }
    res.set_content(accrete::edn::Print(OrDie(accrete::q(kItemsByType, conn->db(), *type)).value()),
                    "application/edn");
  }};

  std::printf("ion-trivial %d\nplain-trivial %d\nion-items %d\nplain-items %d\n", trivial->port(),
              plain_trivial.port, items->port(), plain_items.port);
  std::printf("plain-items-query %d\n", plain_items_query.port);
  std::printf("items-bytes %zu\nready\n", hats.size());
  std::fflush(stdout);
  std::string line;
  while (std::getline(std::cin, line)) {
  }
  return 0;
}

// CPU time of the whole process (every thread: InvokeLambda runs the lambda
// on another), which a shared machine's load does not inflate as it does
// wall time.
double ProcessCpuNanos() {
  timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e9 + static_cast<double>(ts.tv_nsec);
}

struct PerCall {
  double wall_ns;
  double cpu_ns;
};

// The cost per call of `call`, over enough calls to take about a second.
template <typename Call>
PerCall Measure(Call call) {
  using Clock = std::chrono::steady_clock;
  int64_t calls = 0;
  const auto start = Clock::now();
  const double cpu_start = ProcessCpuNanos();
  auto elapsed = Clock::duration::zero();
  while (elapsed < std::chrono::seconds(1)) {
    for (int i = 0; i < 1000; ++i) call();
    calls += 1000;
    elapsed = Clock::now() - start;
  }
  const auto n = static_cast<double>(calls);
  return {std::chrono::duration<double, std::nano>(elapsed).count() / n,
          (ProcessCpuNanos() - cpu_start) / n};
}

void Report(const char* what, PerCall cost) {
  std::printf("%-44s %10.0f %10.0f\n", what, cost.cpu_ns, cost.wall_ns);
}

int Lambda() {
  accrete::Registry registry;
  accrete::LambdaFunction echo = [](std::string_view input,
                                    const Value&) -> absl::StatusOr<std::string> {
    return std::string(input);
  };
  accrete::WebHandler web = [](const Value&) -> absl::StatusOr<Value> {
    return accrete::map({{kw("status"), 200}, {kw("body"), "ok"}});
  };
  accrete::LambdaFunction ionized = accrete::Ionize(web);
  OrDie(registry.RegisterLambda("bench/echo", echo));
  OrDie(registry.Activate(OrDie(
      accrete::IonConfig::Parse("{:lambdas {:echo {:fn bench/echo :concurrency-limit :none}}}"))));
  const std::string input = R"(["SKU-1000", "blue", "small", "hat"])";
  const std::string event =
      R"({"version": "2.0", "rawPath": "/items", "rawQueryString": "type=hat",
          "headers": {"content-type": "application/edn", "host": "example.com"},
          "requestContext": {"http": {"method": "POST", "path": "/items", "sourceIp": "203.0.113.9"}},
          "body": "OmhhdA==", "isBase64Encoded": true})";
  const Value request = accrete::map({{kw("request-method"), kw("post")}, {kw("uri"), "/items"}});

  const PerCall direct = Measure([&] { OrDie(echo(input, Value())); });
  const PerCall invoked = Measure([&] { OrDie(registry.InvokeLambda("echo", input)); });
  const PerCall web_direct = Measure([&] { OrDie(web(request)); });
  const PerCall web_ionized = Measure([&] { OrDie(ionized(event, Value())); });
  auto minus = [](PerCall a, PerCall b) {
    return PerCall{a.wall_ns - b.wall_ns, a.cpu_ns - b.cpu_ns};
  };
  std::printf("%-44s %10s %10s\n", "per call", "cpu ns", "wall ns");
  Report("echo lambda called directly", direct);
  Report("echo through Registry::InvokeLambda", invoked);
  Report("  InvokeLambda's own cost", minus(invoked, direct));
  Report("web ion called directly", web_direct);
  Report("the same ionized, given an HTTP API event", web_ionized);
  Report("  ionize's own cost", minus(web_ionized, web_direct));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string_view mode = argc > 1 ? argv[1] : "";
  if (mode == "serve") return Serve();
  if (mode == "lambda") return Lambda();
  std::fprintf(stderr, "usage: ions_bench serve|lambda\n");
  return 2;
}
