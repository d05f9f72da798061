#ifndef QUERYGATE_SERVER_APP_H_
#define QUERYGATE_SERVER_APP_H_

#include <memory>

#include "absl/status/statusor.h"
#include "server/server_config.h"

namespace querygate::server {

// The running server: schema and named queries loaded, the database pool, the Redis cache,
// the services and the gRPC front, wired together.
class App {
 public:
  ~App();

  // Loads the schema, checks every named query against the database and starts serving.
  // Fails with INVALID_ARGUMENT listing schema errors, FAILED_PRECONDITION naming a query
  // that does not prepare, or UNAVAILABLE when PostgreSQL or the listen address is unusable.
  static absl::StatusOr<std::unique_ptr<App>> Start(const ServerConfig& config);

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
