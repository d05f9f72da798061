#ifndef QUERYGATE_RPC_REFLECTION_SERVICE_H_
#define QUERYGATE_RPC_REFLECTION_SERVICE_H_

#include <google/protobuf/descriptor.h>
#include <grpcpp/server_builder.h>

#include <memory>
#include <string>
#include <vector>

namespace querygate::rpc {

// gRPC server reflection, grpc.reflection.v1alpha and grpc.reflection.v1 (tools such as grpcurl
// ask v1 first), answered from descriptor pools the server names: the generated pool for
// querygate.v1.* and grpc.health.v1, the typed services' pool for querygate.models.v1.*. Each
// stream answers its requests in order on gRPC's callback threads (in-memory lookups only) and
// ends with RESOURCE_EXHAUSTED after kMaxRequestsPerStream requests.
class ReflectionService {
 public:
  static constexpr int kMaxRequestsPerStream = 1000;

  // `services` are listed as given (the reflection services are added); `pools` are searched
  // in order and outlive this object.
  ReflectionService(std::vector<std::string> services,
                    std::vector<const google::protobuf::DescriptorPool*> pools);
  ~ReflectionService();

  // Registers both protocol versions on `builder`; this object must outlive the server.
  void Register(grpc::ServerBuilder& builder);

  // The full names of the two reflection services.
  static std::vector<std::string> ServiceNames();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace querygate::rpc

#endif  // QUERYGATE_RPC_REFLECTION_SERVICE_H_
