#ifndef QUERYGATE_BENCH_REDIS_WORKERS_H_
#define QUERYGATE_BENCH_REDIS_WORKERS_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "bench/load_loop.h"

namespace querygate::bench {

struct RedisCall {
  // redis://host:port (no credentials, no database number).
  std::string url;
  // Key that each call GETs; PutRedisValue stores it first.
  std::string key;
  absl::Duration timeout = absl::Seconds(5);
};

// Stores a `value_bytes`-byte value under `call.key` (expiring after ten minutes). Fails with
// INVALID_ARGUMENT for a malformed URL, UNAVAILABLE when Redis does not answer.
absl::Status PutRedisValue(const RedisCall& call, int value_bytes);

// Opens `concurrency` Redis connections, one per worker; each call is one GET of `call.key`.
// Fails like PutRedisValue.
absl::StatusOr<std::vector<std::unique_ptr<Worker>>> MakeRedisWorkers(const RedisCall& call,
                                                                      int concurrency);

}  // namespace querygate::bench

#endif  // QUERYGATE_BENCH_REDIS_WORKERS_H_
