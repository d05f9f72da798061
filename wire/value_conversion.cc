#include "wire/value_conversion.h"

#include "absl/strings/str_cat.h"

namespace querygate::wire {

absl::StatusOr<Value> FromProto(const v1::Value& value, absl::string_view name) {
  switch (value.kind_case()) {
    case v1::Value::kNullValue:
    case v1::Value::KIND_NOT_SET:
      return Value();
    case v1::Value::kBoolValue:
      return Value::Bool(value.bool_value());
    case v1::Value::kIntValue:
      return Value::Int(value.int_value());
    case v1::Value::kDoubleValue:
      return Value::Double(value.double_value());
    case v1::Value::kStringValue:
      return Value::String(value.string_value());
    case v1::Value::kBytesValue:
      return Value::Bytes(value.bytes_value());
    case v1::Value::kTimestampValue: {
      const auto& ts = value.timestamp_value();
      if (ts.nanos() < 0 || ts.nanos() > 999999999) {
        return absl::InvalidArgumentError(
            absl::StrCat("parameter ", name, ": timestamp nanos must be in [0, 999999999]"));
      }
      constexpr int64_t kMinSeconds = kMinTimestampMicros / 1000000;
      constexpr int64_t kMaxSeconds = kMaxTimestampMicros / 1000000;
      if (ts.seconds() < kMinSeconds || ts.seconds() > kMaxSeconds) {
        return absl::InvalidArgumentError(
            absl::StrCat("parameter ", name, ": timestamp is outside years 0001-9999"));
      }
      return Value::Time({ts.seconds() * 1000000 + ts.nanos() / 1000});
    }
    case v1::Value::kListValue: {
      Value::List list;
      list.reserve(value.list_value().values_size());
      for (const v1::Value& item : value.list_value().values()) {
        auto converted = FromProto(item, name);
        if (!converted.ok()) return converted.status();
        list.push_back(*std::move(converted));
      }
      return Value::ListOf(std::move(list));
    }
    case v1::Value::kStructValue: {
      Value::Struct fields;
      for (const auto& [key, item] : value.struct_value().fields()) {
        auto converted = FromProto(item, absl::StrCat(name, ".", key));
        if (!converted.ok()) return converted.status();
        fields.emplace(key, *std::move(converted));
      }
      return Value::StructOf(std::move(fields));
    }
  }
  return Value();
}

void ToProto(const Value& value, v1::Value& out) {
  switch (value.kind()) {
    case Value::Kind::kNull:
      out.set_null_value(google::protobuf::NULL_VALUE);
      return;
    case Value::Kind::kBool:
      out.set_bool_value(value.bool_value());
      return;
    case Value::Kind::kInt:
      out.set_int_value(value.int_value());
      return;
    case Value::Kind::kDouble:
      out.set_double_value(value.double_value());
      return;
    case Value::Kind::kString:
      out.set_string_value(value.string_value());
      return;
    case Value::Kind::kBytes:
      out.set_bytes_value(value.bytes_value());
      return;
    case Value::Kind::kTimestamp: {
      int64_t micros = value.time_value().micros;
      int64_t seconds = micros / 1000000;
      int64_t rest = micros % 1000000;
      if (rest < 0) {
        rest += 1000000;
        --seconds;
      }
      auto* ts = out.mutable_timestamp_value();
      ts->set_seconds(seconds);
      ts->set_nanos(static_cast<int32_t>(rest * 1000));
      return;
    }
    case Value::Kind::kList: {
      auto* list = out.mutable_list_value();
      list->mutable_values()->Reserve(static_cast<int>(value.list_value().size()));
      for (const Value& item : value.list_value()) ToProto(item, *list->add_values());
      return;
    }
    case Value::Kind::kStruct: {
      auto* fields = out.mutable_struct_value()->mutable_fields();
      for (const auto& [key, item] : value.struct_value()) ToProto(item, (*fields)[key]);
      return;
    }
  }
}

}  // namespace querygate::wire
