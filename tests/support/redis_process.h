#ifndef QUERYGATE_TESTS_SUPPORT_REDIS_PROCESS_H_
#define QUERYGATE_TESTS_SUPPORT_REDIS_PROCESS_H_

#include <sys/types.h>

#include <string>

namespace querygate::testing {

// A private redis-server on a free loopback port, for tests that stop or freeze Redis.
class RedisProcess {
 public:
  RedisProcess();
  ~RedisProcess();

  // Starts the server and waits until it answers PING. Returns false on failure.
  bool Start();
  // Stops the server and starts a new one, without persistence, on the same port: every key
  // is lost. Returns false when it does not answer PING.
  bool Restart();
  // Stops the server (SIGKILL after SIGCONT) and waits for it to exit.
  void Stop();
  // Freezes (SIGSTOP) or thaws (SIGCONT) the server; a frozen server still accepts TCP.
  void Pause();
  void Resume();

  int port() const { return port_; }
  std::string url() const;

 private:
  // Runs redis-server on port_ and waits until it answers PING.
  bool Launch();

  pid_t pid_ = -1;
  int port_ = 0;
};

// Returns a TCP port on 127.0.0.1 that was free a moment ago.
int FreeLoopbackPort();

}  // namespace querygate::testing

#endif  // QUERYGATE_TESTS_SUPPORT_REDIS_PROCESS_H_
