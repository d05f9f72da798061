#include "service/warmer.h"

#include <algorithm>
#include <condition_variable>
#include <thread>

#include "absl/strings/str_cat.h"
#include "db/pg_text.h"
#include "schema/tenancy.h"

namespace querygate::service {
namespace {

// What a caller learns about a failed params_from: never the SQL or a row, and the
// database's own message only with details.
std::string ParamsFromError(const absl::Status& status, const WarmRunOptions& options) {
  std::string what;
  switch (status.code()) {
    case absl::StatusCode::kResourceExhausted:
      return absl::StrCat("params_from: more than ", options.max_params_from_rows,
                          " rows (warm.max_params_from_rows)");
    case absl::StatusCode::kDeadlineExceeded:
      what = "params_from: the statement timed out";
      break;
    case absl::StatusCode::kInvalidArgument:
      what = "params_from: refused; it must be one read-only query";
      break;
    case absl::StatusCode::kUnavailable:
      what = "params_from: the database is unavailable";
      break;
    default:
      what = absl::StrCat("params_from failed (", absl::StatusCodeToString(status.code()), ")");
      break;
  }
  if (!options.show_details) return what;
  return absl::StrCat(what, ": ", status.message());
}

}  // namespace

std::string WarmSet::Label() const {
  std::string target =
      query.empty() ? absl::StrCat("model ", model) : absl::StrCat("query ", query);
  return name.empty() ? target : absl::StrCat("set ", name, ": ", target);
}

std::string Warmer::Task::Label() const {
  return tenant.empty() ? set->Label() : absl::StrCat(set->Label(), " (tenant ", tenant, ")");
}

absl::StatusOr<std::vector<std::string>> Warmer::TenantsOf(const WarmSet& set) const {
  const schema::Schema& schema = queries_->registry().schema();
  bool scoped = false;
  if (!set.query.empty()) {
    const RegisteredQuery* query = queries_->registry().Find(set.query);
    scoped = query != nullptr && query->tenant_scoped;
  } else if (const schema::Model* model = schema.FindModel(set.model)) {
    scoped = schema.tenancy.has_value() && model->tenant_scoped();
  }
  if (set.tenants.empty()) {
    if (scoped) {
      return absl::FailedPreconditionError(
          absl::StrCat(set.Label(), ": reads tenant-scoped data; name the tenants to warm it for"));
    }
    return std::vector<std::string>{""};
  }
  if (!schema.tenancy) {
    return absl::InvalidArgumentError(
        absl::StrCat(set.Label(), ": tenants given, but the schema declares no tenancy"));
  }
  std::vector<std::string> out;
  for (size_t i = 0; i < set.tenants.size(); ++i) {
    auto tenant = schema::CanonicalTenant(*schema.tenancy, set.tenants[i]);
    if (!tenant.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat(set.Label(), ": tenants[", i, "]: ", tenant.status().message()));
    }
    if (std::find(out.begin(), out.end(), *tenant) == out.end()) out.push_back(*tenant);
  }
  return out;
}

absl::StatusOr<std::vector<std::map<std::string, Value>>> Warmer::ParamsFrom(
    const WarmSet& set, const std::string& tenant, const WarmRunOptions& options,
    const CallContext& ctx) {
  absl::Time deadline = std::min(ctx.deadline, absl::Now() + options.params_from_timeout);
  if (!connect_) return absl::UnavailableError("no database connection for params_from");
  auto session = connect_(deadline);
  if (!session.ok()) return session.status();
  absl::Duration timeout = deadline - absl::Now();
  if (timeout <= absl::ZeroDuration()) return absl::DeadlineExceededError("deadline passed");
  db::LocalSettings settings;
  if (!tenant.empty()) settings.emplace_back(schema::kTenantSetting, tenant);
  auto rows =
      (*session)->QueryReadOnly(set.params_from, options.max_params_from_rows, timeout, settings);
  if (!rows.ok()) return rows.status();
  std::vector<std::map<std::string, Value>> out;
  out.reserve(rows->rows.size());
  for (size_t r = 0; r < rows->rows.size(); ++r) {
    const std::vector<db::Cell>& cells = rows->rows[r];
    std::map<std::string, Value> params;
    for (size_t c = 0; c < cells.size(); ++c) {
      Value value;
      if (cells[c]) {
        auto decoded = db::DecodeCell(rows->columns[c].type_oid, *cells[c]);
        if (!decoded.ok()) {
          return absl::InvalidArgumentError(absl::StrCat("row ", r + 1, ": the value of column \"",
                                                         rows->columns[c].name,
                                                         "\" has an unsupported type"));
        }
        value = *std::move(decoded);
      }
      params[rows->columns[c].name] = std::move(value);
    }
    out.push_back(std::move(params));
  }
  return out;
}

absl::Status Warmer::Expand(const WarmSet& set, const WarmRunOptions& options,
                            const CallContext& ctx, std::vector<Task>& tasks,
                            std::vector<WarmFailure>& failures) {
  if (set.query.empty() == set.model.empty()) {
    return absl::InvalidArgumentError("sets: each set names either a query or a model");
  }
  if (!set.query.empty() && queries_->registry().Find(set.query) == nullptr) {
    return absl::NotFoundError(absl::StrCat("sets: unknown query '", set.query, "'"));
  }
  auto tenants = TenantsOf(set);
  if (!tenants.ok()) return tenants.status();
  for (const std::string& tenant : *tenants) {
    for (const auto& params : set.params) tasks.push_back({&set, params, tenant});
    if (set.params_from.empty()) continue;
    auto rows = ParamsFrom(set, tenant, options, ctx);
    if (!rows.ok()) {
      failures.push_back(
          {Task{&set, {}, tenant}.Label(), {}, ParamsFromError(rows.status(), options)});
      continue;
    }
    for (auto& params : *rows) tasks.push_back({&set, std::move(params), tenant});
  }
  return absl::OkStatus();
}

absl::Status Warmer::RunOne(const Task& task, const CallContext& call) {
  // Warming is the server's own work: it runs under the set's tenant, not the caller's.
  CallContext ctx = call;
  ctx.tenant = task.tenant;
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

absl::Status Warmer::Run(const std::vector<WarmSet>& sets, const WarmRunOptions& options,
                         const CallContext& ctx,
                         const std::function<void(const WarmProgress&)>& progress) {
  absl::Time start = absl::Now();
  bool idle = false;
  if (!running_.compare_exchange_strong(idle, true)) {
    return absl::FailedPreconditionError(
        "warm: another warm is running (see the warm status in Stats); retry when it ends");
  }
  {
    std::lock_guard<std::mutex> lock(status_mu_);
    status_ = "running";
  }
  std::vector<Task> tasks;
  std::vector<WarmFailure> failures;
  for (const WarmSet& set : sets) {
    absl::Status expanded = Expand(set, options, ctx, tasks, failures);
    if (!expanded.ok()) {
      std::lock_guard<std::mutex> lock(status_mu_);
      status_ = absl::StrCat("failed: ", expanded.message());
      running_.store(false);
      return expanded;
    }
  }
  return RunTasks(tasks, std::move(failures), start, options, ctx, progress);
}

absl::Status Warmer::RunTasks(const std::vector<Task>& tasks, std::vector<WarmFailure> failures,
                              absl::Time start, const WarmRunOptions& options,
                              const CallContext& ctx,
                              const std::function<void(const WarmProgress&)>& progress) {
  std::mutex mu;
  std::condition_variable changed;
  size_t next = 0;
  int64_t processed = 0;
  int exited = 0;
  const int64_t expansion_failures = static_cast<int64_t>(failures.size());
  const int64_t total = static_cast<int64_t>(tasks.size()) + expansion_failures;
  int64_t failed = expansion_failures;
  const int worker_count =
      tasks.empty()
          ? 0
          : std::max(1, std::min<int>(options.concurrency, static_cast<int>(tasks.size())));
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
        if (options.show_details) {
          failures.push_back(
              {tasks[index].Label(), tasks[index].params, std::string(status.message())});
        } else {
          failures.push_back({tasks[index].Label(), {}, absl::StatusCodeToString(status.code())});
        }
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
  std::lock_guard<std::mutex> lock(status_mu_);
  status_ =
      absl::StrCat("done: ", total - failed, " warmed, ", failed, " failed in ",
                   absl::FormatDuration(absl::Trunc(absl::Now() - start, absl::Milliseconds(1))));
  running_.store(false);
  return absl::OkStatus();
}

std::string Warmer::StatusText() const {
  std::lock_guard<std::mutex> lock(status_mu_);
  return status_;
}

}  // namespace querygate::service
