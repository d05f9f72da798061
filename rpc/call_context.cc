#include "rpc/call_context.h"

#include <chrono>

namespace querygate::rpc {

service::CallContext MakeCallContext(grpc::ServerContextBase* context) {
  service::CallContext out;
  auto deadline = context->deadline();
  if (deadline < std::chrono::system_clock::time_point::max() - std::chrono::hours(24 * 365)) {
    out.deadline = absl::FromChrono(deadline);
  }
  out.cancelled = [context] { return context->IsCancelled(); };
  return out;
}

}  // namespace querygate::rpc
