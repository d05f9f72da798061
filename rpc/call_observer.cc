#include "rpc/call_observer.h"

#include <grpcpp/support/interceptor.h>
#include <grpcpp/support/server_interceptor.h>
#include <grpcpp/support/status.h>

#include <chrono>
#include <utility>
#include <vector>

#include "rpc/internal/call_interceptor.h"

namespace querygate::rpc {

std::pair<std::string, std::string> SplitMethodName(std::string_view full_name) {
  if (full_name.size() < 3 || full_name.front() != '/') return {"", std::string(full_name)};
  const size_t slash = full_name.find('/', 1);
  if (slash == std::string_view::npos || slash == 1 || slash + 1 == full_name.size()) {
    return {"", std::string(full_name)};
  }
  return {std::string(full_name.substr(1, slash - 1)), std::string(full_name.substr(slash + 1))};
}

namespace internal {
namespace {

using grpc::experimental::InterceptionHookPoints;

// Lives as long as one call: notes the start, the request id sent and the status, and
// reports once, when the status is about to go out or, failing that, when the call ends.
class CallInterceptor final : public grpc::experimental::Interceptor {
 public:
  CallInterceptor(const std::vector<CallObserver*>* observers, const char* method)
      : observers_(observers), start_(std::chrono::steady_clock::now()) {
    auto [service, name] = SplitMethodName(method == nullptr ? "" : method);
    record_.service = std::move(service);
    record_.method = std::move(name);
  }

  ~CallInterceptor() override {
    if (!reported_) Report(grpc::StatusCode::CANCELLED);
  }

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_INITIAL_METADATA)) {
      if (auto* metadata = methods->GetSendInitialMetadata(); metadata != nullptr) {
        auto it = metadata->find("x-request-id");
        if (it != metadata->end()) record_.request_id = it->second;
      }
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS) &&
        !reported_) {
      Report(methods->GetSendStatus().error_code());
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_CANCEL)) {
      if (!reported_) Report(grpc::StatusCode::CANCELLED);
      return;  // Proceed is a no-op for a cancel batch.
    }
    methods->Proceed();
  }

 private:
  void Report(grpc::StatusCode code) {
    reported_ = true;
    record_.code = static_cast<int>(code);
    record_.elapsed = absl::FromChrono(std::chrono::steady_clock::now() - start_);
    for (CallObserver* observer : *observers_) observer->OnCallDone(record_);
  }

  const std::vector<CallObserver*>* observers_;
  const std::chrono::steady_clock::time_point start_;
  CallRecord record_;
  bool reported_ = false;
};

class CallInterceptorFactory final : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit CallInterceptorFactory(std::vector<CallObserver*> observers)
      : observers_(std::move(observers)) {}

  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override {
    return new CallInterceptor(&observers_, info->method());
  }

 private:
  const std::vector<CallObserver*> observers_;
};

}  // namespace

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> MakeCallInterceptorFactory(
    std::vector<CallObserver*> observers) {
  return std::make_unique<CallInterceptorFactory>(std::move(observers));
}

}  // namespace internal
}  // namespace querygate::rpc
