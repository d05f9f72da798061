#ifndef QUERYGATE_TESTS_SUPPORT_WIRE_VALUES_H_
#define QUERYGATE_TESTS_SUPPORT_WIRE_VALUES_H_

#include <string>
#include <utility>
#include <vector>

#include "querygate/v1/value.pb.h"

namespace querygate::testing {

// Short builders for wire values in test requests.
inline v1::Value Int(int64_t v) {
  v1::Value out;
  out.set_int_value(v);
  return out;
}

inline v1::Value Str(const std::string& v) {
  v1::Value out;
  out.set_string_value(v);
  return out;
}

inline v1::Value Dbl(double v) {
  v1::Value out;
  out.set_double_value(v);
  return out;
}

inline v1::Value Bool(bool v) {
  v1::Value out;
  out.set_bool_value(v);
  return out;
}

inline v1::Value Null() {
  v1::Value out;
  out.set_null_value(google::protobuf::NULL_VALUE);
  return out;
}

inline v1::Value List(std::vector<v1::Value> items) {
  v1::Value out;
  for (auto& item : items) *out.mutable_list_value()->add_values() = std::move(item);
  return out;
}

}  // namespace querygate::testing

#endif  // QUERYGATE_TESTS_SUPPORT_WIRE_VALUES_H_
