#ifndef QUERYGATE_RPC_QUERY_SERVICE_IMPL_H_
#define QUERYGATE_RPC_QUERY_SERVICE_IMPL_H_

#include "querygate/v1/query_service.grpc.pb.h"
#include "rpc/blocking_executor.h"
#include "service/query_service.h"

namespace querygate::rpc {

// querygate.v1.QueryService over service::QueryService, on gRPC's callback API. A cache hit
// is answered inline on the thread that received the call (one Redis round trip); anything
// that needs PostgreSQL runs on `executor`, so callback threads never wait on the database
// (see docs/architecture.md).
class QueryServiceImpl final : public v1::QueryService::CallbackService {
 public:
  QueryServiceImpl(service::QueryService* service, BlockingExecutor* executor)
      : service_(service), executor_(executor) {}

  grpc::ServerUnaryReactor* Execute(grpc::CallbackServerContext* context,
                                    const v1::ExecuteRequest* request,
                                    v1::ExecuteResponse* response) override;
  grpc::ServerUnaryReactor* ListQueries(grpc::CallbackServerContext* context,
                                        const v1::ListQueriesRequest* request,
                                        v1::ListQueriesResponse* response) override;

 private:
  service::QueryService* service_;
  BlockingExecutor* executor_;
};

// Copies a result and its cache info into a wire response.
void FillExecuteResponse(const service::ExecuteResponse& in, v1::ExecuteResponse& out);

}  // namespace querygate::rpc

#endif  // QUERYGATE_RPC_QUERY_SERVICE_IMPL_H_
