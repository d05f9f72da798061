#ifndef QUERYGATE_RPC_CACHE_SERVICE_IMPL_H_
#define QUERYGATE_RPC_CACHE_SERVICE_IMPL_H_

#include "querygate/v1/cache_service.grpc.pb.h"
#include "rpc/call_guard.h"
#include "service/cache_admin.h"
#include "service/index_advisor.h"
#include "service/insights.h"

namespace querygate::rpc {

// querygate.v1.CacheService over service::CacheAdmin; every call passes the CallGuard first,
// and Invalidate and Warm are audited with their outcome. Insights and Advise need `insights`
// and `advisor` (FAILED_PRECONDITION without them).
class CacheServiceImpl final : public v1::CacheService::Service {
 public:
  CacheServiceImpl(service::CacheAdmin* admin, const CallGuard* guard,
                   const service::Insights* insights = nullptr,
                   const service::IndexAdvisor* advisor = nullptr)
      : admin_(admin), guard_(guard), insights_(insights), advisor_(advisor) {}

  grpc::Status Invalidate(grpc::ServerContext* context, const v1::InvalidateRequest* request,
                          v1::InvalidateResponse* response) override;
  grpc::Status Warm(grpc::ServerContext* context, const v1::WarmRequest* request,
                    grpc::ServerWriter<v1::WarmProgress>* writer) override;
  grpc::Status Stats(grpc::ServerContext* context, const v1::StatsRequest* request,
                     v1::StatsResponse* response) override;
  grpc::Status Insights(grpc::ServerContext* context, const v1::InsightsRequest* request,
                        v1::InsightsResponse* response) override;
  grpc::Status Advise(grpc::ServerContext* context, const v1::AdviseRequest* request,
                      v1::AdviseResponse* response) override;

 private:
  service::CacheAdmin* admin_;
  const CallGuard* guard_;
  const service::Insights* insights_;
  const service::IndexAdvisor* advisor_;
};

}  // namespace querygate::rpc

#endif  // QUERYGATE_RPC_CACHE_SERVICE_IMPL_H_
