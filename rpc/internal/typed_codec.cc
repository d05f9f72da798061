#include "rpc/internal/typed_codec.h"

#include <google/protobuf/struct.pb.h>
#include <google/protobuf/timestamp.pb.h>

#include <cmath>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "wire/value_conversion.h"

namespace querygate::rpc::internal {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;
using schema::TypeKind;

// A well-known-type sub-message as its generated class (copied when the factory made a
// dynamic one).
template <typename T>
T AsGenerated(const Message& message) {
  if (const T* generated = dynamic_cast<const T*>(&message)) return *generated;
  T out;
  out.ParseFromString(message.SerializeAsString());
  return out;
}

template <typename T>
void StoreGenerated(const T& value, Message& into) {
  if (T* generated = dynamic_cast<T*>(&into)) {
    *generated = value;
    return;
  }
  into.ParseFromString(value.SerializeAsString());
}

absl::StatusOr<Value> TimestampValue(const google::protobuf::Timestamp& ts,
                                     const std::string& path) {
  v1::Value wrapped;
  *wrapped.mutable_timestamp_value() = ts;
  return wire::FromProto(wrapped, path);
}

google::protobuf::Timestamp ToTimestamp(Timestamp ts) {
  google::protobuf::Timestamp out;
  int64_t seconds = ts.micros / 1000000;
  int64_t micros = ts.micros % 1000000;
  if (micros < 0) {
    micros += 1000000;
    --seconds;
  }
  out.set_seconds(seconds);
  out.set_nanos(static_cast<int32_t>(micros * 1000));
  return out;
}

constexpr int kMaxJsonDepth = 64;

absl::StatusOr<Value> JsonValue(const google::protobuf::Value& in, const std::string& path,
                                int depth) {
  if (depth > kMaxJsonDepth) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": nested deeper than 64 levels"));
  }
  switch (in.kind_case()) {
    case google::protobuf::Value::kNumberValue:
      if (!std::isfinite(in.number_value())) {
        return absl::InvalidArgumentError(absl::StrCat(path, ": not a finite number"));
      }
      return Value::Double(in.number_value());
    case google::protobuf::Value::kStringValue:
      return Value::String(in.string_value());
    case google::protobuf::Value::kBoolValue:
      return Value::Bool(in.bool_value());
    case google::protobuf::Value::kStructValue: {
      Value::Struct out;
      for (const auto& [key, item] : in.struct_value().fields()) {
        QG_ASSIGN_OR_RETURN(Value v, JsonValue(item, absl::StrCat(path, ".", key), depth + 1));
        out.emplace(key, std::move(v));
      }
      return Value::StructOf(std::move(out));
    }
    case google::protobuf::Value::kListValue: {
      Value::List out;
      for (int i = 0; i < in.list_value().values_size(); ++i) {
        QG_ASSIGN_OR_RETURN(Value v, JsonValue(in.list_value().values(i),
                                               absl::StrCat(path, "[", i, "]"), depth + 1));
        out.push_back(std::move(v));
      }
      return Value::ListOf(std::move(out));
    }
    default:
      return Value();
  }
}

void ToJson(const Value& in, google::protobuf::Value& out) {
  switch (in.kind()) {
    case Value::Kind::kNull:
      out.set_null_value(google::protobuf::NULL_VALUE);
      return;
    case Value::Kind::kBool:
      out.set_bool_value(in.bool_value());
      return;
    case Value::Kind::kInt:
      out.set_number_value(static_cast<double>(in.int_value()));
      return;
    case Value::Kind::kDouble:
      out.set_number_value(in.double_value());
      return;
    case Value::Kind::kString:
    case Value::Kind::kBytes:
      out.set_string_value(in.kind() == Value::Kind::kString ? in.string_value()
                                                             : in.bytes_value());
      return;
    case Value::Kind::kTimestamp:
      out.set_number_value(static_cast<double>(in.time_value().micros));
      return;
    case Value::Kind::kList:
      for (const Value& item : in.list_value())
        ToJson(item, *out.mutable_list_value()->add_values());
      out.mutable_list_value();
      return;
    case Value::Kind::kStruct:
      for (const auto& [key, item] : in.struct_value()) {
        ToJson(item, (*out.mutable_struct_value()->mutable_fields())[key]);
      }
      out.mutable_struct_value();
      return;
  }
}

bool LeftOutWhenZero(const schema::Field& field) {
  return field.has_default() || field.auto_generated || field.is_managed_timestamp ||
         field.is_soft_delete_marker || field.is_tenant_column || field.nullable ||
         (field.primary_key && field.type.kind == TypeKind::kUuidV7);
}

absl::Status WrongKind(const schema::Field& field, const Value& value) {
  return absl::InternalError(absl::StrCat("field ", field.name, ": the repository returned a ",
                                          KindName(value.kind()), " value"));
}

}  // namespace

TypedCodec::TypedCodec(const schema::Schema* schema, const typed::TypedLock* lock,
                       google::protobuf::MessageFactory* factory)
    : schema_(schema), factory_(factory) {
  for (const auto& [name, table] : lock->enums) {
    for (const auto& [value, entry] : table.live) {
      enum_values_[name][entry.number] = value;
      enum_numbers_[name][value] = entry.number;
    }
  }
  for (const auto& [name, table] : lock->models) {
    const schema::Model* model = schema->FindModel(name);
    if (model == nullptr) continue;
    for (const auto& [column, entry] : table.live) {
      if (model->FindField(column) != nullptr) columns_[name][entry.number] = column;
    }
  }
}

absl::StatusOr<Value> TypedCodec::EnumValue(const schema::Field& field, int number,
                                            const std::string& path) const {
  auto values = enum_values_.find(field.type.enum_name);
  if (values != enum_values_.end()) {
    auto it = values->second.find(number);
    if (it != values->second.end()) return Value::String(it->second);
  }
  if (number == 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": UNSPECIFIED is not a value of ", field.type.enum_name));
  }
  return absl::InvalidArgumentError(
      absl::StrCat(path, ": unknown enum value ", number, " of ", field.type.enum_name));
}

absl::StatusOr<Value> TypedCodec::ScalarValue(const Message& holder, const FieldDescriptor* fd,
                                              const schema::Field& field,
                                              const std::string& path) const {
  const Reflection* r = holder.GetReflection();
  switch (fd->cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT32:
      return Value::Int(r->GetInt32(holder, fd));
    case FieldDescriptor::CPPTYPE_INT64:
      return Value::Int(r->GetInt64(holder, fd));
    case FieldDescriptor::CPPTYPE_DOUBLE: {
      double v = r->GetDouble(holder, fd);
      if (!std::isfinite(v)) {
        return absl::InvalidArgumentError(absl::StrCat(path, ": not a finite number"));
      }
      return Value::Double(v);
    }
    case FieldDescriptor::CPPTYPE_FLOAT:
      return Value::Double(r->GetFloat(holder, fd));
    case FieldDescriptor::CPPTYPE_BOOL:
      return Value::Bool(r->GetBool(holder, fd));
    case FieldDescriptor::CPPTYPE_STRING:
      if (fd->type() == FieldDescriptor::TYPE_BYTES) return Value::Bytes(r->GetString(holder, fd));
      return Value::String(r->GetString(holder, fd));
    case FieldDescriptor::CPPTYPE_ENUM:
      return EnumValue(field, r->GetEnumValue(holder, fd), path);
    case FieldDescriptor::CPPTYPE_MESSAGE: {
      const Message& sub = r->GetMessage(holder, fd);
      if (field.type.ScalarKind() == TypeKind::kDateTime) {
        return TimestampValue(AsGenerated<google::protobuf::Timestamp>(sub), path);
      }
      return JsonValue(AsGenerated<google::protobuf::Value>(sub), path, 0);
    }
    default:
      return absl::InvalidArgumentError(absl::StrCat(path, ": unsupported field type"));
  }
}

absl::StatusOr<Value> TypedCodec::RepeatedValue(const Message& holder, const FieldDescriptor* fd,
                                                const schema::Field& field,
                                                const std::string& path) const {
  const Reflection* r = holder.GetReflection();
  int size = r->FieldSize(holder, fd);
  Value::List out;
  out.reserve(size);
  for (int i = 0; i < size; ++i) {
    std::string item_path = absl::StrCat(path, "[", i, "]");
    switch (fd->cpp_type()) {
      case FieldDescriptor::CPPTYPE_INT32:
        out.push_back(Value::Int(r->GetRepeatedInt32(holder, fd, i)));
        break;
      case FieldDescriptor::CPPTYPE_INT64:
        out.push_back(Value::Int(r->GetRepeatedInt64(holder, fd, i)));
        break;
      case FieldDescriptor::CPPTYPE_DOUBLE:
        out.push_back(Value::Double(r->GetRepeatedDouble(holder, fd, i)));
        break;
      case FieldDescriptor::CPPTYPE_FLOAT: {
        float v = r->GetRepeatedFloat(holder, fd, i);
        if (!std::isfinite(v)) {
          return absl::InvalidArgumentError(absl::StrCat(item_path, ": not a finite number"));
        }
        out.push_back(Value::Double(v));
        break;
      }
      case FieldDescriptor::CPPTYPE_BOOL:
        out.push_back(Value::Bool(r->GetRepeatedBool(holder, fd, i)));
        break;
      case FieldDescriptor::CPPTYPE_STRING:
        out.push_back(fd->type() == FieldDescriptor::TYPE_BYTES
                          ? Value::Bytes(r->GetRepeatedString(holder, fd, i))
                          : Value::String(r->GetRepeatedString(holder, fd, i)));
        break;
      case FieldDescriptor::CPPTYPE_ENUM: {
        QG_ASSIGN_OR_RETURN(Value v,
                            EnumValue(field, r->GetRepeatedEnumValue(holder, fd, i), item_path));
        out.push_back(std::move(v));
        break;
      }
      case FieldDescriptor::CPPTYPE_MESSAGE: {
        const Message& sub = r->GetRepeatedMessage(holder, fd, i);
        absl::StatusOr<Value> v =
            field.type.ScalarKind() == TypeKind::kDateTime
                ? TimestampValue(AsGenerated<google::protobuf::Timestamp>(sub), item_path)
                : JsonValue(AsGenerated<google::protobuf::Value>(sub), item_path, 0);
        if (!v.ok()) return v.status();
        out.push_back(*std::move(v));
        break;
      }
      default:
        return absl::InvalidArgumentError(absl::StrCat(item_path, ": unsupported field type"));
    }
  }
  return Value::ListOf(std::move(out));
}

absl::StatusOr<service::Record> TypedCodec::ToRecord(const Message& message,
                                                     const schema::Model& model,
                                                     const std::string& path, WriteMode mode,
                                                     const std::vector<std::string>* mask) const {
  const google::protobuf::Descriptor* d = message.GetDescriptor();
  const Reflection* r = message.GetReflection();
  service::Record out;
  for (const schema::Relation& relation : model.relations) {
    const FieldDescriptor* fd = d->FindFieldByName(relation.name);
    if (fd == nullptr) continue;
    if (fd->is_repeated() ? r->FieldSize(message, fd) > 0 : r->HasField(message, fd)) {
      return absl::InvalidArgumentError(absl::StrCat(path, ".", relation.name,
                                                     ": relations are read-only; write the "
                                                     "related model through its own service"));
    }
  }
  auto convert = [&](const schema::Field& field, const FieldDescriptor* fd) {
    std::string field_path = absl::StrCat(path, ".", field.name);
    return fd->is_repeated() ? RepeatedValue(message, fd, field, field_path)
                             : ScalarValue(message, fd, field, field_path);
  };
  if (mask != nullptr) {
    for (size_t i = 0; i < mask->size(); ++i) {
      const std::string& name = (*mask)[i];
      const schema::Field* field = model.FindField(name);
      const FieldDescriptor* fd = field == nullptr ? nullptr : d->FindFieldByName(name);
      if (fd == nullptr) {
        return absl::InvalidArgumentError(absl::StrCat("update_mask.paths[", i, "]: model ",
                                                       model.name, " has no field \"", name, "\""));
      }
      if (!fd->is_repeated() && fd->has_presence() && !r->HasField(message, fd)) {
        out[name] = Value();
        continue;
      }
      QG_ASSIGN_OR_RETURN(out[name], convert(*field, fd));
    }
    return out;
  }
  for (const schema::Field& field : model.fields) {
    const FieldDescriptor* fd = d->FindFieldByName(field.name);
    if (fd == nullptr) continue;
    if (fd->is_repeated()) {
      if (r->FieldSize(message, fd) == 0 &&
          (mode == WriteMode::kUpdate || field.has_default() || field.nullable)) {
        continue;
      }
    } else if (fd->has_presence()) {
      if (!r->HasField(message, fd)) continue;
    } else if (!r->HasField(message, fd) && (mode == WriteMode::kUpdate || LeftOutWhenZero(field) ||
                                             fd->cpp_type() == FieldDescriptor::CPPTYPE_ENUM)) {
      continue;
    }
    QG_ASSIGN_OR_RETURN(out[field.name], convert(field, fd));
  }
  return out;
}

absl::Status TypedCodec::SetColumn(const Value& value, const schema::Field& field,
                                   const FieldDescriptor* fd, Message& out) const {
  const Reflection* r = out.GetReflection();
  if (fd->is_repeated()) {
    if (value.kind() != Value::Kind::kList) return WrongKind(field, value);
    for (const Value& item : value.list_value()) {
      if (item.is_null()) continue;
      switch (fd->cpp_type()) {
        case FieldDescriptor::CPPTYPE_INT32:
          if (item.kind() != Value::Kind::kInt) return WrongKind(field, item);
          r->AddInt32(&out, fd, static_cast<int32_t>(item.int_value()));
          break;
        case FieldDescriptor::CPPTYPE_INT64:
          if (item.kind() != Value::Kind::kInt) return WrongKind(field, item);
          r->AddInt64(&out, fd, item.int_value());
          break;
        case FieldDescriptor::CPPTYPE_DOUBLE:
        case FieldDescriptor::CPPTYPE_FLOAT: {
          double v = item.kind() == Value::Kind::kInt      ? static_cast<double>(item.int_value())
                     : item.kind() == Value::Kind::kDouble ? item.double_value()
                                                           : NAN;
          if (std::isnan(v) && item.kind() != Value::Kind::kDouble) return WrongKind(field, item);
          if (fd->cpp_type() == FieldDescriptor::CPPTYPE_FLOAT) {
            r->AddFloat(&out, fd, static_cast<float>(v));
          } else {
            r->AddDouble(&out, fd, v);
          }
          break;
        }
        case FieldDescriptor::CPPTYPE_BOOL:
          if (item.kind() != Value::Kind::kBool) return WrongKind(field, item);
          r->AddBool(&out, fd, item.bool_value());
          break;
        case FieldDescriptor::CPPTYPE_STRING:
          if (item.kind() == Value::Kind::kString) {
            r->AddString(&out, fd, item.string_value());
          } else if (item.kind() == Value::Kind::kBytes) {
            r->AddString(&out, fd, item.bytes_value());
          } else {
            return WrongKind(field, item);
          }
          break;
        case FieldDescriptor::CPPTYPE_ENUM: {
          if (item.kind() != Value::Kind::kString) return WrongKind(field, item);
          const auto& numbers = enum_numbers_.at(field.type.enum_name);
          auto it = numbers.find(item.string_value());
          r->AddEnumValue(&out, fd, it == numbers.end() ? 0 : it->second);
          break;
        }
        case FieldDescriptor::CPPTYPE_MESSAGE:
          if (field.type.ScalarKind() == TypeKind::kDateTime) {
            if (item.kind() != Value::Kind::kTimestamp) return WrongKind(field, item);
            StoreGenerated(ToTimestamp(item.time_value()), *r->AddMessage(&out, fd, factory_));
          } else {
            google::protobuf::Value json;
            ToJson(item, json);
            StoreGenerated(json, *r->AddMessage(&out, fd, factory_));
          }
          break;
        default:
          return WrongKind(field, item);
      }
    }
    return absl::OkStatus();
  }
  switch (fd->cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT32:
      if (value.kind() != Value::Kind::kInt) return WrongKind(field, value);
      r->SetInt32(&out, fd, static_cast<int32_t>(value.int_value()));
      return absl::OkStatus();
    case FieldDescriptor::CPPTYPE_INT64:
      if (value.kind() != Value::Kind::kInt) return WrongKind(field, value);
      r->SetInt64(&out, fd, value.int_value());
      return absl::OkStatus();
    case FieldDescriptor::CPPTYPE_DOUBLE:
      if (value.kind() == Value::Kind::kInt) {
        r->SetDouble(&out, fd, static_cast<double>(value.int_value()));
      } else if (value.kind() == Value::Kind::kDouble) {
        r->SetDouble(&out, fd, value.double_value());
      } else {
        return WrongKind(field, value);
      }
      return absl::OkStatus();
    case FieldDescriptor::CPPTYPE_BOOL:
      if (value.kind() != Value::Kind::kBool) return WrongKind(field, value);
      r->SetBool(&out, fd, value.bool_value());
      return absl::OkStatus();
    case FieldDescriptor::CPPTYPE_STRING:
      if (value.kind() == Value::Kind::kString) {
        r->SetString(&out, fd, value.string_value());
      } else if (value.kind() == Value::Kind::kBytes) {
        r->SetString(&out, fd, value.bytes_value());
      } else {
        return WrongKind(field, value);
      }
      return absl::OkStatus();
    case FieldDescriptor::CPPTYPE_ENUM: {
      if (value.kind() != Value::Kind::kString) return WrongKind(field, value);
      const auto& numbers = enum_numbers_.at(field.type.enum_name);
      auto it = numbers.find(value.string_value());
      r->SetEnumValue(&out, fd, it == numbers.end() ? 0 : it->second);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_MESSAGE:
      if (field.type.ScalarKind() == TypeKind::kDateTime) {
        if (value.kind() != Value::Kind::kTimestamp) return WrongKind(field, value);
        StoreGenerated(ToTimestamp(value.time_value()), *r->MutableMessage(&out, fd, factory_));
      } else {
        google::protobuf::Value json;
        ToJson(value, json);
        StoreGenerated(json, *r->MutableMessage(&out, fd, factory_));
      }
      return absl::OkStatus();
    default:
      return WrongKind(field, value);
  }
}

absl::Status TypedCodec::FromRecord(const service::Record& record, const schema::Model& model,
                                    Message& out) const {
  const google::protobuf::Descriptor* d = out.GetDescriptor();
  const Reflection* r = out.GetReflection();
  for (const auto& [name, value] : record) {
    const FieldDescriptor* fd = d->FindFieldByName(name);
    if (fd == nullptr || value.is_null()) continue;
    if (const schema::Field* field = model.FindField(name)) {
      QG_RETURN_IF_ERROR(SetColumn(value, *field, fd, out));
      continue;
    }
    const schema::Relation* relation = model.FindRelation(name);
    const schema::Model* target =
        relation == nullptr ? nullptr : schema_->FindModel(relation->target_model);
    if (target == nullptr) continue;
    if (value.kind() == Value::Kind::kStruct && !fd->is_repeated()) {
      QG_RETURN_IF_ERROR(
          FromRecord(value.struct_value(), *target, *r->MutableMessage(&out, fd, factory_)));
    } else if (value.kind() == Value::Kind::kList && fd->is_repeated()) {
      for (const Value& item : value.list_value()) {
        if (item.kind() != Value::Kind::kStruct) continue;
        QG_RETURN_IF_ERROR(
            FromRecord(item.struct_value(), *target, *r->AddMessage(&out, fd, factory_)));
      }
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> TypedCodec::ColumnName(const schema::Model& model, int number,
                                                   const std::string& path) const {
  auto table = columns_.find(model.name);
  if (table != columns_.end()) {
    auto it = table->second.find(number);
    if (it != table->second.end()) return it->second;
  }
  return absl::InvalidArgumentError(
      absl::StrCat(path, ": ", number == 0 ? "UNSPECIFIED is not a field" : "unknown field ",
                   number == 0 ? "" : absl::StrCat(number), " of model ", model.name));
}

absl::StatusOr<std::vector<service::Filter>> TypedCodec::Conditions(const Message& condition,
                                                                    const schema::Model& model,
                                                                    const std::string& path) const {
  const google::protobuf::Descriptor* d = condition.GetDescriptor();
  const Reflection* r = condition.GetReflection();
  const FieldDescriptor* chosen =
      d->oneof_decl_count() > 0 ? r->GetOneofFieldDescriptor(condition, d->oneof_decl(0)) : nullptr;
  if (chosen == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": set one field to compare"));
  }
  const schema::Field* field = model.FindField(chosen->name());
  if (field == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": unknown field ", chosen->name()));
  }
  std::string field_path = absl::StrCat(path, ".", field->name);
  const Message& op = r->GetMessage(condition, chosen);
  const google::protobuf::Descriptor* od = op.GetDescriptor();
  const Reflection* orf = op.GetReflection();
  struct Known {
    const char* name;
    service::FilterOp op;
  };
  static constexpr Known kOps[] = {
      {"eq", service::FilterOp::kEq},      {"ne", service::FilterOp::kNe},
      {"in", service::FilterOp::kIn},      {"not_in", service::FilterOp::kNotIn},
      {"lt", service::FilterOp::kLt},      {"le", service::FilterOp::kLe},
      {"gt", service::FilterOp::kGt},      {"ge", service::FilterOp::kGe},
      {"like", service::FilterOp::kLike},  {"ilike", service::FilterOp::kILike},
      {"match", service::FilterOp::kMatch}};
  std::vector<service::Filter> out;
  for (const Known& known : kOps) {
    const FieldDescriptor* fd = od->FindFieldByName(known.name);
    if (fd == nullptr) continue;
    std::string op_path = absl::StrCat(field_path, ".", known.name);
    service::Filter node;
    node.kind = service::Filter::Kind::kCondition;
    node.field = field->name;
    node.op = known.op;
    if (fd->is_repeated()) {
      if (orf->FieldSize(op, fd) == 0) continue;
      QG_ASSIGN_OR_RETURN(node.value, RepeatedValue(op, fd, *field, op_path));
    } else {
      if (!orf->HasField(op, fd)) continue;
      QG_ASSIGN_OR_RETURN(node.value, ScalarValue(op, fd, *field, op_path));
    }
    out.push_back(std::move(node));
  }
  if (const FieldDescriptor* fd = od->FindFieldByName("is_null");
      fd != nullptr && orf->HasField(op, fd)) {
    service::Filter node;
    node.kind = service::Filter::Kind::kCondition;
    node.field = field->name;
    node.op = orf->GetBool(op, fd) ? service::FilterOp::kIsNull : service::FilterOp::kIsNotNull;
    out.push_back(std::move(node));
  }
  if (out.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(field_path, ": set an operator"));
  }
  return out;
}

absl::StatusOr<service::Filter> TypedCodec::ToFilter(const Message& filter,
                                                     const schema::Model& model,
                                                     const std::string& path) const {
  const google::protobuf::Descriptor* d = filter.GetDescriptor();
  const Reflection* r = filter.GetReflection();
  service::Filter out;
  out.kind = service::Filter::Kind::kAll;
  const FieldDescriptor* all = d->FindFieldByName("all");
  const FieldDescriptor* any = d->FindFieldByName("any");
  const FieldDescriptor* negated = d->FindFieldByName("not");
  for (int i = 0; i < r->FieldSize(filter, all); ++i) {
    QG_ASSIGN_OR_RETURN(std::vector<service::Filter> conditions,
                        Conditions(r->GetRepeatedMessage(filter, all, i), model,
                                   absl::StrCat(path, ".all[", i, "]")));
    for (service::Filter& c : conditions) out.children.push_back(std::move(c));
  }
  if (r->FieldSize(filter, any) > 0) {
    service::Filter group;
    group.kind = service::Filter::Kind::kAny;
    for (int i = 0; i < r->FieldSize(filter, any); ++i) {
      QG_ASSIGN_OR_RETURN(service::Filter child,
                          ToFilter(r->GetRepeatedMessage(filter, any, i), model,
                                   absl::StrCat(path, ".any[", i, "]")));
      group.children.push_back(std::move(child));
    }
    out.children.push_back(std::move(group));
  }
  if (r->HasField(filter, negated)) {
    service::Filter group;
    group.kind = service::Filter::Kind::kNot;
    QG_ASSIGN_OR_RETURN(service::Filter child, ToFilter(r->GetMessage(filter, negated), model,
                                                        absl::StrCat(path, ".not")));
    group.children.push_back(std::move(child));
    out.children.push_back(std::move(group));
  }
  if (out.children.empty()) out.kind = service::Filter::Kind::kEmpty;
  return out;
}

}  // namespace querygate::rpc::internal
