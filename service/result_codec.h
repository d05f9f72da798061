#ifndef QUERYGATE_SERVICE_RESULT_CODEC_H_
#define QUERYGATE_SERVICE_RESULT_CODEC_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "service/query_result.h"

namespace querygate::service {

// Returns the compact binary form of `result` that the cache stores.
std::string EncodeResult(const QueryResult& result);

// Parses EncodeResult's output. Fails with DATA_LOSS on truncated or foreign bytes.
absl::StatusOr<QueryResult> DecodeResult(absl::string_view bytes);

// Appends the binary form of one value (tag byte, then its content).
void EncodeValue(const Value& value, std::string& out);

}  // namespace querygate::service

#endif  // QUERYGATE_SERVICE_RESULT_CODEC_H_
