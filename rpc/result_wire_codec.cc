#include "rpc/result_wire_codec.h"

#include "google/protobuf/arena.h"
#include "wire/value_conversion.h"

namespace querygate::rpc {

void ResultToProto(const service::QueryResult& result, v1::ExecuteResponse& out) {
  out.mutable_columns()->Reserve(static_cast<int>(result.columns.size()));
  for (const service::ResultColumn& c : result.columns) {
    v1::Column* column = out.add_columns();
    column->set_name(c.name);
    column->set_type(c.type);
  }
  out.mutable_rows()->Reserve(static_cast<int>(result.rows.size()));
  for (const auto& row : result.rows) {
    v1::Row* out_row = out.add_rows();
    out_row->mutable_values()->Reserve(static_cast<int>(row.size()));
    for (const Value& value : row) wire::ToProto(value, *out_row->add_values());
  }
}

std::string WireResultCodec::Encode(const service::QueryResult& result) const {
  google::protobuf::Arena arena;
  auto* message = google::protobuf::Arena::CreateMessage<v1::ExecuteResponse>(&arena);
  ResultToProto(result, *message);
  return message->SerializeAsString();
}

absl::StatusOr<service::QueryResult> WireResultCodec::Decode(absl::string_view bytes) const {
  auto corrupt = [] { return absl::DataLossError("cached result is corrupt"); };
  google::protobuf::Arena arena;
  auto* message = google::protobuf::Arena::CreateMessage<v1::ExecuteResponse>(&arena);
  if (!message->ParseFromArray(bytes.data(), static_cast<int>(bytes.size())) ||
      message->has_cache()) {
    return corrupt();
  }
  service::QueryResult result;
  result.columns.reserve(message->columns_size());
  for (const v1::Column& c : message->columns()) result.columns.push_back({c.name(), c.type()});
  result.rows.reserve(message->rows_size());
  for (const v1::Row& row : message->rows()) {
    if (row.values_size() != message->columns_size()) return corrupt();
    std::vector<Value>& out = result.rows.emplace_back();
    out.reserve(row.values_size());
    for (int i = 0; i < row.values_size(); ++i) {
      auto value = wire::FromProto(row.values(i), result.columns[i].name);
      if (!value.ok()) return corrupt();
      out.push_back(*std::move(value));
    }
  }
  return result;
}

}  // namespace querygate::rpc
