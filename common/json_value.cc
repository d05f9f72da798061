#include "common/json_value.h"

#include <cmath>

#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "nlohmann/json.hpp"

namespace querygate {
namespace {

Value FromJson(const nlohmann::json& json) {
  switch (json.type()) {
    case nlohmann::json::value_t::boolean:
      return Value::Bool(json.get<bool>());
    case nlohmann::json::value_t::number_integer:
      return Value::Int(json.get<int64_t>());
    case nlohmann::json::value_t::number_unsigned: {
      uint64_t v = json.get<uint64_t>();
      if (v <= static_cast<uint64_t>(INT64_MAX)) return Value::Int(static_cast<int64_t>(v));
      return Value::Double(static_cast<double>(v));
    }
    case nlohmann::json::value_t::number_float:
      return Value::Double(json.get<double>());
    case nlohmann::json::value_t::string:
      return Value::String(json.get<std::string>());
    case nlohmann::json::value_t::array: {
      Value::List list;
      list.reserve(json.size());
      for (const auto& item : json) list.push_back(FromJson(item));
      return Value::ListOf(std::move(list));
    }
    case nlohmann::json::value_t::object: {
      Value::Struct fields;
      for (const auto& [key, item] : json.items()) fields.emplace(key, FromJson(item));
      return Value::StructOf(std::move(fields));
    }
    default:
      return Value();
  }
}

absl::StatusOr<nlohmann::json> ToJson(const Value& value) {
  switch (value.kind()) {
    case Value::Kind::kNull:
      return nlohmann::json(nullptr);
    case Value::Kind::kBool:
      return nlohmann::json(value.bool_value());
    case Value::Kind::kInt:
      return nlohmann::json(value.int_value());
    case Value::Kind::kDouble:
      if (!std::isfinite(value.double_value())) {
        return absl::InvalidArgumentError("JSON cannot hold NaN or infinity");
      }
      return nlohmann::json(value.double_value());
    case Value::Kind::kString:
      return nlohmann::json(value.string_value());
    case Value::Kind::kTimestamp:
      return nlohmann::json(absl::FormatTime("%Y-%m-%d%ET%H:%M:%E6SZ",
                                             absl::FromUnixMicros(value.time_value().micros),
                                             absl::UTCTimeZone()));
    case Value::Kind::kBytes:
      return absl::InvalidArgumentError("JSON cannot hold bytes");
    case Value::Kind::kList: {
      nlohmann::json out = nlohmann::json::array();
      for (const Value& item : value.list_value()) {
        auto converted = ToJson(item);
        if (!converted.ok()) return converted.status();
        out.push_back(*std::move(converted));
      }
      return out;
    }
    case Value::Kind::kStruct: {
      nlohmann::json out = nlohmann::json::object();
      for (const auto& [key, item] : value.struct_value()) {
        auto converted = ToJson(item);
        if (!converted.ok()) return converted.status();
        out[key] = *std::move(converted);
      }
      return out;
    }
  }
  return absl::InternalError("unreachable");
}

}  // namespace

absl::StatusOr<Value> ParseJsonValue(absl::string_view text) {
  nlohmann::json json = nlohmann::json::parse(text.begin(), text.end(), nullptr, false);
  if (json.is_discarded()) return absl::InvalidArgumentError("malformed JSON");
  return FromJson(json);
}

absl::StatusOr<std::string> ValueToJson(const Value& value) {
  auto json = ToJson(value);
  if (!json.ok()) return json.status();
  try {
    return json->dump();
  } catch (const nlohmann::json::type_error&) {
    return absl::InvalidArgumentError("a string in the JSON value is not valid UTF-8");
  }
}

}  // namespace querygate
