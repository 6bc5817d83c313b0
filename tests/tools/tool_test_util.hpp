// What the tool tests share: running a real binary as a child process, to
// completion with stdin from a string (Run) or in the background with its
// stderr on a pipe (Background: a server whose address the test reads from
// stderr), and reading its output back.
#ifndef ACCRETE_TESTS_TOOLS_TOOL_TEST_UTIL_HPP_
#define ACCRETE_TESTS_TOOLS_TOOL_TEST_UTIL_HPP_

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "accrete/edn.hpp"
#include "accrete/value.hpp"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

extern char** environ;

namespace accrete::testing_util {

struct Outcome {
  int code = -1;  // the exit code, or 128 + the signal that killed it
  std::string out;
  std::string err;
};

inline std::string Slurp(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

inline std::vector<char*> ArgvOf(std::vector<std::string>& storage) {
  std::vector<char*> argv;
  for (std::string& a : storage) argv.push_back(a.data());
  argv.push_back(nullptr);
  return argv;
}

inline int ExitCodeOf(int status) {
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// Runs `binary args...` with `input` on stdin and waits for it.
inline Outcome RunBinary(const std::string& binary, const std::vector<std::string>& args,
                         const std::string& input = "") {
  static std::atomic<int> counter{0};
  const std::filesystem::path base =
      std::filesystem::path(::testing::TempDir()) /
      ("child-io-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
  const std::string in_path = base.string() + ".in", out_path = base.string() + ".out",
                    err_path = base.string() + ".err";
  std::ofstream(in_path, std::ios::binary) << input;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, in_path.c_str(), O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0600);
  posix_spawn_file_actions_addopen(&actions, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0600);
  std::vector<std::string> storage = {binary};
  storage.insert(storage.end(), args.begin(), args.end());
  std::vector<char*> argv = ArgvOf(storage);
  pid_t pid = 0;
  Outcome run;
  if (posix_spawn(&pid, binary.c_str(), &actions, nullptr, argv.data(), environ) == 0) {
    int status = 0;
    waitpid(pid, &status, 0);
    run.code = ExitCodeOf(status);
  }
  posix_spawn_file_actions_destroy(&actions);
  run.out = Slurp(out_path);
  run.err = Slurp(err_path);
  for (const std::string& p : {in_path, out_path, err_path}) std::filesystem::remove(p);
  return run;
}

// The child's stdout as one EDN value.
inline Value ReadOut(const Outcome& run) {
  absl::StatusOr<Value> v = edn::Read(run.out);
  EXPECT_TRUE(v.ok()) << v.status() << " in: " << run.out;
  return v.ok() ? *v : Value();
}

// The child's stdout as EDN values, one per line.
inline std::vector<Value> ReadLines(const Outcome& run) {
  absl::StatusOr<std::vector<Value>> v = edn::ReadAll(run.out);
  EXPECT_TRUE(v.ok()) << v.status() << " in: " << run.out;
  return v.ok() ? *v : std::vector<Value>();
}

// Exit code `code`, nothing on stdout, and one line on stderr containing
// `needle`.
inline void ExpectError(const Outcome& run, int code, const std::string& needle) {
  EXPECT_EQ(run.code, code) << run.err;
  EXPECT_EQ(run.out, "");
  ASSERT_FALSE(run.err.empty());
  EXPECT_EQ(run.err.find('\n'), run.err.size() - 1) << run.err;
  EXPECT_THAT(run.err, ::testing::HasSubstr(needle));
}

// A child process running in the background, stdin and stdout on
// /dev/null, stderr readable line by line. The destructor kills it if it is
// still running.
class Background {
 public:
  Background(const std::string& binary, const std::vector<std::string>& args) {
    int fds[2];
    if (pipe(fds) != 0) return;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, fds[1], 2);
    posix_spawn_file_actions_addclose(&actions, fds[0]);
    std::vector<std::string> storage = {binary};
    storage.insert(storage.end(), args.begin(), args.end());
    std::vector<char*> argv = ArgvOf(storage);
    if (posix_spawn(&pid_, binary.c_str(), &actions, nullptr, argv.data(), environ) != 0) {
      pid_ = -1;
    }
    posix_spawn_file_actions_destroy(&actions);
    close(fds[1]);
    err_ = fds[0];
  }
  ~Background() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    if (err_ >= 0) close(err_);
  }
  Background(const Background&) = delete;
  Background& operator=(const Background&) = delete;

  bool started() const { return pid_ > 0; }

  // The next line of its stderr, without the newline; false at the end.
  bool ReadLine(std::string* line) {
    line->clear();
    char c = 0;
    while (true) {
      const ssize_t n = read(err_, &c, 1);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return !line->empty();
      if (c == '\n') return true;
      line->push_back(c);
    }
  }

  // The rest of its stderr, up to its end.
  std::string RestOfStderr() {
    std::string rest, line;
    while (ReadLine(&line)) rest += line + "\n";
    return rest;
  }

  // Sends `signal` and waits for the process: its exit code.
  int Stop(int signal) {
    if (pid_ <= 0) return -1;
    kill(pid_, signal);
    return Wait();
  }

  // Waits for the process to end by itself: its exit code.
  int Wait() {
    if (pid_ <= 0) return -1;
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    return ExitCodeOf(status);
  }

 private:
  pid_t pid_ = -1;
  int err_ = -1;
};

}  // namespace accrete::testing_util

#endif  // ACCRETE_TESTS_TOOLS_TOOL_TEST_UTIL_HPP_
