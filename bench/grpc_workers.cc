#include "bench/grpc_workers.h"

#include <google/protobuf/arena.h>
#include <grpcpp/channel.h>
#include <grpcpp/client_context.h>
#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <grpcpp/support/channel_arguments.h>

#include <chrono>

#include "absl/strings/str_cat.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "querygate/v1/query_service.grpc.pb.h"

namespace querygate::bench {
namespace {

namespace v1 = ::querygate::v1;

class ExecuteWorker : public Worker {
 public:
  ExecuteWorker(std::shared_ptr<grpc::Channel> channel, const ExecuteCall& call,
                absl::Duration deadline, int64_t first_id)
      : stub_(v1::QueryService::NewStub(channel)),
        deadline_(absl::ToChronoNanoseconds(deadline)),
        id_param_(call.id_param),
        id_range_(call.id_range),
        next_id_(first_id),
        expected_rows_(call.expected_rows),
        expected_status_(call.bypass ? v1::CACHE_STATUS_BYPASS : v1::CACHE_STATUS_HIT) {
    request_.set_query(call.query);
    request_.set_cache_mode(call.bypass ? v1::CACHE_MODE_BYPASS : v1::CACHE_MODE_UNSPECIFIED);
  }

  CallOutcome Call(std::string* detail) override {
    if (!id_param_.empty()) {
      (*request_.mutable_params())[id_param_].set_int_value(next_id_);
      next_id_ = next_id_ % id_range_ + 1;
    }
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + deadline_);
    auto* response = arena_.Fresh<v1::ExecuteResponse>();
    grpc::Status status = stub_->Execute(&context, request_, response);
    if (!status.ok()) {
      *detail = Describe(status);
      return CallOutcome::kError;
    }
    if (response->cache().status() != expected_status_) {
      *detail = absl::StrCat("cache status ", v1::CacheStatus_Name(response->cache().status()),
                             " where ", v1::CacheStatus_Name(expected_status_), " was expected");
      return CallOutcome::kUnexpected;
    }
    if (expected_rows_ >= 0 && response->rows_size() != expected_rows_) {
      *detail =
          absl::StrCat(response->rows_size(), " rows where ", expected_rows_, " were expected");
      return CallOutcome::kUnexpected;
    }
    return CallOutcome::kOk;
  }

 private:
  std::unique_ptr<v1::QueryService::Stub> stub_;
  std::chrono::nanoseconds deadline_;
  std::string id_param_;
  int64_t id_range_;
  int64_t next_id_;
  int64_t expected_rows_;
  v1::CacheStatus expected_status_;
  ReusableArena arena_;
  v1::ExecuteRequest request_;
};

class HealthWorker : public Worker {
 public:
  HealthWorker(std::shared_ptr<grpc::Channel> channel, absl::Duration deadline)
      : stub_(grpc::health::v1::Health::NewStub(channel)),
        deadline_(absl::ToChronoNanoseconds(deadline)) {}

  CallOutcome Call(std::string* detail) override {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + deadline_);
    grpc::health::v1::HealthCheckResponse response;
    grpc::Status status = stub_->Check(&context, request_, &response);
    if (!status.ok()) {
      *detail = Describe(status);
      return CallOutcome::kError;
    }
    if (response.status() != grpc::health::v1::HealthCheckResponse::SERVING) {
      *detail = absl::StrCat("health status ", static_cast<int>(response.status()));
      return CallOutcome::kUnexpected;
    }
    return CallOutcome::kOk;
  }

 private:
  std::unique_ptr<grpc::health::v1::Health::Stub> stub_;
  std::chrono::nanoseconds deadline_;
  grpc::health::v1::HealthCheckRequest request_;
};

}  // namespace

absl::StatusOr<Channels> OpenChannels(const GrpcTargetOptions& options, int count) {
  Channels channels;
  for (int i = 0; i < count; ++i) {
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    args.SetInt("querygate.bench.channel_index", i);
    auto channel =
        grpc::CreateCustomChannel(options.target, grpc::InsecureChannelCredentials(), args);
    auto deadline =
        std::chrono::system_clock::now() + absl::ToChronoNanoseconds(options.connect_timeout);
    if (!channel->WaitForConnected(deadline)) {
      return absl::UnavailableError(absl::StrCat("cannot connect to ", options.target));
    }
    channels.push_back(std::move(channel));
  }
  return channels;
}

absl::StatusOr<Channels> ChannelsPerWorker(const GrpcTargetOptions& options, int concurrency) {
  int count = options.channels <= 0 ? concurrency : std::min(options.channels, concurrency);
  auto channels = OpenChannels(options, count);
  if (!channels.ok()) return channels.status();
  Channels per_worker;
  for (int i = 0; i < concurrency; ++i) per_worker.push_back((*channels)[i % count]);
  return per_worker;
}

std::string Describe(const grpc::Status& status) {
  return absl::StrCat("gRPC code ", static_cast<int>(status.error_code()), ": ",
                      status.error_message());
}

ReusableArena::ReusableArena() : block_(kBlockBytes), arena_(Options(block_)) {}

google::protobuf::ArenaOptions ReusableArena::Options(std::vector<char>& block) {
  google::protobuf::ArenaOptions options;
  options.initial_block = block.data();
  options.initial_block_size = block.size();
  return options;
}

absl::StatusOr<std::vector<std::unique_ptr<Worker>>> MakeExecuteWorkers(
    const GrpcTargetOptions& options, const ExecuteCall& call, int concurrency) {
  auto channels = ChannelsPerWorker(options, concurrency);
  if (!channels.ok()) return channels.status();
  std::vector<std::unique_ptr<Worker>> workers;
  for (int i = 0; i < concurrency; ++i) {
    int64_t first_id = call.id_range > 0 ? 1 + (i * call.id_range / concurrency) : 0;
    workers.push_back(
        std::make_unique<ExecuteWorker>((*channels)[i], call, options.call_deadline, first_id));
  }
  return workers;
}

absl::StatusOr<std::vector<std::unique_ptr<Worker>>> MakeHealthWorkers(
    const GrpcTargetOptions& options, int concurrency) {
  auto channels = ChannelsPerWorker(options, concurrency);
  if (!channels.ok()) return channels.status();
  std::vector<std::unique_ptr<Worker>> workers;
  for (int i = 0; i < concurrency; ++i) {
    workers.push_back(std::make_unique<HealthWorker>((*channels)[i], options.call_deadline));
  }
  return workers;
}

absl::StatusOr<int64_t> WarmCache(const GrpcTargetOptions& options, const ExecuteCall& call) {
  auto channels = OpenChannels(options, 1);
  if (!channels.ok()) return channels.status();
  auto stub = v1::QueryService::NewStub(channels->front());
  int64_t ids = call.id_param.empty() ? 1 : call.id_range;
  int64_t filled = 0;
  v1::ExecuteRequest request;
  request.set_query(call.query);
  request.set_cache_mode(v1::CACHE_MODE_UNSPECIFIED);
  for (int64_t id = 1; id <= ids; ++id) {
    if (!call.id_param.empty()) (*request.mutable_params())[call.id_param].set_int_value(id);
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() +
                         absl::ToChronoNanoseconds(options.call_deadline));
    v1::ExecuteResponse response;
    grpc::Status status = stub->Execute(&context, request, &response);
    if (!status.ok()) {
      return absl::UnavailableError(
          absl::StrCat("warming ", call.query, " (id ", id, "): ", Describe(status)));
    }
    if (response.cache().status() != v1::CACHE_STATUS_HIT) ++filled;
  }
  return filled;
}

}  // namespace querygate::bench
