#ifndef QUERYGATE_RPC_CALL_OBSERVER_H_
#define QUERYGATE_RPC_CALL_OBSERVER_H_

#include <string>
#include <string_view>
#include <utility>

#include "absl/time/time.h"

namespace querygate::rpc {

// One finished gRPC call, as the server saw it.
struct CallRecord {
  // "querygate.v1.QueryService" and "Execute" from "/querygate.v1.QueryService/Execute".
  std::string service;
  std::string method;
  // grpc::StatusCode as an int; CANCELLED (1) when the call ended without a status.
  int code = 0;
  // From the call's arrival at the server to the status being handed to gRPC.
  absl::Duration elapsed;
  // The x-request-id the server sent in its initial metadata; empty when it sent none.
  std::string request_id;
};

// Receives every call the server finishes (ServerOptions::observers). OnCallDone runs on a
// gRPC thread just before the status goes out, so it must be quick and must not block.
class CallObserver {
 public:
  virtual ~CallObserver() = default;
  virtual void OnCallDone(const CallRecord& record) = 0;
};

// Splits a full gRPC method name "/pkg.Service/Method" into {"pkg.Service", "Method"}. A name
// without that shape yields {"", name}.
std::pair<std::string, std::string> SplitMethodName(std::string_view full_name);

}  // namespace querygate::rpc

#endif  // QUERYGATE_RPC_CALL_OBSERVER_H_
