#ifndef QUERYGATE_RPC_INTERNAL_REFLECTION_ANSWERS_H_
#define QUERYGATE_RPC_INTERNAL_REFLECTION_ANSWERS_H_

#include <google/protobuf/descriptor.h>

#include <string>
#include <vector>

namespace querygate::rpc::internal {

// What server reflection describes: the services it lists and the pools it finds files and
// symbols in, searched in order. Every pool outlives the sources.
struct ReflectionSources {
  std::vector<std::string> services;
  std::vector<const google::protobuf::DescriptorPool*> pools;
};

// The longest file or symbol name a reflection request may carry.
inline constexpr size_t kMaxReflectionName = 1024;

// Fills `response` for one ServerReflectionRequest of grpc.reflection.v1alpha or v1 (the two
// are identical but for the package): list_services, file_by_filename and
// file_containing_symbol (the file and its transitive dependencies, each once, dependencies
// first), file_containing_extension and all_extension_numbers_of_type. A name that is unknown
// is an error_response NOT_FOUND; an over-long name or an empty request INVALID_ARGUMENT.
template <typename Request, typename Response>
void AnswerReflection(const ReflectionSources& sources, const Request& request, Response& response);

}  // namespace querygate::rpc::internal

#endif  // QUERYGATE_RPC_INTERNAL_REFLECTION_ANSWERS_H_
