#ifndef QUERYGATE_COMMON_VALUE_H_
#define QUERYGATE_COMMON_VALUE_H_

#include <cstdint>
#include <map>
#include <string>
#include <variant>
#include <vector>

namespace querygate {

// Smallest and largest timestamps querygate accepts: 0001-01-01 and 9999-12-31T23:59:59.999999.
inline constexpr int64_t kMinTimestampMicros = -62135596800LL * 1000000;
inline constexpr int64_t kMaxTimestampMicros = 253402300799LL * 1000000 + 999999;

// A point in time as microseconds since the Unix epoch, UTC (PostgreSQL's resolution).
struct Timestamp {
  int64_t micros = 0;
  bool operator==(const Timestamp&) const = default;
};

// A typed value as querygate moves it between the wire, the cache and PostgreSQL. Decimal,
// uuid and date values travel as canonical strings.
class Value {
 public:
  enum class Kind { kNull, kBool, kInt, kDouble, kString, kBytes, kTimestamp, kList, kStruct };
  using List = std::vector<Value>;
  using Struct = std::map<std::string, Value>;

  Value() = default;
  static Value Bool(bool v) { return Value(Storage(std::in_place_index<1>, v)); }
  static Value Int(int64_t v) { return Value(Storage(std::in_place_index<2>, v)); }
  static Value Double(double v) { return Value(Storage(std::in_place_index<3>, v)); }
  static Value String(std::string v) {
    return Value(Storage(std::in_place_index<4>, std::move(v)));
  }
  static Value Bytes(std::string v) {
    return Value(Storage(std::in_place_index<5>, BytesBox{std::move(v)}));
  }
  static Value Time(Timestamp v) { return Value(Storage(std::in_place_index<6>, v)); }
  static Value ListOf(List v) { return Value(Storage(std::in_place_index<7>, std::move(v))); }
  static Value StructOf(Struct v) { return Value(Storage(std::in_place_index<8>, std::move(v))); }

  Kind kind() const { return static_cast<Kind>(storage_.index()); }
  bool is_null() const { return kind() == Kind::kNull; }

  // Accessors; each requires the matching kind().
  bool bool_value() const { return std::get<1>(storage_); }
  int64_t int_value() const { return std::get<2>(storage_); }
  double double_value() const { return std::get<3>(storage_); }
  const std::string& string_value() const { return std::get<4>(storage_); }
  const std::string& bytes_value() const { return std::get<5>(storage_).data; }
  Timestamp time_value() const { return std::get<6>(storage_); }
  const List& list_value() const { return std::get<7>(storage_); }
  const Struct& struct_value() const { return std::get<8>(storage_); }

  bool operator==(const Value& other) const { return storage_ == other.storage_; }

 private:
  struct BytesBox {
    std::string data;
    bool operator==(const BytesBox&) const = default;
  };
  using Storage = std::variant<std::monostate, bool, int64_t, double, std::string, BytesBox,
                               Timestamp, List, Struct>;
  explicit Value(Storage storage) : storage_(std::move(storage)) {}

  Storage storage_;
};

// Returns the name of a kind ("null", "bool", "int", ...), for error messages.
const char* KindName(Value::Kind kind);

}  // namespace querygate

#endif  // QUERYGATE_COMMON_VALUE_H_
