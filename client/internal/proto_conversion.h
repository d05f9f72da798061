#ifndef QUERYGATE_CLIENT_INTERNAL_PROTO_CONVERSION_H_
#define QUERYGATE_CLIENT_INTERNAL_PROTO_CONVERSION_H_

// Conversions between the client's types and the wire messages. Same value semantics as
// rpc/value_conversion.cc: an unset value is null, timestamps carry microseconds.

#include <grpcpp/support/status.h>

#include "absl/status/status.h"
#include "client/types.h"
#include "common/value.h"
#include "querygate/v1/cache_service.pb.h"
#include "querygate/v1/query_service.pb.h"
#include "querygate/v1/repository_service.pb.h"
#include "querygate/v1/value.pb.h"

namespace querygate::client::internal {

Value FromProto(const v1::Value& value);
void ToProto(const Value& value, v1::Value& out);

Value::Struct FromProto(const v1::StructValue& value);
void ToProto(const Value::Struct& fields, v1::StructValue& out);

v1::CacheMode ToProto(CacheMode mode);
CacheInfo FromProto(const v1::CacheInfo& info);

Result FromProto(const v1::ExecuteResponse& response);
QueryInfo FromProto(const v1::QueryInfo& info);
WarmProgress FromProto(const v1::WarmProgress& progress);
ServerStats FromProto(const v1::StatsResponse& stats);
void ToProto(const WarmRequest& request, v1::WarmRequest& out);

Record FromProto(const v1::Record& record);
void ToProto(const Record& record, v1::Record& out);
void ToProto(const Filter& filter, v1::Filter& out);

// Same code, same message.
absl::Status FromGrpc(const grpc::Status& status);

}  // namespace querygate::client::internal

#endif  // QUERYGATE_CLIENT_INTERNAL_PROTO_CONVERSION_H_
