#ifndef QUERYGATE_RPC_INTERNAL_CALL_INTERCEPTOR_H_
#define QUERYGATE_RPC_INTERNAL_CALL_INTERCEPTOR_H_

#include <grpcpp/support/server_interceptor.h>

#include <memory>
#include <vector>

#include "rpc/call_observer.h"

namespace querygate::rpc::internal {

// A server interceptor factory that reports every call to `observers` (which outlive the
// server) as a CallRecord.
std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> MakeCallInterceptorFactory(
    std::vector<CallObserver*> observers);

}  // namespace querygate::rpc::internal

#endif  // QUERYGATE_RPC_INTERNAL_CALL_INTERCEPTOR_H_
