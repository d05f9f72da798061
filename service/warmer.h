#ifndef QUERYGATE_SERVICE_WARMER_H_
#define QUERYGATE_SERVICE_WARMER_H_

#include <atomic>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "common/value.h"
#include "db/connection_pool.h"
#include "service/call_context.h"
#include "service/query_service.h"

namespace querygate::service {

// One warm set: a named query (`query`) or a model's Get (`model`, parameter "id"), for the
// literal parameter sets and the rows of `params_from` (read-only SQL whose column names are
// parameter names).
struct WarmSet {
  std::string query;
  std::string model;
  std::vector<std::map<std::string, Value>> params;
  std::string params_from;

  // "query <name>" or "model <name>", for messages.
  std::string Label() const;
};

struct WarmFailure {
  std::string target;
  std::map<std::string, Value> params;
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

// Fills the cache for warm sets with bounded concurrency. A failing parameter set is
// reported and warming goes on.
class Warmer {
 public:
  Warmer(QueryService* queries, db::ConnectionPool* pool, ModelWarmer model_warmer)
      : queries_(queries), pool_(pool), model_warmer_(std::move(model_warmer)) {}

  // Expands `sets` (running params_from queries read-only), then runs every parameter set
  // with at most `concurrency` in flight, calling `progress` at least every 100 ms and once
  // at the end (finished). Fails with INVALID_ARGUMENT for a set naming neither or both of
  // query and model, or NOT_FOUND for an unknown query; a failing params_from is reported as
  // a failure of its set.
  absl::Status Run(const std::vector<WarmSet>& sets, int concurrency, const CallContext& ctx,
                   const std::function<void(const WarmProgress&)>& progress);

  // "idle", "running", "done: N warmed, M failed", as of the latest run.
  std::string StatusText() const;
  bool running() const { return running_.load(); }

 private:
  struct Task {
    const WarmSet* set;
    std::map<std::string, Value> params;
  };

  absl::Status Expand(const WarmSet& set, const CallContext& ctx, std::vector<Task>& tasks,
                      std::vector<WarmFailure>& failures);
  absl::Status RunOne(const Task& task, const CallContext& ctx);

  QueryService* queries_;
  db::ConnectionPool* pool_;
  ModelWarmer model_warmer_;
  std::atomic<bool> running_{false};
  mutable std::mutex status_mu_;
  std::string status_ = "idle";
};

}  // namespace querygate::service

#endif  // QUERYGATE_SERVICE_WARMER_H_
