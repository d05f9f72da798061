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

namespace {

grpc::ServerUnaryReactor* Finish(grpc::CallbackServerContext* context, const grpc::Status& status) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(status);
  return reactor;
}

// Converts the wire request; fails with INVALID_ARGUMENT naming a bad parameter.
absl::StatusOr<service::ExecuteRequest> ToDomain(const v1::ExecuteRequest& request) {
  service::ExecuteRequest domain;
  domain.query = request.query();
  domain.cache_mode = CacheModeFromProto(request.cache_mode());
  for (const auto& [name, value] : request.params()) {
    auto converted = FromProto(value, name);
    if (!converted.ok()) return converted.status();
    domain.params.emplace(name, *std::move(converted));
  }
  return domain;
}

}  // namespace

grpc::ServerUnaryReactor* QueryServiceImpl::Execute(grpc::CallbackServerContext* context,
                                                    const v1::ExecuteRequest* request,
                                                    v1::ExecuteResponse* response) {
  auto domain = ToDomain(*request);
  if (!domain.ok()) return Finish(context, ToGrpcStatus(domain.status()));
  auto cached = service_->TryCached(*domain);
  if (!cached.ok()) return Finish(context, ToGrpcStatus(cached.status()));
  if (cached->has_value()) {
    FillExecuteResponse(**cached, *response);
    return Finish(context, grpc::Status::OK);
  }
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  service::QueryService* service = service_;
  bool queued =
      executor_->Submit([service, context, reactor, response, request = *std::move(domain)] {
        auto result = service->Execute(request, MakeCallContext(context));
        if (!result.ok()) {
          reactor->Finish(ToGrpcStatus(result.status()));
          return;
        }
        FillExecuteResponse(*result, *response);
        reactor->Finish(grpc::Status::OK);
      });
  if (!queued) {
    reactor->Finish(grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                                 "too many queries are waiting for the database"));
  }
  return reactor;
}

grpc::ServerUnaryReactor* QueryServiceImpl::ListQueries(grpc::CallbackServerContext* context,
                                                        const v1::ListQueriesRequest*,
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
  return Finish(context, grpc::Status::OK);
}

}  // namespace querygate::rpc
