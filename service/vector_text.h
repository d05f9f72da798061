#ifndef QUERYGATE_SERVICE_VECTOR_TEXT_H_
#define QUERYGATE_SERVICE_VECTOR_TEXT_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/value.h"

namespace querygate::service {

// Returns the canonical PostgreSQL REAL[] text of a vector ("{1,0.5,-2}"): each element is a
// float32 printed with %.9g, so equal float bits give equal text and different bits different
// text (cache keys depend on it). Fails with INVALID_ARGUMENT naming `path` ("path[3]: not
// finite") for NaN, infinity or a value outside the float32 range, and ("path: expected 8
// dimensions, got 3") when `dimensions` is set and the size differs.
absl::StatusOr<std::string> EncodeFloatVector(const std::vector<float>& vector,
                                              std::optional<int> dimensions,
                                              absl::string_view path);

// Like EncodeFloatVector for a Value list of numbers (each rounded to the nearest float32);
// fails naming `path` for anything else.
absl::StatusOr<std::string> EncodeVectorValue(const Value& value, std::optional<int> dimensions,
                                              absl::string_view path);

// Converts a vector cell as the database returned it (pgvector text "[1,2]" or a REAL[] list)
// to a list of doubles holding the exact float32 values; other values are returned unchanged.
Value DecodeVectorCell(const Value& cell);

}  // namespace querygate::service

#endif  // QUERYGATE_SERVICE_VECTOR_TEXT_H_
