#include "typed/descriptor_builder.h"

#include <google/protobuf/field_mask.pb.h>
#include <google/protobuf/struct.pb.h>
#include <google/protobuf/timestamp.pb.h>

#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "typed/naming.h"
#include "typed/type_mapping.h"

namespace querygate::typed {
namespace {

using google::protobuf::DescriptorProto;
using google::protobuf::EnumDescriptorProto;
using google::protobuf::FieldDescriptorProto;
using google::protobuf::FileDescriptorProto;
using schema::TypeKind;

constexpr char kTimestamp[] = ".google.protobuf.Timestamp";

std::string Local(absl::string_view name) { return absl::StrCat(".", kPackage, ".", name); }

// Adds a field; `optional` makes it a proto3 optional (with its synthetic oneof, which must
// follow every real oneof of the message).
FieldDescriptorProto* AddField(DescriptorProto& message, const std::string& name, int number,
                               FieldDescriptorProto::Type type, const std::string& type_name = "",
                               bool repeated = false, bool optional = false) {
  FieldDescriptorProto* field = message.add_field();
  field->set_name(name);
  field->set_number(number);
  field->set_type(type);
  if (!type_name.empty()) field->set_type_name(type_name);
  field->set_label(repeated ? FieldDescriptorProto::LABEL_REPEATED
                            : FieldDescriptorProto::LABEL_OPTIONAL);
  if (optional) {
    field->set_proto3_optional(true);
    field->set_oneof_index(message.oneof_decl_size());
    message.add_oneof_decl()->set_name(absl::StrCat("_", name));
  }
  return field;
}

FieldDescriptorProto* AddShape(DescriptorProto& message, const std::string& name, int number,
                               const FieldShape& shape) {
  return AddField(message, name, number, shape.type, shape.type_name, shape.repeated,
                  shape.optional);
}

void AddEnum(FileDescriptorProto& file, const std::string& name,
             const std::vector<std::pair<std::string, int>>& values) {
  EnumDescriptorProto* e = file.add_enum_type();
  e->set_name(name);
  for (const auto& [value, number] : values) {
    auto* v = e->add_value();
    v->set_name(value);
    v->set_number(number);
  }
}

void Reserve(const LockTable& table, DescriptorProto& message) {
  for (int number : table.reserved_numbers) {
    auto* range = message.add_reserved_range();
    range->set_start(number);
    range->set_end(number + 1);
  }
  for (const std::string& name : table.reserved_names) message.add_reserved_name(name);
}

void ReserveEnum(const LockTable& table, const std::string& prefix, EnumDescriptorProto& e) {
  for (int number : table.reserved_numbers) {
    auto* range = e.add_reserved_range();
    range->set_start(number);
    range->set_end(number);
  }
  for (const std::string& name : table.reserved_names) {
    e.add_reserved_name(absl::StrCat(prefix, "_", UpperSnakeName(name)));
  }
}

// An op message: eq=1 ne=2 in=3 not_in=4 lt=5 le=6 gt=7 ge=8 is_null=9 like=10 ilike=11
// match=12; `ops` says which of them the type has.
void AddOpMessage(FileDescriptorProto& file, const std::string& name,
                  FieldDescriptorProto::Type type, const std::string& type_name, bool ordered,
                  bool lists, bool text) {
  DescriptorProto* m = file.add_message_type();
  m->set_name(name);
  bool is_message = type == FieldDescriptorProto::TYPE_MESSAGE;
  AddField(*m, "eq", 1, type, type_name, false, !is_message);
  AddField(*m, "ne", 2, type, type_name, false, !is_message);
  if (lists) {
    AddField(*m, "in", 3, type, type_name, true);
    AddField(*m, "not_in", 4, type, type_name, true);
  }
  if (ordered) {
    AddField(*m, "lt", 5, type, type_name, false, !is_message);
    AddField(*m, "le", 6, type, type_name, false, !is_message);
    AddField(*m, "gt", 7, type, type_name, false, !is_message);
    AddField(*m, "ge", 8, type, type_name, false, !is_message);
  }
  AddField(*m, "is_null", 9, FieldDescriptorProto::TYPE_BOOL, "", false, true);
  if (text) {
    AddField(*m, "like", 10, type, type_name, false, true);
    AddField(*m, "ilike", 11, type, type_name, false, true);
    AddField(*m, "match", 12, type, type_name, false, true);
  }
}

FileDescriptorProto CommonFile() {
  FileDescriptorProto file;
  file.set_name(kCommonFile);
  file.set_package(kPackage);
  file.set_syntax("proto3");
  file.add_dependency("google/protobuf/timestamp.proto");
  AddEnum(file, "CacheMode",
          {{"CACHE_MODE_UNSPECIFIED", 0},
           {"CACHE_MODE_BYPASS", 1},
           {"CACHE_MODE_REFRESH", 2},
           {"CACHE_MODE_ONLY_CACHED", 3}});
  AddEnum(file, "CacheStatus",
          {{"CACHE_STATUS_UNSPECIFIED", 0},
           {"CACHE_STATUS_HIT", 1},
           {"CACHE_STATUS_MISS", 2},
           {"CACHE_STATUS_BYPASS", 3},
           {"CACHE_STATUS_STALE", 4}});
  AddEnum(file, "CacheTier",
          {{"CACHE_TIER_UNSPECIFIED", 0}, {"CACHE_TIER_LOCAL", 1}, {"CACHE_TIER_SHARED", 2}});
  AddEnum(file, "DistanceMetric",
          {{"DISTANCE_METRIC_UNSPECIFIED", 0},
           {"DISTANCE_METRIC_COSINE", 1},
           {"DISTANCE_METRIC_L2", 2},
           {"DISTANCE_METRIC_INNER_PRODUCT", 3}});
  AddEnum(file, "RankFunction",
          {{"RANK_FUNCTION_UNSPECIFIED", 0},
           {"RANK_FUNCTION_TS_RANK", 1},
           {"RANK_FUNCTION_TS_RANK_CD", 2}});
  using FD = FieldDescriptorProto;
  DescriptorProto* cache = file.add_message_type();
  cache->set_name("CacheInfo");
  AddField(*cache, "status", 1, FD::TYPE_ENUM, Local("CacheStatus"));
  AddField(*cache, "age_ms", 2, FD::TYPE_INT64);
  AddField(*cache, "ttl_ms", 3, FD::TYPE_INT64);
  AddField(*cache, "tier", 4, FD::TYPE_ENUM, Local("CacheTier"));
  DescriptorProto* nearest = file.add_message_type();
  nearest->set_name("Nearest");
  AddField(*nearest, "field", 1, FD::TYPE_STRING);
  AddField(*nearest, "vector", 2, FD::TYPE_FLOAT, "", true);
  AddField(*nearest, "metric", 3, FD::TYPE_ENUM, Local("DistanceMetric"));
  AddField(*nearest, "k", 4, FD::TYPE_INT32);
  AddField(*nearest, "max_distance", 5, FD::TYPE_DOUBLE, "", false, true);
  AddField(*nearest, "min_similarity", 6, FD::TYPE_DOUBLE, "", false, true);
  DescriptorProto* rank = file.add_message_type();
  rank->set_name("RankBy");
  AddField(*rank, "field", 1, FD::TYPE_STRING);
  AddField(*rank, "query", 2, FD::TYPE_STRING);
  AddField(*rank, "function", 3, FD::TYPE_ENUM, Local("RankFunction"));
  AddField(*rank, "normalization", 4, FD::TYPE_INT32);
  DescriptorProto* score = file.add_message_type();
  score->set_name("Score");
  AddField(*score, "distance", 1, FD::TYPE_DOUBLE, "", false, true);
  AddField(*score, "similarity", 2, FD::TYPE_DOUBLE, "", false, true);
  AddField(*score, "rank", 3, FD::TYPE_DOUBLE, "", false, true);
  AddOpMessage(file, "StringOp", FD::TYPE_STRING, "", true, true, true);
  AddOpMessage(file, "Int64Op", FD::TYPE_INT64, "", true, true, false);
  AddOpMessage(file, "DoubleOp", FD::TYPE_DOUBLE, "", true, true, false);
  AddOpMessage(file, "BoolOp", FD::TYPE_BOOL, "", false, false, false);
  AddOpMessage(file, "BytesOp", FD::TYPE_BYTES, "", false, true, false);
  AddOpMessage(file, "TimestampOp", FD::TYPE_MESSAGE, kTimestamp, true, true, false);
  DescriptorProto* null_op = file.add_message_type();
  null_op->set_name("NullOp");
  AddField(*null_op, "is_null", 9, FD::TYPE_BOOL, "", false, true);
  return file;
}

// The op message of a column in <Model>Condition.
std::string OpMessage(const schema::Field& field) {
  if (field.type.IsArray()) return Local("NullOp");
  switch (field.type.kind) {
    case TypeKind::kInt32:
    case TypeKind::kInt64:
      return Local("Int64Op");
    case TypeKind::kFloat64:
      return Local("DoubleOp");
    case TypeKind::kBool:
      return Local("BoolOp");
    case TypeKind::kBytes:
      return Local("BytesOp");
    case TypeKind::kDateTime:
      return Local("TimestampOp");
    case TypeKind::kEnum:
      return Local(absl::StrCat(PascalName(field.type.enum_name), "Op"));
    case TypeKind::kJson:
    case TypeKind::kVector:
    case TypeKind::kArray:
      return Local("NullOp");
    case TypeKind::kDecimal:
    case TypeKind::kString:
    case TypeKind::kText:
    case TypeKind::kDate:
    case TypeKind::kUuid:
    case TypeKind::kUuidV7:
      return Local("StringOp");
  }
  return Local("NullOp");
}

DescriptorProto* AddMessage(FileDescriptorProto& file, const std::string& name) {
  DescriptorProto* m = file.add_message_type();
  m->set_name(name);
  return m;
}

void AddModel(const schema::Model& model, const LockTable& table, FileDescriptorProto& file) {
  using FD = FieldDescriptorProto;
  const std::string name = PascalName(model.name);
  const std::string prefix = absl::StrCat(UpperSnakeName(model.name), "_FIELD");
  auto number = [&](const std::string& field) { return table.live.at(field).number; };

  DescriptorProto* message = AddMessage(file, name);
  for (const schema::Field& field : model.fields) {
    AddShape(*message, field.name, number(field.name), ShapeOfField(field));
  }
  for (const schema::Relation& relation : model.relations) {
    AddShape(*message, relation.name, number(relation.name), ShapeOfRelation(relation));
  }
  Reserve(table, *message);

  EnumDescriptorProto* fields = file.add_enum_type();
  fields->set_name(absl::StrCat(name, "Field"));
  auto* unspecified = fields->add_value();
  unspecified->set_name(absl::StrCat(prefix, "_UNSPECIFIED"));
  unspecified->set_number(0);
  for (const schema::Field& field : model.fields) {
    auto* v = fields->add_value();
    v->set_name(absl::StrCat(prefix, "_", UpperSnakeName(field.name)));
    v->set_number(number(field.name));
  }
  ReserveEnum(table, prefix, *fields);

  DescriptorProto* condition = AddMessage(file, absl::StrCat(name, "Condition"));
  condition->add_oneof_decl()->set_name("field");
  for (const schema::Field& field : model.fields) {
    AddField(*condition, field.name, number(field.name), FD::TYPE_MESSAGE, OpMessage(field))
        ->set_oneof_index(0);
  }
  Reserve(table, *condition);

  const std::string filter = absl::StrCat(name, "Filter");
  DescriptorProto* f = AddMessage(file, filter);
  AddField(*f, "all", 1, FD::TYPE_MESSAGE, Local(absl::StrCat(name, "Condition")), true);
  AddField(*f, "any", 2, FD::TYPE_MESSAGE, Local(filter), true);
  AddField(*f, "not", 3, FD::TYPE_MESSAGE, Local(filter));

  DescriptorProto* order = AddMessage(file, absl::StrCat(name, "Order"));
  AddField(*order, "field", 1, FD::TYPE_ENUM, Local(absl::StrCat(name, "Field")));
  AddField(*order, "descending", 2, FD::TYPE_BOOL);

  FieldShape id = ShapeOfField(*model.PrimaryKeyField());
  id.optional = false;
  const std::string record = Local(name);
  const std::string cache_mode = Local("CacheMode");
  const std::string cache_info = Local("CacheInfo");

  DescriptorProto* get = AddMessage(file, absl::StrCat("Get", name, "Request"));
  AddShape(*get, "id", 1, id);
  AddField(*get, "include", 2, FD::TYPE_STRING, "", true);
  AddField(*get, "cache_mode", 3, FD::TYPE_ENUM, cache_mode);
  DescriptorProto* got = AddMessage(file, absl::StrCat("Get", name, "Response"));
  AddField(*got, "record", 1, FD::TYPE_MESSAGE, record);
  AddField(*got, "cache", 2, FD::TYPE_MESSAGE, cache_info);

  DescriptorProto* list = AddMessage(file, absl::StrCat("List", name, "Request"));
  AddField(*list, "filter", 1, FD::TYPE_MESSAGE, Local(filter));
  AddField(*list, "order_by", 2, FD::TYPE_MESSAGE, Local(absl::StrCat(name, "Order")), true);
  AddField(*list, "page_size", 3, FD::TYPE_INT32);
  AddField(*list, "page_token", 4, FD::TYPE_STRING);
  AddField(*list, "offset", 5, FD::TYPE_INT32);
  AddField(*list, "include", 6, FD::TYPE_STRING, "", true);
  AddField(*list, "fields", 7, FD::TYPE_ENUM, Local(absl::StrCat(name, "Field")), true);
  AddField(*list, "cache_mode", 8, FD::TYPE_ENUM, cache_mode);
  AddField(*list, "nearest", 9, FD::TYPE_MESSAGE, Local("Nearest"));
  AddField(*list, "rank_by", 10, FD::TYPE_MESSAGE, Local("RankBy"));
  DescriptorProto* listed = AddMessage(file, absl::StrCat("List", name, "Response"));
  AddField(*listed, "records", 1, FD::TYPE_MESSAGE, record, true);
  AddField(*listed, "scores", 2, FD::TYPE_MESSAGE, Local("Score"), true);
  AddField(*listed, "next_page_token", 3, FD::TYPE_STRING);
  AddField(*listed, "cache", 4, FD::TYPE_MESSAGE, cache_info);

  DescriptorProto* count = AddMessage(file, absl::StrCat("Count", name, "Request"));
  AddField(*count, "filter", 1, FD::TYPE_MESSAGE, Local(filter));
  AddField(*count, "cache_mode", 2, FD::TYPE_ENUM, cache_mode);
  DescriptorProto* counted = AddMessage(file, absl::StrCat("Count", name, "Response"));
  AddField(*counted, "count", 1, FD::TYPE_INT64);
  AddField(*counted, "cache", 2, FD::TYPE_MESSAGE, cache_info);

  DescriptorProto* create = AddMessage(file, absl::StrCat("Create", name, "Request"));
  AddField(*create, "record", 1, FD::TYPE_MESSAGE, record);
  DescriptorProto* created = AddMessage(file, absl::StrCat("Create", name, "Response"));
  AddField(*created, "record", 1, FD::TYPE_MESSAGE, record);

  DescriptorProto* update = AddMessage(file, absl::StrCat("Update", name, "Request"));
  AddShape(*update, "id", 1, id);
  AddField(*update, "record", 2, FD::TYPE_MESSAGE, record);
  AddField(*update, "update_mask", 3, FD::TYPE_MESSAGE, ".google.protobuf.FieldMask");
  AddField(*update, "expected_updated_at", 4, FD::TYPE_MESSAGE, kTimestamp);
  DescriptorProto* updated = AddMessage(file, absl::StrCat("Update", name, "Response"));
  AddField(*updated, "record", 1, FD::TYPE_MESSAGE, record);

  DescriptorProto* del = AddMessage(file, absl::StrCat("Delete", name, "Request"));
  AddShape(*del, "id", 1, id);
  AddField(*del, "hard", 2, FD::TYPE_BOOL);
  DescriptorProto* deleted = AddMessage(file, absl::StrCat("Delete", name, "Response"));
  AddField(*deleted, "deleted", 1, FD::TYPE_BOOL);

  auto* service = file.add_service();
  service->set_name(absl::StrCat(name, "Service"));
  for (const char* method : {"Get", "List", "Count", "Create", "Update", "Delete"}) {
    auto* m = service->add_method();
    m->set_name(method);
    m->set_input_type(Local(absl::StrCat(method, name, "Request")));
    m->set_output_type(Local(absl::StrCat(method, name, "Response")));
  }
}

void AddSchemaEnum(const schema::Enum& e, const LockTable& table, FileDescriptorProto& file) {
  const std::string name = PascalName(e.name);
  const std::string prefix = UpperSnakeName(e.name);
  EnumDescriptorProto* proto = file.add_enum_type();
  proto->set_name(name);
  auto* unspecified = proto->add_value();
  unspecified->set_name(absl::StrCat(prefix, "_UNSPECIFIED"));
  unspecified->set_number(0);
  for (const std::string& value : e.values) {
    auto* v = proto->add_value();
    v->set_name(EnumValueName(e.name, value));
    v->set_number(table.live.at(value).number);
  }
  ReserveEnum(table, prefix, *proto);
  AddOpMessage(file, absl::StrCat(name, "Op"), FieldDescriptorProto::TYPE_ENUM, Local(name), false,
               true, false);
}

bool Served(const schema::Model& model) {
  return !model.is_junction && model.PrimaryKeyField() != nullptr &&
         model.primary_key_columns.size() == 1;
}

}  // namespace

TypedFiles BuildTypedFiles(const schema::Schema& schema, const TypedLock& lock) {
  TypedFiles out;
  out.lock = UpdateLock(lock, schema);
  out.files.push_back(CommonFile());
  FileDescriptorProto file;
  file.set_name(kModelsFile);
  file.set_package(kPackage);
  file.set_syntax("proto3");
  file.add_dependency(kCommonFile);
  file.add_dependency("google/protobuf/field_mask.proto");
  file.add_dependency("google/protobuf/timestamp.proto");
  bool json = false;
  for (const schema::Model& model : schema.models) {
    for (const schema::Field& field : model.fields) json |= field.type.kind == TypeKind::kJson;
  }
  if (json) file.add_dependency("google/protobuf/struct.proto");
  for (const schema::Enum& e : schema.enums) AddSchemaEnum(e, out.lock.enums.at(e.name), file);
  for (const schema::Model& model : schema.models) {
    if (!Served(model)) continue;
    AddModel(model, out.lock.models.at(model.name), file);
    out.models.push_back(model.name);
  }
  out.files.push_back(std::move(file));
  return out;
}

namespace {

class CollectErrors : public google::protobuf::DescriptorPool::ErrorCollector {
 public:
  void AddError(const std::string& filename, const std::string& element_name,
                const google::protobuf::Message*, ErrorLocation,
                const std::string& message) override {
    errors.push_back(absl::StrCat(filename, ": ", element_name, ": ", message));
  }
  std::vector<std::string> errors;
};

}  // namespace

absl::StatusOr<std::unique_ptr<google::protobuf::DescriptorPool>> BuildPool(
    const std::vector<FileDescriptorProto>& files) {
  // Own copies of the well-known types, not an underlay: a process that also links stubs
  // generated from the emitted files (a test, a client) keeps both apart.
  auto pool = std::make_unique<google::protobuf::DescriptorPool>();
  for (const google::protobuf::FileDescriptor* wkt :
       {google::protobuf::Timestamp::descriptor()->file(),
        google::protobuf::Value::descriptor()->file(),
        google::protobuf::FieldMask::descriptor()->file()}) {
    FileDescriptorProto copy;
    wkt->CopyTo(&copy);
    if (pool->BuildFile(copy) == nullptr) {
      return absl::InternalError(absl::StrCat("cannot load ", wkt->name()));
    }
  }
  for (const FileDescriptorProto& file : files) {
    CollectErrors errors;
    if (pool->BuildFileCollectingErrors(file, &errors) == nullptr) {
      return absl::FailedPreconditionError(absl::StrCat(
          "the typed API of the schema cannot be built: ", absl::StrJoin(errors.errors, "; ")));
    }
  }
  return pool;
}

std::string ProtoText(const google::protobuf::FileDescriptor& file) {
  return absl::StrCat(
      "// Generated by `querygate schema proto` from the schema and its typed.lock.\n"
      "// Do not edit: change the schema and run the command again.\n",
      file.DebugString());
}

}  // namespace querygate::typed
