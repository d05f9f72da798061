#include "service/query_service.h"

#include <optional>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/status_macros.h"
#include "service/result_codec.h"

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

bool Cancelled(const CallContext& ctx) { return ctx.cancelled && ctx.cancelled(); }

}  // namespace

QueryService::QueryService(QueryServiceOptions options, const QueryRegistry* registry,
                           db::ConnectionPool* pool, cache::QueryCache* cache,
                           db::CancelWatcher* watcher)
    : options_(std::move(options)),
      registry_(registry),
      pool_(pool),
      cache_(cache),
      watcher_(watcher) {
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
      QG_RETURN_IF_ERROR(CheckEnum(param, registry_->schema(), *value));
      QG_ASSIGN_OR_RETURN(std::string text,
                          db::EncodeParam(*value, BindTypeOf(param.type), param.name));
      by_param[i] = std::move(text);
    }
    bound.for_key.push_back({param.name, param.type_text, by_param[i]});
  }
  for (size_t index : query.bind_params) bound.params.push_back(by_param[index]);
  return bound;
}

absl::StatusOr<SharedResult> QueryService::ReadDatabase(const RegisteredQuery& query,
                                                        const Bound& bound,
                                                        const CallContext& ctx) {
  if (absl::Now() >= ctx.deadline) {
    return absl::DeadlineExceededError("deadline passed before the query was sent");
  }
  if (Cancelled(ctx)) return absl::CancelledError("the call was cancelled");
  QG_ASSIGN_OR_RETURN(db::Lease lease, pool_->Acquire(ctx.deadline));
  if (!lease->IsPrepared(query.statement)) {
    QG_RETURN_IF_ERROR(lease->Prepare(query.statement, query.sql));
  }
  absl::Duration timeout = ctx.deadline == absl::InfiniteFuture() ? options_.default_timeout
                                                                  : ctx.deadline - absl::Now();
  if (timeout <= absl::ZeroDuration()) {
    return absl::DeadlineExceededError("deadline passed before the query was sent");
  }
  std::optional<db::CancelWatcher::Handle> watch;
  if (ctx.cancelled) watch.emplace(watcher_->Watch(&*lease, ctx.cancelled));
  auto rows = lease->QueryPreparedWithTimeout(query.statement, bound.params, timeout);
  watch.reset();
  if (!rows.ok()) {
    if (Cancelled(ctx)) return absl::CancelledError("the call was cancelled");
    return rows.status();
  }
  if (static_cast<int64_t>(rows->rows.size()) > options_.max_rows) {
    return absl::ResourceExhaustedError(
        absl::StrCat("query ", query.def.name, " returned ", rows->rows.size(),
                     " rows, more than the limit of ", options_.max_rows));
  }
  auto result = std::make_shared<QueryResult>();
  result->columns.reserve(rows->columns.size());
  for (const db::ResultColumn& c : rows->columns) {
    result->columns.push_back({c.name, db::TypeNameForOid(c.type_oid)});
  }
  result->rows.reserve(rows->rows.size());
  for (const auto& cells : rows->rows) {
    std::vector<Value> values;
    values.reserve(cells.size());
    for (size_t c = 0; c < cells.size(); ++c) {
      if (!cells[c]) {
        values.emplace_back();
        continue;
      }
      QG_ASSIGN_OR_RETURN(Value v, db::DecodeCell(rows->columns[c].type_oid, *cells[c]));
      values.push_back(std::move(v));
    }
    result->rows.push_back(std::move(values));
  }
  return SharedResult(std::move(result));
}

absl::StatusOr<SharedResult> QueryService::LoadAndFill(const RegisteredQuery& query,
                                                       const Bound& bound, const std::string& key,
                                                       const cache::Generations& generations,
                                                       const CallContext& ctx) {
  QG_ASSIGN_OR_RETURN(SharedResult result, ReadDatabase(query, bound, ctx));
  cache::Generations stamp = generations;
  if (!options_.stale_fill_guard) {
    auto after = cache_->CurrentGenerations(query.dependencies);
    if (!after.ok()) return result;
    stamp = *after;
  }
  if (cache_->Fill(key, EncodeResult(*result), stamp, query.ttl).ok()) {
    counters_.at(query.def.name)->fills.fetch_add(1, std::memory_order_relaxed);
  }
  return result;
}

absl::StatusOr<ExecuteResponse> QueryService::Execute(const ExecuteRequest& request,
                                                      const CallContext& ctx) {
  const RegisteredQuery* query = registry_->Find(request.query);
  if (query == nullptr) {
    return absl::NotFoundError(absl::StrCat("query: unknown query '", request.query, "'"));
  }
  QueryCounters& counters = *counters_.at(query->def.name);
  QG_ASSIGN_OR_RETURN(Bound bound, Bind(*query, request.params));
  if (absl::Now() >= ctx.deadline) {
    return absl::DeadlineExceededError("deadline passed before the query was sent");
  }
  auto bypass = [&]() -> absl::StatusOr<ExecuteResponse> {
    QG_ASSIGN_OR_RETURN(SharedResult result, ReadDatabase(*query, bound, ctx));
    counters.bypasses.fetch_add(1, std::memory_order_relaxed);
    return ExecuteResponse{std::move(result), {CacheStatus::kBypass, 0, 0}};
  };
  if (!query->cached || request.cache_mode == CacheMode::kBypass) {
    if (request.cache_mode == CacheMode::kOnlyCached) {
      return absl::FailedPreconditionError(
          absl::StrCat("query ", query->def.name, " is not cached"));
    }
    return bypass();
  }
  std::string key =
      cache_->Key(CacheKeySuffix({options_.schema_version, query->def.name, bound.for_key, ""}));
  cache::Generations generations;
  if (request.cache_mode != CacheMode::kRefresh) {
    cache::CacheLookup lookup = cache_->Lookup(key, query->dependencies);
    if (lookup.outcome == cache::CacheLookup::Outcome::kHit) {
      auto decoded = DecodeResult(lookup.payload);
      if (decoded.ok()) {
        counters.hits.fetch_add(1, std::memory_order_relaxed);
        return ExecuteResponse{std::make_shared<const QueryResult>(*std::move(decoded)),
                               {CacheStatus::kHit, lookup.age_ms, lookup.ttl_ms}};
      }
    }
    if (lookup.outcome == cache::CacheLookup::Outcome::kUnavailable) {
      if (request.cache_mode == CacheMode::kOnlyCached) {
        return absl::UnavailableError("the cache is unavailable");
      }
      return bypass();
    }
    if (request.cache_mode == CacheMode::kOnlyCached) {
      return absl::NotFoundError(
          absl::StrCat("query ", query->def.name, ": no cached result for these parameters"));
    }
    generations = std::move(lookup.generations);
  }
  if (options_.stale_fill_guard && generations.empty()) {
    auto current = cache_->CurrentGenerations(query->dependencies);
    if (!current.ok()) return bypass();
    generations = *std::move(current);
  }
  std::string flight = absl::StrCat(key, "@", absl::StrJoin(generations, "."));
  bool leader = false;
  auto load = [&] { return LoadAndFill(*query, bound, key, generations, ctx); };
  absl::StatusOr<SharedResult> result = flights_.Do(flight, ctx.deadline, load, &leader);
  if (!result.ok() && !leader &&
      (result.status().code() == absl::StatusCode::kDeadlineExceeded ||
       result.status().code() == absl::StatusCode::kCancelled) &&
      absl::Now() < ctx.deadline && !Cancelled(ctx)) {
    result = load();
  }
  if (!result.ok()) return result.status();
  counters.misses.fetch_add(1, std::memory_order_relaxed);
  return ExecuteResponse{*std::move(result),
                         {CacheStatus::kMiss, 0, absl::ToInt64Milliseconds(query->ttl)}};
}

absl::Status QueryService::Invalidate(const InvalidateRequest& request) {
  std::vector<std::string> dependencies;
  for (const std::string& table : request.tables) {
    if (table.empty()) return absl::InvalidArgumentError("tables: empty table name");
    dependencies.push_back(TableDependency(table));
  }
  for (const std::string& name : request.queries) {
    if (registry_->Find(name) == nullptr) {
      return absl::NotFoundError(absl::StrCat("queries: unknown query '", name, "'"));
    }
    dependencies.push_back(QueryDependency(name));
  }
  for (const std::string& tag : request.tags) dependencies.push_back(TagDependency(tag));
  if (dependencies.empty()) {
    return absl::InvalidArgumentError("tables, queries or tags: name at least one");
  }
  return cache_->Invalidate(dependencies);
}

}  // namespace querygate::service
