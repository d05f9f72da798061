#include "rpc/query_service_impl.h"

#include "absl/strings/str_cat.h"
#include "rpc/cache_info_conversion.h"
#include "rpc/call_context.h"
#include "rpc/status_conversion.h"
#include "wire/value_conversion.h"

namespace querygate::rpc {
namespace {

using wire::FromProto;
using wire::ToProto;

}  // namespace

void FillExecuteResponse(const service::ExecuteResponse& in, v1::ExecuteResponse& out) {
  const service::QueryResult& result = *in.result;
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
    for (const Value& value : row) ToProto(value, *out_row->add_values());
  }
  CacheInfoToProto(in.cache, *out.mutable_cache());
}

grpc::Status QueryServiceImpl::Execute(grpc::ServerContext* context,
                                       const v1::ExecuteRequest* request,
                                       v1::ExecuteResponse* response) {
  service::ExecuteRequest domain;
  domain.query = request->query();
  domain.cache_mode = CacheModeFromProto(request->cache_mode());
  for (const auto& [name, value] : request->params()) {
    auto converted = FromProto(value, name);
    if (!converted.ok()) return ToGrpcStatus(converted.status());
    domain.params.emplace(name, *std::move(converted));
  }
  auto result = service_->Execute(domain, MakeCallContext(context));
  if (!result.ok()) return ToGrpcStatus(result.status());
  FillExecuteResponse(*result, *response);
  return grpc::Status::OK;
}

grpc::Status QueryServiceImpl::ListQueries(grpc::ServerContext*, const v1::ListQueriesRequest*,
                                           v1::ListQueriesResponse* response) {
  for (const service::RegisteredQuery& q : service_->registry().queries()) {
    v1::QueryInfo* info = response->add_queries();
    info->set_name(q.def.name);
    info->set_description(q.def.description);
    for (const schema::QueryParam& p : q.def.params) {
      v1::QueryParam* param = info->add_params();
      param->set_name(p.name);
      param->set_type(p.type_text);
      param->set_nullable(p.nullable);
      param->set_required(!p.nullable && !p.default_value);
      if (p.default_value) ToProto(*p.default_value, *param->mutable_default_value());
    }
    for (const service::ResultColumn& c : q.columns) {
      v1::Column* column = info->add_columns();
      column->set_name(c.name);
      column->set_type(c.type);
    }
    info->set_ttl_ms(q.cached ? absl::ToInt64Milliseconds(q.ttl) : 0);
    for (const std::string& t : q.tables) info->add_tables(t);
    for (const std::string& t : q.def.tags) info->add_tags(t);
    info->set_source_file(q.def.source_file);
  }
  return grpc::Status::OK;
}

}  // namespace querygate::rpc
