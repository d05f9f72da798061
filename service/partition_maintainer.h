#ifndef QUERYGATE_SERVICE_PARTITION_MAINTAINER_H_
#define QUERYGATE_SERVICE_PARTITION_MAINTAINER_H_

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "db/connection_pool.h"

namespace querygate::service {

// One partition the maintenance created, detached, dropped or failed on ("failed: <error>").
struct PartitionChange {
  std::string table;
  std::string action;
  std::string partition;
};

struct PartitionMaintainerOptions {
  // Time between runs; the first run is at Start.
  absl::Duration interval = absl::Hours(1);
  // Statement timeout of one run.
  absl::Duration timeout = absl::Seconds(60);
};

// Keeps the partitions of partitioned tables created ahead (and old ones detached or dropped)
// by calling querygate_maintain_partitions(), which `migrate up` installs as the tables' owner
// and grants to the runtime role. Safe with several instances: the function serialises runs
// with an advisory lock and skips partitions that exist. Stops on destruction.
class PartitionMaintainer {
 public:
  // Called after every run with what it changed, or the error.
  using Report = std::function<void(const absl::StatusOr<std::vector<PartitionChange>>&)>;

  PartitionMaintainer(PartitionMaintainerOptions options, db::ConnectionPool* pool, Report report);
  ~PartitionMaintainer();
  PartitionMaintainer(const PartitionMaintainer&) = delete;
  PartitionMaintainer& operator=(const PartitionMaintainer&) = delete;

  // Starts the background thread, which runs at once and then every interval.
  void Start();

  // Runs the maintenance on a pooled session now. Fails with the database's error (e.g.
  // PERMISSION_DENIED when the function was not granted) or the pool's.
  absl::StatusOr<std::vector<PartitionChange>> RunOnce();

  // Completed runs, successful or not.
  int64_t runs() const { return runs_.load(); }

 private:
  void Loop();

  PartitionMaintainerOptions options_;
  db::ConnectionPool* pool_;
  Report report_;
  std::atomic<int64_t> runs_{0};
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace querygate::service

#endif  // QUERYGATE_SERVICE_PARTITION_MAINTAINER_H_
