#ifndef QUERYGATE_CLIENT_VALUE_HELPERS_H_
#define QUERYGATE_CLIENT_VALUE_HELPERS_H_

// Conversions between querygate::Value and C++ types:
//
//   bool <-> bool                      int8..int64, uint8..uint32 <-> int (range-checked)
//   double, float <-> double (an int value also reads as double)
//   std::string <-> string             Bytes <-> bytes
//   Timepoint (system_clock) <-> timestamp (microsecond resolution, rounded down)
//   std::vector<T> <-> list            std::map<std::string, T> <-> struct
//   std::optional<T> <-> T or null     Value <-> itself
//
// FromValue fails with INVALID_ARGUMENT naming the expected and actual kinds (and the path
// inside lists and structs), or OUT_OF_RANGE when an integer does not fit the target type.

#include <chrono>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/value.h"

namespace querygate::client {

// Binary data; distinct from std::string, which maps to a string value.
struct Bytes {
  std::string data;
  bool operator==(const Bytes&) const = default;
};

using Timepoint = std::chrono::system_clock::time_point;

// Converts between a Timepoint and a querygate Timestamp (microseconds, rounded down).
Timestamp ToTimestamp(Timepoint time);
Timepoint ToTimepoint(Timestamp timestamp);

// Returns INVALID_ARGUMENT "expected <expected>, got <kind of value>".
absl::Status KindMismatch(const char* expected, const Value& value);

// Prefixes the message of a non-OK `status` with "<where>: ".
absl::Status Annotate(const absl::Status& status, std::string_view where);

// ValueCodec<T> has `static Value To(const T&)` and `static absl::StatusOr<T> From(const
// Value&)`. Specialize it to support more types.
template <typename T, typename Enable = void>
struct ValueCodec;

template <typename T>
Value ToValue(const T& value) {
  return ValueCodec<T>::To(value);
}
inline Value ToValue(const char* value) { return Value::String(value); }
inline Value ToValue(std::string_view value) { return Value::String(std::string(value)); }
inline Value ToValue(std::nullopt_t) { return Value(); }

template <typename T>
absl::StatusOr<T> FromValue(const Value& value) {
  return ValueCodec<T>::From(value);
}

template <>
struct ValueCodec<Value> {
  static Value To(const Value& v) { return v; }
  static absl::StatusOr<Value> From(const Value& v) { return v; }
};

template <>
struct ValueCodec<bool> {
  static Value To(bool v) { return Value::Bool(v); }
  static absl::StatusOr<bool> From(const Value& v) {
    if (v.kind() != Value::Kind::kBool) return KindMismatch("bool", v);
    return v.bool_value();
  }
};

template <typename T>
struct ValueCodec<T, std::enable_if_t<std::is_integral_v<T> && !std::is_same_v<T, bool>>> {
  static_assert(std::is_signed_v<T> || sizeof(T) < sizeof(int64_t),
                "unsigned 64-bit integers do not fit a querygate int value");
  static Value To(T v) { return Value::Int(static_cast<int64_t>(v)); }
  static absl::StatusOr<T> From(const Value& v) {
    if (v.kind() != Value::Kind::kInt) return KindMismatch("int", v);
    int64_t i = v.int_value();
    if (i < static_cast<int64_t>(std::numeric_limits<T>::min()) ||
        (sizeof(T) < sizeof(int64_t) && i > static_cast<int64_t>(std::numeric_limits<T>::max()))) {
      return absl::OutOfRangeError("integer out of range for the target type");
    }
    return static_cast<T>(i);
  }
};

template <typename T>
struct ValueCodec<T, std::enable_if_t<std::is_floating_point_v<T>>> {
  static Value To(T v) { return Value::Double(static_cast<double>(v)); }
  static absl::StatusOr<T> From(const Value& v) {
    if (v.kind() == Value::Kind::kDouble) return static_cast<T>(v.double_value());
    if (v.kind() == Value::Kind::kInt) return static_cast<T>(v.int_value());
    return KindMismatch("double", v);
  }
};

template <>
struct ValueCodec<std::string> {
  static Value To(const std::string& v) { return Value::String(v); }
  static absl::StatusOr<std::string> From(const Value& v) {
    if (v.kind() != Value::Kind::kString) return KindMismatch("string", v);
    return v.string_value();
  }
};

template <>
struct ValueCodec<Bytes> {
  static Value To(const Bytes& v) { return Value::Bytes(v.data); }
  static absl::StatusOr<Bytes> From(const Value& v) {
    if (v.kind() != Value::Kind::kBytes) return KindMismatch("bytes", v);
    return Bytes{v.bytes_value()};
  }
};

template <>
struct ValueCodec<Timestamp> {
  static Value To(Timestamp v) { return Value::Time(v); }
  static absl::StatusOr<Timestamp> From(const Value& v) {
    if (v.kind() != Value::Kind::kTimestamp) return KindMismatch("timestamp", v);
    return v.time_value();
  }
};

template <typename Duration>
struct ValueCodec<std::chrono::time_point<std::chrono::system_clock, Duration>> {
  using Type = std::chrono::time_point<std::chrono::system_clock, Duration>;
  static Value To(const Type& v) {
    return Value::Time(ToTimestamp(std::chrono::time_point_cast<Timepoint::duration>(v)));
  }
  static absl::StatusOr<Type> From(const Value& v) {
    if (v.kind() != Value::Kind::kTimestamp) return KindMismatch("timestamp", v);
    return std::chrono::time_point_cast<Duration>(ToTimepoint(v.time_value()));
  }
};

template <typename T>
struct ValueCodec<std::optional<T>> {
  static Value To(const std::optional<T>& v) { return v ? ToValue(*v) : Value(); }
  static absl::StatusOr<std::optional<T>> From(const Value& v) {
    if (v.is_null()) return std::optional<T>();
    absl::StatusOr<T> inner = FromValue<T>(v);
    if (!inner.ok()) return inner.status();
    return std::optional<T>(*std::move(inner));
  }
};

template <typename T>
struct ValueCodec<std::vector<T>> {
  static Value To(const std::vector<T>& v) {
    Value::List list;
    list.reserve(v.size());
    for (const T& item : v) list.push_back(ToValue(item));
    return Value::ListOf(std::move(list));
  }
  static absl::StatusOr<std::vector<T>> From(const Value& v) {
    if (v.kind() != Value::Kind::kList) return KindMismatch("list", v);
    std::vector<T> out;
    out.reserve(v.list_value().size());
    for (size_t i = 0; i < v.list_value().size(); ++i) {
      absl::StatusOr<T> item = FromValue<T>(v.list_value()[i]);
      if (!item.ok()) return Annotate(item.status(), "[" + std::to_string(i) + "]");
      out.push_back(*std::move(item));
    }
    return out;
  }
};

template <typename T>
struct ValueCodec<std::map<std::string, T>> {
  static Value To(const std::map<std::string, T>& v) {
    Value::Struct fields;
    for (const auto& [key, item] : v) fields.emplace(key, ToValue(item));
    return Value::StructOf(std::move(fields));
  }
  static absl::StatusOr<std::map<std::string, T>> From(const Value& v) {
    if (v.kind() != Value::Kind::kStruct) return KindMismatch("struct", v);
    std::map<std::string, T> out;
    for (const auto& [key, item] : v.struct_value()) {
      absl::StatusOr<T> converted = FromValue<T>(item);
      if (!converted.ok()) return Annotate(converted.status(), key);
      out.emplace(key, *std::move(converted));
    }
    return out;
  }
};

// Named parameters for Execute, built fluently: Params().Set("id", 7).Set("name", "x").
class Params {
 public:
  template <typename T>
  Params& Set(const std::string& name, const T& value) {
    fields_[name] = ToValue(value);
    return *this;
  }
  const Value::Struct& fields() const { return fields_; }
  operator const Value::Struct&() const { return fields_; }  // NOLINT: implicit by design

 private:
  Value::Struct fields_;
};

}  // namespace querygate::client

#endif  // QUERYGATE_CLIENT_VALUE_HELPERS_H_
