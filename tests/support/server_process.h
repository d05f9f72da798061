#ifndef QUERYGATE_TESTS_SUPPORT_SERVER_PROCESS_H_
#define QUERYGATE_TESTS_SUPPORT_SERVER_PROCESS_H_

#include <sys/types.h>

#include <string>
#include <vector>

namespace querygate::testing {

// A querygate-server process (BinDir()/querygate-server) listening on a free loopback port,
// its output in a log file, for black-box tests that freeze, resume or kill an instance.
class ServerProcess {
 public:
  ServerProcess() = default;
  ~ServerProcess();
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  // Spawns the server with `args` plus --listen, stdout and stderr appended to `log_path`, and
  // waits up to 30 s until its port accepts TCP. Returns "" on success, else what failed.
  std::string Start(const std::vector<std::string>& args, const std::string& log_path);
  // Freezes (SIGSTOP) or thaws (SIGCONT) the process.
  void Pause();
  void Resume();
  // Sends SIGTERM (after SIGCONT), waits up to 10 s, then SIGKILLs; waits for the exit.
  void Stop();

  bool running() const { return pid_ > 0; }
  int port() const { return port_; }
  std::string target() const;
  const std::string& log_path() const { return log_path_; }

 private:
  pid_t pid_ = -1;
  int port_ = 0;
  std::string log_path_;
};

}  // namespace querygate::testing

#endif  // QUERYGATE_TESTS_SUPPORT_SERVER_PROCESS_H_
