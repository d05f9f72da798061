#ifndef QUERYGATE_RPC_QUERY_SERVICE_IMPL_H_
#define QUERYGATE_RPC_QUERY_SERVICE_IMPL_H_

#include "querygate/v1/query_service.grpc.pb.h"
#include "rpc/blocking_executor.h"
#include "rpc/call_guard.h"
#include "rpc/result_wire_codec.h"
#include "service/query_service.h"

namespace querygate::rpc {

using QueryServiceBase = v1::QueryService::WithRawCallbackMethod_Execute<
    v1::QueryService::WithCallbackMethod_ListQueries<v1::QueryService::Service>>;

// querygate.v1.QueryService over service::QueryService, on gRPC's callback API. The cache
// lookup is sent without waiting; a hit is answered from the Redis I/O thread when the reply
// arrives, and anything that needs PostgreSQL runs on `executor`, so callback threads never
// wait on the network (see docs/architecture.md). Execute's answer is written as bytes: when the
// service stores results in WireResultCodec's format, a hit is sent exactly as Redis returned it.
class QueryServiceImpl final : public QueryServiceBase {
 public:
  QueryServiceImpl(service::QueryService* service, const CallGuard* guard,
                   BlockingExecutor* executor)
      : service_(service), guard_(guard), executor_(executor) {}

  grpc::ServerUnaryReactor* Execute(grpc::CallbackServerContext* context,
                                    const grpc::ByteBuffer* request,
                                    grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* ListQueries(grpc::CallbackServerContext* context,
                                        const v1::ListQueriesRequest* request,
                                        v1::ListQueriesResponse* response) override;

 private:
  // Runs `request` on the executor and finishes `reactor` with its answer.
  void ExecuteOnExecutor(service::CallContext ctx, grpc::ServerUnaryReactor* reactor,
                         grpc::ByteBuffer* response, service::ExecuteRequest request);
  // Writes the encoded ExecuteResponse for `in` into `out`. Fails with DATA_LOSS when a
  // cached result stored in another format cannot be decoded.
  absl::Status WriteResponse(service::ExecuteResponse in, grpc::ByteBuffer& out) const;
  // Finishes `reactor` with `in` written into `response`, or with WriteResponse's error.
  void Answer(grpc::ServerUnaryReactor* reactor, service::ExecuteResponse in,
              grpc::ByteBuffer* response) const;

  service::QueryService* service_;
  const CallGuard* guard_;
  BlockingExecutor* executor_;
  WireResultCodec wire_;
};

}  // namespace querygate::rpc

#endif  // QUERYGATE_RPC_QUERY_SERVICE_IMPL_H_
