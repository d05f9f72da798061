#include "typed/type_mapping.h"

#include "absl/strings/str_cat.h"
#include "typed/naming.h"

namespace querygate::typed {
namespace {

using google::protobuf::FieldDescriptorProto;
using schema::TypeKind;

void SetScalar(TypeKind kind, const std::string& enum_name, FieldShape& shape) {
  switch (kind) {
    case TypeKind::kInt32:
      shape.type = FieldDescriptorProto::TYPE_INT32;
      return;
    case TypeKind::kInt64:
      shape.type = FieldDescriptorProto::TYPE_INT64;
      return;
    case TypeKind::kFloat64:
      shape.type = FieldDescriptorProto::TYPE_DOUBLE;
      return;
    case TypeKind::kBool:
      shape.type = FieldDescriptorProto::TYPE_BOOL;
      return;
    case TypeKind::kBytes:
      shape.type = FieldDescriptorProto::TYPE_BYTES;
      return;
    case TypeKind::kDateTime:
      shape.type = FieldDescriptorProto::TYPE_MESSAGE;
      shape.type_name = ".google.protobuf.Timestamp";
      return;
    case TypeKind::kJson:
      shape.type = FieldDescriptorProto::TYPE_MESSAGE;
      shape.type_name = ".google.protobuf.Value";
      return;
    case TypeKind::kVector:
      shape.type = FieldDescriptorProto::TYPE_FLOAT;
      shape.repeated = true;
      return;
    case TypeKind::kEnum:
      shape.type = FieldDescriptorProto::TYPE_ENUM;
      shape.type_name = absl::StrCat(".", kPackage, ".", PascalName(enum_name));
      return;
    case TypeKind::kDecimal:
    case TypeKind::kString:
    case TypeKind::kText:
    case TypeKind::kDate:
    case TypeKind::kUuid:
    case TypeKind::kUuidV7:
    case TypeKind::kArray:
      shape.type = FieldDescriptorProto::TYPE_STRING;
      return;
  }
}

}  // namespace

FieldShape ShapeOfField(const schema::Field& field) {
  FieldShape shape;
  SetScalar(field.type.ScalarKind(), field.type.enum_name, shape);
  if (field.type.IsArray()) shape.repeated = true;
  shape.optional =
      field.nullable && !shape.repeated && shape.type != FieldDescriptorProto::TYPE_MESSAGE;
  return shape;
}

FieldShape ShapeOfRelation(const schema::Relation& relation) {
  FieldShape shape;
  shape.type = FieldDescriptorProto::TYPE_MESSAGE;
  shape.type_name = absl::StrCat(".", kPackage, ".", PascalName(relation.target_model));
  shape.repeated = relation.kind == schema::RelationKind::kHasMany ||
                   relation.kind == schema::RelationKind::kManyToMany;
  return shape;
}

std::string Signature(const FieldShape& shape) {
  std::string base = shape.type_name.empty()
                         ? std::string(FieldDescriptorProto::Type_Name(shape.type))
                         : shape.type_name;
  return shape.repeated ? absl::StrCat("repeated ", base) : base;
}

}  // namespace querygate::typed
