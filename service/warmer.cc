#include "service/warmer.h"

#include <condition_variable>
#include <thread>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "db/pg_text.h"

namespace querygate::service {

std::string WarmSet::Label() const {
  return query.empty() ? absl::StrCat("model ", model) : absl::StrCat("query ", query);
}

absl::Status Warmer::Expand(const WarmSet& set, const CallContext& ctx, std::vector<Task>& tasks,
                            std::vector<WarmFailure>& failures) {
  if (set.query.empty() == set.model.empty()) {
    return absl::InvalidArgumentError("sets: each set names either a query or a model");
  }
  if (!set.query.empty() && queries_->registry().Find(set.query) == nullptr) {
    return absl::NotFoundError(absl::StrCat("sets: unknown query '", set.query, "'"));
  }
  for (const auto& params : set.params) tasks.push_back({&set, params});
  if (set.params_from.empty()) return absl::OkStatus();
  auto lease = pool_->Acquire(ctx.deadline);
  if (!lease.ok()) {
    failures.push_back({set.Label(), {}, std::string(lease.status().message())});
    return absl::OkStatus();
  }
  db::ResultSet rows;
  absl::Status status = (*lease)->Transact([&](db::Transaction& tx) -> absl::Status {
    QG_RETURN_IF_ERROR(
        tx.Execute("SET TRANSACTION READ ONLY; SET LOCAL statement_timeout = '30s'"));
    QG_ASSIGN_OR_RETURN(rows, tx.Query(set.params_from));
    return absl::OkStatus();
  });
  if (!status.ok()) {
    failures.push_back({set.Label(), {}, absl::StrCat("params_from failed: ", status.message())});
    return absl::OkStatus();
  }
  for (const auto& cells : rows.rows) {
    Task task{&set, {}};
    bool ok = true;
    for (size_t c = 0; c < cells.size(); ++c) {
      Value value;
      if (cells[c]) {
        auto decoded = db::DecodeCell(rows.columns[c].type_oid, *cells[c]);
        if (!decoded.ok()) {
          ok = false;
          break;
        }
        value = *std::move(decoded);
      }
      task.params[rows.columns[c].name] = std::move(value);
    }
    if (ok) tasks.push_back(std::move(task));
  }
  return absl::OkStatus();
}

absl::Status Warmer::RunOne(const Task& task, const CallContext& ctx) {
  if (!task.set->model.empty()) {
    auto id = task.params.find("id");
    if (id == task.params.end()) {
      return absl::InvalidArgumentError("model warm sets need an \"id\" parameter");
    }
    if (!model_warmer_) return absl::UnimplementedError("model warming is not available");
    return model_warmer_(task.set->model, id->second, ctx);
  }
  ExecuteRequest request{task.set->query, task.params, CacheMode::kDefault};
  return queries_->Execute(request, ctx).status();
}

absl::Status Warmer::Run(const std::vector<WarmSet>& sets, int concurrency, const CallContext& ctx,
                         const std::function<void(const WarmProgress&)>& progress) {
  absl::Time start = absl::Now();
  running_.store(true);
  {
    std::lock_guard<std::mutex> lock(status_mu_);
    status_ = "running";
  }
  std::vector<Task> tasks;
  std::vector<WarmFailure> failures;
  for (const WarmSet& set : sets) {
    absl::Status expanded = Expand(set, ctx, tasks, failures);
    if (!expanded.ok()) {
      running_.store(false);
      std::lock_guard<std::mutex> lock(status_mu_);
      status_ = absl::StrCat("failed: ", expanded.message());
      return expanded;
    }
  }
  std::mutex mu;
  std::condition_variable changed;
  size_t next = 0;
  int64_t processed = 0;
  int exited = 0;
  const int64_t expansion_failures = static_cast<int64_t>(failures.size());
  const int64_t total = static_cast<int64_t>(tasks.size()) + expansion_failures;
  int64_t failed = expansion_failures;
  const int worker_count =
      tasks.empty() ? 0 : std::max(1, std::min<int>(concurrency, static_cast<int>(tasks.size())));
  auto worker = [&] {
    while (true) {
      size_t index;
      {
        std::lock_guard<std::mutex> lock(mu);
        if (next >= tasks.size() || (ctx.cancelled && ctx.cancelled())) break;
        index = next++;
      }
      absl::Status status = RunOne(tasks[index], ctx);
      std::lock_guard<std::mutex> lock(mu);
      ++processed;
      if (!status.ok()) {
        ++failed;
        failures.push_back(
            {tasks[index].set->Label(), tasks[index].params, std::string(status.message())});
      }
      changed.notify_all();
    }
    std::lock_guard<std::mutex> lock(mu);
    ++exited;
    changed.notify_all();
  };
  std::vector<std::thread> workers;
  for (int i = 0; i < worker_count; ++i) workers.emplace_back(worker);
  size_t reported_failures = 0;
  auto report = [&](bool finished) {
    WarmProgress p;
    {
      std::lock_guard<std::mutex> lock(mu);
      p.total = total;
      p.done = processed + expansion_failures;
      p.failed = failed;
      p.failures.assign(failures.begin() + reported_failures, failures.end());
      reported_failures = failures.size();
    }
    p.elapsed = absl::Now() - start;
    p.finished = finished;
    if (progress) progress(p);
  };
  while (true) {
    std::unique_lock<std::mutex> lock(mu);
    if (exited >= worker_count) break;
    changed.wait_for(lock, std::chrono::milliseconds(100));
    lock.unlock();
    report(false);
  }
  for (auto& w : workers) w.join();
  report(true);
  running_.store(false);
  std::lock_guard<std::mutex> lock(status_mu_);
  status_ =
      absl::StrCat("done: ", total - failed, " warmed, ", failed, " failed in ",
                   absl::FormatDuration(absl::Trunc(absl::Now() - start, absl::Milliseconds(1))));
  return absl::OkStatus();
}

std::string Warmer::StatusText() const {
  std::lock_guard<std::mutex> lock(status_mu_);
  return status_;
}

}  // namespace querygate::service
