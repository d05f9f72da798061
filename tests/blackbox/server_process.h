#ifndef QUERYGATE_TESTS_BLACKBOX_SERVER_PROCESS_H_
#define QUERYGATE_TESTS_BLACKBOX_SERVER_PROCESS_H_

#include <sys/types.h>

#include <map>
#include <string>
#include <vector>

namespace querygate::testing {

// A querygate-server binary run as a child process, for black-box tests.
class ServerProcess {
 public:
  ~ServerProcess();

  // Starts `binary` with `args` and extra environment; waits up to 10 s for its "listening on"
  // line. Returns the port, or 0 when the process exited or never listened.
  int Start(const std::string& binary, const std::vector<std::string>& args,
            const std::map<std::string, std::string>& env);

  // Sends `signal` to the process.
  void Signal(int signal);

  // Waits up to `timeout_ms` for the process to exit; returns its exit code (also when it
  // already exited during Start), or -1 on timeout (the process is then killed).
  int Wait(int timeout_ms);

  // Everything the process wrote to stderr so far.
  std::string Log() const;

 private:
  pid_t pid_ = -1;
  int exit_code_ = -1;
  std::string log_path_;
};

}  // namespace querygate::testing

#endif  // QUERYGATE_TESTS_BLACKBOX_SERVER_PROCESS_H_
