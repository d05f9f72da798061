#ifndef QUERYGATE_RPC_STATUS_CONVERSION_H_
#define QUERYGATE_RPC_STATUS_CONVERSION_H_

#include <grpcpp/support/status.h>

#include "absl/status/status.h"

namespace querygate::rpc {

// The one place an absl::Status becomes a grpc::Status: same code, same message.
grpc::Status ToGrpcStatus(const absl::Status& status);

}  // namespace querygate::rpc

#endif  // QUERYGATE_RPC_STATUS_CONVERSION_H_
