#ifndef QUERYGATE_SERVER_APP_H_
#define QUERYGATE_SERVER_APP_H_

#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "auth/authenticator.h"
#include "common/logger.h"
#include "server/server_config.h"

namespace querygate::server {

// Where the server reports what an operator must see.
struct AppHooks {
  auth::AuditSink audit;                         // denied calls and operator actions
  std::function<void(const std::string&)> warn;  // risky settings in force
  // The server's structured log (feeds, backends, calls, warm); null: quiet. Outlives the App.
  Logger* log = nullptr;
};

// The running server: schema and named queries loaded, the database pool, the Redis cache,
// the services and the gRPC front, wired together.
class App {
 public:
  ~App();

  // Loads the schema, checks every named query against the database and starts serving.
  // Fails with INVALID_ARGUMENT listing schema errors or for unusable auth settings,
  // FAILED_PRECONDITION naming a query that does not prepare or when it would serve without
  // authentication on a non-loopback address (unless insecure_no_auth), or UNAVAILABLE when
  // PostgreSQL or the listen address is unusable.
  static absl::StatusOr<std::unique_ptr<App>> Start(const ServerConfig& config,
                                                    AppHooks hooks = {});

  int port() const;

  // Reports NOT_SERVING, drains in-flight calls for up to `grace`, then stops.
  void Shutdown(absl::Duration grace);

 private:
  struct Parts;
  explicit App(std::unique_ptr<Parts> parts);
  std::unique_ptr<Parts> parts_;
};

}  // namespace querygate::server

#endif  // QUERYGATE_SERVER_APP_H_
