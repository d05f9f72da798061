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
#include "common/logger.h"
#include "server/app.h"
#include "server/log_wiring.h"
#include "server/server_config.h"

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
    querygate::Logger({}).Error(config.status().message(),
                                {{"hint", "run querygate-server --help for the settings"}});
    return 2;
  }
  querygate::Logger log(config->log);
  querygate::server::LogStartup(&log, *config);
  querygate::server::AppHooks hooks;
  hooks.audit = [&log](const querygate::auth::AuditEvent& event) {
    log.WriteRaw(querygate::auth::AuditLine(event));
  };
  hooks.warn = [&log](const std::string& line) { log.Warn(line); };
  hooks.log = &log;
  auto app = querygate::server::App::Start(*config, hooks);
  if (!app.ok()) {
    log.Error(std::string("startup failed: ") + std::string(app.status().message()));
    return 1;
  }
  std::string host = config->server.listen.substr(0, config->server.listen.rfind(':'));
  log.Info("listening on " + host + ":" + std::to_string((*app)->port()),
           {{"port", (*app)->port()}});
  int received = 0;
  sigwait(&signals, &received);
  log.Info(std::string("received ") + (received == SIGINT ? "SIGINT" : "SIGTERM") +
               ", draining for up to " + absl::FormatDuration(config->shutdown_grace),
           {{"signal", received == SIGINT ? "SIGINT" : "SIGTERM"},
            {"grace_ms", absl::ToInt64Milliseconds(config->shutdown_grace)}});
  (*app)->Shutdown(config->shutdown_grace);
  app->reset();
  log.Info("stopped");
  return 0;
}
