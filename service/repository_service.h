#ifndef QUERYGATE_SERVICE_REPOSITORY_SERVICE_H_
#define QUERYGATE_SERVICE_REPOSITORY_SERVICE_H_

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "db/connection_pool.h"
#include "schema/model.h"
#include "service/cache_key.h"
#include "service/cached_reader.h"
#include "service/call_context.h"
#include "service/database_reader.h"
#include "service/query_service.h"
#include "service/repository_filter.h"
#include "service/repository_includes.h"
#include "service/repository_types.h"
#include "service/repository_uuid.h"
#include "service/repository_writes.h"
#include "service/tenant_scope.h"

namespace querygate::service {

struct RepositoryOptions {
  // Folded into every cache key; changes whenever the schema files change.
  std::string schema_version;
  // Cache lifetime of reads of models without cache_ttl. A ttl of 0 disables caching.
  absl::Duration default_ttl = absl::Minutes(5);
  int32_t default_page_size = 50;
  int32_t max_page_size = 1000;
  int max_filter_depth = 8;
  int max_in_list = 1000;
  int max_include_depth = 3;
  // Conditions and groups (all/any/not) in one filter, counting every branch.
  int max_filter_nodes = 256;
  // Records in one CreateMany.
  int max_batch_records = 1000;
  // Operations in one Transact.
  int max_transact_ops = 100;
  // Related rows loaded by the includes of one call, all levels together.
  int64_t max_include_rows = 10000;
  // Largest List offset: deeper pages go by page token, so no caller makes PostgreSQL walk
  // past millions of rows.
  int64_t max_offset = 100000;
  // The HMAC-SHA256 key of page tokens. Instances that share Redis must share it; empty is
  // allowed (tokens are then forgeable) and is what tests use.
  std::string page_token_secret;
  // Silence the database change triggers for this service's writes (it invalidates them).
  bool skip_own_write_triggers = true;
  // Names this instance in the change notification its writes send (the source
  // "write:<instance_id>"), so that its own listener can tell them apart.
  std::string instance_id;
};

// Invalidates the tables a committed write touched: for `tenant` only (its tenant-scoped
// tables' entries) when `tenant` is not empty, else for everyone. Supplied by the invalidation
// hub, which keeps an undeliverable invalidation owed (and the cache distrusted) until it
// lands.
using WriteInvalidator =
    std::function<absl::Status(const std::set<std::string>& tables, const std::string& tenant)>;

// The generic repository of every model: reads through the result cache (one statement per
// relation level on a miss), writes in one transaction followed by the invalidation of every
// table the write may have changed. The write's transaction also sends a NOTIFY on the
// database change channel naming those tables (and the tenant when the invalidation is
// tenant-precise), delivered exactly when it commits, so that the other instances invalidate
// even when this one cannot reach Redis. Every statement runs under the caller's tenant; a call on
// a tenant-scoped model (or including one) without a tenant fails with PERMISSION_DENIED
// before the cache is read, and the cached results of such reads are per tenant.
class RepositoryService {
 public:
  RepositoryService(RepositoryOptions options, const schema::Schema* schema,
                    const DatabaseReader* reader, CachedReader* cached, db::ConnectionPool* pool,
                    WriteInvalidator invalidator);

  // Returns the row with this id and its includes. Fails with NOT_FOUND when there is no
  // visible row (or on a cache miss under ONLY_CACHED), INVALID_ARGUMENT naming a bad model,
  // id or include, or the database's error.
  absl::StatusOr<RepoGetResponse> Get(const RepoGetRequest& request, const CallContext& ctx);

  // Returns one page of matching rows in order, and the token of the next page. Fails with
  // INVALID_ARGUMENT naming a bad model, filter, order, page size, offset, page token, field or
  // include, or like Get.
  absl::StatusOr<RepoListResponse> List(const RepoListRequest& request, const CallContext& ctx);

  // Returns the number of matching visible rows. Fails like List.
  absl::StatusOr<RepoCountResponse> Count(const RepoCountRequest& request, const CallContext& ctx);

  // Returns whether a visible row has this id. Fails like Get, except for NOT_FOUND.
  absl::StatusOr<bool> Exists(const RepoExistsRequest& request, const CallContext& ctx);

  // Inserts and returns the stored row; the tenant column of a tenant-scoped model is filled
  // from the caller's tenant when absent. Fails with INVALID_ARGUMENT naming the field
  // ("record.email: ..."), PERMISSION_DENIED when the record names another tenant
  // ("record.organization_id: names another tenant"), or the database's error.
  absl::StatusOr<Record> Create(const RepoCreateRequest& request, const CallContext& ctx);

  // Inserts rows of `model` in one transaction and returns them as stored. Fails like Create
  // ("records[3].email: ..."); nothing is written then.
  absl::StatusOr<std::vector<Record>> CreateMany(const std::string& model,
                                                 const std::vector<Record>& records,
                                                 const CallContext& ctx);

  // Updates and returns the row. Fails with NOT_FOUND, ABORTED when expected_updated_at no
  // longer matches, INVALID_ARGUMENT naming the field, PERMISSION_DENIED when the record would
  // move the row to another tenant, or the database's error.
  absl::StatusOr<Record> Update(const RepoUpdateRequest& request, const CallContext& ctx);

  // Deletes the row; returns false when there was no visible row. Fails with INVALID_ARGUMENT
  // or the database's error.
  absl::StatusOr<bool> Delete(const RepoDeleteRequest& request, const CallContext& ctx);

  // Runs the ops in one transaction and returns one record per op (empty for a delete that
  // found nothing). Fails with the first op's error, prefixed by its index; nothing is
  // written then.
  absl::StatusOr<std::vector<Record>> Transact(const std::vector<RepoWriteOp>& ops,
                                               const CallContext& ctx);

  // SQL statements sent by reads since start.
  int64_t statements_sent() const { return statements_.load(std::memory_order_relaxed); }
  // Read counters of `model`, or nullptr for an unknown model.
  const QueryCounters* Counters(const std::string& model) const;

 private:
  using Loader = std::function<absl::StatusOr<SharedResult>(const StatementRunner&)>;

  struct Read {
    const schema::Model* model = nullptr;
    std::string op;
    std::vector<BoundParam> key;
    std::set<std::string> tables;
    CacheMode mode = CacheMode::kDefault;
  };

  absl::StatusOr<CachedResult> ReadThrough(const Read& read, const CallContext& ctx,
                                           const Loader& load, int* statements);
  absl::StatusOr<std::vector<std::optional<Record>>> RunWrites(
      const std::vector<PlannedWrite>& writes, const std::vector<std::string>& labels,
      const CallContext& ctx);
  void InvalidateAfterCommit(const std::set<std::string>& tables, const CallContext& ctx);
  FilterLimits filter_limits() const;
  // PERMISSION_DENIED when `read` touches a tenant-scoped table and the caller has no tenant.
  absl::Status RequireTenant(const Read& read, const CallContext& ctx) const;
  // PERMISSION_DENIED when writing `model` (a model or junction name) needs a tenant the
  // caller lacks; OK for an unknown model, which the planner reports.
  absl::Status RequireWriteTenant(const std::string& model, const CallContext& ctx) const;
  // Fills the tenant column of `record` (a new row of `model`) from the caller's tenant, or
  // checks that the value given names the caller's tenant.
  absl::Status ApplyTenant(const std::string& model, Record& record, const std::string& path,
                           const CallContext& ctx) const;
  // Drops a tenant column that `request` sets to the row's own tenant; PERMISSION_DENIED when
  // it names another one.
  absl::Status CheckTenantUpdate(RepoUpdateRequest& request, const std::string& path,
                                 const CallContext& ctx) const;

  const RepositoryOptions options_;
  const schema::Schema* schema_;
  const DatabaseReader* reader_;
  CachedReader* cached_;
  db::ConnectionPool* pool_;
  UuidV7Generator uuids_;
  WritePlanner planner_;
  WriteInvalidator invalidator_;
  TenantScope tenants_;
  std::atomic<int64_t> statements_{0};
  std::map<std::string, std::unique_ptr<QueryCounters>> counters_;
};

}  // namespace querygate::service

#endif  // QUERYGATE_SERVICE_REPOSITORY_SERVICE_H_
