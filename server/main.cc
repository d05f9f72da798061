// querygate-server: serves named queries over gRPC from a Redis result cache in front of
// PostgreSQL. Configuration: see `querygate-server --help`.
#include <pthread.h>

#include <csignal>
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "auth/audit.h"
#include "server/app.h"
#include "server/server_config.h"

namespace {

void Log(const std::string& line) {
  std::cerr << absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::Now(), absl::UTCTimeZone())
            << " querygate-server: " << line << std::endl;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  for (const std::string& arg : args) {
    if (arg == "--help" || arg == "-h") {
      std::cout << querygate::server::ServerUsage();
      return 0;
    }
  }
  // Debian's abseil keeps mutex deadlock detection on, which costs every lock in gRPC.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  auto config = querygate::server::LoadServerConfig(args);
  if (!config.ok()) {
    Log(std::string(config.status().message()));
    std::cerr << "run querygate-server --help for the settings\n";
    return 2;
  }
  querygate::server::AppHooks hooks;
  hooks.audit = [](const querygate::auth::AuditEvent& event) {
    std::cerr << querygate::auth::AuditLine(event) << std::endl;
  };
  hooks.warn = [](const std::string& line) { Log(line); };
  auto app = querygate::server::App::Start(*config, hooks);
  if (!app.ok()) {
    Log(std::string("startup failed: ") + std::string(app.status().message()));
    return 1;
  }
  std::string host = config->server.listen.substr(0, config->server.listen.rfind(':'));
  Log("listening on " + host + ":" + std::to_string((*app)->port()));
  int received = 0;
  sigwait(&signals, &received);
  Log(std::string("received ") + (received == SIGINT ? "SIGINT" : "SIGTERM") +
      ", draining for up to " + absl::FormatDuration(config->shutdown_grace));
  (*app)->Shutdown(config->shutdown_grace);
  Log("stopped");
  return 0;
}
