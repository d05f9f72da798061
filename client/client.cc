#include "client/client.h"

#include <grpcpp/client_context.h>
#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <grpcpp/support/channel_arguments.h>

#include <algorithm>
#include <mutex>
#include <random>
#include <thread>

#include "client/internal/insights_conversion.h"
#include "client/internal/proto_conversion.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "querygate/v1/cache_service.grpc.pb.h"
#include "querygate/v1/query_service.grpc.pb.h"
#include "querygate/v1/repository_service.grpc.pb.h"

namespace querygate::client {

using internal::FromGrpc;
using internal::FromProto;
using internal::ToProto;

namespace {

// Fails with INVALID_ARGUMENT unless the tenant header name is a lowercase text metadata key and
// the tenant a value a header can carry.
absl::Status CheckTenant(const std::string& header, const std::string& tenant) {
  if (tenant.empty()) return absl::OkStatus();
  bool valid_name = !header.empty() && header != "authorization" &&
                    header.compare(0, 5, "grpc-") != 0 &&
                    !(header.size() >= 4 && header.compare(header.size() - 4, 4, "-bin") == 0);
  for (char c : header) {
    valid_name = valid_name && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
                                c == '_' || c == '.');
  }
  if (!valid_name) {
    return absl::InvalidArgumentError(
        "client: tenant_header must be a lowercase metadata name (letters, digits, -_.)");
  }
  for (char c : tenant) {
    if (c < ' ' || c > '~') {
      return absl::InvalidArgumentError("client: the tenant has a character a header cannot carry");
    }
  }
  return absl::OkStatus();
}

// A token must be printable ASCII without spaces to travel in the authorization header.
absl::Status CheckToken(const std::string& token) {
  for (char c : token) {
    if (c <= ' ' || c > '~') {
      return absl::InvalidArgumentError(
          "client: the bearer token has a character a header cannot carry");
    }
  }
  return absl::OkStatus();
}

}  // namespace

class Client::Impl {
 public:
  explicit Impl(ClientOptions options) : options_(std::move(options)) {
    grpc::ChannelArguments args;
    // Reconnect on the retry schedule, so a retried read can reach a server that came back.
    args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS,
                static_cast<int>(options_.retry.initial_backoff.count()));
    args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS,
                static_cast<int>(options_.retry.initial_backoff.count()));
    args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS,
                static_cast<int>(options_.retry.max_backoff.count()));
    std::shared_ptr<grpc::ChannelCredentials> credentials;
    if (options_.tls.enabled) {
      grpc::SslCredentialsOptions ssl;
      ssl.pem_root_certs = options_.tls.root_certs_pem;
      ssl.pem_cert_chain = options_.tls.cert_chain_pem;
      ssl.pem_private_key = options_.tls.private_key_pem;
      credentials = grpc::SslCredentials(ssl);
      if (!options_.tls.server_name_override.empty()) {
        args.SetSslTargetNameOverride(options_.tls.server_name_override);
      }
    } else {
      credentials = grpc::InsecureChannelCredentials();
    }
    channel_ = grpc::CreateCustomChannel(options_.target, credentials, args);
    queries_ = v1::QueryService::NewStub(channel_);
    cache_ = v1::CacheService::NewStub(channel_);
    repository_ = v1::RepositoryService::NewStub(channel_);
    health_ = grpc::health::v1::Health::NewStub(channel_);
  }

  // Runs `attempt` (which must reset its response) until it succeeds, fails with anything
  // but UNAVAILABLE, the call is not a read, the attempts are used up, or the next backoff
  // would pass the deadline. Returns the last status.
  template <typename Attempt>
  absl::Status Call(bool read, const CallOptions& call, Attempt attempt) {
    std::chrono::milliseconds timeout = call.deadline.value_or(options_.default_deadline);
    auto now = std::chrono::system_clock::now();
    std::optional<std::chrono::system_clock::time_point> deadline;
    if (timeout.count() > 0) deadline = now + timeout;
    const RetryOptions& retry = options_.retry;
    double backoff_ms = static_cast<double>(retry.initial_backoff.count());
    for (int number = 1;; ++number) {
      grpc::ClientContext context;
      if (deadline) context.set_deadline(*deadline);
      absl::Status authorized = Authorize(context);
      if (!authorized.ok()) return authorized;
      absl::Status status = FromGrpc(attempt(context));
      if (status.ok() || !read || status.code() != absl::StatusCode::kUnavailable ||
          number >= retry.max_attempts) {
        return status;
      }
      std::chrono::milliseconds sleep(static_cast<int64_t>(backoff_ms * Jitter()));
      if (deadline && std::chrono::system_clock::now() + sleep >= *deadline) return status;
      if (options_.on_retry) options_.on_retry(number, status);
      std::this_thread::sleep_for(sleep);
      backoff_ms =
          std::min(backoff_ms * retry.multiplier, static_cast<double>(retry.max_backoff.count()));
    }
  }

  // Adds the bearer token and the tenant header, if any, to the call's metadata. Fails with
  // INVALID_ARGUMENT for a token that cannot travel in a header.
  absl::Status Authorize(grpc::ClientContext& context) const {
    if (!options_.tenant.empty()) context.AddMetadata(options_.tenant_header, options_.tenant);
    std::string token = options_.token_source ? options_.token_source() : options_.bearer_token;
    if (token.empty()) return absl::OkStatus();
    absl::Status valid = CheckToken(token);
    if (!valid.ok()) return valid;
    context.AddMetadata("authorization", "Bearer " + token);
    return absl::OkStatus();
  }

  // A factor in [0.8, 1.2).
  double Jitter() {
    std::lock_guard<std::mutex> lock(random_mu_);
    return std::uniform_real_distribution<double>(0.8, 1.2)(random_);
  }

  ClientOptions options_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::QueryService::Stub> queries_;
  std::unique_ptr<v1::CacheService::Stub> cache_;
  std::unique_ptr<v1::RepositoryService::Stub> repository_;
  std::unique_ptr<grpc::health::v1::Health::Stub> health_;
  std::mutex random_mu_;
  std::minstd_rand random_{std::random_device{}()};
};

absl::StatusOr<std::unique_ptr<Client>> Client::Create(ClientOptions options) {
  if (options.target.empty()) return absl::InvalidArgumentError("client: empty target");
  if (options.tls.cert_chain_pem.empty() != options.tls.private_key_pem.empty()) {
    return absl::InvalidArgumentError(
        "client: TLS needs both a certificate chain and a private key, or neither");
  }
  if (!options.bearer_token.empty()) {
    absl::Status valid = CheckToken(options.bearer_token);
    if (!valid.ok()) return valid;
  }
  absl::Status tenant = CheckTenant(options.tenant_header, options.tenant);
  if (!tenant.ok()) return tenant;
  if (options.retry.max_attempts < 1) options.retry.max_attempts = 1;
  if (options.retry.initial_backoff.count() < 1) {
    options.retry.initial_backoff = std::chrono::milliseconds(1);
  }
  options.retry.max_backoff = std::max(options.retry.max_backoff, options.retry.initial_backoff);
  return std::unique_ptr<Client>(new Client(std::make_unique<Impl>(std::move(options))));
}

Client::Client(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Client::~Client() = default;

const ClientOptions& Client::options() const { return impl_->options_; }

absl::StatusOr<Result> Client::Execute(const std::string& query, const Value::Struct& params,
                                       const CallOptions& call) {
  v1::ExecuteRequest request;
  request.set_query(query);
  request.set_cache_mode(ToProto(call.cache_mode));
  for (const auto& [name, value] : params) ToProto(value, (*request.mutable_params())[name]);
  v1::ExecuteResponse response;
  absl::Status status = impl_->Call(true, call, [&](grpc::ClientContext& context) {
    response.Clear();
    return impl_->queries_->Execute(&context, request, &response);
  });
  if (!status.ok()) return status;
  return FromProto(response);
}

absl::StatusOr<std::vector<QueryInfo>> Client::ListQueries(const CallOptions& call) {
  v1::ListQueriesRequest request;
  v1::ListQueriesResponse response;
  absl::Status status = impl_->Call(true, call, [&](grpc::ClientContext& context) {
    response.Clear();
    return impl_->queries_->ListQueries(&context, request, &response);
  });
  if (!status.ok()) return status;
  std::vector<QueryInfo> out;
  out.reserve(response.queries_size());
  for (const v1::QueryInfo& info : response.queries()) out.push_back(FromProto(info));
  return out;
}

absl::StatusOr<InvalidationResult> Client::Invalidate(const Invalidation& what,
                                                      const CallOptions& call) {
  v1::InvalidateRequest request;
  for (const auto& t : what.tables) request.add_tables(t);
  for (const auto& q : what.queries) request.add_queries(q);
  for (const auto& t : what.tags) request.add_tags(t);
  request.set_tenant(what.tenant);
  v1::InvalidateResponse response;
  absl::Status status = impl_->Call(false, call, [&](grpc::ClientContext& context) {
    response.Clear();
    return impl_->cache_->Invalidate(&context, request, &response);
  });
  if (!status.ok()) return status;
  return InvalidationResult{{response.tables().begin(), response.tables().end()},
                            {response.queries().begin(), response.queries().end()},
                            response.tenant()};
}

absl::StatusOr<WarmProgress> Client::Warm(
    const WarmRequest& request, const std::function<void(const WarmProgress&)>& on_progress,
    const CallOptions& call) {
  v1::WarmRequest wire;
  ToProto(request, wire);
  WarmProgress last;
  absl::Status status = impl_->Call(false, call, [&](grpc::ClientContext& context) {
    auto reader = impl_->cache_->Warm(&context, wire);
    v1::WarmProgress progress;
    while (reader->Read(&progress)) {
      last = FromProto(progress);
      if (on_progress) on_progress(last);
    }
    return reader->Finish();
  });
  if (!status.ok()) return status;
  if (!last.finished) return absl::UnavailableError("warm: the stream ended before finishing");
  return last;
}

absl::StatusOr<ServerStats> Client::Stats(const CallOptions& call) {
  v1::StatsRequest request;
  v1::StatsResponse response;
  absl::Status status = impl_->Call(true, call, [&](grpc::ClientContext& context) {
    response.Clear();
    return impl_->cache_->Stats(&context, request, &response);
  });
  if (!status.ok()) return status;
  return FromProto(response);
}

absl::StatusOr<DatabaseInsights> Client::Insights(int limit, const CallOptions& call) {
  v1::InsightsRequest request;
  request.set_limit(limit);
  v1::InsightsResponse response;
  absl::Status status = impl_->Call(true, call, [&](grpc::ClientContext& context) {
    response.Clear();
    return impl_->cache_->Insights(&context, request, &response);
  });
  if (!status.ok()) return status;
  return FromProto(response);
}

absl::StatusOr<IndexAdvice> Client::Advise(int limit, double min_cost_reduction,
                                           const CallOptions& call) {
  v1::AdviseRequest request;
  request.set_limit(limit);
  request.set_min_cost_reduction(min_cost_reduction);
  v1::AdviseResponse response;
  absl::Status status = impl_->Call(true, call, [&](grpc::ClientContext& context) {
    response.Clear();
    return impl_->cache_->Advise(&context, request, &response);
  });
  if (!status.ok()) return status;
  return FromProto(response);
}

absl::StatusOr<HealthStatus> Client::Health(const std::string& service, const CallOptions& call) {
  grpc::health::v1::HealthCheckRequest request;
  request.set_service(service);
  grpc::health::v1::HealthCheckResponse response;
  absl::Status status = impl_->Call(true, call, [&](grpc::ClientContext& context) {
    response.Clear();
    return impl_->health_->Check(&context, request, &response);
  });
  if (!status.ok()) return status;
  switch (response.status()) {
    case grpc::health::v1::HealthCheckResponse::SERVING:
      return HealthStatus::kServing;
    case grpc::health::v1::HealthCheckResponse::NOT_SERVING:
      return HealthStatus::kNotServing;
    case grpc::health::v1::HealthCheckResponse::SERVICE_UNKNOWN:
      return HealthStatus::kServiceUnknown;
    default:
      return HealthStatus::kUnknown;
  }
}

absl::StatusOr<GetResult> Client::Get(const std::string& model, const Value& id,
                                      const std::vector<std::string>& include,
                                      const CallOptions& call) {
  v1::GetRequest request;
  request.set_model(model);
  ToProto(id, *request.mutable_id());
  for (const auto& path : include) request.add_include(path);
  request.set_cache_mode(ToProto(call.cache_mode));
  v1::GetResponse response;
  absl::Status status = impl_->Call(true, call, [&](grpc::ClientContext& context) {
    response.Clear();
    return impl_->repository_->Get(&context, request, &response);
  });
  if (!status.ok()) return status;
  return GetResult{FromProto(response.record()), FromProto(response.cache())};
}

absl::StatusOr<ListResult> Client::List(const std::string& model, const ListOptions& options,
                                        const CallOptions& call) {
  v1::ListRequest request;
  request.set_model(model);
  if (options.filter.kind != Filter::Kind::kMatchAll) {
    ToProto(options.filter, *request.mutable_filter());
  }
  for (const Order& order : options.order_by) {
    v1::Order* o = request.add_order_by();
    o->set_field(order.field);
    o->set_descending(order.descending);
  }
  request.set_page_size(options.page_size);
  request.set_page_token(options.page_token);
  request.set_offset(options.offset);
  for (const auto& path : options.include) request.add_include(path);
  for (const auto& field : options.fields) request.add_fields(field);
  request.set_cache_mode(ToProto(call.cache_mode));
  v1::ListResponse response;
  absl::Status status = impl_->Call(true, call, [&](grpc::ClientContext& context) {
    response.Clear();
    return impl_->repository_->List(&context, request, &response);
  });
  if (!status.ok()) return status;
  ListResult out;
  out.records.reserve(response.records_size());
  for (const v1::Record& r : response.records()) out.records.push_back(FromProto(r));
  out.next_page_token = response.next_page_token();
  out.cache = FromProto(response.cache());
  return out;
}

absl::StatusOr<int64_t> Client::Count(const std::string& model, const Filter& filter,
                                      const CallOptions& call) {
  v1::CountRequest request;
  request.set_model(model);
  if (filter.kind != Filter::Kind::kMatchAll) ToProto(filter, *request.mutable_filter());
  request.set_cache_mode(ToProto(call.cache_mode));
  v1::CountResponse response;
  absl::Status status = impl_->Call(true, call, [&](grpc::ClientContext& context) {
    response.Clear();
    return impl_->repository_->Count(&context, request, &response);
  });
  if (!status.ok()) return status;
  return response.count();
}

absl::StatusOr<Record> Client::Create(const std::string& model, const Record& record,
                                      const CallOptions& call) {
  v1::CreateRequest request;
  request.set_model(model);
  ToProto(record, *request.mutable_record());
  v1::CreateResponse response;
  absl::Status status = impl_->Call(false, call, [&](grpc::ClientContext& context) {
    response.Clear();
    return impl_->repository_->Create(&context, request, &response);
  });
  if (!status.ok()) return status;
  return FromProto(response.record());
}

absl::StatusOr<Record> Client::Update(const std::string& model, const Value& id,
                                      const Record& record, const UpdateOptions& options,
                                      const CallOptions& call) {
  v1::UpdateRequest request;
  request.set_model(model);
  ToProto(id, *request.mutable_id());
  ToProto(record, *request.mutable_record());
  for (const auto& path : options.mask) request.mutable_update_mask()->add_paths(path);
  if (options.expected_updated_at) {
    v1::Value ts;
    ToProto(Value::Time(ToTimestamp(*options.expected_updated_at)), ts);
    *request.mutable_expected_updated_at() = ts.timestamp_value();
  }
  v1::UpdateResponse response;
  absl::Status status = impl_->Call(false, call, [&](grpc::ClientContext& context) {
    response.Clear();
    return impl_->repository_->Update(&context, request, &response);
  });
  if (!status.ok()) return status;
  return FromProto(response.record());
}

absl::StatusOr<bool> Client::Delete(const std::string& model, const Value& id, bool hard,
                                    const CallOptions& call) {
  v1::DeleteRequest request;
  request.set_model(model);
  ToProto(id, *request.mutable_id());
  request.set_hard(hard);
  v1::DeleteResponse response;
  absl::Status status = impl_->Call(false, call, [&](grpc::ClientContext& context) {
    response.Clear();
    return impl_->repository_->Delete(&context, request, &response);
  });
  if (!status.ok()) return status;
  return response.deleted();
}

}  // namespace querygate::client
