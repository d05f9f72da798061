#include "rpc/reflection_service.h"

#include "absl/strings/str_cat.h"
#include "grpc/reflection/v1/reflection.grpc.pb.h"
#include "grpc/reflection/v1alpha/reflection.grpc.pb.h"
#include "rpc/internal/reflection_answers.h"

namespace querygate::rpc {
namespace {

// One ServerReflectionInfo stream: read a request, write its answer, repeat until the client
// half-closes, the call breaks, or the stream has sent kMaxRequestsPerStream requests.
template <typename Request, typename Response>
class ReflectionReactor final : public grpc::ServerBidiReactor<Request, Response> {
 public:
  explicit ReflectionReactor(const internal::ReflectionSources* sources) : sources_(sources) {
    this->StartRead(&request_);
  }

  void OnReadDone(bool ok) override {
    if (!ok) {
      this->Finish(grpc::Status::OK);
      return;
    }
    if (++requests_ > ReflectionService::kMaxRequestsPerStream) {
      this->Finish(
          grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                       absl::StrCat("more than ", ReflectionService::kMaxRequestsPerStream,
                                    " reflection requests on one stream; open a new stream")));
      return;
    }
    response_.Clear();
    internal::AnswerReflection(*sources_, request_, response_);
    this->StartWrite(&response_);
  }

  void OnWriteDone(bool ok) override {
    if (!ok) {
      this->Finish(grpc::Status(grpc::StatusCode::UNAVAILABLE, "the stream broke"));
      return;
    }
    this->StartRead(&request_);
  }

  void OnDone() override { delete this; }

 private:
  const internal::ReflectionSources* sources_;
  Request request_;
  Response response_;
  int requests_ = 0;
};

template <typename Service, typename Request, typename Response>
class Reflection final : public Service {
 public:
  explicit Reflection(const internal::ReflectionSources* sources) : sources_(sources) {}

  grpc::ServerBidiReactor<Request, Response>* ServerReflectionInfo(
      grpc::CallbackServerContext*) override {
    return new ReflectionReactor<Request, Response>(sources_);
  }

 private:
  const internal::ReflectionSources* sources_;
};

namespace v1a = grpc::reflection::v1alpha;
namespace v1 = grpc::reflection::v1;
using V1Alpha = Reflection<v1a::ServerReflection::CallbackService, v1a::ServerReflectionRequest,
                           v1a::ServerReflectionResponse>;
using V1 = Reflection<v1::ServerReflection::CallbackService, v1::ServerReflectionRequest,
                      v1::ServerReflectionResponse>;

}  // namespace

struct ReflectionService::Impl {
  internal::ReflectionSources sources;
  V1Alpha v1alpha{&sources};
  V1 v1{&sources};
};

ReflectionService::ReflectionService(std::vector<std::string> services,
                                     std::vector<const google::protobuf::DescriptorPool*> pools)
    : impl_(std::make_unique<Impl>()) {
  for (std::string& name : ServiceNames()) services.push_back(std::move(name));
  impl_->sources.services = std::move(services);
  impl_->sources.pools = std::move(pools);
}

ReflectionService::~ReflectionService() = default;

void ReflectionService::Register(grpc::ServerBuilder& builder) {
  builder.RegisterService(&impl_->v1alpha);
  builder.RegisterService(&impl_->v1);
}

std::vector<std::string> ReflectionService::ServiceNames() {
  return {v1a::ServerReflection::service_full_name(), v1::ServerReflection::service_full_name()};
}

}  // namespace querygate::rpc
