#include "schema/model.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace querygate::schema {

absl::string_view TypeKindName(TypeKind kind) {
  switch (kind) {
    case TypeKind::kInt32:
      return "int32";
    case TypeKind::kInt64:
      return "int64";
    case TypeKind::kFloat64:
      return "float64";
    case TypeKind::kDecimal:
      return "decimal";
    case TypeKind::kBool:
      return "bool";
    case TypeKind::kString:
      return "string";
    case TypeKind::kText:
      return "text";
    case TypeKind::kBytes:
      return "bytes";
    case TypeKind::kDateTime:
      return "datetime";
    case TypeKind::kDate:
      return "date";
    case TypeKind::kUuid:
      return "uuid";
    case TypeKind::kUuidV7:
      return "uuid_v7";
    case TypeKind::kJson:
      return "json";
    case TypeKind::kVector:
      return "vector";
    case TypeKind::kEnum:
      return "enum";
    case TypeKind::kArray:
      return "array";
  }
  return "unknown";
}

namespace {

std::string ScalarSqlType(TypeKind kind, const FieldType& type, int enum_max_length,
                          bool in_array) {
  switch (kind) {
    case TypeKind::kInt32:
      return "INTEGER";
    case TypeKind::kInt64:
      return "BIGINT";
    case TypeKind::kFloat64:
      return "DOUBLE PRECISION";
    case TypeKind::kDecimal:
      if (type.precision.has_value()) {
        return absl::StrCat("NUMERIC(", *type.precision, ",", type.scale.value_or(0), ")");
      }
      return "NUMERIC";
    case TypeKind::kBool:
      return "BOOLEAN";
    case TypeKind::kString:
      if (in_array) return "TEXT";
      return absl::StrCat("VARCHAR(", type.length.value_or(255), ")");
    case TypeKind::kText:
      return "TEXT";
    case TypeKind::kBytes:
      return "BYTEA";
    case TypeKind::kDateTime:
      return "TIMESTAMPTZ";
    case TypeKind::kDate:
      return "DATE";
    case TypeKind::kUuid:
    case TypeKind::kUuidV7:
      return "UUID";
    case TypeKind::kJson:
      return "JSONB";
    case TypeKind::kVector:
      return "REAL[]";
    case TypeKind::kEnum:
      if (in_array) return "TEXT";
      return absl::StrCat("VARCHAR(", std::max(50, enum_max_length), ")");
    case TypeKind::kArray:
      return "TEXT";
  }
  return "TEXT";
}

}  // namespace

std::string SqlTypeName(const FieldType& type, int enum_max_length) {
  if (type.IsArray()) {
    return ScalarSqlType(type.element_kind, type, enum_max_length, /*in_array=*/true) + "[]";
  }
  return ScalarSqlType(type.kind, type, enum_max_length, /*in_array=*/false);
}

absl::string_view VectorDistanceName(VectorDistance distance) {
  switch (distance) {
    case VectorDistance::kL2:
      return "l2";
    case VectorDistance::kCosine:
      return "cosine";
    case VectorDistance::kInnerProduct:
      return "inner_product";
  }
  return "l2";
}

absl::string_view OnDeleteSql(OnDelete action) {
  switch (action) {
    case OnDelete::kCascade:
      return "CASCADE";
    case OnDelete::kSetNull:
      return "SET NULL";
    case OnDelete::kRestrict:
      return "RESTRICT";
    case OnDelete::kNoAction:
      return "NO ACTION";
    case OnDelete::kSetDefault:
      return "SET DEFAULT";
  }
  return "NO ACTION";
}

absl::string_view RelationKindName(RelationKind kind) {
  switch (kind) {
    case RelationKind::kBelongsTo:
      return "belongs_to";
    case RelationKind::kHasOne:
      return "has_one";
    case RelationKind::kHasMany:
      return "has_many";
    case RelationKind::kManyToMany:
      return "many_to_many";
  }
  return "unknown";
}

absl::string_view PartitionIntervalName(PartitionInterval interval) {
  switch (interval) {
    case PartitionInterval::kDay:
      return "day";
    case PartitionInterval::kWeek:
      return "week";
    case PartitionInterval::kMonth:
      return "month";
  }
  return "unknown";
}

absl::string_view RetentionActionName(RetentionAction action) {
  return action == RetentionAction::kDrop ? "drop" : "detach";
}

const Field* Model::FindField(absl::string_view field_name) const {
  for (const Field& field : fields) {
    if (field.name == field_name) return &field;
  }
  return nullptr;
}

Field* Model::FindField(absl::string_view field_name) {
  for (Field& field : fields) {
    if (field.name == field_name) return &field;
  }
  return nullptr;
}

const Relation* Model::FindRelation(absl::string_view relation_name) const {
  for (const Relation& relation : relations) {
    if (relation.name == relation_name) return &relation;
  }
  return nullptr;
}

const Field* Model::PrimaryKeyField() const {
  if (primary_key.empty()) return nullptr;
  return FindField(primary_key);
}

const ForeignKey* Model::FindForeignKey(absl::string_view column) const {
  for (const ForeignKey& fk : foreign_keys) {
    if (fk.column == column) return &fk;
  }
  return nullptr;
}

bool Enum::Contains(absl::string_view value) const {
  return std::find(values.begin(), values.end(), value) != values.end();
}

int Enum::ColumnLength() const {
  size_t longest = 50;
  for (const std::string& value : values) longest = std::max(longest, value.size());
  return static_cast<int>(longest);
}

const Model* Schema::FindModel(absl::string_view name) const {
  for (const Model& model : models) {
    if (model.name == name) return &model;
  }
  return nullptr;
}

const Model* Schema::FindModelByTable(absl::string_view table) const {
  for (const Model& model : models) {
    if (model.table == table) return &model;
  }
  for (const Model& junction : junctions) {
    if (junction.table == table) return &junction;
  }
  return nullptr;
}

const Enum* Schema::FindEnum(absl::string_view name) const {
  for (const Enum& e : enums) {
    if (e.name == name) return &e;
  }
  return nullptr;
}

std::vector<const Model*> Schema::AllTables() const {
  std::vector<const Model*> all;
  all.reserve(models.size() + junctions.size());
  for (const Model& model : models) all.push_back(&model);
  for (const Model& junction : junctions) all.push_back(&junction);
  return all;
}

}  // namespace querygate::schema
