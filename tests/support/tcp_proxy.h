#ifndef QUERYGATE_TESTS_SUPPORT_TCP_PROXY_H_
#define QUERYGATE_TESTS_SUPPORT_TCP_PROXY_H_

#include <sys/types.h>

#include <string>

namespace querygate::testing {

// A socat TCP proxy from a free loopback port to 127.0.0.1:`target`, in its own process group
// (one child per connection), so that Cut, Freeze and Thaw reach every connection it carries.
class TcpProxy {
 public:
  TcpProxy() = default;
  ~TcpProxy();
  TcpProxy(const TcpProxy&) = delete;
  TcpProxy& operator=(const TcpProxy&) = delete;

  // Starts the proxy (on its previous port when it ran before) and waits until it accepts.
  // Returns false when it does not within 10 s.
  bool Start(int target);
  // Kills the proxy and every connection through it: peers see the connection reset, and new
  // connections are refused until Start.
  void Cut();
  // Freezes every connection: TCP stays open, nothing flows (a silent partition).
  void Freeze();
  void Thaw();

  int port() const { return port_; }

 private:
  pid_t pid_ = -1;
  int port_ = 0;
};

// Returns the port of a "scheme://[user[:password]@]host:port[/...]" URL, or 0.
int PortOfUrl(const std::string& url);

// True when 127.0.0.1:`port` accepts a TCP connection.
bool AcceptsTcp(int port);

}  // namespace querygate::testing

#endif  // QUERYGATE_TESTS_SUPPORT_TCP_PROXY_H_
