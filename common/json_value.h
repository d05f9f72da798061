#ifndef QUERYGATE_COMMON_JSON_VALUE_H_
#define QUERYGATE_COMMON_JSON_VALUE_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/value.h"

namespace querygate {

// Parses JSON text into a Value: objects to structs, arrays to lists, integers that fit int64
// to ints, other numbers to doubles. Fails with INVALID_ARGUMENT on malformed JSON.
absl::StatusOr<Value> ParseJsonValue(absl::string_view text);

// Returns `value` as JSON text; timestamps become RFC 3339 strings. Fails with
// INVALID_ARGUMENT for bytes and for NaN or infinite doubles, which JSON cannot hold.
absl::StatusOr<std::string> ValueToJson(const Value& value);

}  // namespace querygate

#endif  // QUERYGATE_COMMON_JSON_VALUE_H_
