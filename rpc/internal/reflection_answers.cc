#include "rpc/internal/reflection_answers.h"

#include <google/protobuf/descriptor.pb.h>
#include <grpcpp/support/status_code_enum.h>

#include <set>

#include "absl/strings/str_cat.h"
#include "grpc/reflection/v1/reflection.pb.h"
#include "grpc/reflection/v1alpha/reflection.pb.h"

namespace querygate::rpc::internal {
namespace {

using google::protobuf::DescriptorPool;
using google::protobuf::FileDescriptor;

template <typename Response>
void Fail(Response& response, grpc::StatusCode code, const std::string& message) {
  auto* error = response.mutable_error_response();
  error->set_error_code(static_cast<int32_t>(code));
  error->set_error_message(message);
}

// Appends `file` after its dependencies, skipping files already in `seen`.
template <typename Files>
void AddWithDependencies(const FileDescriptor* file, std::set<std::string>& seen, Files& out) {
  if (!seen.insert(file->name()).second) return;
  for (int i = 0; i < file->dependency_count(); ++i) {
    AddWithDependencies(file->dependency(i), seen, out);
  }
  google::protobuf::FileDescriptorProto proto;
  file->CopyTo(&proto);
  out.add_file_descriptor_proto(proto.SerializeAsString());
}

template <typename Response>
void AnswerFile(const FileDescriptor* file, const std::string& what, Response& response) {
  if (file == nullptr) {
    Fail(response, grpc::StatusCode::NOT_FOUND, absl::StrCat(what, " not found"));
    return;
  }
  std::set<std::string> seen;
  AddWithDependencies(file, seen, *response.mutable_file_descriptor_response());
}

template <typename Find>
const FileDescriptor* Search(const ReflectionSources& sources, Find find) {
  for (const DescriptorPool* pool : sources.pools) {
    if (const FileDescriptor* file = find(*pool)) return file;
  }
  return nullptr;
}

const google::protobuf::Descriptor* FindType(const ReflectionSources& sources,
                                             const std::string& name) {
  for (const DescriptorPool* pool : sources.pools) {
    if (const auto* type = pool->FindMessageTypeByName(name)) return type;
  }
  return nullptr;
}

}  // namespace

template <typename Request, typename Response>
void AnswerReflection(const ReflectionSources& sources, const Request& request,
                      Response& response) {
  response.set_valid_host(request.host().substr(0, kMaxReflectionName));
  *response.mutable_original_request() = request;
  if (request.host().size() > kMaxReflectionName) response.mutable_original_request()->set_host("");
  auto too_long = [&](const std::string& name, const char* field) {
    if (name.size() <= kMaxReflectionName) return false;
    response.mutable_original_request()->Clear();
    Fail(response, grpc::StatusCode::INVALID_ARGUMENT,
         absl::StrCat(field, ": longer than ", kMaxReflectionName, " bytes"));
    return true;
  };
  switch (request.message_request_case()) {
    case Request::kListServices: {
      auto* list = response.mutable_list_services_response();
      for (const std::string& name : sources.services) list->add_service()->set_name(name);
      return;
    }
    case Request::kFileByFilename: {
      const std::string& name = request.file_by_filename();
      if (too_long(name, "file_by_filename")) return;
      AnswerFile(Search(sources, [&](const DescriptorPool& p) { return p.FindFileByName(name); }),
                 absl::StrCat("file \"", name, "\""), response);
      return;
    }
    case Request::kFileContainingSymbol: {
      const std::string& name = request.file_containing_symbol();
      if (too_long(name, "file_containing_symbol")) return;
      AnswerFile(Search(sources,
                        [&](const DescriptorPool& p) { return p.FindFileContainingSymbol(name); }),
                 absl::StrCat("symbol \"", name, "\""), response);
      return;
    }
    case Request::kFileContainingExtension: {
      const auto& ext = request.file_containing_extension();
      if (too_long(ext.containing_type(), "file_containing_extension.containing_type")) return;
      const FileDescriptor* file = nullptr;
      for (const DescriptorPool* pool : sources.pools) {
        const auto* type = pool->FindMessageTypeByName(ext.containing_type());
        const auto* field =
            type == nullptr ? nullptr : pool->FindExtensionByNumber(type, ext.extension_number());
        if (field != nullptr) {
          file = field->file();
          break;
        }
      }
      AnswerFile(
          file,
          absl::StrCat("extension ", ext.extension_number(), " of \"", ext.containing_type(), "\""),
          response);
      return;
    }
    case Request::kAllExtensionNumbersOfType: {
      const std::string& name = request.all_extension_numbers_of_type();
      if (too_long(name, "all_extension_numbers_of_type")) return;
      const google::protobuf::Descriptor* type = FindType(sources, name);
      if (type == nullptr) {
        Fail(response, grpc::StatusCode::NOT_FOUND, absl::StrCat("type \"", name, "\" not found"));
        return;
      }
      std::vector<const google::protobuf::FieldDescriptor*> extensions;
      type->file()->pool()->FindAllExtensions(type, &extensions);
      auto* numbers = response.mutable_all_extension_numbers_response();
      numbers->set_base_type_name(type->full_name());
      for (const auto* field : extensions) numbers->add_extension_number(field->number());
      return;
    }
    case Request::MESSAGE_REQUEST_NOT_SET:
      break;
  }
  Fail(response, grpc::StatusCode::INVALID_ARGUMENT, "message_request: set one request");
}

template void AnswerReflection(const ReflectionSources&,
                               const grpc::reflection::v1alpha::ServerReflectionRequest&,
                               grpc::reflection::v1alpha::ServerReflectionResponse&);
template void AnswerReflection(const ReflectionSources&,
                               const grpc::reflection::v1::ServerReflectionRequest&,
                               grpc::reflection::v1::ServerReflectionResponse&);

}  // namespace querygate::rpc::internal
