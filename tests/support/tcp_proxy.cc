#include "tests/support/tcp_proxy.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "tests/support/poll.h"
#include "tests/support/redis_process.h"

namespace querygate::testing {

int PortOfUrl(const std::string& url) {
  size_t scheme = url.find("://");
  size_t host = scheme == std::string::npos ? 0 : scheme + 3;
  size_t at = url.find('@', host);
  size_t slash = url.find('/', host);
  if (at != std::string::npos && (slash == std::string::npos || at < slash)) host = at + 1;
  size_t colon = url.find(':', host);
  if (colon == std::string::npos || (slash != std::string::npos && colon > slash)) return 0;
  return std::atoi(url.c_str() + colon + 1);
}

bool AcceptsTcp(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool ok = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  close(fd);
  return ok;
}

TcpProxy::~TcpProxy() { Cut(); }

bool TcpProxy::Start(int target) {
  if (port_ == 0) port_ = FreeLoopbackPort();
  std::string listen = absl::StrCat("TCP-LISTEN:", port_, ",bind=127.0.0.1,reuseaddr,fork");
  std::string connect = absl::StrCat("TCP:127.0.0.1:", target);
  pid_ = fork();
  if (pid_ == 0) {
    setpgid(0, 0);
    execlp("socat", "socat", listen.c_str(), connect.c_str(), nullptr);
    _exit(127);
  }
  setpgid(pid_, pid_);
  return PollUntil(absl::Now() + absl::Seconds(10), [&] { return AcceptsTcp(port_); });
}

void TcpProxy::Cut() {
  if (pid_ <= 0) return;
  kill(-pid_, SIGCONT);
  kill(-pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

void TcpProxy::Freeze() {
  if (pid_ > 0) kill(-pid_, SIGSTOP);
}

void TcpProxy::Thaw() {
  if (pid_ > 0) kill(-pid_, SIGCONT);
}

}  // namespace querygate::testing
