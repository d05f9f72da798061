#ifndef QUERYGATE_TYPED_TYPE_MAPPING_H_
#define QUERYGATE_TYPED_TYPE_MAPPING_H_

#include <google/protobuf/descriptor.pb.h>

#include <string>

#include "schema/model.h"

namespace querygate::typed {

// How one column or relation of a model appears in its typed message.
struct FieldShape {
  google::protobuf::FieldDescriptorProto::Type type =
      google::protobuf::FieldDescriptorProto::TYPE_STRING;
  std::string type_name;  // ".google.protobuf.Timestamp", ".querygate.models.v1.Post"; or empty
  bool repeated = false;
  bool optional = false;  // proto3 `optional`: a nullable scalar column
};

// The shape of a column: see docs/typed-services.md for the table.
FieldShape ShapeOfField(const schema::Field& field);

// belongs_to/has_one: the target message; has_many/many_to_many: repeated target messages.
FieldShape ShapeOfRelation(const schema::Relation& relation);

// The wire-relevant part of a shape ("repeated .google.protobuf.Timestamp", "int64"): two
// shapes with the same signature read each other's bytes. `optional` is not part of it.
std::string Signature(const FieldShape& shape);

}  // namespace querygate::typed

#endif  // QUERYGATE_TYPED_TYPE_MAPPING_H_
