#include "tests/support/server_process.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "tests/support/poll.h"
#include "tests/support/redis_process.h"
#include "tests/support/tcp_proxy.h"
#include "tests/support/test_env.h"

extern char** environ;

namespace querygate::testing {

ServerProcess::~ServerProcess() { Stop(); }

std::string ServerProcess::target() const { return absl::StrCat("127.0.0.1:", port_); }

std::string ServerProcess::Start(const std::vector<std::string>& args,
                                 const std::string& log_path) {
  if (BinDir().empty()) return "QUERYGATE_BIN_DIR is not set";
  std::string binary = BinDir() + "/querygate-server";
  port_ = FreeLoopbackPort();
  log_path_ = log_path;
  std::vector<std::string> all = {binary, "--listen", target()};
  all.insert(all.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& a : all) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND,
                                   0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  int spawned = posix_spawn(&pid_, binary.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) {
    pid_ = -1;
    return absl::StrCat("cannot run ", binary);
  }
  bool exited = false;
  bool up = PollUntil(absl::Now() + absl::Seconds(30), [&] {
    if (waitpid(pid_, nullptr, WNOHANG) == pid_) {
      exited = true;
      return true;
    }
    return AcceptsTcp(port_);
  });
  if (exited) {
    pid_ = -1;
    return absl::StrCat("querygate-server exited at startup: ", ReadFile(log_path));
  }
  if (!up) return absl::StrCat("querygate-server does not listen on ", target());
  return "";
}

void ServerProcess::Pause() {
  if (pid_ > 0) kill(pid_, SIGSTOP);
}

void ServerProcess::Resume() {
  if (pid_ > 0) kill(pid_, SIGCONT);
}

void ServerProcess::Stop() {
  if (pid_ <= 0) return;
  kill(pid_, SIGCONT);
  kill(pid_, SIGTERM);
  bool gone = PollUntil(absl::Now() + absl::Seconds(10),
                        [&] { return waitpid(pid_, nullptr, WNOHANG) == pid_; });
  if (!gone) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  pid_ = -1;
}

}  // namespace querygate::testing
