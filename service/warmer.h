#ifndef QUERYGATE_SERVICE_WARMER_H_
#define QUERYGATE_SERVICE_WARMER_H_

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/value.h"
#include "db/isolated_session.h"
#include "service/call_context.h"
#include "service/query_service.h"

namespace querygate::service {

// One warm set: a named query (`query`) or a model's Get (`model`, parameter "id"), for the
// literal parameter sets and the rows of `params_from`. Configured sets have a `name` callers
// refer to them by; `params_from` (read-only SQL whose column names are parameter names) comes
// only from the server's configuration, never from a caller. A set on tenant-scoped data runs
// once per tenant in `tenants` (params_from too, under that tenant).
struct WarmSet {
  std::string name;
  std::string query;
  std::string model;
  std::vector<std::map<std::string, Value>> params;
  std::string params_from;
  // The tenants to warm for (any spelling CanonicalTenant accepts); required when the query or
  // model is tenant-scoped, refused when the schema declares no tenancy.
  std::vector<std::string> tenants;

  // "query <name>" or "model <name>", prefixed by "set <name>: " for a named set.
  std::string Label() const;
};

struct WarmFailure {
  std::string target;
  std::map<std::string, Value> params;  // empty unless the run shows details
  std::string error;
};

struct WarmProgress {
  int64_t total = 0;
  int64_t done = 0;
  int64_t failed = 0;
  absl::Duration elapsed;
  std::vector<WarmFailure> failures;  // new since the previous report
  bool finished = false;
};

// Warms a model's Get for one id; supplied by the repository service.
using ModelWarmer =
    std::function<absl::Status(const std::string& model, const Value& id, const CallContext&)>;

// Opens a PostgreSQL connection outside the pool, by `deadline`, for one params_from
// statement; the connection is closed when the session is dropped.
using IsolatedConnector =
    std::function<absl::StatusOr<std::unique_ptr<db::IsolatedSession>>(absl::Time deadline)>;

// The bounds and visibility of one Warmer::Run.
struct WarmRunOptions {
  int concurrency = 4;
  // A params_from returning more rows fails its set (named warm.max_params_from_rows).
  int64_t max_params_from_rows = 10000;
  // statement_timeout of a params_from statement (shortened to the call's deadline).
  absl::Duration params_from_timeout = absl::Seconds(30);
  // Failures carry their parameter set and the full error text; otherwise only the status
  // code name.
  bool show_details = true;
};

// Fills the cache for warm sets with bounded concurrency. A failing parameter set is
// reported and warming goes on. One run at a time.
class Warmer {
 public:
  Warmer(QueryService* queries, IsolatedConnector connect, ModelWarmer model_warmer)
      : queries_(queries), connect_(std::move(connect)), model_warmer_(std::move(model_warmer)) {}

  // Expands `sets` (each params_from on its own isolated connection, read-only, as one
  // statement), then runs every parameter set with at most options.concurrency in flight,
  // calling `progress` at least every 100 ms and once at the end (finished). Each parameter
  // set runs as internal work under the set's tenant. Fails with INVALID_ARGUMENT for a set
  // naming neither or both of query and model or with a malformed tenant (or tenants without
  // tenancy), NOT_FOUND for an unknown query, FAILED_PRECONDITION for a set on tenant-scoped
  // data that names no tenants, or while another run is going on; a failing params_from is
  // reported as a failure of its set.
  absl::Status Run(const std::vector<WarmSet>& sets, const WarmRunOptions& options,
                   const CallContext& ctx,
                   const std::function<void(const WarmProgress&)>& progress);

  // "idle", "running", "done: N warmed, M failed", as of the latest run.
  std::string StatusText() const;
  bool running() const { return running_.load(); }

 private:
  struct Task {
    const WarmSet* set;
    std::map<std::string, Value> params;
    std::string tenant;  // canonical; empty for global data

    // The set's label, with the tenant when there is one.
    std::string Label() const;
  };

  absl::Status Expand(const WarmSet& set, const WarmRunOptions& options, const CallContext& ctx,
                      std::vector<Task>& tasks, std::vector<WarmFailure>& failures);
  // Returns the parameter sets in the rows of set.params_from, or why they could not be read
  // (a message that quotes neither the SQL nor a row).
  absl::StatusOr<std::vector<std::map<std::string, Value>>> ParamsFrom(
      const WarmSet& set, const std::string& tenant, const WarmRunOptions& options,
      const CallContext& ctx);
  // The canonical tenants to run `set` for: {""} for global data. Fails as Run describes.
  absl::StatusOr<std::vector<std::string>> TenantsOf(const WarmSet& set) const;
  absl::Status RunOne(const Task& task, const CallContext& ctx);
  absl::Status RunTasks(const std::vector<Task>& tasks, std::vector<WarmFailure> failures,
                        absl::Time start, const WarmRunOptions& options, const CallContext& ctx,
                        const std::function<void(const WarmProgress&)>& progress);

  QueryService* queries_;
  IsolatedConnector connect_;
  ModelWarmer model_warmer_;
  std::atomic<bool> running_{false};
  mutable std::mutex status_mu_;
  std::string status_ = "idle";
};

}  // namespace querygate::service

#endif  // QUERYGATE_SERVICE_WARMER_H_
