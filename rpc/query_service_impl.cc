#include "rpc/query_service_impl.h"

#include <memory>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "grpcpp/impl/codegen/proto_utils.h"
#include "rpc/cache_info_conversion.h"
#include "rpc/call_context.h"
#include "rpc/status_conversion.h"
#include "service/call_trace.h"
#include "wire/value_conversion.h"

namespace querygate::rpc {
namespace {

using wire::FromProto;
using wire::ToProto;

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

absl::Status QueryServiceImpl::WriteResponse(service::ExecuteResponse in,
                                             grpc::ByteBuffer& out) const {
  auto rows = std::make_unique<std::string>();
  if (in.encoded && service_->codec().format() == wire_.format()) {
    *rows = *std::move(in.encoded);
  } else if (in.result != nullptr) {
    *rows = wire_.Encode(*in.result);
  } else {
    auto decoded = service_->codec().Decode(in.encoded.value_or(""));
    if (!decoded.ok()) return decoded.status();
    *rows = wire_.Encode(*decoded);
  }
  v1::ExecuteResponse tail;
  CacheInfoToProto(in.cache, *tail.mutable_cache());
  std::string* held = rows.release();
  grpc::Slice slices[2] = {
      grpc::Slice(
          held->data(), held->size(), [](void* p) { delete static_cast<std::string*>(p); }, held),
      grpc::Slice(tail.SerializeAsString())};
  out = grpc::ByteBuffer(slices, 2);
  return absl::OkStatus();
}

void QueryServiceImpl::Answer(grpc::ServerUnaryReactor* reactor, service::ExecuteResponse in,
                              grpc::ByteBuffer* response) const {
  reactor->Finish(ToGrpcStatus(WriteResponse(std::move(in), *response)));
}

grpc::ServerUnaryReactor* QueryServiceImpl::Execute(grpc::CallbackServerContext* context,
                                                    const grpc::ByteBuffer* request,
                                                    grpc::ByteBuffer* response) {
  auto ctx = guard_->Admit(context, auth::Permission::kExecute);
  if (!ctx.ok()) return Finish(context, ToGrpcStatus(ctx.status()));
  v1::ExecuteRequest wire_request;
  grpc::ByteBuffer request_bytes(*request);
  if (!grpc::SerializationTraits<v1::ExecuteRequest>::Deserialize(&request_bytes, &wire_request)
           .ok()) {
    return Finish(
        context,
        ToGrpcStatus(absl::InvalidArgumentError("request: not a querygate.v1.ExecuteRequest")));
  }
  auto domain = ToDomain(wire_request);
  if (!domain.ok()) return Finish(context, ToGrpcStatus(domain.status()));
  if (ctx->trace != nullptr) ctx->trace->SetName(domain->query);
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  auto shared = std::make_shared<service::ExecuteRequest>(*std::move(domain));
  auto call = std::make_shared<service::CallContext>(*std::move(ctx));
  service_->TryCached(*shared, *call, [this, call, reactor, response, shared](auto cached) {
    if (!cached.ok()) {
      reactor->Finish(ToGrpcStatus(cached.status()));
    } else if (cached->has_value()) {
      Answer(reactor, **std::move(cached), response);
    } else {
      ExecuteOnExecutor(std::move(*call), reactor, response, std::move(*shared));
    }
  });
  return reactor;
}

void QueryServiceImpl::ExecuteOnExecutor(service::CallContext ctx,
                                         grpc::ServerUnaryReactor* reactor,
                                         grpc::ByteBuffer* response,
                                         service::ExecuteRequest request) {
  bool queued = executor_->Submit(
      [this, ctx = std::move(ctx), reactor, response, request = std::move(request)] {
        auto result = service_->Execute(request, ctx);
        if (!result.ok()) {
          reactor->Finish(ToGrpcStatus(result.status()));
          return;
        }
        absl::Status written;
        {
          service::StepTimer encode(ctx.trace.get(), &service::CallTrace::encode_ns);
          written = WriteResponse(*std::move(result), *response);
        }
        reactor->Finish(ToGrpcStatus(written));
      });
  if (!queued) {
    reactor->Finish(grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                                 "too many queries are waiting for the database"));
  }
}

grpc::ServerUnaryReactor* QueryServiceImpl::ListQueries(grpc::CallbackServerContext* context,
                                                        const v1::ListQueriesRequest*,
                                                        v1::ListQueriesResponse* response) {
  auto ctx = guard_->Admit(context, auth::Permission::kListQueries);
  if (!ctx.ok()) return Finish(context, ToGrpcStatus(ctx.status()));
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
    for (const std::string& r : q.def.roles) info->add_roles(r);
    info->set_source_file(q.def.source_file);
    info->set_tenant_scoped(q.tenant_scoped);
  }
  return Finish(context, grpc::Status::OK);
}

}  // namespace querygate::rpc
