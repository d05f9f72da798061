#ifndef QUERYGATE_RPC_CACHE_SERVICE_IMPL_H_
#define QUERYGATE_RPC_CACHE_SERVICE_IMPL_H_

#include "querygate/v1/cache_service.grpc.pb.h"
#include "service/query_service.h"

namespace querygate::rpc {

// querygate.v1.CacheService: Invalidate now; Warm and Stats answer UNIMPLEMENTED until built.
class CacheServiceImpl final : public v1::CacheService::Service {
 public:
  explicit CacheServiceImpl(service::QueryService* service) : service_(service) {}

  grpc::Status Invalidate(grpc::ServerContext* context, const v1::InvalidateRequest* request,
                          v1::InvalidateResponse* response) override;

 private:
  service::QueryService* service_;
};

}  // namespace querygate::rpc

#endif  // QUERYGATE_RPC_CACHE_SERVICE_IMPL_H_
