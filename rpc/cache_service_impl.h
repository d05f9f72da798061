#ifndef QUERYGATE_RPC_CACHE_SERVICE_IMPL_H_
#define QUERYGATE_RPC_CACHE_SERVICE_IMPL_H_

#include "querygate/v1/cache_service.grpc.pb.h"
#include "rpc/call_guard.h"
#include "service/cache_admin.h"

namespace querygate::rpc {

// querygate.v1.CacheService over service::CacheAdmin; every call passes the CallGuard first,
// and Invalidate and Warm are audited with their outcome.
class CacheServiceImpl final : public v1::CacheService::Service {
 public:
  CacheServiceImpl(service::CacheAdmin* admin, const CallGuard* guard)
      : admin_(admin), guard_(guard) {}

  grpc::Status Invalidate(grpc::ServerContext* context, const v1::InvalidateRequest* request,
                          v1::InvalidateResponse* response) override;
  grpc::Status Warm(grpc::ServerContext* context, const v1::WarmRequest* request,
                    grpc::ServerWriter<v1::WarmProgress>* writer) override;
  grpc::Status Stats(grpc::ServerContext* context, const v1::StatsRequest* request,
                     v1::StatsResponse* response) override;

 private:
  service::CacheAdmin* admin_;
  const CallGuard* guard_;
};

}  // namespace querygate::rpc

#endif  // QUERYGATE_RPC_CACHE_SERVICE_IMPL_H_
