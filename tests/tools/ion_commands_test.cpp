// serve, ion list and ion invoke through real binaries: the plain `accrete`
// (no ions: a clear error), and `inventory-accrete` (INVENTORY_ACCRETE, the
// inventory example's ions linked into accrete::tools::main), whose lambdas
// are invoked from the command line and whose web ion is served on a real
// socket, called with httplib's client and stopped with SIGTERM / SIGINT.
#include <signal.h>

#include <httplib.h>

#include <string>
#include <vector>

#include "accrete/accrete.hpp"
#include "core/test_util.hpp"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tool_test_util.hpp"

namespace accrete {
namespace {

using ::testing::HasSubstr;
using testing_util::Background;
using testing_util::ExpectError;
using testing_util::Outcome;
using testing_util::ReadOut;
using testing_util::RunBinary;
using testing_util::TempDir;

TEST(PlainAccrete, ServeAndIonNeedABinaryWithIons) {
  TempDir dir;
  std::filesystem::create_directories(dir.path());
  const std::string db = dir.path() + "/db";
  const std::string config = dir.path() + "/ion-config.edn";
  std::ofstream(config) << "{:app-name \"x\" :http-direct {:handler-fn x.core/web}}";
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"serve", db, "--config", config, "--port", "0"},
           {"ion", "list", "--config", config},
           {"ion", "invoke", db, "get-schema", "--config", config}}) {
    Outcome run = RunBinary(ACCRETE_CLI, args);
    ExpectError(run, 1, "no ions linked in");
    EXPECT_THAT(run.err, HasSubstr("accrete " + args[0])) << run.err;
    EXPECT_FALSE(std::filesystem::exists(db)) << args[0];
  }
}

TEST(PlainAccrete, ServeAndIonUsageErrorsExitTwo) {
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"serve", "/tmp/x"},                                      // no --config
           {"serve", "/tmp/x", "--config", "c", "--port", "70000"},  // out of range
           {"ion"},                                                  // no ion subcommand
           {"ion", "frob"},
           {"ion", "invoke", "/tmp/x", "--config", "c"}}) {  // no NAME
    Outcome run = RunBinary(ACCRETE_CLI, args);
    EXPECT_EQ(run.code, 2) << ::testing::PrintToString(args) << run.err;
    EXPECT_EQ(run.out, "");
    EXPECT_EQ(std::count(run.err.begin(), run.err.end(), '\n'), 1) << run.err;
  }
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"serve", "--help"}, {"ion", "list", "--help"}, {"ion", "invoke", "--help"}}) {
    Outcome run = RunBinary(ACCRETE_CLI, args);
    EXPECT_EQ(run.code, 0) << run.err;
    EXPECT_THAT(run.out, HasSubstr("--config"));
  }
  Outcome ion = RunBinary(ACCRETE_CLI, {"ion", "--help"});
  EXPECT_EQ(ion.code, 0) << ion.err;
  EXPECT_THAT(ion.out, HasSubstr("invoke"));
}

#ifdef INVENTORY_ACCRETE

class InventoryAccreteTest : public ::testing::Test {
 protected:
  void SetUp() override { std::filesystem::create_directories(dir_.path()); }
  std::string db() const { return dir_.path() + "/inventory"; }
  Outcome Tool(std::vector<std::string> args, const std::string& input = "") {
    args.push_back("--config");
    args.push_back(INVENTORY_ION_CONFIG);
    return RunBinary(INVENTORY_ACCRETE, args, input);
  }
  Outcome Invoke(const std::string& lambda, const std::string& json) {
    return Tool({"ion", "invoke", db(), lambda, json});
  }
  TempDir dir_;
};

TEST_F(InventoryAccreteTest, IonListShowsTheConfigCheckedAgainstTheBinary) {
  Outcome run = Tool({"ion", "list"});
  ASSERT_EQ(run.code, 0) << run.err;
  const Value listed = ReadOut(run);
  EXPECT_EQ(*listed.get(kw("app-name")), Value("inventory"));
  const Value* lambdas = listed.get(kw("lambdas"));
  ASSERT_NE(lambdas, nullptr);
  const Value* by_type = lambdas->get(kw("get-items-by-type"));
  ASSERT_NE(by_type, nullptr);
  EXPECT_EQ(*by_type->get(kw("fn")), sym("inventory.core/get-items-by-type"));
  EXPECT_EQ(*by_type->get(kw("timeout-secs")), Value(10));
  EXPECT_EQ(*lambdas->get(kw("add-item"))->get(kw("concurrency-limit")), Value(4));
  EXPECT_EQ(*listed.get(kw("http-direct"))->get(kw("handler-fn")),
            sym("inventory.core/items-by-type-web"));

  // A config naming a function this binary does not have is refused.
  const std::string config = dir_.path() + "/other.edn";
  std::ofstream(config) << "{:lambdas {:f {:fn inventory.core/nothing-here}}}";
  ExpectError(RunBinary(INVENTORY_ACCRETE, {"ion", "list", "--config", config}), 1,
              "inventory.core/nothing-here");
  ExpectError(
      RunBinary(INVENTORY_ACCRETE, {"ion", "list", "--config", dir_.path() + "/absent.edn"}), 1,
      "absent.edn");
}

TEST_F(InventoryAccreteTest, IonInvokeRunsTheLambdasOnTheDatabase) {
  Outcome loaded = Invoke("ensure-sample-dataset", "");
  ASSERT_EQ(loaded.code, 0) << loaded.err;
  EXPECT_EQ(ReadOut(loaded), kw("loaded"));
  EXPECT_EQ(ReadOut(Invoke("ensure-sample-dataset", "")), kw("already-loaded"));

  Outcome shirts = Invoke("get-items-by-type", R"("shirt")");
  ASSERT_EQ(shirts.code, 0) << shirts.err;
  const Value items = ReadOut(shirts);
  ASSERT_TRUE(items.is_vector()) << shirts.out;
  EXPECT_EQ(items.size(), 16u);
  for (const Value& item : items.items()) {
    ASSERT_NE(item.get(kw("inv/sku")), nullptr) << item.to_string();
  }

  Outcome added = Invoke("add-item", R"(["SKU-1000", "blue", "small", "shirt"])");
  ASSERT_EQ(added.code, 0) << added.err;
  EXPECT_NE(ReadOut(added).get(kw("t")), nullptr) << added.out;
  EXPECT_EQ(ReadOut(Invoke("get-items-by-type", R"("shirt")")).size(), 17u);

  // The same database through the plain tool's read commands.
  Outcome count =
      RunBinary(ACCRETE_CLI, {"q", db(), "[:find (count ?e) . :where [?e :inv/type :shirt]]"});
  ASSERT_EQ(count.code, 0) << count.err;
  EXPECT_EQ(ReadOut(count), Value(17));

  // The input from a file and from stdin.
  const std::string input = dir_.path() + "/type.json";
  std::ofstream(input) << R"("hat")";
  EXPECT_EQ(ReadOut(Invoke("get-items-by-type", "@" + input)).size(), 16u);
  Outcome piped = RunBinary(
      INVENTORY_ACCRETE,
      {"ion", "invoke", db(), "get-items-by-type", "@-", "--config", INVENTORY_ION_CONFIG},
      R"("pants")");
  ASSERT_EQ(piped.code, 0) << piped.err;
  EXPECT_EQ(ReadOut(piped).size(), 16u);
}

TEST_F(InventoryAccreteTest, IonInvokeErrors) {
  ASSERT_EQ(Invoke("ensure-sample-dataset", "").code, 0);
  // The lambda's own error, its message on one line.
  ExpectError(Invoke("get-items-by-type", "42"), 1, "Expected a JSON string naming a type");
  ExpectError(Invoke("add-item", R"(["not-a-sku", "blue", "small", "shirt"])"), 1,
              "inventory.core/valid-sku?");
  // Not a lambda of the config (a registered function that is not one).
  ExpectError(Invoke("secret-discount", "1"), 1, "secret-discount");
  ExpectError(Invoke("get-items-by-type", "@" + dir_.path() + "/absent.json"), 1, "absent.json");
}

// Starts `serve` on `port` (0: a free one) and reads the address it reports.
class Server {
 public:
  explicit Server(const std::string& db, int port = 0) {
    const std::vector<std::string> args = {
        "serve", db, "--config", INVENTORY_ION_CONFIG, "--port", std::to_string(port)};
    process_ = std::make_unique<Background>(INVENTORY_ACCRETE, args);
    std::string line;
    while (process_->ReadLine(&line)) {
      stderr_ += line + "\n";
      const size_t at = line.find("http://127.0.0.1:");
      if (at != std::string::npos) {
        port_ = std::stoi(line.substr(at + std::string("http://127.0.0.1:").size()));
        break;
      }
    }
  }
  // The port it reported, or 0 when it ended without reporting one.
  int port() const { return port_; }
  // Its stderr up to the line reporting the port (all of it when none).
  const std::string& stderr_text() const { return stderr_; }
  Background& process() { return *process_; }

 private:
  std::unique_ptr<Background> process_;
  int port_ = 0;
  std::string stderr_;
};

TEST_F(InventoryAccreteTest, ServeAnswersOverHttpUntilSigterm) {
  ASSERT_EQ(Invoke("ensure-sample-dataset", "").code, 0);
  Server server(db());
  ASSERT_GT(server.port(), 0) << server.process().RestOfStderr();

  httplib::Client client("127.0.0.1", server.port());
  auto hats = client.Post("/items", ":hat", "application/edn");
  ASSERT_TRUE(hats);
  EXPECT_EQ(hats->status, 200);
  EXPECT_EQ(hats->get_header_value("Content-Type"), "application/edn");
  absl::StatusOr<Value> items = edn::Read(hats->body);
  ASSERT_TRUE(items.ok()) << items.status();
  EXPECT_EQ(items->size(), 16u);
  auto bad = client.Post("/items", "\"hat\"", "application/edn");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);

  // A write by another process shows in the server's next answer.
  ASSERT_EQ(Invoke("add-item", R"(["SKU-2000", "red", "large", "hat"])").code, 0);
  auto after = client.Post("/items", ":hat", "application/edn");
  ASSERT_TRUE(after);
  EXPECT_THAT(after->body, HasSubstr("SKU-2000"));

  EXPECT_EQ(server.process().Stop(SIGTERM), 0);
  EXPECT_THAT(server.process().RestOfStderr(), HasSubstr("stopped (SIGTERM)"));
  EXPECT_FALSE(client.Post("/items", ":hat", "application/edn"));
}

TEST_F(InventoryAccreteTest, ServeStopsOnSigintAndReportsABusyPort) {
  Server first(db());
  ASSERT_GT(first.port(), 0) << first.process().RestOfStderr();
  // The same port again: the bind fails, one line, exit 1 (run in the
  // background so that a server that wrongly binds is killed, not waited for).
  Server second(db(), first.port());
  EXPECT_EQ(second.port(), 0) << second.stderr_text();
  EXPECT_EQ(second.process().Wait(), 1);
  EXPECT_THAT(second.stderr_text(),
              HasSubstr("cannot listen on 127.0.0.1:" + std::to_string(first.port())));
  EXPECT_EQ(first.process().Stop(SIGINT), 0);
  EXPECT_THAT(first.process().RestOfStderr(), HasSubstr("stopped (SIGINT)"));
}

TEST_F(InventoryAccreteTest, ServeNeedsAWebIonInTheConfig) {
  const std::string config = dir_.path() + "/no-web.edn";
  std::ofstream(config) << "{:app-name \"inventory\"}";
  ExpectError(RunBinary(INVENTORY_ACCRETE, {"serve", db(), "--config", config, "--port", "0"}), 1,
              ":http-direct");
  EXPECT_FALSE(std::filesystem::exists(db()));
}

#endif  // INVENTORY_ACCRETE

}  // namespace
}  // namespace accrete
