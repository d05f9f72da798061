#ifndef QUERYGATE_BENCH_TYPED_WORKERS_H_
#define QUERYGATE_BENCH_TYPED_WORKERS_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "bench/grpc_workers.h"
#include "bench/load_loop.h"

namespace querygate::bench {

// The typed Get of schemas/blog.json's user (querygate.models.v1.UserService/Get,
// docs/typed-services.md), sent as raw bytes through grpc::GenericStub so that the bench needs
// no code generated per model: GetUserRequest{id = 1}. The answer GetUserResponse{record = 1,
// cache = 2} is parsed field by field and checked: record.id (User field 1, the first declared
// column of user) is the id asked for, cache.status (CacheInfo field 1) is HIT.
struct TypedGetCall {
  std::string method = "/querygate.models.v1.UserService/Get";
  // Ids cycle over 1..id_range, each worker from its own offset (as RepoOp::kGet).
  int64_t id_range = 1000;
};

// Creates `concurrency` workers issuing `call`, each with its own generic stub and completion
// queue, over channels per `options`. Fails with UNAVAILABLE when a channel does not connect.
absl::StatusOr<std::vector<std::unique_ptr<Worker>>> MakeTypedGetWorkers(
    const GrpcTargetOptions& options, const TypedGetCall& call, int concurrency);

}  // namespace querygate::bench

#endif  // QUERYGATE_BENCH_TYPED_WORKERS_H_
