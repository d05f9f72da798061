#ifndef QUERYGATE_RPC_CALL_CONTEXT_H_
#define QUERYGATE_RPC_CALL_CONTEXT_H_

#include <grpcpp/server_context.h>

#include "service/call_context.h"

namespace querygate::rpc {

// Returns the service's view of a call: its deadline and a cancellation probe.
service::CallContext MakeCallContext(grpc::ServerContextBase* context);

}  // namespace querygate::rpc

#endif  // QUERYGATE_RPC_CALL_CONTEXT_H_
