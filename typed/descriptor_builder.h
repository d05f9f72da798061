#ifndef QUERYGATE_TYPED_DESCRIPTOR_BUILDER_H_
#define QUERYGATE_TYPED_DESCRIPTOR_BUILDER_H_

#include <google/protobuf/descriptor.h>
#include <google/protobuf/descriptor.pb.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "schema/model.h"
#include "typed/lock_file.h"

namespace querygate::typed {

// The typed API of a schema: the file descriptors of common.proto and models.proto (one
// message, filter, request/response set and <Model>Service per model with a single-column
// primary key) and the lock their numbers came from.
struct TypedFiles {
  std::vector<google::protobuf::FileDescriptorProto> files;  // dependencies first
  TypedLock lock;                                            // UpdateLock(input, schema)
  std::vector<std::string> models;                           // models with a service
};

// Builds the typed files of `schema` numbered by UpdateLock(lock, schema). The emitter and the
// server both call this, so emitted text and served descriptors agree.
TypedFiles BuildTypedFiles(const schema::Schema& schema, const TypedLock& lock);

// A pool holding `files` and the well-known types they import. Fails with
// FAILED_PRECONDITION naming the file and the clash (e.g. two proto names from one schema).
absl::StatusOr<std::unique_ptr<google::protobuf::DescriptorPool>> BuildPool(
    const std::vector<google::protobuf::FileDescriptorProto>& files);

// The .proto text of `file` as protoc reads it, with a header naming its origin.
std::string ProtoText(const google::protobuf::FileDescriptor& file);

}  // namespace querygate::typed

#endif  // QUERYGATE_TYPED_DESCRIPTOR_BUILDER_H_
