#ifndef QUERYGATE_RPC_INTERNAL_TYPED_CODEC_H_
#define QUERYGATE_RPC_INTERNAL_TYPED_CODEC_H_

#include <google/protobuf/dynamic_message.h>
#include <google/protobuf/message.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "schema/model.h"
#include "service/repository_types.h"
#include "typed/lock_file.h"

namespace querygate::rpc::internal {

// How a typed <Model> message becomes a record to write.
enum class WriteMode {
  kCreate,  // proto3 zero values of columns with a default (or generated) are left out
  kUpdate,  // only set fields (non-zero scalars, present optionals and messages) are written
};

// Translates between typed messages (querygate.models.v1, see docs/typed-services.md) and the
// repository's records and filters. Enum values are mapped through the typed lock.
class TypedCodec {
 public:
  TypedCodec(const schema::Schema* schema, const typed::TypedLock* lock,
             google::protobuf::MessageFactory* factory);

  // The columns of a <Model> message as a record. With `mask`, exactly the named columns
  // (an unset optional or message is null). Fails with INVALID_ARGUMENT naming the field
  // ("record.status: unknown enum value 7").
  absl::StatusOr<service::Record> ToRecord(const google::protobuf::Message& message,
                                           const schema::Model& model, const std::string& path,
                                           WriteMode mode,
                                           const std::vector<std::string>* mask) const;

  // Writes `record` (and its included relations) into a <Model> message.
  absl::Status FromRecord(const service::Record& record, const schema::Model& model,
                          google::protobuf::Message& out) const;

  // The singular (non-repeated) value of `field`'s column in `holder` as the repository's
  // value; `fd` may belong to an op message. Fails like ToRecord.
  absl::StatusOr<Value> ScalarValue(const google::protobuf::Message& holder,
                                    const google::protobuf::FieldDescriptor* fd,
                                    const schema::Field& field, const std::string& path) const;

  // A <Model>Filter as the repository's filter. Fails with INVALID_ARGUMENT naming the field.
  absl::StatusOr<service::Filter> ToFilter(const google::protobuf::Message& filter,
                                           const schema::Model& model,
                                           const std::string& path) const;

  // The column name of <Model>Field number `number`. Fails with INVALID_ARGUMENT at `path`.
  absl::StatusOr<std::string> ColumnName(const schema::Model& model, int number,
                                         const std::string& path) const;

 private:
  absl::StatusOr<Value> RepeatedValue(const google::protobuf::Message& holder,
                                      const google::protobuf::FieldDescriptor* fd,
                                      const schema::Field& field, const std::string& path) const;
  absl::StatusOr<Value> EnumValue(const schema::Field& field, int number,
                                  const std::string& path) const;
  absl::Status SetColumn(const Value& value, const schema::Field& field,
                         const google::protobuf::FieldDescriptor* fd,
                         google::protobuf::Message& out) const;
  absl::StatusOr<std::vector<service::Filter>> Conditions(
      const google::protobuf::Message& condition, const schema::Model& model,
      const std::string& path) const;

  const schema::Schema* schema_;
  google::protobuf::MessageFactory* factory_;
  // Schema enum -> number -> value, and value -> number.
  std::map<std::string, std::map<int, std::string>> enum_values_;
  std::map<std::string, std::map<std::string, int>> enum_numbers_;
  // Model -> field number -> column name.
  std::map<std::string, std::map<int, std::string>> columns_;
};

}  // namespace querygate::rpc::internal

#endif  // QUERYGATE_RPC_INTERNAL_TYPED_CODEC_H_
