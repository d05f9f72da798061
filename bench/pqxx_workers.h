#ifndef QUERYGATE_BENCH_PQXX_WORKERS_H_
#define QUERYGATE_BENCH_PQXX_WORKERS_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "bench/load_loop.h"

namespace querygate::bench {

// How a worker sends its statement.
enum class PqxxForm {
  // exec_prepared through the extended protocol: what an application would write.
  kExecPrepared,
  // The text querygate-server sends per call: "SELECT set_config('statement_timeout', ..., true);
  // EXECUTE name(literal)" as one simple query.
  kServerForm,
};

struct PqxxCall {
  // One statement with a single int64 parameter $1.
  std::string sql;
  // The parameter cycles through 1..id_range, each worker starting at its own offset.
  int64_t id_range = 1;
  // Rows each answer must have; -1 accepts any number.
  int64_t expected_rows = -1;
  PqxxForm form = PqxxForm::kExecPrepared;
  absl::Duration statement_timeout = absl::Seconds(5);
};

// `url` with a connect_timeout of 5 s added.
std::string WithConnectTimeout(const std::string& url);

// Opens `concurrency` connections to `database_url`, one per worker, and prepares `call.sql`
// on each. Fails with UNAVAILABLE when a connection or the prepare fails.
absl::StatusOr<std::vector<std::unique_ptr<Worker>>> MakePqxxWorkers(
    const std::string& database_url, const PqxxCall& call, int concurrency);

}  // namespace querygate::bench

#endif  // QUERYGATE_BENCH_PQXX_WORKERS_H_
