#include "bench/vector_calls.h"

#include <grpcpp/client_context.h>
#include <grpcpp/support/async_unary_call.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <random>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "querygate/v1/repository_service.grpc.pb.h"

namespace querygate::bench {
namespace {

namespace v1 = ::querygate::v1;

using Requests = std::shared_ptr<const std::vector<v1::ListRequest>>;

Requests BuildRequests(const AsyncNearestSpec& spec) {
  auto requests = std::make_shared<std::vector<v1::ListRequest>>();
  for (const std::vector<float>& query : *spec.queries) {
    v1::ListRequest& req = requests->emplace_back();
    req.set_model(spec.model);
    if (spec.bypass) req.set_cache_mode(v1::CACHE_MODE_BYPASS);
    v1::Nearest* nearest = req.mutable_nearest();
    nearest->set_field(spec.field);
    nearest->set_k(spec.k);
    nearest->set_metric(v1::DISTANCE_METRIC_COSINE);
    for (float x : query) nearest->add_vector(x);
  }
  return requests;
}

class NearestSlot : public AsyncCall {
 public:
  NearestSlot(std::shared_ptr<grpc::Channel> channel, Requests requests,
              const AsyncNearestSpec& spec, absl::Duration deadline, size_t first)
      : stub_(v1::RepositoryService::NewStub(channel)),
        requests_(std::move(requests)),
        k_(spec.k),
        want_(spec.bypass ? v1::CACHE_STATUS_BYPASS : v1::CACHE_STATUS_HIT),
        deadline_(absl::ToChronoNanoseconds(deadline)),
        next_(first % requests_->size()) {}

  bool Start(grpc::CompletionQueue* cq) override {
    const v1::ListRequest& request = (*requests_)[next_];
    next_ = (next_ + 1) % requests_->size();
    context_ = std::make_unique<grpc::ClientContext>();
    context_->set_deadline(std::chrono::system_clock::now() + deadline_);
    response_.Clear();
    reader_ = stub_->AsyncList(context_.get(), request, cq);
    reader_->Finish(&response_, &status_, this);
    return true;
  }

  CallOutcome Finish(std::string* detail) override {
    if (!status_.ok()) {
      *detail = Describe(status_);
      return CallOutcome::kError;
    }
    if (response_.cache().status() != want_) {
      *detail = absl::StrCat("cache status ", v1::CacheStatus_Name(response_.cache().status()),
                             " where ", v1::CacheStatus_Name(want_), " was expected");
      return CallOutcome::kUnexpected;
    }
    if (response_.records_size() != k_) {
      *detail = absl::StrCat(response_.records_size(), " records where ", k_, " were expected");
      return CallOutcome::kUnexpected;
    }
    return CallOutcome::kOk;
  }

 private:
  std::unique_ptr<v1::RepositoryService::Stub> stub_;
  Requests requests_;
  int k_;
  v1::CacheStatus want_;
  std::chrono::nanoseconds deadline_;
  size_t next_;
  std::unique_ptr<grpc::ClientContext> context_;
  std::unique_ptr<grpc::ClientAsyncResponseReader<v1::ListResponse>> reader_;
  v1::ListResponse response_;
  grpc::Status status_;
};

}  // namespace

std::shared_ptr<const std::vector<std::vector<float>>> NearestQueries(int count, int dimensions) {
  std::mt19937 rng(20240613);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  auto queries = std::make_shared<std::vector<std::vector<float>>>();
  for (int q = 0; q < count; ++q) {
    std::vector<float>& v = queries->emplace_back(dimensions);
    for (float& x : v) x = dist(rng);
  }
  return queries;
}

AsyncCallFactory NearestCalls(Channels channels, const AsyncNearestSpec& spec,
                              absl::Duration deadline, int concurrency) {
  Requests requests = BuildRequests(spec);
  auto next_slot = std::make_shared<std::atomic<int64_t>>(0);
  return [channels, requests, spec, deadline, next_slot, concurrency](
             int, int, int) -> std::unique_ptr<AsyncCall> {
    int64_t slot = next_slot->fetch_add(1);
    size_t first = static_cast<size_t>(slot) * requests->size() / std::max(concurrency, 1);
    return std::make_unique<NearestSlot>(channels[slot % channels.size()], requests, spec, deadline,
                                         first);
  };
}

absl::StatusOr<int> WarmNearest(const GrpcTargetOptions& grpc, const AsyncNearestSpec& spec) {
  auto channels = OpenChannels(grpc, 1);
  if (!channels.ok()) return channels.status();
  auto stub = v1::RepositoryService::NewStub(channels->front());
  AsyncNearestSpec fill = spec;
  fill.bypass = false;
  int filled = 0;
  Requests requests = BuildRequests(fill);
  for (const v1::ListRequest& request : *requests) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() +
                         absl::ToChronoNanoseconds(grpc.call_deadline));
    v1::ListResponse response;
    grpc::Status status = stub->List(&context, request, &response);
    if (!status.ok()) {
      return absl::UnavailableError(absl::StrCat("warming nearest: ", Describe(status)));
    }
    if (response.cache().status() != v1::CACHE_STATUS_HIT) ++filled;
  }
  return filled;
}

}  // namespace querygate::bench
