#ifndef QUERYGATE_RPC_CACHE_SERVICE_IMPL_H_
#define QUERYGATE_RPC_CACHE_SERVICE_IMPL_H_

#include "querygate/v1/cache_service.grpc.pb.h"
#include "service/cache_admin.h"

namespace querygate::rpc {

// querygate.v1.CacheService over service::CacheAdmin.
class CacheServiceImpl final : public v1::CacheService::Service {
 public:
  explicit CacheServiceImpl(service::CacheAdmin* admin) : admin_(admin) {}

  grpc::Status Invalidate(grpc::ServerContext* context, const v1::InvalidateRequest* request,
                          v1::InvalidateResponse* response) override;
  grpc::Status Warm(grpc::ServerContext* context, const v1::WarmRequest* request,
                    grpc::ServerWriter<v1::WarmProgress>* writer) override;
  grpc::Status Stats(grpc::ServerContext* context, const v1::StatsRequest* request,
                     v1::StatsResponse* response) override;

 private:
  service::CacheAdmin* admin_;
};

}  // namespace querygate::rpc

#endif  // QUERYGATE_RPC_CACHE_SERVICE_IMPL_H_
