#include "bench/async_calls.h"

#include <grpcpp/client_context.h>
#include <grpcpp/support/async_unary_call.h>

#include <chrono>
#include <optional>

#include "absl/strings/str_cat.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "querygate/v1/query_service.grpc.pb.h"
#include "querygate/v1/repository_service.grpc.pb.h"

namespace querygate::bench {
namespace {

namespace v1 = ::querygate::v1;

// The ids of one slot.
class IdSource {
 public:
  IdSource(const IdPlan& plan, std::shared_ptr<std::atomic<int64_t>> shared, int64_t index,
           int64_t slots)
      : plan_(plan), shared_(std::move(shared)), next_(index * plan.range / slots) {}

  std::optional<int64_t> Next() {
    if (plan_.once) {
      int64_t n = shared_->fetch_add(1, std::memory_order_relaxed);
      if (n >= plan_.range) return std::nullopt;
      return plan_.base + n;
    }
    int64_t id = plan_.base + next_;
    next_ = (next_ + 1) % plan_.range;
    return id;
  }

 private:
  IdPlan plan_;
  std::shared_ptr<std::atomic<int64_t>> shared_;
  int64_t next_;
};

// Checks a read's cache status and tier.
bool CheckCache(const v1::CacheInfo& cache, ExpectTier tier, bool any_status, std::string* detail) {
  if (any_status) return true;
  if (cache.status() != v1::CACHE_STATUS_HIT) {
    *detail = absl::StrCat("cache status ", v1::CacheStatus_Name(cache.status()),
                           " where CACHE_STATUS_HIT was expected");
    return false;
  }
  v1::CacheTier want = tier == ExpectTier::kLocal    ? v1::CACHE_TIER_LOCAL
                       : tier == ExpectTier::kShared ? v1::CACHE_TIER_SHARED
                                                     : cache.tier();
  if (cache.tier() != want) {
    *detail = absl::StrCat("cache tier ", v1::CacheTier_Name(cache.tier()), " where ",
                           v1::CacheTier_Name(want), " was expected");
    return false;
  }
  return true;
}

// Fills a fresh context with a deadline `deadline` from now.
std::unique_ptr<grpc::ClientContext> FreshContext(std::chrono::nanoseconds deadline) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() + deadline);
  return context;
}

class HealthSlot : public AsyncCall {
 public:
  HealthSlot(std::shared_ptr<grpc::Channel> channel, absl::Duration deadline)
      : stub_(grpc::health::v1::Health::NewStub(channel)),
        deadline_(absl::ToChronoNanoseconds(deadline)) {}

  bool Start(grpc::CompletionQueue* cq) override {
    context_ = FreshContext(deadline_);
    reader_ = stub_->AsyncCheck(context_.get(), request_, cq);
    reader_->Finish(&response_, &status_, this);
    return true;
  }

  CallOutcome Finish(std::string* detail) override {
    if (!status_.ok()) {
      *detail = Describe(status_);
      return CallOutcome::kError;
    }
    if (response_.status() != grpc::health::v1::HealthCheckResponse::SERVING) {
      *detail = absl::StrCat("health status ", static_cast<int>(response_.status()));
      return CallOutcome::kUnexpected;
    }
    return CallOutcome::kOk;
  }

 private:
  std::unique_ptr<grpc::health::v1::Health::Stub> stub_;
  std::chrono::nanoseconds deadline_;
  grpc::health::v1::HealthCheckRequest request_;
  std::unique_ptr<grpc::ClientContext> context_;
  std::unique_ptr<grpc::ClientAsyncResponseReader<grpc::health::v1::HealthCheckResponse>> reader_;
  grpc::health::v1::HealthCheckResponse response_;
  grpc::Status status_;
};

class ExecuteSlot : public AsyncCall {
 public:
  ExecuteSlot(std::shared_ptr<grpc::Channel> channel, const AsyncExecuteSpec& spec,
              absl::Duration deadline, IdSource ids)
      : stub_(v1::QueryService::NewStub(channel)),
        spec_(spec),
        deadline_(absl::ToChronoNanoseconds(deadline)),
        ids_(std::move(ids)) {
    request_.set_query(spec.query);
  }

  bool Start(grpc::CompletionQueue* cq) override {
    if (!spec_.id_param.empty()) {
      std::optional<int64_t> id = ids_.Next();
      if (!id) return false;
      (*request_.mutable_params())[spec_.id_param].set_int_value(*id);
    }
    context_ = FreshContext(deadline_);
    response_.Clear();
    reader_ = stub_->AsyncExecute(context_.get(), request_, cq);
    reader_->Finish(&response_, &status_, this);
    return true;
  }

  CallOutcome Finish(std::string* detail) override {
    CallOutcome outcome = Judge(detail);
    if (spec_.tiers && spec_.tiers->counting.load(std::memory_order_relaxed)) {
      bool hit = status_.ok() && response_.cache().status() == v1::CACHE_STATUS_HIT;
      auto& counter = !hit                                               ? spec_.tiers->other
                      : response_.cache().tier() == v1::CACHE_TIER_LOCAL ? spec_.tiers->local
                                                                         : spec_.tiers->shared;
      counter.fetch_add(1, std::memory_order_relaxed);
    }
    return outcome;
  }

 private:
  CallOutcome Judge(std::string* detail) {
    if (!status_.ok()) {
      *detail = Describe(status_);
      return CallOutcome::kError;
    }
    if (!CheckCache(response_.cache(), spec_.tier, spec_.any_status, detail)) {
      return CallOutcome::kUnexpected;
    }
    if (spec_.expected_rows >= 0 && response_.rows_size() != spec_.expected_rows) {
      *detail = absl::StrCat(response_.rows_size(), " rows where ", spec_.expected_rows,
                             " were expected");
      return CallOutcome::kUnexpected;
    }
    return CallOutcome::kOk;
  }

  std::unique_ptr<v1::QueryService::Stub> stub_;
  AsyncExecuteSpec spec_;
  std::chrono::nanoseconds deadline_;
  IdSource ids_;
  v1::ExecuteRequest request_;
  std::unique_ptr<grpc::ClientContext> context_;
  std::unique_ptr<grpc::ClientAsyncResponseReader<v1::ExecuteResponse>> reader_;
  v1::ExecuteResponse response_;
  grpc::Status status_;
};

class GetSlot : public AsyncCall {
 public:
  GetSlot(std::shared_ptr<grpc::Channel> channel, const AsyncGetSpec& spec, absl::Duration deadline,
          IdSource ids)
      : stub_(v1::RepositoryService::NewStub(channel)),
        spec_(spec),
        deadline_(absl::ToChronoNanoseconds(deadline)),
        ids_(std::move(ids)) {
    request_.set_model(spec.model);
  }

  bool Start(grpc::CompletionQueue* cq) override {
    std::optional<int64_t> id = ids_.Next();
    if (!id) return false;
    id_ = *id;
    request_.mutable_id()->set_int_value(id_);
    context_ = FreshContext(deadline_);
    response_.Clear();
    reader_ = stub_->AsyncGet(context_.get(), request_, cq);
    reader_->Finish(&response_, &status_, this);
    return true;
  }

  CallOutcome Finish(std::string* detail) override {
    if (!status_.ok()) {
      *detail = Describe(status_);
      return CallOutcome::kError;
    }
    if (!CheckCache(response_.cache(), spec_.tier, false, detail)) {
      return CallOutcome::kUnexpected;
    }
    if (response_.statements() != 0) {
      *detail = absl::StrCat(response_.statements(), " statements on a HIT");
      return CallOutcome::kUnexpected;
    }
    auto it = response_.record().fields().find("id");
    if (it == response_.record().fields().end() || it->second.int_value() != id_) {
      *detail = absl::StrCat("Get ", spec_.model, " ", id_, " returned another record");
      return CallOutcome::kUnexpected;
    }
    return CallOutcome::kOk;
  }

 private:
  std::unique_ptr<v1::RepositoryService::Stub> stub_;
  AsyncGetSpec spec_;
  std::chrono::nanoseconds deadline_;
  IdSource ids_;
  int64_t id_ = 0;
  v1::GetRequest request_;
  std::unique_ptr<grpc::ClientContext> context_;
  std::unique_ptr<grpc::ClientAsyncResponseReader<v1::GetResponse>> reader_;
  v1::GetResponse response_;
  grpc::Status status_;
};

// Numbers the slots globally in the order the factory is called.
struct SlotCounter {
  std::atomic<int64_t> next_slot{0};
  std::shared_ptr<std::atomic<int64_t>> next_id = std::make_shared<std::atomic<int64_t>>(0);
};

// A worker that drives one call slot to completion on its own queue, one call at a time.
class BlockingWorker : public Worker {
 public:
  explicit BlockingWorker(std::unique_ptr<AsyncCall> call) : call_(std::move(call)) {}
  ~BlockingWorker() override {
    cq_.Shutdown();
    void* tag;
    bool ok;
    while (cq_.Next(&tag, &ok)) {
    }
  }

  CallOutcome Call(std::string* detail) override {
    if (!call_->Start(&cq_)) {
      *detail = "no call left";
      return CallOutcome::kError;
    }
    void* tag = nullptr;
    bool ok = false;
    if (!cq_.Next(&tag, &ok)) {
      *detail = "completion queue shut down";
      return CallOutcome::kError;
    }
    return call_->Finish(detail);
  }

 private:
  std::unique_ptr<AsyncCall> call_;
  grpc::CompletionQueue cq_;
};

}  // namespace

AsyncCallFactory HealthCalls(Channels channels, absl::Duration deadline) {
  auto counter = std::make_shared<SlotCounter>();
  return [channels, deadline, counter](int, int, int) -> std::unique_ptr<AsyncCall> {
    int64_t slot = counter->next_slot.fetch_add(1);
    return std::make_unique<HealthSlot>(channels[slot % channels.size()], deadline);
  };
}

AsyncCallFactory ExecuteCalls(Channels channels, const AsyncExecuteSpec& spec,
                              absl::Duration deadline, int concurrency) {
  auto counter = std::make_shared<SlotCounter>();
  return [channels, spec, deadline, counter, concurrency](int, int,
                                                          int) -> std::unique_ptr<AsyncCall> {
    int64_t slot = counter->next_slot.fetch_add(1);
    return std::make_unique<ExecuteSlot>(channels[slot % channels.size()], spec, deadline,
                                         IdSource(spec.ids, counter->next_id, slot, concurrency));
  };
}

AsyncCallFactory GetCalls(Channels channels, const AsyncGetSpec& spec, absl::Duration deadline,
                          int concurrency) {
  auto counter = std::make_shared<SlotCounter>();
  return [channels, spec, deadline, counter, concurrency](int, int,
                                                          int) -> std::unique_ptr<AsyncCall> {
    int64_t slot = counter->next_slot.fetch_add(1);
    return std::make_unique<GetSlot>(channels[slot % channels.size()], spec, deadline,
                                     IdSource(spec.ids, counter->next_id, slot, concurrency));
  };
}

std::vector<std::unique_ptr<Worker>> BlockingWorkers(const AsyncCallFactory& factory,
                                                     int concurrency) {
  std::vector<std::unique_ptr<Worker>> workers;
  for (int i = 0; i < concurrency; ++i) {
    workers.push_back(std::make_unique<BlockingWorker>(factory(i, 0, 1)));
  }
  return workers;
}

}  // namespace querygate::bench
