#include "service/repository_service.h"

#include <algorithm>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "cache/invalidation_event.h"
#include "common/sha256.h"
#include "common/status_macros.h"
#include "migrate/change_triggers.h"
#include "schema/tenancy.h"
#include "service/access_check.h"
#include "service/cache_key.h"
#include "service/query_registry.h"
#include "service/repository_fields.h"
#include "service/repository_order.h"
#include "service/repository_page_token.h"
#include "service/repository_scoring.h"

namespace querygate::service {
namespace {

// The cache key parameters of a read: its SQL, its bound values and anything else that
// shapes the answer.
std::vector<BoundParam> KeyOf(const Statement& statement,
                              std::vector<std::pair<std::string, std::string>> extra) {
  std::vector<BoundParam> key{{"sql", "", statement.sql}};
  for (size_t i = 0; i < statement.params.size(); ++i) {
    key.push_back({absl::StrCat("$", i + 1), "", statement.params[i]});
  }
  for (auto& [name, text] : extra) key.push_back({name, "", std::move(text)});
  return key;
}

SharedResult OneValue(const std::string& column, Value value) {
  auto result = std::make_shared<QueryResult>();
  result->columns.push_back({column, ""});
  result->rows.push_back({std::move(value)});
  return result;
}

std::string ParamsFingerprint(const std::string& head, const db::Params& params) {
  std::string all = absl::StrCat(head.size(), ":", head);
  for (const db::Cell& cell : params) {
    if (cell) {
      absl::StrAppend(&all, "v", cell->size(), ":", *cell);
    } else {
      all += "n";
    }
  }
  return Sha256Hex(all).substr(0, 16);
}

absl::Status Prefixed(const absl::Status& status, const std::string& label) {
  if (label.empty()) return status;
  return absl::Status(status.code(), absl::StrCat(label, ": ", status.message()));
}

std::string JoinPath(const std::string& prefix, absl::string_view name) {
  return prefix.empty() ? std::string(name) : absl::StrCat(prefix, ".", name);
}

// The field holding `model`'s tenant (its tenant column: the tenancy column, or the primary
// key of the tenant model), or nullptr for a global model.
const schema::Field* TenantField(const schema::Model& model) {
  if (!model.tenant_scoped()) return nullptr;
  for (const schema::Field& field : model.fields) {
    if (field.column == model.tenant_column) return &field;
  }
  return nullptr;
}

// Returns the canonical tenant a record's value for the tenant field names. Fails with
// INVALID_ARGUMENT naming `path` for a value that is no tenant id.
absl::StatusOr<std::string> TenantOfValue(const schema::Schema& schema, const schema::Field& field,
                                          const Value& value, const std::string& path) {
  QG_ASSIGN_OR_RETURN(std::string text, EncodeFieldValue(schema, field, value, path));
  auto tenant = schema::CanonicalTenant(*schema.tenancy, text);
  if (!tenant.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": ", tenant.status().message()));
  }
  return tenant;
}

}  // namespace

RepositoryService::RepositoryService(RepositoryOptions options, const schema::Schema* schema,
                                     const DatabaseReader* reader, CachedReader* cached,
                                     db::ConnectionPool* pool, WriteInvalidator invalidator)
    : options_(std::move(options)),
      schema_(schema),
      reader_(reader),
      cached_(cached),
      pool_(pool),
      planner_(schema, &uuids_),
      invalidator_(std::move(invalidator)),
      tenants_(schema) {
  for (const schema::Model& model : schema_->models) {
    counters_[model.name] = std::make_unique<QueryCounters>();
  }
}

const QueryCounters* RepositoryService::Counters(const std::string& model) const {
  auto it = counters_.find(model);
  return it == counters_.end() ? nullptr : it->second.get();
}

FilterLimits RepositoryService::filter_limits() const {
  return {options_.max_filter_depth, options_.max_in_list, options_.max_filter_nodes};
}

void RepositoryService::InvalidateAfterCommit(const std::set<std::string>& tables,
                                              const CallContext& ctx) {
  if (invalidator_) (void)invalidator_(tables, tenants_.WriteTenant(ctx, tables));
}

absl::Status RepositoryService::RequireTenant(const Read& read, const CallContext& ctx) const {
  QG_RETURN_IF_ERROR(
      tenants_.Require(ctx, {read.model->table}, absl::StrCat("model ", read.model->name)));
  return tenants_.Require(ctx, read.tables, absl::StrCat("an include of model ", read.model->name));
}

absl::Status RepositoryService::RequireWriteTenant(const std::string& model,
                                                   const CallContext& ctx) const {
  auto found = FindRepositoryModel(*schema_, model);
  if (!found.ok()) return absl::OkStatus();
  return tenants_.Require(ctx, {(*found)->table}, absl::StrCat("model ", (*found)->name));
}

absl::Status RepositoryService::ApplyTenant(const std::string& model, Record& record,
                                            const std::string& path, const CallContext& ctx) const {
  auto found = FindRepositoryModel(*schema_, model);
  if (!found.ok() || ctx.tenant.empty() || !schema_->tenancy) return absl::OkStatus();
  const schema::Field* field = TenantField(**found);
  if (field == nullptr) return absl::OkStatus();
  std::string field_path = JoinPath(path, field->name);
  auto given = record.find(field->name);
  if (given == record.end()) {
    if (field->type.kind == schema::TypeKind::kInt32 ||
        field->type.kind == schema::TypeKind::kInt64) {
      int64_t number = 0;
      if (!absl::SimpleAtoi(ctx.tenant, &number)) {
        return absl::PermissionDeniedError("tenant: not an integer");
      }
      record[field->name] = Value::Int(number);
    } else {
      record[field->name] = Value::String(ctx.tenant);
    }
    return absl::OkStatus();
  }
  if (given->second.is_null()) return absl::OkStatus();  // the planner refuses the null
  QG_ASSIGN_OR_RETURN(std::string tenant,
                      TenantOfValue(*schema_, *field, given->second, field_path));
  if (tenant != ctx.tenant) {
    return absl::PermissionDeniedError(absl::StrCat(field_path, ": names another tenant"));
  }
  return absl::OkStatus();
}

absl::Status RepositoryService::CheckTenantUpdate(RepoUpdateRequest& request,
                                                  const std::string& path,
                                                  const CallContext& ctx) const {
  auto found = FindRepositoryModel(*schema_, request.model);
  if (!found.ok() || ctx.tenant.empty() || !schema_->tenancy) return absl::OkStatus();
  const schema::Model& model = **found;
  const schema::Field* field = TenantField(model);
  // The tenant model's tenant column is its key, which the planner never lets change.
  if (field == nullptr || field->primary_key) return absl::OkStatus();
  bool masked = false;
  if (request.update_mask) {
    for (const std::string& name : *request.update_mask) masked = masked || name == field->name;
  }
  auto given = request.record.find(field->name);
  bool targeted = request.update_mask ? masked : given != request.record.end();
  if (!targeted) return absl::OkStatus();
  std::string field_path = JoinPath(JoinPath(path, "record"), field->name);
  if (given == request.record.end() || given->second.is_null()) {
    return absl::PermissionDeniedError(
        absl::StrCat(field_path, ": the tenant of a row cannot change"));
  }
  QG_ASSIGN_OR_RETURN(std::string tenant,
                      TenantOfValue(*schema_, *field, given->second, field_path));
  if (tenant != ctx.tenant) {
    return absl::PermissionDeniedError(absl::StrCat(field_path, ": names another tenant"));
  }
  // Setting the row's own tenant again changes nothing: leave the column alone.
  request.record.erase(field->name);
  if (request.update_mask) {
    auto& mask = *request.update_mask;
    mask.erase(std::remove(mask.begin(), mask.end(), field->name), mask.end());
  }
  return absl::OkStatus();
}

absl::StatusOr<CachedResult> RepositoryService::ReadThrough(const Read& read,
                                                            const CallContext& ctx,
                                                            const Loader& load, int* statements) {
  StatementRunner run = [&](const Statement& statement) {
    statements_.fetch_add(1, std::memory_order_relaxed);
    ++*statements;
    return reader_->Read(statement, ctx);
  };
  auto loader = [&] { return load(run); };
  absl::Duration ttl = read.model->cache_ttl_seconds ? absl::Seconds(*read.model->cache_ttl_seconds)
                                                     : options_.default_ttl;
  CacheMode mode = read.mode;
  QueryCounters* counters = nullptr;
  if (auto it = counters_.find(read.model->name); it != counters_.end()) {
    counters = it->second.get();
  }
  if (ttl <= absl::ZeroDuration()) {
    if (mode == CacheMode::kOnlyCached) {
      return absl::FailedPreconditionError(
          absl::StrCat("model ", read.model->name, " is not cached"));
    }
    QG_ASSIGN_OR_RETURN(SharedResult result, loader());
    if (counters != nullptr) counters->bypasses.fetch_add(1, std::memory_order_relaxed);
    return CachedResult{std::move(result), {CacheStatus::kBypass, 0, 0}, false, std::nullopt};
  }
  // Role checks ran before this and are all-or-nothing, so the entry never depends on roles;
  // it is per tenant when the read touches a tenant-scoped table.
  CachedRead cached;
  cached.key =
      cached_->Key({options_.schema_version, absl::StrCat("repo.", read.model->name, ".", read.op),
                    read.key, tenants_.KeyScope(ctx, read.tables), ""});
  tenants_.AddDependencies(ctx, read.tables, cached.dependencies);
  cached.dependencies.push_back(kEpochDependency);
  cached.ttl = ttl;
  cached.mode = mode;
  cached.local = read.model->local_cache;
  cached.stale_while_revalidate = absl::Seconds(read.model->stale_while_revalidate_seconds);
  cached.stale_if_error = absl::Seconds(read.model->stale_if_error_seconds);
  ResultLoader refresh;
  if (read.model->stale_while_revalidate_seconds > 0) {
    CallContext background;
    background.tenant = ctx.tenant;
    background.identity = ctx.identity;
    refresh = [this, load, background]() mutable {
      background.deadline = absl::Now() + kRevalidateTimeout;
      StatementRunner run = [this, &background](const Statement& statement) {
        statements_.fetch_add(1, std::memory_order_relaxed);
        return reader_->Read(statement, background);
      };
      return load(run);
    };
  }
  auto outcome = cached_->Read(cached, ctx, loader, std::move(refresh));
  if (outcome.ok() && counters != nullptr) {
    CountOutcome(*counters, outcome->cache, outcome->filled, outcome->coalesced);
  }
  return outcome;
}

absl::StatusOr<RepoGetResponse> RepositoryService::Get(const RepoGetRequest& request,
                                                       const CallContext& ctx) {
  QG_ASSIGN_OR_RETURN(const schema::Model* model, FindRepositoryModel(*schema_, request.model));
  QG_RETURN_IF_ERROR(CheckModelAccess(*schema_, *model, ModelAccess::kRead, ctx));
  QG_ASSIGN_OR_RETURN(IncludeTree tree,
                      ParseIncludes(*schema_, *model, request.include, options_.max_include_depth));
  QG_RETURN_IF_ERROR(CheckIncludeAccess(*schema_, tree, ctx));
  SqlParams params;
  QG_ASSIGN_OR_RETURN(std::string where, KeyPredicate(*schema_, *model, request.id, "id", params));
  Statement statement;
  statement.label = absl::StrCat("Get ", model->name);
  statement.sql = absl::StrCat("SELECT ", SelectList(*model), " FROM ", QuoteIdent(model->table),
                               " WHERE ", where, NotDeletedClause(*model));
  statement.params = params.Take();
  Read read;
  read.model = model;
  read.op = "get";
  read.key = KeyOf(statement, {{"include", IncludeFingerprint(tree)}});
  read.tables = {model->table};
  AddIncludeTables(tree, read.tables);
  read.mode = request.cache_mode;
  // Loaders own what they use: a background revalidation may run them after the call.
  auto load = [this, statement, tree,
               model](const StatementRunner& run) -> absl::StatusOr<SharedResult> {
    QG_ASSIGN_OR_RETURN(SharedResult rows, run(statement));
    Value record;
    if (!rows->rows.empty()) {
      std::vector<Record> records{RowToRecord(*model, rows->rows[0])};
      QG_RETURN_IF_ERROR(
          LoadIncludes(*schema_, *model, tree, records, run, options_.max_include_rows));
      record = Value::StructOf(std::move(records[0]));
    }
    return OneValue("record", std::move(record));
  };
  QG_RETURN_IF_ERROR(RequireTenant(read, ctx));
  RepoGetResponse response;
  QG_ASSIGN_OR_RETURN(CachedResult result, ReadThrough(read, ctx, load, &response.statements));
  const Value& record = result.result->rows.at(0).at(0);
  if (record.kind() != Value::Kind::kStruct) {
    return absl::NotFoundError(absl::StrCat(model->name, ": no row with this id"));
  }
  response.record = record.struct_value();
  response.cache = result.cache;
  return response;
}

absl::StatusOr<RepoListResponse> RepositoryService::List(const RepoListRequest& request,
                                                         const CallContext& ctx) {
  QG_ASSIGN_OR_RETURN(const schema::Model* model, FindRepositoryModel(*schema_, request.model));
  QG_RETURN_IF_ERROR(CheckModelAccess(*schema_, *model, ModelAccess::kRead, ctx));
  if (request.page_size < 0) {
    return absl::InvalidArgumentError("page_size: must not be negative");
  }
  if (request.offset < 0) return absl::InvalidArgumentError("offset: must not be negative");
  if (request.offset > options_.max_offset) {
    return absl::InvalidArgumentError(absl::StrCat("offset: more than ", options_.max_offset,
                                                   " (repository.max_offset); use page_token"));
  }
  if (request.offset > 0 && !request.page_token.empty()) {
    return absl::InvalidArgumentError("offset: cannot be combined with page_token");
  }
  int64_t page_size = request.page_size == 0 ? options_.default_page_size : request.page_size;
  page_size = std::min<int64_t>(page_size, options_.max_page_size);
  std::set<std::string> fields;
  for (size_t i = 0; i < request.fields.size(); ++i) {
    QG_ASSIGN_OR_RETURN(const schema::Field* field,
                        FindModelField(*model, request.fields[i], absl::StrCat("fields[", i, "]")));
    fields.insert(field->name);
  }
  QG_ASSIGN_OR_RETURN(IncludeTree tree,
                      ParseIncludes(*schema_, *model, request.include, options_.max_include_depth));
  QG_RETURN_IF_ERROR(CheckIncludeAccess(*schema_, tree, ctx));
  SqlParams params;
  QG_ASSIGN_OR_RETURN(std::string where,
                      CompileFilter(*schema_, *model, request.filter, filter_limits(), params));
  QG_ASSIGN_OR_RETURN(ResolvedOrder order, ResolveOrder(*model, request.order_by));
  std::string order_sql = OrderBySql(order);
  QG_ASSIGN_OR_RETURN(std::optional<ScoredQuery> scored,
                      CompileScoring(*schema_, *model, request, options_.max_page_size, params));
  if (scored.has_value()) {
    if (!scored->where.empty()) where = absl::StrCat("(", where, ") AND ", scored->where);
    order_sql = scored->order_sql;
    if (scored->limit.has_value()) page_size = *scored->limit;
  }
  std::string fingerprint =
      ParamsFingerprint(absl::StrCat(model->name, "\n", where, "\n", order_sql, "\n",
                                     scored.has_value() ? scored->fingerprint : ""),
                        params.values());
  const ScoredQuery::Keyset* scored_keyset =
      scored.has_value() && scored->keyset.has_value() ? &*scored->keyset : nullptr;
  if (!request.page_token.empty()) {
    QG_ASSIGN_OR_RETURN(
        std::vector<Value> last,
        DecodePageToken(options_.page_token_secret, request.page_token, fingerprint,
                        scored_keyset ? scored_keyset->row_columns.size() : order.fields.size()));
    QG_ASSIGN_OR_RETURN(std::string keyset, scored_keyset
                                                ? scored_keyset->after(last, params)
                                                : KeysetPredicate(*schema_, order, last, params));
    where = absl::StrCat(where, " AND ", keyset);
  }
  std::string limit = params.Add(absl::StrCat(page_size + 1), "bigint");
  std::string offset = params.Add(absl::StrCat(request.offset), "bigint");
  Statement statement;
  statement.label = absl::StrCat("List ", model->name);
  std::string select = SelectList(*model);
  if (scored.has_value()) {
    for (const ScoredQuery::Column& column : scored->columns)
      absl::StrAppend(&select, ", ", column.sql);
  }
  statement.sql = absl::StrCat("SELECT ", select, " FROM ", QuoteIdent(model->table), " WHERE ",
                               where, NotDeletedClause(*model), " ORDER BY ", order_sql, " LIMIT ",
                               limit, " OFFSET ", offset);
  statement.params = params.Take();
  if (scored.has_value()) statement.settings = scored->settings;
  std::vector<size_t> order_index;
  for (const schema::Field* field : order.fields) {
    order_index.push_back(static_cast<size_t>(field - model->fields.data()));
  }
  if (scored_keyset != nullptr) order_index = scored_keyset->row_columns;
  Read read;
  read.model = model;
  read.op = "list";
  read.key = KeyOf(statement,
                   {{"include", IncludeFingerprint(tree)}, {"fields", absl::StrJoin(fields, ",")}});
  read.tables = {model->table};
  AddIncludeTables(tree, read.tables);
  read.mode = request.cache_mode;
  auto load = [this, statement, page_size, order_index, fingerprint, tree, model, fields,
               scored](const StatementRunner& run) -> absl::StatusOr<SharedResult> {
    QG_ASSIGN_OR_RETURN(SharedResult rows, run(statement));
    size_t count = std::min<size_t>(rows->rows.size(), static_cast<size_t>(page_size));
    std::string next;
    bool pages = !scored.has_value() || !scored->limit.has_value();
    if (pages && rows->rows.size() > count && count > 0) {
      std::vector<Value> last;
      for (size_t index : order_index) last.push_back(rows->rows[count - 1].at(index));
      next = EncodePageToken(options_.page_token_secret, fingerprint, last);
      if (next.size() > kMaxPageTokenSize) {
        return absl::ResourceExhaustedError(
            absl::StrCat("order_by: the next page token would be longer than ", kMaxPageTokenSize,
                         " characters; order by shorter fields"));
      }
    }
    std::vector<Record> records;
    std::vector<RecordScore> scores;
    records.reserve(count);
    for (size_t i = 0; i < count; ++i) {
      records.push_back(RowToRecord(*model, rows->rows[i]));
      if (scored.has_value()) {
        scores.push_back(ScoresOfRow(*scored, rows->rows[i], model->fields.size()));
      }
    }
    QG_RETURN_IF_ERROR(
        LoadIncludes(*schema_, *model, tree, records, run, options_.max_include_rows));
    Value::List list;
    list.reserve(records.size());
    for (Record& record : records) {
      if (!fields.empty()) {
        for (auto it = record.begin(); it != record.end();) {
          bool keep = fields.count(it->first) || tree.count(it->first);
          it = keep ? std::next(it) : record.erase(it);
        }
      }
      list.push_back(Value::StructOf(std::move(record)));
    }
    auto result = std::make_shared<QueryResult>();
    result->columns = {{"records", ""}, {"next_page_token", ""}, {"scores", ""}};
    result->rows.push_back(
        {Value::ListOf(std::move(list)), Value::String(std::move(next)), EncodeScores(scores)});
    return SharedResult(std::move(result));
  };
  QG_RETURN_IF_ERROR(RequireTenant(read, ctx));
  RepoListResponse response;
  QG_ASSIGN_OR_RETURN(CachedResult result, ReadThrough(read, ctx, load, &response.statements));
  const auto& row = result.result->rows.at(0);
  for (const Value& record : row.at(0).list_value()) {
    response.records.push_back(record.struct_value());
  }
  response.next_page_token = row.at(1).string_value();
  if (row.size() > 2) {
    QG_ASSIGN_OR_RETURN(response.scores, DecodeScores(row.at(2)));
    if (response.scores.size() != response.records.size()) response.scores.clear();
  }
  response.cache = result.cache;
  return response;
}

absl::StatusOr<RepoCountResponse> RepositoryService::Count(const RepoCountRequest& request,
                                                           const CallContext& ctx) {
  QG_ASSIGN_OR_RETURN(const schema::Model* model, FindRepositoryModel(*schema_, request.model));
  QG_RETURN_IF_ERROR(CheckModelAccess(*schema_, *model, ModelAccess::kRead, ctx));
  SqlParams params;
  QG_ASSIGN_OR_RETURN(std::string where,
                      CompileFilter(*schema_, *model, request.filter, filter_limits(), params));
  Statement statement;
  statement.label = absl::StrCat("Count ", model->name);
  statement.sql = absl::StrCat("SELECT count(*) FROM ", QuoteIdent(model->table), " WHERE ", where,
                               NotDeletedClause(*model));
  statement.params = params.Take();
  Read read;
  read.model = model;
  read.op = "count";
  read.key = KeyOf(statement, {});
  read.tables = {model->table};
  read.mode = request.cache_mode;
  auto load = [statement](const StatementRunner& run) -> absl::StatusOr<SharedResult> {
    QG_ASSIGN_OR_RETURN(SharedResult rows, run(statement));
    return OneValue("count", rows->rows.at(0).at(0));
  };
  QG_RETURN_IF_ERROR(RequireTenant(read, ctx));
  int statements = 0;
  QG_ASSIGN_OR_RETURN(CachedResult result, ReadThrough(read, ctx, load, &statements));
  RepoCountResponse response;
  response.count = result.result->rows.at(0).at(0).int_value();
  response.cache = result.cache;
  return response;
}

absl::StatusOr<bool> RepositoryService::Exists(const RepoExistsRequest& request,
                                               const CallContext& ctx) {
  QG_ASSIGN_OR_RETURN(const schema::Model* model, FindRepositoryModel(*schema_, request.model));
  QG_RETURN_IF_ERROR(CheckModelAccess(*schema_, *model, ModelAccess::kRead, ctx));
  SqlParams params;
  QG_ASSIGN_OR_RETURN(std::string where, KeyPredicate(*schema_, *model, request.id, "id", params));
  Statement statement;
  statement.label = absl::StrCat("Exists ", model->name);
  statement.sql = absl::StrCat("SELECT EXISTS (SELECT 1 FROM ", QuoteIdent(model->table), " WHERE ",
                               where, NotDeletedClause(*model), ")");
  statement.params = params.Take();
  Read read;
  read.model = model;
  read.op = "exists";
  read.key = KeyOf(statement, {});
  read.tables = {model->table};
  read.mode = request.cache_mode;
  auto load = [statement](const StatementRunner& run) -> absl::StatusOr<SharedResult> {
    QG_ASSIGN_OR_RETURN(SharedResult rows, run(statement));
    return OneValue("exists", rows->rows.at(0).at(0));
  };
  QG_RETURN_IF_ERROR(RequireTenant(read, ctx));
  int statements = 0;
  QG_ASSIGN_OR_RETURN(CachedResult result, ReadThrough(read, ctx, load, &statements));
  const Value& exists = result.result->rows.at(0).at(0);
  return exists.kind() == Value::Kind::kBool && exists.bool_value();
}

absl::StatusOr<std::vector<std::optional<Record>>> RepositoryService::RunWrites(
    const std::vector<PlannedWrite>& writes, const std::vector<std::string>& labels,
    const CallContext& ctx) {
  if (absl::Now() >= ctx.deadline) {
    return absl::DeadlineExceededError("deadline passed before the write was sent");
  }
  if (ctx.cancelled && ctx.cancelled()) return absl::CancelledError("the call was cancelled");
  QG_ASSIGN_OR_RETURN(db::Lease lease, pool_->Acquire(ctx.deadline));
  absl::Duration timeout = ctx.deadline == absl::InfiniteFuture()
                               ? reader_->options().default_timeout
                               : ctx.deadline - absl::Now();
  if (timeout <= absl::ZeroDuration()) {
    return absl::DeadlineExceededError("deadline passed before the write was sent");
  }
  int64_t ms =
      std::max<int64_t>(1, absl::ToInt64Milliseconds(absl::Ceil(timeout, absl::Milliseconds(1))));
  std::set<std::string> tables;
  for (const PlannedWrite& write : writes) tables.insert(write.tables.begin(), write.tables.end());
  // Sent inside the transaction: PostgreSQL delivers it when (and only if) the write commits.
  std::vector<std::string> notices = cache::ChangeNotifyPayloads(
      std::vector<std::string>(tables.begin(), tables.end()), tenants_.WriteTenant(ctx, tables),
      absl::StrCat("write:", options_.instance_id));
  std::vector<std::optional<Record>> out;
  absl::Status status = lease->Transact([&](db::Transaction& tx) -> absl::Status {
    if (ctx.tenant.empty()) {
      QG_RETURN_IF_ERROR(
          tx.Query("SELECT set_config('statement_timeout', $1, true), "
                   "set_config('querygate.skip_notify', $2, true)",
                   {absl::StrCat(ms), options_.skip_own_write_triggers ? "on" : "off"})
              .status());
    } else {
      QG_RETURN_IF_ERROR(
          tx.Query("SELECT set_config('statement_timeout', $1, true), "
                   "set_config('querygate.skip_notify', $2, true), set_config($3, $4, true)",
                   {absl::StrCat(ms), options_.skip_own_write_triggers ? "on" : "off",
                    schema::kTenantSetting, ctx.tenant})
              .status());
    }
    for (size_t i = 0; i < writes.size(); ++i) {
      auto written = RunWrite(tx, writes[i]);
      if (!written.ok()) return Prefixed(written.status(), labels[i]);
      out.push_back(*std::move(written));
    }
    for (const std::string& notice : notices) {
      QG_RETURN_IF_ERROR(
          tx.Query("SELECT pg_notify($1, $2)", {migrate::kChangeChannel, notice}).status());
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  if (!tables.empty()) InvalidateAfterCommit(tables, ctx);
  return out;
}

absl::StatusOr<Record> RepositoryService::Create(const RepoCreateRequest& request,
                                                 const CallContext& ctx) {
  QG_RETURN_IF_ERROR(CheckModelAccess(*schema_, request.model, ModelAccess::kWrite, ctx));
  QG_RETURN_IF_ERROR(RequireWriteTenant(request.model, ctx));
  RepoCreateRequest scoped = request;
  QG_RETURN_IF_ERROR(ApplyTenant(scoped.model, scoped.record, "record", ctx));
  QG_ASSIGN_OR_RETURN(PlannedWrite write, planner_.Create(scoped));
  QG_ASSIGN_OR_RETURN(auto written, RunWrites({std::move(write)}, {""}, ctx));
  return *written.at(0);
}

absl::StatusOr<std::vector<Record>> RepositoryService::CreateMany(
    const std::string& model, const std::vector<Record>& records, const CallContext& ctx) {
  QG_RETURN_IF_ERROR(FindRepositoryModel(*schema_, model).status());
  QG_RETURN_IF_ERROR(CheckModelAccess(*schema_, model, ModelAccess::kWrite, ctx));
  QG_RETURN_IF_ERROR(RequireWriteTenant(model, ctx));
  if (records.size() > static_cast<size_t>(std::max(options_.max_batch_records, 0))) {
    return absl::InvalidArgumentError(absl::StrCat(
        "records: more than ", options_.max_batch_records, " (repository.max_batch_records)"));
  }
  std::vector<PlannedWrite> writes;
  std::vector<std::string> labels;
  for (size_t i = 0; i < records.size(); ++i) {
    std::string path = absl::StrCat("records[", i, "]");
    Record record = records[i];
    QG_RETURN_IF_ERROR(ApplyTenant(model, record, path, ctx));
    QG_ASSIGN_OR_RETURN(PlannedWrite write, planner_.Create({model, std::move(record)}, path));
    writes.push_back(std::move(write));
    labels.push_back(path);
  }
  if (writes.empty()) return std::vector<Record>();
  QG_ASSIGN_OR_RETURN(auto written, RunWrites(writes, labels, ctx));
  std::vector<Record> out;
  for (auto& record : written) out.push_back(*std::move(record));
  return out;
}

absl::StatusOr<Record> RepositoryService::Update(const RepoUpdateRequest& request,
                                                 const CallContext& ctx) {
  QG_RETURN_IF_ERROR(CheckModelAccess(*schema_, request.model, ModelAccess::kWrite, ctx));
  QG_RETURN_IF_ERROR(RequireWriteTenant(request.model, ctx));
  RepoUpdateRequest scoped = request;
  QG_RETURN_IF_ERROR(CheckTenantUpdate(scoped, "", ctx));
  QG_ASSIGN_OR_RETURN(PlannedWrite write, planner_.Update(scoped));
  QG_ASSIGN_OR_RETURN(auto written, RunWrites({std::move(write)}, {""}, ctx));
  return *written.at(0);
}

absl::StatusOr<bool> RepositoryService::Delete(const RepoDeleteRequest& request,
                                               const CallContext& ctx) {
  QG_RETURN_IF_ERROR(CheckModelAccess(*schema_, request.model, ModelAccess::kWrite, ctx));
  QG_RETURN_IF_ERROR(RequireWriteTenant(request.model, ctx));
  QG_ASSIGN_OR_RETURN(PlannedWrite write, planner_.Delete(request));
  QG_ASSIGN_OR_RETURN(auto written, RunWrites({std::move(write)}, {""}, ctx));
  return written.at(0).has_value();
}

absl::StatusOr<std::vector<Record>> RepositoryService::Transact(const std::vector<RepoWriteOp>& ops,
                                                                const CallContext& ctx) {
  QG_RETURN_IF_ERROR(CheckTransactAccess(*schema_, ops, ctx));
  if (ops.size() > static_cast<size_t>(std::max(options_.max_transact_ops, 0))) {
    return absl::InvalidArgumentError(absl::StrCat("ops: more than ", options_.max_transact_ops,
                                                   " (repository.max_transact_ops)"));
  }
  std::vector<PlannedWrite> writes;
  std::vector<std::string> labels;
  for (size_t i = 0; i < ops.size(); ++i) {
    std::string path = absl::StrCat("ops[", i, "]");
    const RepoWriteOp& op = ops[i];
    const std::string& model = op.kind == RepoWriteOp::Kind::kCreate   ? op.create.model
                               : op.kind == RepoWriteOp::Kind::kUpdate ? op.update.model
                                                                       : op.del.model;
    if (absl::Status allowed = RequireWriteTenant(model, ctx); !allowed.ok()) {
      return Prefixed(allowed, path);
    }
    absl::StatusOr<PlannedWrite> write;
    switch (op.kind) {
      case RepoWriteOp::Kind::kCreate: {
        RepoCreateRequest create = op.create;
        std::string record_path = absl::StrCat(path, ".create.record");
        absl::Status applied = ApplyTenant(create.model, create.record, record_path, ctx);
        write = applied.ok() ? planner_.Create(create, record_path)
                             : absl::StatusOr<PlannedWrite>(applied);
        break;
      }
      case RepoWriteOp::Kind::kUpdate: {
        RepoUpdateRequest update = op.update;
        std::string update_path = absl::StrCat(path, ".update");
        absl::Status checked = CheckTenantUpdate(update, update_path, ctx);
        write = checked.ok() ? planner_.Update(update, update_path)
                             : absl::StatusOr<PlannedWrite>(checked);
        break;
      }
      case RepoWriteOp::Kind::kDelete:
        write = planner_.Delete(op.del, absl::StrCat(path, ".delete"));
        break;
    }
    if (!write.ok()) {
      if (absl::StartsWith(write.status().message(), path)) return write.status();
      return Prefixed(write.status(), path);
    }
    writes.push_back(*std::move(write));
    labels.push_back(path);
  }
  if (writes.empty()) return std::vector<Record>();
  QG_ASSIGN_OR_RETURN(auto written, RunWrites(writes, labels, ctx));
  std::vector<Record> out;
  for (auto& record : written) out.push_back(record ? *std::move(record) : Record());
  return out;
}

}  // namespace querygate::service
