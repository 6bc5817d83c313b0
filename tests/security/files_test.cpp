// What reaches the file system: a database (and a backup of it) is readable
// by its owner only, whatever the umask; the CLI creates or replaces only the
// files it is told to, and a failing command leaves none behind.
#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "accrete/accrete.hpp"
#include "core/test_util.hpp"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

extern char** environ;

namespace accrete {
namespace {

namespace fs = std::filesystem;
using testing_util::TempDir;

// The permission bits of `path`.
mode_t Mode(const fs::path& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 07777;
}

// Every path under `dir`, relative to it.
std::set<std::string> Tree(const fs::path& dir) {
  std::set<std::string> out;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    out.insert(fs::relative(it->path(), dir).string());
  }
  return out;
}

std::string Slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Runs `accrete args...` with stdin, stdout and stderr on /dev/null, in
// `cwd`; its exit code.
int Accrete(const std::vector<std::string>& args, const std::string& cwd) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  for (int fd : {0, 1, 2}) {
    posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", fd == 0 ? O_RDONLY : O_WRONLY, 0);
  }
  std::vector<std::string> argv_storage = {ACCRETE_CLI};
  argv_storage.insert(argv_storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& a : argv_storage) argv.push_back(a.data());
  argv.push_back(nullptr);
  // The child starts in `cwd`, so that a stray relative file would land there.
  const fs::path here = fs::current_path();
  fs::current_path(cwd);
  pid_t pid = 0;
  int code = -1;
  if (posix_spawn(&pid, ACCRETE_CLI, &actions, nullptr, argv.data(), environ) == 0) {
    int status = 0;
    waitpid(pid, &status, 0);
    code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
  fs::current_path(here);
  posix_spawn_file_actions_destroy(&actions);
  return code;
}

// Sets the process umask for the scope of the object.
class Umask {
 public:
  explicit Umask(mode_t mask) : old_(::umask(mask)) {}
  ~Umask() { ::umask(old_); }

 private:
  mode_t old_;
};

constexpr const char* kSchema =
    "[{:db/ident :p/name :db/valueType :db.type/string :db/cardinality :db.cardinality/one}]";

TEST(FilePermissionsTest, ADatabaseIsTheOwnersOnlyWhateverTheUmask) {
  TempDir dir;
  const fs::path db = fs::path(dir.path()) / "db";
  {
    Umask open_to_all(0);
    auto conn = Connection::Open(db.string(), testing_util::RelaxedOptions());
    ASSERT_TRUE(conn.ok()) << conn.status();
    ASSERT_OK((*conn)->transact(kSchema));
  }
  EXPECT_EQ(Mode(db), 0700u);
  for (const std::string& file : Tree(db)) {
    EXPECT_EQ(Mode(db / file) & 077, 0u) << file << " is open to others";
  }
}

TEST(FilePermissionsTest, ABackupIsTheOwnersOnlyWhateverTheUmask) {
  TempDir dir;
  const fs::path db = fs::path(dir.path()) / "db", copy = fs::path(dir.path()) / "copy";
  Umask open_to_all(0);
  auto conn = Connection::Open(db.string(), testing_util::RelaxedOptions());
  ASSERT_TRUE(conn.ok()) << conn.status();
  ASSERT_OK((*conn)->transact(kSchema));
  ASSERT_OK((*conn)->Backup(copy.string()));
  EXPECT_EQ(Mode(copy), 0700u);
  for (const std::string& file : Tree(copy)) {
    EXPECT_EQ(Mode(copy / file) & 077, 0u) << file << " is open to others";
  }
}

class CliFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::path(dir_.path());
    fs::create_directories(root_ / "cwd");
    db_ = (root_ / "db").string();
    std::ofstream(root_ / "schema.edn") << kSchema;
    ASSERT_EQ(Accrete({"transact", db_, (root_ / "schema.edn").string()}, cwd()), 0);
  }
  std::string cwd() const { return (root_ / "cwd").string(); }

  TempDir dir_;
  fs::path root_;
  std::string db_;
};

TEST_F(CliFilesTest, ExportWritesOnlyTheFileItIsGivenAndOnlyForTheOwner) {
  Umask open_to_all(0);
  const std::set<std::string> before = Tree(root_);
  ASSERT_EQ(Accrete({"export", db_, (root_ / "out.edn").string()}, cwd()), 0);
  std::set<std::string> expected = before;
  expected.insert("out.edn");
  EXPECT_EQ(Tree(root_), expected);
  EXPECT_EQ(Mode(root_ / "out.edn") & 077, 0u) << "an export holds the whole database";
  // A failing export (no such database) creates nothing.
  EXPECT_EQ(Accrete({"export", (root_ / "missing").string(), (root_ / "out2.edn").string()}, cwd()),
            1);
  EXPECT_EQ(Tree(root_), expected);
}

TEST_F(CliFilesTest, FailingCommandsLeaveNothingBehind) {
  const std::set<std::string> before = Tree(root_);
  // Import of a malformed file into a new directory: nothing is left.
  std::ofstream(root_ / "bad.edn") << "{:not \"an export\"";
  std::set<std::string> with_bad = before;
  with_bad.insert("bad.edn");
  EXPECT_NE(Accrete({"import", (root_ / "new").string(), (root_ / "bad.edn").string()}, cwd()), 0);
  EXPECT_EQ(Tree(root_), with_bad);
  // Backup onto an existing file: refused, and the file is untouched.
  std::ofstream(root_ / "precious") << "keep me";
  with_bad.insert("precious");
  EXPECT_NE(Accrete({"backup", db_, (root_ / "precious").string()}, cwd()), 0);
  EXPECT_EQ(Slurp(root_ / "precious"), "keep me");
  // Backup onto an existing database: refused, and it is untouched.
  const std::string data_before = Slurp(fs::path(db_) / "data.mdb");
  EXPECT_NE(Accrete({"backup", db_, db_}, cwd()), 0);
  EXPECT_EQ(Slurp(fs::path(db_) / "data.mdb"), data_before);
  // Transact of malformed data to a database that does not exist: no database.
  std::ofstream(root_ / "bad-tx.edn") << "[[:db/add";
  with_bad.insert("bad-tx.edn");
  EXPECT_NE(
      Accrete({"transact", (root_ / "new2").string(), (root_ / "bad-tx.edn").string()}, cwd()), 0);
  EXPECT_EQ(Tree(root_), with_bad);
  // Read commands create nothing in the working directory.
  EXPECT_EQ(Accrete({"q", db_, "[:find ?e :where [?e :db/ident]]"}, cwd()), 0);
  EXPECT_EQ(Accrete({"stat", db_}, cwd()), 0);
  EXPECT_TRUE(Tree(root_ / "cwd").empty());
}

}  // namespace
}  // namespace accrete
