#ifndef QUERYGATE_RPC_QUERY_SERVICE_IMPL_H_
#define QUERYGATE_RPC_QUERY_SERVICE_IMPL_H_

#include "querygate/v1/query_service.grpc.pb.h"
#include "service/query_service.h"

namespace querygate::rpc {

// querygate.v1.QueryService over service::QueryService.
class QueryServiceImpl final : public v1::QueryService::Service {
 public:
  explicit QueryServiceImpl(service::QueryService* service) : service_(service) {}

  grpc::Status Execute(grpc::ServerContext* context, const v1::ExecuteRequest* request,
                       v1::ExecuteResponse* response) override;
  grpc::Status ListQueries(grpc::ServerContext* context, const v1::ListQueriesRequest* request,
                           v1::ListQueriesResponse* response) override;

 private:
  service::QueryService* service_;
};

// Copies a result and its cache info into a wire response.
void FillExecuteResponse(const service::ExecuteResponse& in, v1::ExecuteResponse& out);

}  // namespace querygate::rpc

#endif  // QUERYGATE_RPC_QUERY_SERVICE_IMPL_H_
