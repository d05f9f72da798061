#include "service/partition_maintainer.h"

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "db/session.h"
#include "schema/partitions.h"

namespace querygate::service {

PartitionMaintainer::PartitionMaintainer(PartitionMaintainerOptions options,
                                         db::ConnectionPool* pool, Report report)
    : options_(options), pool_(pool), report_(std::move(report)) {}

PartitionMaintainer::~PartitionMaintainer() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void PartitionMaintainer::Start() {
  thread_ = std::thread([this] { Loop(); });
}

absl::StatusOr<std::vector<PartitionChange>> PartitionMaintainer::RunOnce() {
  QG_ASSIGN_OR_RETURN(db::Lease lease, pool_->Acquire(absl::Now() + options_.timeout));
  std::vector<PartitionChange> changes;
  absl::Status ran = lease->Transact([&](db::Transaction& tx) -> absl::Status {
    QG_RETURN_IF_ERROR(tx.Query("SELECT set_config('statement_timeout', $1, true)",
                                {absl::StrCat(absl::ToInt64Milliseconds(options_.timeout))})
                           .status());
    QG_ASSIGN_OR_RETURN(db::ResultSet rows, tx.Query(schema::MaintainPartitionsSql()));
    for (size_t r = 0; r < rows.rows.size(); ++r) {
      changes.push_back({rows.Text(r, 0), rows.Text(r, 1), rows.Text(r, 2)});
    }
    return absl::OkStatus();
  });
  runs_.fetch_add(1);
  if (!ran.ok()) return ran;
  return changes;
}

void PartitionMaintainer::Loop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    lock.unlock();
    auto result = RunOnce();
    if (report_) report_(result);
    lock.lock();
    cv_.wait_for(lock, absl::ToChronoMilliseconds(options_.interval), [this] { return stopping_; });
  }
}

}  // namespace querygate::service
