#ifndef QUERYGATE_TESTS_SUPPORT_L1_CALLS_H_
#define QUERYGATE_TESTS_SUPPORT_L1_CALLS_H_

#include <grpcpp/channel.h>
#include <grpcpp/client_context.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/time/clock.h"
#include "querygate/v1/cache_service.grpc.pb.h"
#include "querygate/v1/query_service.grpc.pb.h"
#include "querygate/v1/repository_service.grpc.pb.h"
#include "tests/support/wire_values.h"

namespace querygate::testing {

// One answer of a named query or a repository Get: the status, the first row's value of one
// column (as text: int or string), and the cache information.
struct Read {
  grpc::Status status;
  std::string value;
  bool found = false;  // a row was returned
  v1::CacheInfo cache;
};

// The calls the L1 tests make against one instance, each with its own deadline.
class InstanceCalls {
 public:
  explicit InstanceCalls(const std::shared_ptr<grpc::Channel>& channel)
      : queries_(v1::QueryService::NewStub(channel)),
        repository_(v1::RepositoryService::NewStub(channel)),
        cache_(v1::CacheService::NewStub(channel)) {}

  // Runs named query `query` with int parameter id=`id` (plus `extra`); `value` is column
  // `column` of the first row.
  Read Execute(const std::string& query, int64_t id, int column = 1,
               v1::CacheMode mode = v1::CACHE_MODE_UNSPECIFIED,
               absl::Duration deadline = absl::Seconds(10)) {
    v1::ExecuteRequest request;
    request.set_query(query);
    (*request.mutable_params())["id"] = Int(id);
    request.set_cache_mode(mode);
    v1::ExecuteResponse response;
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + deadline));
    Read out;
    out.status = queries_->Execute(&context, request, &response);
    out.cache = response.cache();
    if (out.status.ok() && response.rows_size() > 0 && response.rows(0).values_size() > column) {
      out.found = true;
      out.value = Text(response.rows(0).values(column));
    }
    return out;
  }

  // Gets `model` row `id`; `value` is its field `field`.
  Read Get(const std::string& model, int64_t id, const std::string& field,
           v1::CacheMode mode = v1::CACHE_MODE_UNSPECIFIED,
           absl::Duration deadline = absl::Seconds(10)) {
    v1::GetRequest request;
    request.set_model(model);
    *request.mutable_id() = Int(id);
    request.set_cache_mode(mode);
    v1::GetResponse response;
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + deadline));
    Read out;
    out.status = repository_->Get(&context, request, &response);
    out.cache = response.cache();
    auto it = response.record().fields().find(field);
    if (out.status.ok() && it != response.record().fields().end()) {
      out.found = true;
      out.value = Text(it->second);
    }
    return out;
  }

  // Sets field `field` of `model` row `id` to `value`.
  grpc::Status Update(const std::string& model, int64_t id, const std::string& field,
                      const v1::Value& value, absl::Duration deadline = absl::Seconds(10)) {
    v1::UpdateRequest request;
    request.set_model(model);
    *request.mutable_id() = Int(id);
    (*request.mutable_record()->mutable_fields())[field] = value;
    v1::UpdateResponse response;
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + deadline));
    return repository_->Update(&context, request, &response);
  }

  // CacheService.Invalidate of `tables` and `queries`.
  grpc::Status Invalidate(const std::vector<std::string>& tables,
                          const std::vector<std::string>& queries,
                          absl::Duration deadline = absl::Seconds(10)) {
    v1::InvalidateRequest request;
    for (const std::string& t : tables) request.add_tables(t);
    for (const std::string& q : queries) request.add_queries(q);
    v1::InvalidateResponse response;
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + deadline));
    return cache_->Invalidate(&context, request, &response);
  }

  static std::string Text(const v1::Value& v) {
    if (v.has_string_value()) return v.string_value();
    if (v.has_int_value()) return std::to_string(v.int_value());
    return "<other>";
  }

 private:
  std::unique_ptr<v1::QueryService::Stub> queries_;
  std::unique_ptr<v1::RepositoryService::Stub> repository_;
  std::unique_ptr<v1::CacheService::Stub> cache_;
};

inline bool IsLocalHit(const Read& r) {
  return r.status.ok() && r.cache.status() == v1::CACHE_STATUS_HIT &&
         r.cache.tier() == v1::CACHE_TIER_LOCAL;
}

inline bool IsSharedHit(const Read& r) {
  return r.status.ok() && r.cache.status() == v1::CACHE_STATUS_HIT &&
         r.cache.tier() == v1::CACHE_TIER_SHARED;
}

}  // namespace querygate::testing

#endif  // QUERYGATE_TESTS_SUPPORT_L1_CALLS_H_
