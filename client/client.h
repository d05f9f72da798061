#ifndef QUERYGATE_CLIENT_CLIENT_H_
#define QUERYGATE_CLIENT_CLIENT_H_

// The querygate C++ client: typed calls over one gRPC channel.
//
//   auto client = querygate::client::Client::Create({.target = "127.0.0.1:50051"});
//   auto result = (*client)->Execute("item_by_id", Params().Set("id", 1));
//   auto name = result->Get<std::string>(0, "name");
//
// Every method returns the server's status (same code and message) on failure, or
// INVALID_ARGUMENT for a request the client can tell is malformed. A Client is thread-safe.

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "client/client_options.h"
#include "client/insights_types.h"
#include "client/types.h"
#include "client/value_helpers.h"
#include "common/value.h"

namespace querygate::client {

class Client {
 public:
  // Creates a client for options.target. The channel connects lazily: an unreachable server
  // shows up as UNAVAILABLE on the first call. Fails with INVALID_ARGUMENT for an empty
  // target or an incomplete TLS key pair.
  static absl::StatusOr<std::unique_ptr<Client>> Create(ClientOptions options);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Named queries.
  absl::StatusOr<Result> Execute(const std::string& query, const Value::Struct& params = {},
                                 const CallOptions& call = {});
  absl::StatusOr<std::vector<QueryInfo>> ListQueries(const CallOptions& call = {});

  // Cache control.
  absl::StatusOr<InvalidationResult> Invalidate(const Invalidation& what,
                                                const CallOptions& call = {});
  // Streams progress to `on_progress` (may be empty) and returns the final progress. A stream
  // that ends without a finished message fails with UNAVAILABLE.
  absl::StatusOr<WarmProgress> Warm(const WarmRequest& request,
                                    const std::function<void(const WarmProgress&)>& on_progress,
                                    const CallOptions& call = {});
  absl::StatusOr<ServerStats> Stats(const CallOptions& call = {});
  // The database as the server uses it (CacheService.Insights); `limit` statements, 0: 50.
  absl::StatusOr<DatabaseInsights> Insights(int limit = 0, const CallOptions& call = {});
  // Index proposals checked with hypopg (CacheService.Advise); 0 takes the server's defaults.
  absl::StatusOr<IndexAdvice> Advise(int limit = 0, double min_cost_reduction = 0,
                                     const CallOptions& call = {});
  // The gRPC health state of `service` ("" for the whole server, "querygate.cache",
  // "querygate.database"). NOT_FOUND for a service the server does not know.
  absl::StatusOr<HealthStatus> Health(const std::string& service = "",
                                      const CallOptions& call = {});

  // Repository. `id` is the primary key (a list of both keys for a junction table).
  absl::StatusOr<GetResult> Get(const std::string& model, const Value& id,
                                const std::vector<std::string>& include = {},
                                const CallOptions& call = {});
  absl::StatusOr<ListResult> List(const std::string& model, const ListOptions& options = {},
                                  const CallOptions& call = {});
  absl::StatusOr<int64_t> Count(const std::string& model, const Filter& filter = {},
                                const CallOptions& call = {});
  absl::StatusOr<Record> Create(const std::string& model, const Record& record,
                                const CallOptions& call = {});
  absl::StatusOr<Record> Update(const std::string& model, const Value& id, const Record& record,
                                const UpdateOptions& options = {}, const CallOptions& call = {});
  // Returns false when no visible row had this id. `hard` removes the row even on a model
  // with soft delete.
  absl::StatusOr<bool> Delete(const std::string& model, const Value& id, bool hard = false,
                              const CallOptions& call = {});

  const ClientOptions& options() const;

 private:
  class Impl;
  explicit Client(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace querygate::client

#endif  // QUERYGATE_CLIENT_CLIENT_H_
