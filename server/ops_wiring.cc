#include "server/ops_wiring.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "nlohmann/json.hpp"
#include "ops/build_info.h"

namespace querygate::server {
namespace {

constexpr char kPlainText[] = "text/plain; charset=utf-8";

// Feeds every finished call to the metrics; a successful CacheService.Invalidate is an
// operator's invalidation.
class MetricsCallObserver final : public rpc::CallObserver {
 public:
  explicit MetricsCallObserver(ops::Metrics* metrics) : metrics_(metrics) {}

  void OnCallDone(const rpc::CallRecord& record) override {
    metrics_->ObserveCall(record.service, record.method, record.code, record.elapsed);
    if (record.code == 0 && record.method == "Invalidate" &&
        record.service == "querygate.v1.CacheService") {
      metrics_->CountInvalidation("operator");
    }
  }

 private:
  ops::Metrics* metrics_;
};

ops::NameFigures Figures(const char* kind, const service::NameStats& stats) {
  ops::NameFigures out;
  out.kind = kind;
  out.name = stats.name;
  out.hits = stats.hits;
  out.local_hits = stats.l1_hits;
  out.stale = stats.stale;
  out.misses = stats.misses;
  out.bypasses = stats.bypasses;
  out.fills = stats.fills;
  out.coalesced = stats.coalesced;
  out.invalidations_write = stats.invalidations_write;
  out.invalidations_event = stats.invalidations_event;
  out.invalidations_trigger = stats.invalidations_trigger;
  return out;
}

ops::ScrapeSnapshot Snapshot(const OpsSources& sources) {
  ops::ScrapeSnapshot out;
  service::StatsSnapshot stats = sources.admin->Stats();
  for (const service::NameStats& q : stats.queries) out.names.push_back(Figures("query", q));
  for (const service::NameStats& m : stats.models) out.names.push_back(Figures("model", m));
  const db::PoolFigures& pool = stats.database_pool;
  out.pool = ops::PoolSnapshot{pool.active,  pool.idle,   pool.connecting, pool.waiting,
                               pool.created, pool.broken, pool.max};
  cache::CacheHealth health = sources.redis->Health();
  out.redis = ops::RedisSnapshot{health.healthy, health.consecutive_failures, health.failures_total,
                                 health.timeouts_total, health.backoff};
  if (sources.local_tier) out.l1 = sources.local_tier();
  out.cache_trusted = stats.cache_trusted;
  out.warm_running = sources.warmer != nullptr && sources.warmer->running();
  out.warm_finished = !sources.warm_done || sources.warm_done();
  return out;
}

}  // namespace

OpsWiring::OpsWiring(const ServerConfig& config) : listen_(config.metrics_listen) {
  if (listen_.empty()) return;
  metrics_ = std::make_unique<ops::Metrics>(ops::CurrentBuild());
  call_observer_ = std::make_unique<MetricsCallObserver>(metrics_.get());
  // Configured feeds count as down until they first connect, as the hub holds them.
  if (!config.invalidation_channel.empty()) metrics_->FeedDown("pubsub");
  if (config.listen_for_changes) metrics_->FeedDown("database");
}

OpsWiring::~OpsWiring() { Stop(); }

db::PoolOptions OpsWiring::WithPoolObserver(db::PoolOptions options) const {
  if (metrics_ == nullptr) return options;
  options.acquire_observer = [metrics = metrics_.get()](absl::Duration waited,
                                                        absl::StatusCode code) {
    metrics->ObservePoolAcquire(waited, code == absl::StatusCode::kResourceExhausted ||
                                            code == absl::StatusCode::kDeadlineExceeded);
  };
  return options;
}

void OpsWiring::WarmProgress(const service::WarmProgress& progress) const {
  if (metrics_ != nullptr)
    metrics_->SetWarmProgress(progress.total, progress.done, progress.failed);
}

absl::Status OpsWiring::Start(OpsSources sources) {
  if (metrics_ == nullptr) return absl::OkStatus();
  sources_ = std::move(sources);
  auto listener = ops::HttpListener::Start(ops::HttpListenerOptions{listen_});
  if (!listener.ok()) return listener.status();
  listener_ = *std::move(listener);
  metrics_->SetSnapshotSource([this] { return Snapshot(sources_); });
  ops::Metrics* metrics = metrics_.get();
  listener_->Handle("/metrics", [metrics](const ops::HttpRequest&) {
    return ops::HttpResponse{200, ops::kPrometheusTextContentType, metrics->Render()};
  });
  listener_->Handle("/healthz", [](const ops::HttpRequest&) {
    return ops::HttpResponse{200, kPlainText, "ok\n"};
  });
  listener_->Handle("/readyz", [this, metrics](const ops::HttpRequest&) {
    std::string reason = NotReadyReason(sources_, metrics);
    if (reason.empty()) return ops::HttpResponse{200, kPlainText, "ready\n"};
    return ops::HttpResponse{503, kPlainText, absl::StrCat("not ready: ", reason, "\n")};
  });
  return absl::OkStatus();
}

void OpsWiring::Stop() {
  if (listener_ != nullptr) listener_->Stop();
}

std::optional<absl::Time> NotifyTimestamp(std::string_view payload) {
  if (payload.empty() || payload.front() != '{') return std::nullopt;
  nlohmann::json json = nlohmann::json::parse(payload.begin(), payload.end(), nullptr, false);
  if (json.is_discarded() || !json.is_object()) return std::nullopt;
  auto it = json.find("ts_us");
  if (it == json.end() || !it->is_number_integer()) return std::nullopt;
  return absl::FromUnixMicros(it->get<int64_t>());
}

std::string NotReadyReason(const OpsSources& sources, const ops::Metrics* metrics) {
  std::vector<std::string> reasons;
  if (sources.warm_blocks_readiness && sources.warm_done && !sources.warm_done()) {
    reasons.push_back("startup warm running");
  }
  if (sources.pool != nullptr) {
    db::PoolFigures pool = sources.pool->Figures();
    if (pool.idle + pool.active == 0) reasons.push_back("database unreachable");
  }
  if (sources.hub != nullptr && !sources.hub->CacheTrusted()) {
    std::vector<std::string> down =
        metrics != nullptr ? metrics->FeedsDown() : std::vector<std::string>{};
    reasons.push_back(down.empty() ? "cache distrusted (invalidations owed to Redis)"
                                   : absl::StrCat("feeds down: ", absl::StrJoin(down, ", ")));
  }
  return absl::StrJoin(reasons, "; ");
}

}  // namespace querygate::server
