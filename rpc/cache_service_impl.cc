#include "rpc/cache_service_impl.h"

#include <algorithm>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/status_macros.h"
#include "rpc/insights_conversion.h"
#include "rpc/status_conversion.h"
#include "wire/value_conversion.h"

namespace querygate::rpc {
namespace {

using wire::FromProto;
using wire::ToProto;

// Audit details name at most this many items, each cut to kAuditNameBytes.
constexpr size_t kAuditNames = 8;
constexpr size_t kAuditNameBytes = 64;
// Tenants one warm set of a request may name.
constexpr size_t kMaxWarmTenants = 1000;

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
  out.set_l1_hits(in.l1_hits);
  out.set_stale(in.stale);
}

void ParamsToProto(const std::map<std::string, Value>& params, v1::StructValue& out) {
  for (const auto& [name, value] : params) ToProto(value, (*out.mutable_fields())[name]);
}

// "a, b, c and 5 more", each name cut and escaped, for an audit line of bounded length.
std::string AuditList(const std::vector<std::string>& names) {
  std::vector<std::string> shown;
  for (size_t i = 0; i < names.size() && i < kAuditNames; ++i) {
    absl::string_view head = absl::string_view(names[i]).substr(0, kAuditNameBytes);
    shown.push_back(
        absl::StrCat(absl::CHexEscape(head), head.size() < names[i].size() ? "..." : ""));
  }
  std::string out = absl::StrJoin(shown, ", ");
  if (names.size() > shown.size())
    absl::StrAppend(&out, " and ", names.size() - shown.size(), " more");
  return out;
}

std::string InvalidationDetail(const cache::InvalidationEvent& event) {
  std::vector<std::string> parts;
  if (!event.tables.empty()) parts.push_back(absl::StrCat("tables ", AuditList(event.tables)));
  if (!event.queries.empty()) parts.push_back(absl::StrCat("queries ", AuditList(event.queries)));
  if (!event.tags.empty()) parts.push_back(absl::StrCat("tags ", AuditList(event.tags)));
  std::string out = parts.empty() ? "nothing" : absl::StrJoin(parts, "; ");
  if (!event.tenant.empty()) absl::StrAppend(&out, " for tenant ", AuditList({event.tenant}));
  return out;
}

std::string WarmSetsDetail(const v1::WarmRequest& request) {
  if (request.sets_size() == 0) return "the configured sets";
  std::vector<std::string> sets;
  for (const v1::WarmSet& set : request.sets()) {
    if (!set.name().empty()) {
      sets.push_back(absl::StrCat("set ", set.name()));
    } else if (!set.query().empty()) {
      sets.push_back(absl::StrCat("query ", set.query()));
    } else {
      sets.push_back(absl::StrCat("model ", set.model()));
    }
    if (set.tenants_size() > 0) {
      absl::StrAppend(&sets.back(), " for ", set.tenants_size(),
                      set.tenants_size() == 1 ? " tenant" : " tenants");
    }
  }
  return AuditList(sets);
}

// The canonical, distinct tenants of warm set `index` of a request: the ones it names, else
// the caller's own (none for a caller without a tenant: a configured set then keeps the
// tenants of its configuration). Fails like CallGuard::RequestTenant, or with INVALID_ARGUMENT
// for too many tenants.
absl::StatusOr<std::vector<std::string>> WarmTenants(const CallGuard& guard,
                                                     const service::CallContext& ctx,
                                                     const v1::WarmSet& set, int index) {
  std::string field = absl::StrCat("sets[", index, "].tenants");
  std::vector<std::string> out;
  if (set.tenants_size() == 0) {
    if (!ctx.tenant.empty()) out.push_back(ctx.tenant);
    return out;
  }
  if (set.tenants_size() > static_cast<int>(kMaxWarmTenants)) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": at most ", kMaxWarmTenants, " tenants per set"));
  }
  for (int j = 0; j < set.tenants_size(); ++j) {
    const std::string& raw = set.tenants(j);
    std::string at = absl::StrCat(field, "[", j, "]");
    if (raw.empty()) return absl::InvalidArgumentError(absl::StrCat(at, ": empty"));
    QG_ASSIGN_OR_RETURN(std::string tenant, guard.RequestTenant(ctx, at, raw));
    if (std::find(out.begin(), out.end(), tenant) == out.end()) out.push_back(std::move(tenant));
  }
  return out;
}

}  // namespace

grpc::Status CacheServiceImpl::Invalidate(grpc::ServerContext* context,
                                          const v1::InvalidateRequest* request,
                                          v1::InvalidateResponse* response) {
  auto ctx = guard_->Admit(context, auth::Permission::kInvalidate);
  if (!ctx.ok()) return ToGrpcStatus(ctx.status());
  cache::InvalidationEvent event;
  event.tables.assign(request->tables().begin(), request->tables().end());
  event.queries.assign(request->queries().begin(), request->queries().end());
  event.tags.assign(request->tags().begin(), request->tags().end());
  event.source = "api";
  auto tenant = guard_->RequestTenant(*ctx, "tenant", request->tenant());
  if (!tenant.ok()) {
    guard_->AuditOutcome(*ctx, auth::Permission::kInvalidate, tenant.status(), "invalidate");
    return ToGrpcStatus(tenant.status());
  }
  event.tenant = *std::move(tenant);
  auto done = admin_->Invalidate(event);
  if (!done.ok()) {
    guard_->AuditOutcome(*ctx, auth::Permission::kInvalidate, done.status(), "invalidate");
    return ToGrpcStatus(done.status());
  }
  guard_->AuditOutcome(*ctx, auth::Permission::kInvalidate, absl::OkStatus(),
                       InvalidationDetail(*done));
  response->mutable_tables()->Add(done->tables.begin(), done->tables.end());
  response->mutable_queries()->Add(done->queries.begin(), done->queries.end());
  response->set_tenant(done->tenant);
  return grpc::Status::OK;
}

grpc::Status CacheServiceImpl::Warm(grpc::ServerContext* context, const v1::WarmRequest* request,
                                    grpc::ServerWriter<v1::WarmProgress>* writer) {
  auto ctx = guard_->Admit(context, auth::Permission::kWarm);
  if (!ctx.ok()) return ToGrpcStatus(ctx.status());
  auto refuse = [&](const absl::Status& status) {
    guard_->AuditOutcome(*ctx, auth::Permission::kWarm, status, WarmSetsDetail(*request));
    return ToGrpcStatus(status);
  };
  std::vector<service::WarmSet> sets;
  for (int i = 0; i < request->sets_size(); ++i) {
    const v1::WarmSet& in = request->sets(i);
    if (!in.params_from().empty()) {
      return refuse(absl::InvalidArgumentError(absl::StrCat(
          "sets[", i,
          "].params_from: SQL is not accepted from callers; warm a configured set by name")));
    }
    service::WarmSet set;
    set.name = in.name();
    set.query = in.query();
    set.model = in.model();
    auto tenants = WarmTenants(*guard_, *ctx, in, i);
    if (!tenants.ok()) return refuse(tenants.status());
    set.tenants = *std::move(tenants);
    for (int j = 0; j < in.params_size(); ++j) {
      std::map<std::string, Value> params;
      for (const auto& [name, value] : in.params(j).fields()) {
        auto converted = FromProto(value, absl::StrCat("sets[", i, "].params[", j, "].", name));
        if (!converted.ok()) return refuse(converted.status());
        params.emplace(name, *std::move(converted));
      }
      set.params.push_back(std::move(params));
    }
    sets.push_back(std::move(set));
  }
  const bool show_details = guard_->Allows(*ctx, auth::Permission::kWarmDetails);
  service::WarmProgress last;
  auto progress = [writer, &last](const service::WarmProgress& p) {
    last = p;
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
  absl::Status status = admin_->Warm(sets, request->concurrency(), *ctx, progress, show_details);
  std::string detail = WarmSetsDetail(*request);
  if (status.ok()) {
    absl::StrAppend(&detail, ": ", last.total, " entries, ", last.failed, " failed");
  }
  guard_->AuditOutcome(*ctx, auth::Permission::kWarm, status, detail);
  return ToGrpcStatus(status);
}

grpc::Status CacheServiceImpl::Stats(grpc::ServerContext* context, const v1::StatsRequest*,
                                     v1::StatsResponse* response) {
  auto ctx = guard_->Admit(context, auth::Permission::kStats);
  if (!ctx.ok()) return ToGrpcStatus(ctx.status());
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
  const service::LocalTierStats& l1 = stats.local_tier;
  v1::LocalTier* tier = response->mutable_local_tier();
  tier->set_enabled(l1.enabled);
  tier->set_serving(l1.serving);
  tier->set_budget_bytes(l1.budget_bytes);
  tier->set_bytes(l1.bytes);
  tier->set_entries(l1.entries);
  tier->set_evictions(l1.evictions);
  tier->set_rejections(l1.rejections);
  tier->set_leases_granted(l1.leases_granted);
  tier->set_lease_refusals(l1.lease_refusals);
  tier->set_acknowledgement_timeouts(l1.acknowledgement_timeouts);
  return grpc::Status::OK;
}

grpc::Status CacheServiceImpl::Insights(grpc::ServerContext* context,
                                        const v1::InsightsRequest* request,
                                        v1::InsightsResponse* response) {
  auto ctx = guard_->Admit(context, auth::Permission::kStats);
  if (!ctx.ok()) return ToGrpcStatus(ctx.status());
  if (insights_ == nullptr) {
    return ToGrpcStatus(absl::FailedPreconditionError("insights are not enabled on this server"));
  }
  auto report = insights_->Report(request->limit());
  if (!report.ok()) return ToGrpcStatus(report.status());
  InsightsToProto(*report, *response);
  return grpc::Status::OK;
}

grpc::Status CacheServiceImpl::Advise(grpc::ServerContext* context,
                                      const v1::AdviseRequest* request,
                                      v1::AdviseResponse* response) {
  auto ctx = guard_->Admit(context, auth::Permission::kStats);
  if (!ctx.ok()) return ToGrpcStatus(ctx.status());
  if (advisor_ == nullptr) {
    return ToGrpcStatus(
        absl::FailedPreconditionError("the index advisor is not enabled on this server"));
  }
  auto advice = advisor_->Advise(request->limit(), request->min_cost_reduction());
  if (!advice.ok()) return ToGrpcStatus(advice.status());
  AdviceToProto(*advice, *response);
  return grpc::Status::OK;
}

}  // namespace querygate::rpc
