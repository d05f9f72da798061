#ifndef QUERYGATE_RPC_TYPED_SERVICE_HANDLER_H_
#define QUERYGATE_RPC_TYPED_SERVICE_HANDLER_H_

#include <google/protobuf/descriptor.h>
#include <google/protobuf/dynamic_message.h>
#include <grpcpp/generic/async_generic_service.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "auth/permissions.h"
#include "rpc/blocking_executor.h"
#include "rpc/call_guard.h"
#include "rpc/internal/typed_codec.h"
#include "schema/model.h"
#include "service/repository_service.h"
#include "typed/lock_file.h"

namespace querygate::rpc {

// querygate.models.v1.<Model>Service for every model, served from descriptors built at startup
// (typed::BuildTypedFiles) with no generated code: the request bytes are parsed as dynamic
// messages, translated into the repository's requests, and run on the blocking executor
// through the same service::RepositoryService, guard and permissions as RepositoryService
// (Get->Get, List->List, ...). Any other method reaching the generic service is UNIMPLEMENTED.
class TypedServiceHandler final : public grpc::CallbackGenericService {
 public:
  enum class Kind { kGet, kList, kCount, kCreate, kUpdate, kDelete };
  struct Method {
    const schema::Model* model = nullptr;
    Kind kind = Kind::kGet;
    const google::protobuf::Descriptor* input = nullptr;
    const google::protobuf::Descriptor* output = nullptr;
    auth::Permission permission = auth::Permission::kGet;
  };

  // Builds the typed API of `schema` numbered by `lock` (which need not be up to date). Fails
  // with FAILED_PRECONDITION when the schema's proto names clash. Every pointer outlives it.
  static absl::StatusOr<std::unique_ptr<TypedServiceHandler>> Create(
      const schema::Schema* schema, const typed::TypedLock& lock,
      service::RepositoryService* service, const CallGuard* guard, BlockingExecutor* executor);

  grpc::ServerGenericBidiReactor* CreateReactor(
      grpc::GenericCallbackServerContext* context) override;

  // The descriptors served (for reflection): common.proto, models.proto and the well-known
  // types they import.
  const google::protobuf::DescriptorPool* pool() const { return pool_.get(); }
  // "querygate.models.v1.PostService", ... in schema order.
  const std::vector<std::string>& service_names() const { return service_names_; }

  // Answers one call: parses `request` as the method's input, runs it, and returns the
  // serialized output. Fails with INVALID_ARGUMENT naming the field, or the service's error.
  absl::StatusOr<std::string> Handle(const Method& method, const std::string& request,
                                     const service::CallContext& ctx) const;

  const CallGuard* guard() const { return guard_; }
  BlockingExecutor* executor() const { return executor_; }

 private:
  TypedServiceHandler() = default;

  std::string Answer(const google::protobuf::Message& response) const;
  absl::StatusOr<std::string> Get(const Method& m, const google::protobuf::Message& request,
                                  const service::CallContext& ctx) const;
  absl::StatusOr<std::string> List(const Method& m, const google::protobuf::Message& request,
                                   const service::CallContext& ctx) const;
  absl::StatusOr<std::string> Count(const Method& m, const google::protobuf::Message& request,
                                    const service::CallContext& ctx) const;
  absl::StatusOr<std::string> Create(const Method& m, const google::protobuf::Message& request,
                                     const service::CallContext& ctx) const;
  absl::StatusOr<std::string> Update(const Method& m, const google::protobuf::Message& request,
                                     const service::CallContext& ctx) const;
  absl::StatusOr<std::string> Delete(const Method& m, const google::protobuf::Message& request,
                                     const service::CallContext& ctx) const;
  // A new, empty message of `descriptor`'s type.
  std::unique_ptr<google::protobuf::Message> New(const google::protobuf::Descriptor* d) const;
  // The response message of `m` holding `record` in its "record" field.
  absl::StatusOr<std::string> RecordAnswer(const Method& m, const service::Record& record) const;

  const schema::Schema* schema_ = nullptr;
  service::RepositoryService* service_ = nullptr;
  const CallGuard* guard_ = nullptr;
  BlockingExecutor* executor_ = nullptr;
  typed::TypedLock lock_;
  std::unique_ptr<google::protobuf::DescriptorPool> pool_;
  std::unique_ptr<google::protobuf::DynamicMessageFactory> factory_;
  std::unique_ptr<internal::TypedCodec> codec_;
  std::map<std::string, Method> methods_;  // "/querygate.models.v1.PostService/Get" -> method
  std::vector<std::string> service_names_;
};

}  // namespace querygate::rpc

#endif  // QUERYGATE_RPC_TYPED_SERVICE_HANDLER_H_
