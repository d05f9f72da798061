#ifndef QUERYGATE_RPC_RESULT_WIRE_CODEC_H_
#define QUERYGATE_RPC_RESULT_WIRE_CODEC_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "querygate/v1/query_service.pb.h"
#include "service/query_result.h"
#include "service/result_codec.h"

namespace querygate::rpc {

// Stores results as the protobuf encoding of an ExecuteResponse holding only `columns` and
// `rows`. A cache hit is then answered by appending the encoded `cache` field to the stored
// bytes (protobuf merges concatenated messages), with no decoding on the server.
class WireResultCodec final : public service::ResultCodec {
 public:
  static constexpr absl::string_view kFormat = "querygate.v1.ExecuteResponse";

  std::string Encode(const service::QueryResult& result) const override;
  absl::StatusOr<service::QueryResult> Decode(absl::string_view bytes) const override;
  absl::string_view format() const override { return kFormat; }
};

// Writes `result`'s columns and rows into `out`.
void ResultToProto(const service::QueryResult& result, v1::ExecuteResponse& out);

}  // namespace querygate::rpc

#endif  // QUERYGATE_RPC_RESULT_WIRE_CODEC_H_
