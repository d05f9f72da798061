#ifndef QUERYGATE_BENCH_GRPC_WORKERS_H_
#define QUERYGATE_BENCH_GRPC_WORKERS_H_

#include <google/protobuf/arena.h>
#include <grpcpp/channel.h>
#include <grpcpp/support/status.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "bench/load_loop.h"

namespace querygate::bench {

struct GrpcTargetOptions {
  // host:port of querygate-server.
  std::string target;
  // Channels (each its own TCP connection) the workers of one run share round-robin; 0 gives
  // every worker its own channel. One shared channel was the fastest on the 2-core machine (see
  // docs/performance.md).
  int channels = 1;
  absl::Duration call_deadline = absl::Seconds(5);
  absl::Duration connect_timeout = absl::Seconds(5);
};

// One QueryService.Execute call shape.
struct ExecuteCall {
  std::string query;
  // When set, the int64 parameter of this name cycles through 1..id_range, each worker
  // starting at its own offset; otherwise the call has no parameters.
  std::string id_param;
  int64_t id_range = 0;
  // CACHE_MODE_BYPASS when true (expects CACHE_STATUS_BYPASS), else CACHE_MODE_UNSPECIFIED
  // (expects CACHE_STATUS_HIT).
  bool bypass = false;
  // Rows each answer must have; -1 accepts any number.
  int64_t expected_rows = -1;
};

using Channels = std::vector<std::shared_ptr<grpc::Channel>>;

// Opens `count` channels to the target, each with its own subchannel pool so that each has its
// own TCP connection, and waits until every one is connected.
absl::StatusOr<Channels> OpenChannels(const GrpcTargetOptions& options, int count);

// Opens the channels for `concurrency` workers (per `options.channels`) and returns the one of
// each worker.
absl::StatusOr<Channels> ChannelsPerWorker(const GrpcTargetOptions& options, int concurrency);

// "gRPC code N: message".
std::string Describe(const grpc::Status& status);

// An arena whose first 1 MiB block a worker keeps across calls, so that parsing an answer of
// thousands of messages costs no malloc per message.
class ReusableArena {
 public:
  ReusableArena();
  ReusableArena(const ReusableArena&) = delete;
  ReusableArena& operator=(const ReusableArena&) = delete;

  // Frees the previous call's messages and returns an empty message on the arena.
  template <typename Message>
  Message* Fresh() {
    arena_.Reset();
    return google::protobuf::Arena::CreateMessage<Message>(&arena_);
  }

 private:
  static constexpr size_t kBlockBytes = 1 << 20;
  static google::protobuf::ArenaOptions Options(std::vector<char>& block);

  std::vector<char> block_;
  google::protobuf::Arena arena_;
};

// Creates `concurrency` workers issuing `call`, each with its own synchronous stub, over
// channels per `options`. Fails with UNAVAILABLE when a channel does not connect in time.
absl::StatusOr<std::vector<std::unique_ptr<Worker>>> MakeExecuteWorkers(
    const GrpcTargetOptions& options, const ExecuteCall& call, int concurrency);

// Creates `concurrency` workers calling grpc.health.v1.Health/Check for the overall service
// (""). Fails with UNAVAILABLE when a channel does not connect in time.
absl::StatusOr<std::vector<std::unique_ptr<Worker>>> MakeHealthWorkers(
    const GrpcTargetOptions& options, int concurrency);

// Executes `call` once per id (or once) through the cache, ignoring `call.bypass`, so that the
// following runs hit. Returns how many answers were not HITs (entries it filled); fails on the
// first call that fails.
absl::StatusOr<int64_t> WarmCache(const GrpcTargetOptions& options, const ExecuteCall& call);

}  // namespace querygate::bench

#endif  // QUERYGATE_BENCH_GRPC_WORKERS_H_
