#ifndef QUERYGATE_SERVER_OPS_WIRING_H_
#define QUERYGATE_SERVER_OPS_WIRING_H_

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "cache/query_cache.h"
#include "db/connection_pool.h"
#include "ops/http_listener.h"
#include "ops/metrics.h"
#include "rpc/call_observer.h"
#include "server/server_config.h"
#include "service/cache_admin.h"
#include "service/invalidation_hub.h"
#include "service/warmer.h"

namespace querygate::server {

// The parts the operators' endpoints read; each outlives OpsWiring::Stop.
struct OpsSources {
  const service::CacheAdmin* admin = nullptr;
  db::ConnectionPool* pool = nullptr;
  const cache::QueryCache* redis = nullptr;
  const service::InvalidationHub* hub = nullptr;
  const service::Warmer* warmer = nullptr;
  // True once the startup warm finished (or when there is none).
  std::function<bool()> warm_done;
  // warm.block_readiness: /readyz waits for the startup warm.
  bool warm_blocks_readiness = false;
  // Figures of the in-process cache tier; empty (or returning nullopt) while it has none.
  std::function<std::optional<ops::LocalTierFigures>()> local_tier;
};

// The server's metrics and its operators' HTTP listener (metrics.listen): /metrics, /healthz
// and /readyz, plus whatever other routes are registered on listener(). Everything is off,
// and every hook a no-op, when metrics.listen is empty.
class OpsWiring {
 public:
  explicit OpsWiring(const ServerConfig& config);
  ~OpsWiring();

  // The metrics the server's parts feed; nullptr when off.
  ops::Metrics* metrics() const { return metrics_.get(); }

  // Counts calls and their durations (and operator invalidations); nullptr when off.
  rpc::CallObserver* call_observer() const { return call_observer_.get(); }

  // `options` with an acquire observer feeding the pool metrics (unchanged when off).
  db::PoolOptions WithPoolObserver(db::PoolOptions options) const;

  // Records the startup warm's progress; a no-op when off.
  void WarmProgress(const service::WarmProgress& progress) const;

  // Binds metrics.listen and serves /metrics, /healthz and /readyz from `sources`. Fails
  // with UNAVAILABLE when the address cannot be bound. Does nothing when off.
  absl::Status Start(OpsSources sources);

  // The listener, for more routes; nullptr when off or before Start.
  ops::HttpListener* listener() const { return listener_.get(); }

  // Stops the listener (waiting for requests in progress); call before the sources go away.
  void Stop();

 private:
  std::unique_ptr<ops::Metrics> metrics_;
  std::unique_ptr<rpc::CallObserver> call_observer_;
  std::string listen_;
  OpsSources sources_;
  std::unique_ptr<ops::HttpListener> listener_;
};

// The commit-side timestamp a change trigger's payload carries ("ts_us", database clock), or
// nullopt for payloads without one (bare table names, service writes).
std::optional<absl::Time> NotifyTimestamp(std::string_view payload);

// Why the server is not ready ("" when it is): the startup warm still running when it blocks
// readiness, the database unreachable, or the cache distrusted (a feed down or an
// invalidation owed to Redis);
// `metrics` (nullable) names the feeds that are down.
std::string NotReadyReason(const OpsSources& sources, const ops::Metrics* metrics);

}  // namespace querygate::server

#endif  // QUERYGATE_SERVER_OPS_WIRING_H_
