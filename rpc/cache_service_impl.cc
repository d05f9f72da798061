#include "rpc/cache_service_impl.h"

#include "absl/strings/str_cat.h"
#include "rpc/call_context.h"
#include "rpc/status_conversion.h"
#include "wire/value_conversion.h"

namespace querygate::rpc {
namespace {

using wire::FromProto;
using wire::ToProto;

void FillCounters(const service::NameStats& in, v1::CacheCounters& out) {
  out.set_name(in.name);
  out.set_hits(in.hits);
  out.set_misses(in.misses);
  out.set_bypasses(in.bypasses);
  out.set_hit_ratio(in.HitRatio());
  out.set_fills(in.fills);
  out.set_invalidations_write(in.invalidations_write);
  out.set_invalidations_event(in.invalidations_event);
  out.set_invalidations_trigger(in.invalidations_trigger);
}

void ParamsToProto(const std::map<std::string, Value>& params, v1::StructValue& out) {
  for (const auto& [name, value] : params) ToProto(value, (*out.mutable_fields())[name]);
}

}  // namespace

grpc::Status CacheServiceImpl::Invalidate(grpc::ServerContext*,
                                          const v1::InvalidateRequest* request,
                                          v1::InvalidateResponse* response) {
  cache::InvalidationEvent event;
  event.tables.assign(request->tables().begin(), request->tables().end());
  event.queries.assign(request->queries().begin(), request->queries().end());
  event.tags.assign(request->tags().begin(), request->tags().end());
  event.source = "api";
  absl::Status status = admin_->Invalidate(event);
  if (!status.ok()) return ToGrpcStatus(status);
  *response->mutable_tables() = request->tables();
  *response->mutable_queries() = request->queries();
  return grpc::Status::OK;
}

grpc::Status CacheServiceImpl::Warm(grpc::ServerContext* context, const v1::WarmRequest* request,
                                    grpc::ServerWriter<v1::WarmProgress>* writer) {
  std::vector<service::WarmSet> sets;
  for (int i = 0; i < request->sets_size(); ++i) {
    const v1::WarmSet& in = request->sets(i);
    service::WarmSet set;
    set.query = in.query();
    set.model = in.model();
    set.params_from = in.params_from();
    for (int j = 0; j < in.params_size(); ++j) {
      std::map<std::string, Value> params;
      for (const auto& [name, value] : in.params(j).fields()) {
        auto converted = FromProto(value, absl::StrCat("sets[", i, "].params[", j, "].", name));
        if (!converted.ok()) return ToGrpcStatus(converted.status());
        params.emplace(name, *std::move(converted));
      }
      set.params.push_back(std::move(params));
    }
    sets.push_back(std::move(set));
  }
  auto progress = [writer](const service::WarmProgress& p) {
    v1::WarmProgress out;
    out.set_total(p.total);
    out.set_done(p.done);
    out.set_failed(p.failed);
    out.set_elapsed_ms(absl::ToInt64Milliseconds(p.elapsed));
    out.set_finished(p.finished);
    for (const service::WarmFailure& f : p.failures) {
      v1::WarmFailure* failure = out.add_failures();
      failure->set_query(f.target);
      failure->set_error(f.error);
      ParamsToProto(f.params, *failure->mutable_params());
    }
    writer->Write(out);
  };
  absl::Status status =
      admin_->Warm(sets, request->concurrency(), MakeCallContext(context), progress);
  return ToGrpcStatus(status);
}

grpc::Status CacheServiceImpl::Stats(grpc::ServerContext*, const v1::StatsRequest*,
                                     v1::StatsResponse* response) {
  service::StatsSnapshot stats = admin_->Stats();
  for (const service::NameStats& q : stats.queries) FillCounters(q, *response->add_queries());
  for (const service::NameStats& m : stats.models) FillCounters(m, *response->add_models());
  v1::PoolFigures* pool = response->mutable_database_pool();
  pool->set_active(stats.database_pool.active);
  pool->set_idle(stats.database_pool.idle);
  pool->set_waiting(stats.database_pool.waiting);
  pool->set_created(stats.database_pool.created);
  pool->set_broken(stats.database_pool.broken);
  pool->set_max(stats.database_pool.max);
  response->set_redis_healthy(stats.redis_healthy);
  response->set_database_healthy(stats.database_healthy);
  response->set_uptime_ms(stats.uptime_ms);
  response->set_warm_status(stats.warm_status);
  return grpc::Status::OK;
}

}  // namespace querygate::rpc
