#include "service/query_service.h"

#include <optional>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/status_macros.h"
#include "service/access_check.h"
#include "service/result_codec.h"
#include "service/vector_text.h"

namespace querygate::service {
namespace {

absl::Status CheckEnum(const schema::QueryParam& param, const schema::Schema& schema,
                       const Value& value) {
  if (param.type.ScalarKind() != schema::TypeKind::kEnum) return absl::OkStatus();
  const schema::Enum* e = schema.FindEnum(param.type.enum_name);
  auto check = [&](const Value& v) -> absl::Status {
    if (v.kind() == Value::Kind::kString && e != nullptr && !e->Contains(v.string_value())) {
      return absl::InvalidArgumentError(absl::StrCat("parameter ", param.name, ": \"",
                                                     v.string_value(), "\" is not one of ",
                                                     absl::StrJoin(e->values, ", ")));
    }
    return absl::OkStatus();
  };
  if (value.kind() == Value::Kind::kList) {
    for (const Value& item : value.list_value()) QG_RETURN_IF_ERROR(check(item));
    return absl::OkStatus();
  }
  return check(value);
}

}  // namespace

void CountHit(QueryCounters& counters, const CacheInfo& cache) {
  counters.hits.fetch_add(1, std::memory_order_relaxed);
  if (cache.tier == CacheTier::kLocal) counters.l1_hits.fetch_add(1, std::memory_order_relaxed);
}

void CountOutcome(QueryCounters& counters, const CacheInfo& cache, bool filled, bool coalesced) {
  switch (cache.status) {
    case CacheStatus::kHit:
      CountHit(counters, cache);
      break;
    case CacheStatus::kStale:
      counters.stale.fetch_add(1, std::memory_order_relaxed);
      break;
    case CacheStatus::kMiss:
      counters.misses.fetch_add(1, std::memory_order_relaxed);
      break;
    default:
      counters.bypasses.fetch_add(1, std::memory_order_relaxed);
      break;
  }
  if (filled) counters.fills.fetch_add(1, std::memory_order_relaxed);
  if (coalesced) counters.coalesced.fetch_add(1, std::memory_order_relaxed);
}

QueryService::QueryService(QueryServiceOptions options, const QueryRegistry* registry,
                           const DatabaseReader* reader, CachedReader* cached)
    : options_(std::move(options)),
      registry_(registry),
      reader_(reader),
      cached_(cached),
      tenants_(&registry->schema()) {
  for (const RegisteredQuery& q : registry_->queries()) {
    counters_[q.def.name] = std::make_unique<QueryCounters>();
  }
}

const QueryCounters* QueryService::Counters(const std::string& query) const {
  auto it = counters_.find(query);
  return it == counters_.end() ? nullptr : it->second.get();
}

absl::StatusOr<QueryService::Bound> QueryService::Bind(
    const RegisteredQuery& query, const std::map<std::string, Value>& params) const {
  const schema::NamedQuery& def = query.def;
  for (const auto& [name, value] : params) {
    if (def.FindParam(name) == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat("parameter ", name, ": query ", def.name, " has no such parameter"));
    }
  }
  std::vector<db::Cell> by_param(def.params.size());
  Bound bound;
  for (size_t i = 0; i < def.params.size(); ++i) {
    const schema::QueryParam& param = def.params[i];
    auto given = params.find(param.name);
    const Value* value = nullptr;
    Value null_value;
    if (given != params.end()) {
      value = &given->second;
    } else if (param.default_value) {
      value = &*param.default_value;
    } else if (param.nullable) {
      value = &null_value;
    } else {
      return absl::InvalidArgumentError(
          absl::StrCat("parameter ", param.name, ": missing (type ", param.type_text, ")"));
    }
    if (value->is_null()) {
      if (!param.nullable) {
        return absl::InvalidArgumentError(
            absl::StrCat("parameter ", param.name, ": must not be null"));
      }
    } else {
      if (value->kind() == Value::Kind::kList &&
          value->list_value().size() > static_cast<size_t>(options_.max_array_elements)) {
        return absl::InvalidArgumentError(absl::StrCat("parameter ", param.name, ": more than ",
                                                       options_.max_array_elements,
                                                       " elements (limits.max_array_elements)"));
      }
      QG_RETURN_IF_ERROR(CheckEnum(param, registry_->schema(), *value));
      if (param.type.kind == schema::TypeKind::kVector) {
        QG_ASSIGN_OR_RETURN(by_param[i], EncodeVectorValue(*value, param.type.dimensions,
                                                           absl::StrCat("parameter ", param.name)));
      } else {
        QG_ASSIGN_OR_RETURN(std::string text,
                            db::EncodeParam(*value, BindTypeOf(param.type), param.name));
        by_param[i] = std::move(text);
      }
    }
    bound.for_key.push_back({param.name, param.type_text, by_param[i]});
  }
  for (size_t index : query.bind_params) bound.params.push_back(by_param[index]);
  return bound;
}

absl::Status QueryService::Admit(const RegisteredQuery& query, const CallContext& ctx) const {
  QG_RETURN_IF_ERROR(CheckQueryAccess(query.def, query.tables, registry_->schema(), ctx));
  if (!query.tenant_scoped || !ctx.tenant.empty()) return absl::OkStatus();
  return TenantScope::RequireIfScoped(ctx, true, absl::StrCat("query ", query.def.name));
}

CachedRead QueryService::ReadFor(const RegisteredQuery& query, const Bound& bound, CacheMode mode,
                                 const CallContext& ctx) const {
  // Role checks are all-or-nothing and run before the cache, so an entry never depends on the
  // caller's roles; it depends on the tenant when the query reads a tenant-scoped table.
  CachedRead read;
  read.key = cached_->Key({options_.schema_version, query.def.name, bound.for_key,
                           TenantScope::KeyScopeIfScoped(ctx, query.tenant_scoped), ""});
  read.dependencies = query.dependencies;
  if (query.tenant_scoped && !ctx.tenant.empty()) {
    for (const std::string& table : query.tables) {
      if (tenants_.IsScoped(table)) {
        read.dependencies.push_back(TenantTableDependency(table, ctx.tenant));
      }
    }
  }
  read.ttl = query.ttl;
  read.mode = mode;
  read.local = query.def.local_cache;
  read.stale_while_revalidate = absl::Seconds(query.def.stale_while_revalidate_seconds);
  read.stale_if_error = absl::Seconds(query.def.stale_if_error_seconds);
  return read;
}

void QueryService::TryCached(const ExecuteRequest& request, const CallContext& ctx,
                             TryCachedCallback done) {
  const RegisteredQuery* query = registry_->Find(request.query);
  if (query == nullptr) {
    done(absl::NotFoundError(absl::StrCat("query: unknown query '", request.query, "'")));
    return;
  }
  if (absl::Status allowed = Admit(*query, ctx); !allowed.ok()) {
    done(std::move(allowed));
    return;
  }
  absl::StatusOr<Bound> bound = Bind(*query, request.params);
  if (!bound.ok()) {
    done(bound.status());
    return;
  }
  if (!query->cached || request.cache_mode != CacheMode::kDefault) {
    done(std::optional<ExecuteResponse>());
    return;
  }
  QueryCounters* counters = counters_.at(query->def.name).get();
  cached_->TryHit(ReadFor(*query, *bound, request.cache_mode, ctx),
                  [counters, done = std::move(done)](std::optional<CachedResult> hit) {
                    if (!hit) {
                      done(std::optional<ExecuteResponse>());
                      return;
                    }
                    CountHit(*counters, hit->cache);
                    done(std::optional<ExecuteResponse>(
                        ExecuteResponse{nullptr, hit->cache, std::move(hit->encoded)}));
                  });
}

absl::StatusOr<ExecuteResponse> QueryService::Execute(const ExecuteRequest& request,
                                                      const CallContext& ctx) {
  const RegisteredQuery* query = registry_->Find(request.query);
  if (query == nullptr) {
    return absl::NotFoundError(absl::StrCat("query: unknown query '", request.query, "'"));
  }
  QG_RETURN_IF_ERROR(Admit(*query, ctx));
  QueryCounters& counters = *counters_.at(query->def.name);
  QG_ASSIGN_OR_RETURN(Bound bound, Bind(*query, request.params));
  if (absl::Now() >= ctx.deadline) {
    return absl::DeadlineExceededError("deadline passed before the query was sent");
  }
  Statement statement{
      absl::StrCat("query ", query->def.name), query->sql, std::move(bound.params), {}};
  auto load = [&] { return reader_->Read(statement, ctx); };
  if (!query->cached) {
    if (request.cache_mode == CacheMode::kOnlyCached) {
      return absl::FailedPreconditionError(
          absl::StrCat("query ", query->def.name, " is not cached"));
    }
    QG_ASSIGN_OR_RETURN(SharedResult result, load());
    counters.bypasses.fetch_add(1, std::memory_order_relaxed);
    return ExecuteResponse{std::move(result), {CacheStatus::kBypass, 0, 0}, std::nullopt};
  }
  ResultLoader refresh;
  if (query->def.stale_while_revalidate_seconds > 0) {
    // Owns what it uses: it may run after this call returned.
    CallContext background;
    background.tenant = ctx.tenant;
    background.identity = ctx.identity;
    refresh = [reader = reader_, statement, background]() mutable {
      background.deadline = absl::Now() + kRevalidateTimeout;
      return reader->Read(statement, background);
    };
  }
  auto outcome =
      cached_->Read(ReadFor(*query, bound, request.cache_mode, ctx), ctx, load, std::move(refresh));
  if (!outcome.ok()) {
    if (outcome.status().code() == absl::StatusCode::kNotFound) {
      return absl::NotFoundError(
          absl::StrCat("query ", query->def.name, ": ", outcome.status().message()));
    }
    return outcome.status();
  }
  CountOutcome(counters, outcome->cache, outcome->filled, outcome->coalesced);
  return ExecuteResponse{std::move(outcome->result), outcome->cache, std::move(outcome->encoded)};
}

}  // namespace querygate::service
