#include "client/internal/proto_conversion.h"

#include "wire/value_conversion.h"

namespace querygate::client::internal {

Value FromProto(const v1::Value& value) {
  absl::StatusOr<Value> converted = wire::FromProto(value, "");
  return converted.ok() ? *std::move(converted) : Value();
}

void ToProto(const Value& value, v1::Value& out) { wire::ToProto(value, out); }

Value::Struct FromProto(const v1::StructValue& value) {
  Value::Struct fields;
  for (const auto& [key, item] : value.fields()) fields.emplace(key, FromProto(item));
  return fields;
}

void ToProto(const Value::Struct& fields, v1::StructValue& out) {
  auto* map = out.mutable_fields();
  for (const auto& [key, item] : fields) ToProto(item, (*map)[key]);
}

v1::CacheMode ToProto(CacheMode mode) {
  switch (mode) {
    case CacheMode::kDefault:
      return v1::CACHE_MODE_UNSPECIFIED;
    case CacheMode::kBypass:
      return v1::CACHE_MODE_BYPASS;
    case CacheMode::kRefresh:
      return v1::CACHE_MODE_REFRESH;
    case CacheMode::kOnlyCached:
      return v1::CACHE_MODE_ONLY_CACHED;
  }
  return v1::CACHE_MODE_UNSPECIFIED;
}

CacheInfo FromProto(const v1::CacheInfo& info) {
  CacheInfo out;
  switch (info.status()) {
    case v1::CACHE_STATUS_HIT:
      out.status = CacheStatus::kHit;
      break;
    case v1::CACHE_STATUS_MISS:
      out.status = CacheStatus::kMiss;
      break;
    case v1::CACHE_STATUS_BYPASS:
      out.status = CacheStatus::kBypass;
      break;
    case v1::CACHE_STATUS_STALE:
      out.status = CacheStatus::kStale;
      break;
    default:
      out.status = CacheStatus::kUnspecified;
  }
  out.age = std::chrono::milliseconds(info.age_ms());
  out.ttl = std::chrono::milliseconds(info.ttl_ms());
  out.tier = info.tier() == v1::CACHE_TIER_LOCAL    ? CacheTier::kLocal
             : info.tier() == v1::CACHE_TIER_SHARED ? CacheTier::kShared
                                                    : CacheTier::kUnspecified;
  return out;
}

Result FromProto(const v1::ExecuteResponse& response) {
  Result result;
  result.columns.reserve(response.columns_size());
  for (const v1::Column& c : response.columns()) result.columns.push_back({c.name(), c.type()});
  result.rows.reserve(response.rows_size());
  for (const v1::Row& row : response.rows()) {
    std::vector<Value> values;
    values.reserve(row.values_size());
    for (const v1::Value& v : row.values()) values.push_back(FromProto(v));
    result.rows.push_back(std::move(values));
  }
  result.cache = FromProto(response.cache());
  return result;
}

QueryInfo FromProto(const v1::QueryInfo& info) {
  QueryInfo out;
  out.name = info.name();
  out.description = info.description();
  for (const v1::QueryParam& p : info.params()) {
    QueryParamInfo param{p.name(), p.type(), p.nullable(), p.required(), std::nullopt};
    if (p.has_default_value()) param.default_value = FromProto(p.default_value());
    out.params.push_back(std::move(param));
  }
  for (const v1::Column& c : info.columns()) out.columns.push_back({c.name(), c.type()});
  out.ttl = std::chrono::milliseconds(info.ttl_ms());
  out.tables.assign(info.tables().begin(), info.tables().end());
  out.tags.assign(info.tags().begin(), info.tags().end());
  out.roles.assign(info.roles().begin(), info.roles().end());
  out.source_file = info.source_file();
  out.tenant_scoped = info.tenant_scoped();
  return out;
}

WarmProgress FromProto(const v1::WarmProgress& progress) {
  WarmProgress out;
  out.total = progress.total();
  out.done = progress.done();
  out.failed = progress.failed();
  out.elapsed = std::chrono::milliseconds(progress.elapsed_ms());
  out.finished = progress.finished();
  for (const v1::WarmFailure& f : progress.failures()) {
    out.failures.push_back({f.query(), FromProto(f.params()), f.error()});
  }
  return out;
}

namespace {

CacheCounters FromProto(const v1::CacheCounters& c) {
  return CacheCounters{c.name(),
                       c.hits(),
                       c.misses(),
                       c.bypasses(),
                       c.hit_ratio(),
                       c.fills(),
                       c.invalidations_write(),
                       c.invalidations_event(),
                       c.invalidations_trigger()};
}

PoolFigures FromProto(const v1::PoolFigures& p) {
  return PoolFigures{p.active(), p.idle(), p.waiting(), p.created(), p.broken(), p.max()};
}

}  // namespace

ServerStats FromProto(const v1::StatsResponse& stats) {
  ServerStats out;
  for (const auto& c : stats.queries()) out.queries.push_back(FromProto(c));
  for (const auto& c : stats.models()) out.models.push_back(FromProto(c));
  out.database_pool = FromProto(stats.database_pool());
  out.redis_pool = FromProto(stats.redis_pool());
  out.redis_healthy = stats.redis_healthy();
  out.database_healthy = stats.database_healthy();
  out.uptime = std::chrono::milliseconds(stats.uptime_ms());
  out.warm_status = stats.warm_status();
  return out;
}

void ToProto(const WarmRequest& request, v1::WarmRequest& out) {
  out.set_concurrency(request.concurrency);
  for (const WarmSet& set : request.sets) {
    v1::WarmSet* s = out.add_sets();
    s->set_name(set.name);
    s->set_query(set.query);
    s->set_model(set.model);
    for (const Value::Struct& params : set.params) ToProto(params, *s->add_params());
    for (const std::string& tenant : set.tenants) s->add_tenants(tenant);
  }
}

Record FromProto(const v1::Record& record) {
  Record out;
  for (const auto& [key, item] : record.fields()) out.fields.emplace(key, FromProto(item));
  return out;
}

void ToProto(const Record& record, v1::Record& out) {
  auto* fields = out.mutable_fields();
  for (const auto& [key, item] : record.fields) ToProto(item, (*fields)[key]);
}

namespace {

v1::Operator ToProto(Operator op) {
  switch (op) {
    case Operator::kEq:
      return v1::EQ;
    case Operator::kNe:
      return v1::NE;
    case Operator::kLt:
      return v1::LT;
    case Operator::kLe:
      return v1::LE;
    case Operator::kGt:
      return v1::GT;
    case Operator::kGe:
      return v1::GE;
    case Operator::kIn:
      return v1::IN;
    case Operator::kNotIn:
      return v1::NOT_IN;
    case Operator::kIsNull:
      return v1::IS_NULL;
    case Operator::kIsNotNull:
      return v1::IS_NOT_NULL;
    case Operator::kBetween:
      return v1::BETWEEN;
    case Operator::kLike:
      return v1::LIKE;
    case Operator::kILike:
      return v1::ILIKE;
    case Operator::kMatch:
      return v1::MATCH;
  }
  return v1::OPERATOR_UNSPECIFIED;
}

}  // namespace

void ToProto(const Filter& filter, v1::Filter& out) {
  switch (filter.kind) {
    case Filter::Kind::kMatchAll:
      out.Clear();
      return;
    case Filter::Kind::kCondition: {
      v1::Condition* c = out.mutable_condition();
      c->set_field(filter.field);
      c->set_op(ToProto(filter.op));
      if (filter.op != Operator::kIsNull && filter.op != Operator::kIsNotNull) {
        ToProto(filter.value, *c->mutable_value());
      }
      return;
    }
    case Filter::Kind::kAll:
    case Filter::Kind::kAny: {
      v1::FilterList* list =
          filter.kind == Filter::Kind::kAll ? out.mutable_all() : out.mutable_any();
      for (const Filter& child : filter.children) ToProto(child, *list->add_filters());
      return;
    }
    case Filter::Kind::kNot:
      if (!filter.children.empty()) ToProto(filter.children.front(), *out.mutable_not_());
      return;
  }
}

absl::Status FromGrpc(const grpc::Status& status) {
  if (status.ok()) return absl::OkStatus();
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()), status.error_message());
}

}  // namespace querygate::client::internal
