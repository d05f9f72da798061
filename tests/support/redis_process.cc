#include "tests/support/redis_process.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <thread>

#include "absl/strings/str_cat.h"

namespace querygate::testing {
namespace {

bool Answers(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool ok = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  if (ok) {
    const char ping[] = "PING\r\n";
    ok = write(fd, ping, sizeof ping - 1) == static_cast<ssize_t>(sizeof ping - 1);
    char buf[16] = {};
    timeval tv{0, 200000};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ok = ok && read(fd, buf, sizeof buf) > 0 && buf[0] == '+';
  }
  close(fd);
  return ok;
}

}  // namespace

int FreeLoopbackPort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  int port = ntohs(addr.sin_port);
  close(fd);
  return port;
}

RedisProcess::RedisProcess() = default;

RedisProcess::~RedisProcess() { Stop(); }

std::string RedisProcess::url() const { return absl::StrCat("redis://127.0.0.1:", port_); }

bool RedisProcess::Start() {
  port_ = FreeLoopbackPort();
  return Launch();
}

bool RedisProcess::Restart() {
  Stop();
  return Launch();
}

bool RedisProcess::Launch() {
  std::string port = absl::StrCat(port_);
  pid_ = fork();
  if (pid_ == 0) {
    execlp("redis-server", "redis-server", "--bind", "127.0.0.1", "--port", port.c_str(), "--save",
           "", "--appendonly", "no", "--loglevel", "warning", nullptr);
    _exit(127);
  }
  for (int i = 0; i < 200; ++i) {
    if (Answers(port_)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

void RedisProcess::Stop() {
  if (pid_ <= 0) return;
  kill(pid_, SIGCONT);
  kill(pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

void RedisProcess::Pause() {
  if (pid_ > 0) kill(pid_, SIGSTOP);
}

void RedisProcess::Resume() {
  if (pid_ > 0) kill(pid_, SIGCONT);
}

}  // namespace querygate::testing
