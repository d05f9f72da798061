#ifndef QUERYGATE_WIRE_VALUE_CONVERSION_H_
#define QUERYGATE_WIRE_VALUE_CONVERSION_H_

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/value.h"
#include "querygate/v1/value.pb.h"

namespace querygate::wire {

// Conversions between querygate::Value and its wire form (querygate.v1.Value), shared by the
// server's rpc layer and the client library.

// Converts a wire value; an unset value is null. Fails with INVALID_ARGUMENT naming `name`
// for a timestamp outside years 0001-9999 or with invalid nanos.
absl::StatusOr<Value> FromProto(const v1::Value& value, absl::string_view name);

// Writes `value` into `out`.
void ToProto(const Value& value, v1::Value& out);

}  // namespace querygate::wire

#endif  // QUERYGATE_WIRE_VALUE_CONVERSION_H_
