#ifndef QUERYGATE_RPC_VALUE_CONVERSION_H_
#define QUERYGATE_RPC_VALUE_CONVERSION_H_

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/value.h"
#include "querygate/v1/value.pb.h"

namespace querygate::rpc {

// Converts a wire value; an unset value is null. Fails with INVALID_ARGUMENT naming `name`
// for a timestamp outside years 0001-9999 or with invalid nanos.
absl::StatusOr<Value> FromProto(const v1::Value& value, absl::string_view name);

// Writes `value` into `out`.
void ToProto(const Value& value, v1::Value& out);

}  // namespace querygate::rpc

#endif  // QUERYGATE_RPC_VALUE_CONVERSION_H_
