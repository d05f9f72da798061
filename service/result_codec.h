#ifndef QUERYGATE_SERVICE_RESULT_CODEC_H_
#define QUERYGATE_SERVICE_RESULT_CODEC_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "service/query_result.h"

namespace querygate::service {

// Returns the compact binary form of `result` that the cache stores.
std::string EncodeResult(const QueryResult& result);

// Parses EncodeResult's output. Fails with DATA_LOSS on truncated or foreign bytes, and on any
// count (columns, rows, list items, struct fields, string bytes) that the bytes left could not
// hold, before allocating for it: memory use stays proportional to `bytes.size()`. Rows of a
// result without columns take no bytes, so such a result must have no rows.
absl::StatusOr<QueryResult> DecodeResult(absl::string_view bytes);

// Appends the binary form of one value (tag byte, then its content).
void EncodeValue(const Value& value, std::string& out);

// A serialised form of query results, as the result cache stores them. The format's name is
// folded into every cache key, so entries written in one format are never read in another.
class ResultCodec {
 public:
  virtual ~ResultCodec() = default;

  // Returns the serialised form of `result`.
  virtual std::string Encode(const QueryResult& result) const = 0;
  // Parses Encode's output. Fails with DATA_LOSS on truncated or foreign bytes.
  virtual absl::StatusOr<QueryResult> Decode(absl::string_view bytes) const = 0;
  // Returns the format's name, for example "qgr1".
  virtual absl::string_view format() const = 0;
};

// The compact binary form above (EncodeResult / DecodeResult).
class BinaryResultCodec final : public ResultCodec {
 public:
  std::string Encode(const QueryResult& result) const override { return EncodeResult(result); }
  absl::StatusOr<QueryResult> Decode(absl::string_view bytes) const override {
    return DecodeResult(bytes);
  }
  absl::string_view format() const override { return "qgr1"; }
};

}  // namespace querygate::service

#endif  // QUERYGATE_SERVICE_RESULT_CODEC_H_
