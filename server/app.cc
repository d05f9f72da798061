#include "server/app.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "cache/redis_query_cache.h"
#include "common/status_macros.h"
#include "db/cancel_watcher.h"
#include "db/session_pool.h"
#include "schema/loader.h"
#include "schema/named_query.h"
#include "service/query_registry.h"
#include "service/query_service.h"

namespace querygate::server {

struct App::Parts {
  std::unique_ptr<db::SessionPool> pool;
  std::unique_ptr<cache::RedisQueryCache> cache;
  std::unique_ptr<db::CancelWatcher> watcher;
  std::unique_ptr<service::QueryRegistry> registry;
  std::unique_ptr<service::DatabaseReader> reader;
  std::unique_ptr<service::CachedReader> cached;
  std::unique_ptr<service::QueryService> queries;
  std::unique_ptr<rpc::GrpcServer> server;
};

App::App(std::unique_ptr<Parts> parts) : parts_(std::move(parts)) {}

App::~App() { Shutdown(absl::ZeroDuration()); }

absl::StatusOr<std::unique_ptr<App>> App::Start(const ServerConfig& config) {
  schema::LoadResult loaded = schema::LoadSchemaDir(config.schema_dir);
  schema::NamedQueryLoadResult named;
  if (loaded.ok()) named = schema::LoadNamedQueriesDir(config.schema_dir, loaded.schema);
  if (!loaded.ok() || !named.ok()) {
    std::vector<std::string> lines;
    for (const auto& e : loaded.errors) lines.push_back(e.ToString());
    for (const auto& e : named.errors) lines.push_back(e.ToString());
    return absl::InvalidArgumentError(absl::StrCat("the schema in ", config.schema_dir,
                                                   " is invalid:\n", absl::StrJoin(lines, "\n")));
  }
  auto parts = std::make_unique<Parts>();
  {
    QG_ASSIGN_OR_RETURN(auto session,
                        db::Session::Connect(config.database.url, config.database.connect_timeout));
    QG_ASSIGN_OR_RETURN(
        parts->registry,
        service::QueryRegistry::Build(named.queries, loaded.schema, *session, config.default_ttl));
  }
  parts->pool = std::make_unique<db::SessionPool>(config.database);
  QG_RETURN_IF_ERROR(parts->pool->Start());
  parts->cache = std::make_unique<cache::RedisQueryCache>(config.redis);
  parts->watcher = std::make_unique<db::CancelWatcher>();
  service::QueryServiceOptions options = config.queries;
  options.schema_version = SchemaVersion(config.schema_dir);
  parts->reader = std::make_unique<service::DatabaseReader>(config.reads, parts->pool.get(),
                                                            parts->watcher.get());
  parts->cached =
      std::make_unique<service::CachedReader>(parts->cache.get(), config.stale_fill_guard);
  parts->queries = std::make_unique<service::QueryService>(
      options, parts->registry.get(), parts->reader.get(), parts->cached.get());
  cache::QueryCache* cache = parts->cache.get();
  db::ConnectionPool* pool = parts->pool.get();
  QG_ASSIGN_OR_RETURN(
      parts->server,
      rpc::GrpcServer::Start(config.server, rpc::ServiceSet{parts->queries.get()}, [cache, pool] {
        rpc::BackendHealth health;
        health.cache_healthy = cache->Health().healthy;
        db::PoolFigures figures = pool->Figures();
        health.database_healthy = figures.idle + figures.active > 0;
        return health;
      }));
  return std::unique_ptr<App>(new App(std::move(parts)));
}

int App::port() const { return parts_->server ? parts_->server->port() : 0; }

void App::Shutdown(absl::Duration grace) {
  if (parts_->server) {
    parts_->server->Shutdown(grace);
    parts_->server.reset();
  }
}

}  // namespace querygate::server
