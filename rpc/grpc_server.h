#ifndef QUERYGATE_RPC_GRPC_SERVER_H_
#define QUERYGATE_RPC_GRPC_SERVER_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "rpc/call_guard.h"
#include "rpc/call_observer.h"
#include "service/cache_admin.h"
#include "service/index_advisor.h"
#include "service/insights.h"
#include "service/query_service.h"
#include "service/repository_service.h"
#include "typed/lock_file.h"

namespace querygate::rpc {

// TLS on the listening port; off when cert_chain_pem is empty.
struct TlsServerOptions {
  std::string cert_chain_pem;
  std::string private_key_pem;
  // CA that signs client certificates; empty: client certificates are not requested.
  std::string client_ca_pem;
  // Refuse connections without a valid client certificate (mutual TLS).
  bool require_client_cert = false;
};

struct ServerOptions {
  // host:port; port 0 picks a free port (see GrpcServer::port()).
  std::string listen = "127.0.0.1:50051";
  int max_receive_message_bytes = 4 * 1024 * 1024;
  int max_send_message_bytes = 16 * 1024 * 1024;
  int max_concurrent_streams = 256;
  // Upper bound on threads serving calls (sync server); excess calls get RESOURCE_EXHAUSTED.
  int max_threads = 256;
  // Threads kept polling for new calls. A thread that finishes a call keeps polling while
  // fewer than max_pollers do; gRPC's default of 2 makes threads exit and respawn under load.
  int min_pollers = 2;
  int max_pollers = 64;
  TlsServerOptions tls;
  // Serve grpc.reflection.v1alpha and v1 ServerReflection (rpc/reflection_service.h), typed
  // services included.
  bool reflection = true;
  // How often the health of dependencies is re-read into the health service.
  absl::Duration health_interval = absl::Milliseconds(200);
  // Told about every finished call, health and reflection included; each outlives the server.
  std::vector<CallObserver*> observers;
};

// Health of the backends, as the server reports it.
struct BackendHealth {
  bool cache_healthy = true;
  bool database_healthy = true;
  // False until startup warming finishes when warming blocks readiness.
  bool ready = true;
};

// The services the front serves; each pointer outlives the server.
struct ServiceSet {
  service::QueryService* queries = nullptr;
  service::CacheAdmin* cache_admin = nullptr;
  // Optional: RepositoryService is served only when set.
  service::RepositoryService* repository = nullptr;
  // Authenticates and authorizes every call except health and reflection.
  const CallGuard* guard = nullptr;
  // Optional: CacheService.Insights and Advise answer FAILED_PRECONDITION without them.
  const service::Insights* insights = nullptr;
  const service::IndexAdvisor* advisor = nullptr;
  // Optional (with repository): querygate.models.v1.<Model>Service for every model of
  // typed_schema, numbered by typed_lock (docs/typed-services.md).
  const schema::Schema* typed_schema = nullptr;
  const typed::TypedLock* typed_lock = nullptr;
};

// The gRPC front: QueryService, CacheService, RepositoryService behind the CallGuard;
// grpc.health.v1.Health (open; overall, one entry per service, plus "querygate.cache" and
// "querygate.database"); and server reflection when options.reflection is set.
class GrpcServer {
 public:
  ~GrpcServer();

  // Binds and starts serving. Fails with UNAVAILABLE when the address cannot be bound, or
  // INVALID_ARGUMENT for TLS settings gRPC rejects.
  static absl::StatusOr<std::unique_ptr<GrpcServer>> Start(const ServerOptions& options,
                                                           const ServiceSet& services,
                                                           std::function<BackendHealth()> health);

  // The bound port (useful with port 0).
  int port() const;

  // Marks every health entry NOT_SERVING, stops accepting calls, lets in-flight calls finish
  // until `grace` has passed, then cancels the rest. Returns when the server has stopped.
  void Shutdown(absl::Duration grace);

 private:
  struct Impl;
  explicit GrpcServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace querygate::rpc

#endif  // QUERYGATE_RPC_GRPC_SERVER_H_
