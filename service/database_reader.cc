#include "service/database_reader.h"

#include <optional>

#include "absl/strings/str_cat.h"
#include "common/sha256.h"
#include "common/status_macros.h"
#include "db/pg_text.h"
#include "schema/tenancy.h"
#include "service/call_trace.h"
#include "service/vector_text.h"

namespace querygate::service {
namespace {

bool Cancelled(const CallContext& ctx) { return ctx.cancelled && ctx.cancelled(); }

constexpr uint32_t kRealArrayOid = 1021;

}  // namespace

absl::StatusOr<SharedResult> ToQueryResult(const db::ResultSet& rows, uint32_t vector_type_oid) {
  auto result = std::make_shared<QueryResult>();
  result->columns.reserve(rows.columns.size());
  std::vector<bool> vectors;
  vectors.reserve(rows.columns.size());
  for (const db::ResultColumn& c : rows.columns) {
    const bool pgvector = vector_type_oid != 0 && c.type_oid == vector_type_oid;
    vectors.push_back(pgvector || c.type_oid == kRealArrayOid);
    result->columns.push_back({c.name, pgvector ? "vector" : db::TypeNameForOid(c.type_oid)});
  }
  result->rows.reserve(rows.rows.size());
  for (const auto& cells : rows.rows) {
    std::vector<Value> values;
    values.reserve(cells.size());
    for (size_t c = 0; c < cells.size(); ++c) {
      if (!cells[c]) {
        values.emplace_back();
        continue;
      }
      QG_ASSIGN_OR_RETURN(Value v, db::DecodeCell(rows.columns[c].type_oid, *cells[c]));
      values.push_back(vectors[c] ? DecodeVectorCell(v) : std::move(v));
    }
    result->rows.push_back(std::move(values));
  }
  return SharedResult(std::move(result));
}

absl::StatusOr<SharedResult> DatabaseReader::Read(const Statement& statement,
                                                  const CallContext& ctx) const {
  if (absl::Now() >= ctx.deadline) {
    return absl::DeadlineExceededError("deadline passed before the query was sent");
  }
  if (Cancelled(ctx)) return absl::CancelledError("the call was cancelled");
  std::string name = absl::StrCat("qgs_", Sha256Hex(statement.sql).substr(0, 24));
  db::LocalSettings settings;
  if (!ctx.tenant.empty()) settings.emplace_back(schema::kTenantSetting, ctx.tenant);
  settings.insert(settings.end(), statement.settings.begin(), statement.settings.end());
  absl::StatusOr<db::ResultSet> rows;
  // Pooled connections can have died while idle (server restart, pg_terminate_backend); a
  // read that failed on a dead connection is retried on another one, at most once per slot.
  const int64_t attempts = pool_->Figures().max + 1;
  for (int64_t attempt = 0; attempt < attempts; ++attempt) {
    absl::StatusOr<db::Lease> acquired = absl::UnknownError("not acquired");
    {
      StepTimer wait(ctx.trace.get(), &CallTrace::pool_wait_ns);
      acquired = pool_->Acquire(ctx.deadline);
    }
    QG_ASSIGN_OR_RETURN(db::Lease lease, std::move(acquired));
    StepTimer round_trip(ctx.trace.get(), &CallTrace::database_ns);
    absl::Status prepared = absl::OkStatus();
    if (!lease->IsPrepared(name)) prepared = lease->Prepare(name, statement.sql);
    if (prepared.ok()) {
      absl::Duration timeout = ctx.deadline == absl::InfiniteFuture() ? options_.default_timeout
                                                                      : ctx.deadline - absl::Now();
      if (timeout <= absl::ZeroDuration()) {
        return absl::DeadlineExceededError("deadline passed before the query was sent");
      }
      std::optional<db::CancelWatcher::Handle> watch;
      if (ctx.cancelled) watch.emplace(watcher_->Watch(&*lease, ctx.cancelled));
      rows = lease->QueryPreparedWithTimeout(name, statement.params, timeout, settings);
    } else {
      rows = prepared;
    }
    if (rows.ok()) break;
    if (Cancelled(ctx)) return absl::CancelledError("the call was cancelled");
    if (lease->healthy() || absl::Now() >= ctx.deadline) return rows.status();
  }
  if (!rows.ok()) return rows.status();
  if (static_cast<int64_t>(rows->rows.size()) > options_.max_rows) {
    return absl::ResourceExhaustedError(
        absl::StrCat(statement.label, " returned ", rows->rows.size(),
                     " rows, more than the limit of ", options_.max_rows));
  }
  return ToQueryResult(*rows, options_.vector_type_oid);
}

}  // namespace querygate::service
