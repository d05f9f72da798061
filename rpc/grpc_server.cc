#include "rpc/grpc_server.h"

#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/resource_quota.h>
#include <grpcpp/security/server_credentials.h>
#include <grpcpp/server.h>
#include <grpcpp/server_builder.h>

#include <condition_variable>
#include <mutex>
#include <thread>

#include "absl/strings/str_cat.h"
#include "grpc/health/v1/health.pb.h"
#include "rpc/cache_service_impl.h"
#include "rpc/internal/call_interceptor.h"
#include "rpc/query_service_impl.h"
#include "rpc/reflection_service.h"
#include "rpc/repository_service_impl.h"
#include "rpc/typed_service_handler.h"

namespace querygate::rpc {
namespace {

std::shared_ptr<grpc::ServerCredentials> Credentials(const TlsServerOptions& tls) {
  if (tls.cert_chain_pem.empty()) return grpc::InsecureServerCredentials();
  grpc::SslServerCredentialsOptions ssl;
  ssl.pem_key_cert_pairs.push_back({tls.private_key_pem, tls.cert_chain_pem});
  if (!tls.client_ca_pem.empty()) {
    ssl.pem_root_certs = tls.client_ca_pem;
    ssl.client_certificate_request =
        tls.require_client_cert ? GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY
                                : GRPC_SSL_REQUEST_CLIENT_CERTIFICATE_AND_VERIFY;
  }
  return grpc::SslServerCredentials(ssl);
}

constexpr const char* kServiceNames[] = {"querygate.v1.QueryService", "querygate.v1.CacheService",
                                         "querygate.v1.RepositoryService"};

}  // namespace

struct GrpcServer::Impl {
  std::unique_ptr<BlockingExecutor> executor;
  std::unique_ptr<QueryServiceImpl> query_service;
  std::unique_ptr<CacheServiceImpl> cache_service;
  std::unique_ptr<RepositoryServiceImpl> repository_service;
  std::unique_ptr<TypedServiceHandler> typed_services;
  std::unique_ptr<ReflectionService> reflection;
  std::unique_ptr<grpc::Server> server;
  std::function<BackendHealth()> health;
  absl::Duration health_interval;
  int port = 0;
  std::mutex mu;
  std::condition_variable stop_cv;
  bool stopping = false;
  std::thread health_thread;

  void SetHealth(const std::string& name, bool serving) {
    server->GetHealthCheckService()->SetServingStatus(name, serving);
  }

  // Publishes the backends' health: one entry each for the cache and the database, and
  // readiness for the whole server and every service.
  void ApplyHealth(const BackendHealth& h) {
    SetHealth("querygate.cache", h.cache_healthy);
    SetHealth("querygate.database", h.database_healthy);
    SetHealth("", h.ready);
    for (const char* name : kServiceNames) SetHealth(name, h.ready);
  }

  void HealthLoop() {
    std::unique_lock<std::mutex> lock(mu);
    while (!stopping) {
      stop_cv.wait_for(lock, absl::ToChronoNanoseconds(health_interval));
      if (stopping) break;
      lock.unlock();
      BackendHealth h = health ? health() : BackendHealth{};
      lock.lock();
      if (stopping) break;
      ApplyHealth(h);
    }
  }
};

GrpcServer::GrpcServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

GrpcServer::~GrpcServer() {
  if (impl_->server != nullptr) Shutdown(absl::ZeroDuration());
}

absl::StatusOr<std::unique_ptr<GrpcServer>> GrpcServer::Start(
    const ServerOptions& options, const ServiceSet& services,
    std::function<BackendHealth()> health) {
  auto impl = std::make_unique<Impl>();
  impl->executor = std::make_unique<BlockingExecutor>(options.max_threads, options.max_threads * 4);
  impl->query_service =
      std::make_unique<QueryServiceImpl>(services.queries, services.guard, impl->executor.get());
  impl->cache_service = std::make_unique<CacheServiceImpl>(services.cache_admin, services.guard,
                                                           services.insights, services.advisor);
  impl->health = std::move(health);
  impl->health_interval = options.health_interval;

  grpc::EnableDefaultHealthCheckService(true);
  grpc::ServerBuilder builder;
  builder.AddListeningPort(options.listen, Credentials(options.tls), &impl->port);
  builder.SetMaxReceiveMessageSize(options.max_receive_message_bytes);
  builder.SetMaxSendMessageSize(options.max_send_message_bytes);
  builder.AddChannelArgument(GRPC_ARG_MAX_CONCURRENT_STREAMS, options.max_concurrent_streams);
  // A port another process already serves is an error, not a silently shared port.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  grpc::ResourceQuota quota("querygate");
  quota.SetMaxThreads(options.max_threads);
  builder.SetSyncServerOption(grpc::ServerBuilder::SyncServerOption::MIN_POLLERS,
                              options.min_pollers);
  builder.SetSyncServerOption(grpc::ServerBuilder::SyncServerOption::MAX_POLLERS,
                              options.max_pollers);
  builder.SetResourceQuota(quota);
  if (!options.observers.empty()) {
    std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> creators;
    creators.push_back(internal::MakeCallInterceptorFactory(options.observers));
    builder.experimental().SetInterceptorCreators(std::move(creators));
  }
  builder.RegisterService(impl->query_service.get());
  builder.RegisterService(impl->cache_service.get());
  if (services.repository != nullptr) {
    impl->repository_service =
        std::make_unique<RepositoryServiceImpl>(services.repository, services.guard);
    builder.RegisterService(impl->repository_service.get());
    if (services.typed_schema != nullptr && services.typed_lock != nullptr) {
      auto typed =
          TypedServiceHandler::Create(services.typed_schema, *services.typed_lock,
                                      services.repository, services.guard, impl->executor.get());
      if (!typed.ok()) return typed.status();
      impl->typed_services = *std::move(typed);
      builder.RegisterCallbackGenericService(impl->typed_services.get());
    }
  }
  if (options.reflection) {
    std::vector<std::string> names = {kServiceNames[0], kServiceNames[1]};
    std::vector<const google::protobuf::DescriptorPool*> pools;
    if (impl->repository_service != nullptr) names.push_back(kServiceNames[2]);
    if (impl->typed_services != nullptr) {
      for (const std::string& name : impl->typed_services->service_names()) names.push_back(name);
      pools.push_back(impl->typed_services->pool());
    }
    // Naming the health file's descriptor also links it in, so the generated pool has it.
    names.push_back(
        grpc::health::v1::HealthCheckRequest::descriptor()->file()->service(0)->full_name());
    pools.push_back(google::protobuf::DescriptorPool::generated_pool());
    impl->reflection = std::make_unique<ReflectionService>(std::move(names), std::move(pools));
    impl->reflection->Register(builder);
  }
  impl->server = builder.BuildAndStart();
  if (impl->server == nullptr || impl->port == 0) {
    return absl::UnavailableError(absl::StrCat("cannot listen on ", options.listen));
  }
  impl->ApplyHealth(impl->health ? impl->health() : BackendHealth{});
  impl->health_thread = std::thread([raw = impl.get()] { raw->HealthLoop(); });
  return std::unique_ptr<GrpcServer>(new GrpcServer(std::move(impl)));
}

int GrpcServer::port() const { return impl_->port; }

void GrpcServer::Shutdown(absl::Duration grace) {
  if (impl_->server == nullptr) return;
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    impl_->stopping = true;
  }
  impl_->stop_cv.notify_all();
  if (impl_->health_thread.joinable()) impl_->health_thread.join();
  impl_->server->GetHealthCheckService()->Shutdown();
  impl_->server->Shutdown(absl::ToChronoTime(absl::Now() + grace));
  impl_->server->Wait();
  impl_->server.reset();
}

}  // namespace querygate::rpc
