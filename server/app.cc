#include "server/app.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "cache/invalidation_event.h"
#include "cache/invalidation_subscriber.h"
#include "cache/l1_coherence.h"
#include "cache/l1_store.h"
#include "cache/redis_query_cache.h"
#include "cache/tiered_cache.h"
#include "common/hmac.h"
#include "common/status_macros.h"
#include "db/cancel_watcher.h"
#include "db/isolated_session.h"
#include "db/notification_listener.h"
#include "db/session_pool.h"
#include "migrate/change_triggers.h"
#include "nlohmann/json.hpp"
#include "ops/status_page.h"
#include "rpc/result_wire_codec.h"
#include "schema/loader.h"
#include "schema/named_query.h"
#include "schema/tenancy.h"
#include "server/call_log.h"
#include "server/log_wiring.h"
#include "server/ops_wiring.h"
#include "server/partition_wiring.h"
#include "server/vector_storage.h"
#include "service/cache_admin.h"
#include "service/gated_cache.h"
#include "service/index_advisor.h"
#include "service/insights.h"
#include "service/invalidation_hub.h"
#include "service/query_registry.h"
#include "service/query_service.h"
#include "service/refresher.h"
#include "service/repository_service.h"
#include "service/warmer.h"
#include "typed/lock_file.h"

namespace querygate::server {

// Everything the server owns, in construction order (destroyed in reverse).
struct App::Parts {
  ~Parts() { StopThreads(); }

  // Builds the authenticator, the role policy and the guard every call passes (with the
  // schema's tenancy, so schema must be set). Fails for unusable auth or tenancy settings, or
  // when the server would be reachable beyond loopback unguarded.
  absl::Status StartGuard(const ServerConfig& config, const AppHooks& hooks);

  // The server's log (may be null), the call observer logging calls and slow calls (before
  // the guard, which opens its traces), and the backend transitions the ticker polls.
  Logger* log = nullptr;
  std::unique_ptr<CallLogObserver> call_log;
  BackendLog backend_log{nullptr};
  std::unique_ptr<auth::Authenticator> authenticator;
  auth::RolePolicy policy;
  std::unique_ptr<rpc::CallGuard> guard;
  schema::Schema schema;
  // The typed services' field numbers (read once; the server never writes the lock).
  typed::TypedLock typed_lock;
  // The status page (GET / and /status.json); declared before `ops` to outlive its listener.
  std::unique_ptr<querygate::ops::StatusPage> status_page;
  // Metrics and the operators' HTTP listener; before every part that feeds the metrics.
  std::unique_ptr<OpsWiring> ops;
  std::unique_ptr<db::SessionPool> pool;
  std::unique_ptr<cache::RedisQueryCache> redis;
  std::unique_ptr<cache::L1Store> l1;
  std::unique_ptr<cache::L1Coherence> coherence;
  std::unique_ptr<cache::TieredCache> tiered;
  std::unique_ptr<db::CancelWatcher> watcher;
  std::unique_ptr<service::QueryRegistry> registry;
  std::unique_ptr<service::InvalidationHub> hub;
  std::unique_ptr<service::GatedCache> gated;
  std::unique_ptr<service::DatabaseReader> reader;
  rpc::WireResultCodec wire_codec;
  service::BinaryResultCodec binary_codec;
  std::unique_ptr<service::CachedReader> query_reads;
  std::unique_ptr<service::CachedReader> repository_reads;
  std::unique_ptr<service::QueryService> queries;
  std::unique_ptr<service::RepositoryService> repository;
  // Declared after the readers and services its jobs use, so it stops first.
  std::unique_ptr<service::Refresher> refresher;
  std::unique_ptr<service::Warmer> warmer;
  std::unique_ptr<service::CacheAdmin> admin;
  std::unique_ptr<service::Insights> insights;
  std::unique_ptr<service::IndexAdvisor> advisor;
  std::unique_ptr<cache::InvalidationSubscriber> subscriber;
  std::unique_ptr<db::NotificationListener> listener;
  // Uses the pool; declared after it so that it stops first.
  std::unique_ptr<service::PartitionMaintainer> partitions;
  std::unique_ptr<rpc::GrpcServer> server;

  std::mutex mu;
  std::condition_variable stop_cv;
  bool stopping = false;
  std::atomic<bool> warm_done{true};
  std::thread ticker;
  std::thread warm_thread;

  void StopThreads() {
    if (ops != nullptr) ops->Stop();
    {
      std::lock_guard<std::mutex> lock(mu);
      stopping = true;
    }
    stop_cv.notify_all();
    if (warm_thread.joinable()) warm_thread.join();
    if (ticker.joinable()) ticker.join();
  }

  bool Stopping() {
    std::lock_guard<std::mutex> lock(mu);
    return stopping;
  }
};

App::App(std::unique_ptr<Parts> parts) : parts_(std::move(parts)) {}

App::~App() {
  Shutdown(absl::ZeroDuration());
  parts_->StopThreads();
}

namespace {

absl::Status SchemaErrors(const std::string& dir, const schema::LoadResult& loaded,
                          const schema::NamedQueryLoadResult& named) {
  std::vector<std::string> lines;
  for (const auto& e : loaded.errors) lines.push_back(e.ToString());
  for (const auto& e : named.errors) lines.push_back(e.ToString());
  return absl::InvalidArgumentError(
      absl::StrCat("the schema in ", dir, " is invalid:\n", absl::StrJoin(lines, "\n")));
}

// Starts the feeds that keep cached entries fresh against writes made elsewhere.
void StartFeeds(const ServerConfig& config, const std::string& instance_id,
                service::InvalidationHub* hub,
                std::unique_ptr<cache::InvalidationSubscriber>& subscriber,
                std::unique_ptr<db::NotificationListener>& listener, Logger* log,
                ops::Metrics* metrics) {
  if (!config.invalidation_channel.empty()) {
    cache::SubscriberOptions options;
    options.redis = config.redis;
    options.channel = config.invalidation_channel;
    // An idle subscription is probed, and a silent loss noticed within feed_timeout.
    options.ping_interval = std::min(absl::Seconds(1), config.feed_timeout / 3);
    options.ping_timeout = std::min(absl::Seconds(3), config.feed_timeout - options.ping_interval);
    subscriber = std::make_unique<cache::InvalidationSubscriber>(
        options,
        [hub, log, metrics](const std::string& message) {
          auto event = cache::ParseInvalidationEvent(message);
          absl::Status status = event.ok()
                                    ? hub->Invalidate(*event, service::InvalidationSource::kEvent)
                                    : event.status();
          if (metrics != nullptr) {
            metrics->FeedEvent("pubsub");
            if (status.ok()) metrics->CountInvalidation("event");
          }
          if (absl::IsInvalidArgument(status) || absl::IsNotFound(status)) {
            LogDroppedEvent(log, "pubsub", status.message(), message);
          }
        },
        [hub, log, metrics] {
          hub->FeedUp(service::Feed::kPubSub);
          if (metrics != nullptr) metrics->FeedUp("pubsub");
          LogFeedTransition(log, "pubsub", true);
        },
        [hub, log, metrics] {
          hub->FeedDown(service::Feed::kPubSub);
          if (metrics != nullptr) metrics->FeedDown("pubsub");
          LogFeedTransition(log, "pubsub", false);
        });
    subscriber->Start();
  }
  if (config.listen_for_changes) {
    db::ListenerOptions options;
    options.url = config.database.url;
    options.channel = migrate::kChangeChannel;
    options.connect_timeout = config.database.connect_timeout;
    options.feed_timeout = config.feed_timeout;
    listener = std::make_unique<db::NotificationListener>(
        options,
        [hub, log, metrics, own = absl::StrCat("write:", instance_id)](const std::string& payload) {
          if (metrics != nullptr) metrics->FeedEvent("database");
          // A trigger's payload is a bare table name; a service write's is a JSON event naming
          // its tables and tenant (ChangeNotifyPayloads).
          cache::InvalidationEvent event;
          if (absl::StartsWith(payload, "{")) {
            auto parsed = cache::ParseInvalidationEvent(payload);
            if (!parsed.ok() || parsed->tables.empty()) {
              LogDroppedEvent(log, "database",
                              parsed.ok() ? "the event names no table" : parsed.status().message(),
                              payload);
              return;
            }
            // This instance invalidated its own write after commit (or owes it, distrusting
            // its cache until Redis takes it): nothing to learn here.
            if (parsed->source == own) return;
            event.tables = std::move(parsed->tables);
            event.tenant = std::move(parsed->tenant);
          } else {
            event.tables.push_back(payload);
          }
          event.source = "trigger";
          absl::Status status = hub->Invalidate(event, service::InvalidationSource::kTrigger);
          if (metrics != nullptr && status.ok()) {
            metrics->CountInvalidation("trigger");
            // The trigger's clock (the database server's) against ours: see docs/operations.md.
            if (auto committed = NotifyTimestamp(payload)) {
              metrics->ObserveInvalidationLag(absl::Now() - *committed, "trigger");
            }
          }
          if (absl::IsInvalidArgument(status) && !event.tenant.empty()) {
            event.tenant.clear();  // a tenant this schema cannot parse: invalidate for all
            (void)hub->Invalidate(event, service::InvalidationSource::kTrigger);
          }
        },
        [hub, log, metrics] {
          hub->FeedUp(service::Feed::kDatabase);
          if (metrics != nullptr) metrics->FeedUp("database");
          LogFeedTransition(log, "database", true);
        },
        [hub, log, metrics] {
          hub->FeedDown(service::Feed::kDatabase);
          if (metrics != nullptr) metrics->FeedDown("database");
          LogFeedTransition(log, "database", false);
        });
    listener->Start();
  }
}

// Canonicalizes the tenants of the configured warm sets; fails with INVALID_ARGUMENT naming
// the set and tenant when one is malformed or the schema declares no tenancy.
absl::Status CanonicalWarmTenants(const schema::Schema& schema,
                                  std::vector<service::WarmSet>& sets) {
  for (size_t i = 0; i < sets.size(); ++i) {
    std::vector<std::string> canonical;
    for (size_t j = 0; j < sets[i].tenants.size(); ++j) {
      std::string field = absl::StrCat("warm.sets[", i, "].tenants[", j, "]");
      if (!schema.tenancy.has_value()) {
        return absl::InvalidArgumentError(absl::StrCat(field, ": the schema declares no tenancy"));
      }
      auto tenant = schema::CanonicalTenant(*schema.tenancy, sets[i].tenants[j]);
      if (!tenant.ok()) {
        return absl::InvalidArgumentError(
            absl::StrCat(field, ": ", absl::StripPrefix(tenant.status().message(), "tenant: ")));
      }
      if (std::find(canonical.begin(), canonical.end(), *tenant) == canonical.end()) {
        canonical.push_back(*std::move(tenant));
      }
    }
    sets[i].tenants = std::move(canonical);
  }
  return absl::OkStatus();
}

// What makes a database role unfit to serve a tenant schema.
struct RolePrivileges {
  std::string role;
  bool superuser = false;
  bool bypass_rls = false;
  std::vector<std::string> owned_tables;  // "table (owner role)", scoped tables only
};

// Reads the privileges of the session's role that bypass row-level security: superuser,
// BYPASSRLS, and ownership (directly or through membership) of the tenant-scoped tables.
absl::StatusOr<RolePrivileges> ReadRolePrivileges(db::QueryRunner& session,
                                                  const schema::Schema& schema) {
  RolePrivileges out;
  QG_ASSIGN_OR_RETURN(db::ResultSet role,
                      session.Query("SELECT rolname, rolsuper, rolbypassrls FROM pg_roles "
                                    "WHERE rolname = current_user"));
  if (role.rows.size() != 1) {
    return absl::FailedPreconditionError("the database role is not in pg_roles");
  }
  out.role = role.Text(0, 0);
  out.superuser = role.Text(0, 1) == "t";
  out.bypass_rls = role.Text(0, 2) == "t";
  nlohmann::json tables = nlohmann::json::array();
  for (const schema::Model* model : schema.AllTables()) {
    if (model->tenant_scoped()) tables.push_back(model->table);
  }
  if (tables.empty()) return out;
  // A superuser is a member of every role: name only the tables it owns itself.
  QG_ASSIGN_OR_RETURN(db::ResultSet owned,
                      session.Query("SELECT t.name, pg_get_userbyid(c.relowner) "
                                    "FROM json_array_elements_text($1::json) AS t(name) "
                                    "JOIN pg_class c ON c.oid = to_regclass(quote_ident(t.name)) "
                                    "WHERE CASE WHEN $2::bool THEN c.relowner = "
                                    "(SELECT oid FROM pg_roles WHERE rolname = current_user) "
                                    "ELSE pg_has_role(current_user, c.relowner, 'MEMBER') END "
                                    "ORDER BY 1",
                                    {tables.dump(), out.superuser ? "true" : "false"}));
  for (size_t row = 0; row < owned.rows.size(); ++row) {
    std::string table = absl::StrCat("\"", owned.Text(row, 0), "\"");
    if (owned.Text(row, 1) != out.role) {
      absl::StrAppend(&table, " (owner \"", owned.Text(row, 1), "\")");
    }
    out.owned_tables.push_back(std::move(table));
  }
  return out;
}

// Refuses (FAILED_PRECONDITION naming the role and why) to serve a tenant schema as a role
// that row-level security does not bind, unless tenancy.allow_privileged_role, which warns.
absl::Status CheckDatabaseRole(db::QueryRunner& session, const schema::Schema& schema,
                               const ServerConfig& config, const AppHooks& hooks) {
  if (!schema.tenancy.has_value()) return absl::OkStatus();
  QG_ASSIGN_OR_RETURN(RolePrivileges role, ReadRolePrivileges(session, schema));
  std::vector<std::string> reasons;
  if (role.superuser) reasons.push_back("is a superuser");
  if (role.bypass_rls) reasons.push_back("has BYPASSRLS");
  if (!role.owned_tables.empty()) {
    reasons.push_back(absl::StrCat("owns (or is a member of the owner of) the tenant-scoped ",
                                   role.owned_tables.size() == 1 ? "table " : "tables ",
                                   absl::StrJoin(role.owned_tables, ", ")));
  }
  if (reasons.empty()) return absl::OkStatus();
  std::string listed = reasons.back();
  if (reasons.size() > 1) {
    listed = absl::StrCat(
        absl::StrJoin(std::vector<std::string>(reasons.begin(), reasons.end() - 1), ", "), " and ",
        reasons.back());
  }
  std::string what = absl::StrCat("database role \"", role.role, "\" ", listed,
                                  "; tenant isolation needs a role that is not a superuser, "
                                  "has no BYPASSRLS and owns no tenant-scoped table");
  if (!config.tenancy.allow_privileged_role) {
    return absl::FailedPreconditionError(
        absl::StrCat(what, " (set tenancy.allow_privileged_role to override)"));
  }
  if (hooks.warn) {
    hooks.warn(absl::StrCat("WARNING: ", what,
                            "; serving anyway (tenancy.allow_privileged_role): row-level "
                            "security does not bind this role, so tenants are separated only "
                            "by querygate's own checks"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status App::Parts::StartGuard(const ServerConfig& config, const AppHooks& hooks) {
  if (config.auth.mode == auth::AuthMode::kNone && !IsLoopbackListen(config.server.listen)) {
    if (!config.insecure_no_auth) {
      return absl::FailedPreconditionError(absl::StrCat(
          "refusing to serve without authentication on ", config.server.listen,
          ", which is not a loopback address: set auth.mode (docs/security.md), or pass "
          "--insecure-no-auth to accept the risk"));
    }
    if (hooks.warn) {
      hooks.warn(absl::StrCat("WARNING: serving WITHOUT authentication on ", config.server.listen,
                              " (--insecure-no-auth): anyone who reaches the port has roles [",
                              absl::StrJoin(config.auth.anonymous_roles, ", "), "]"));
    }
  }
  QG_ASSIGN_OR_RETURN(authenticator, auth::Authenticator::Create(config.auth));
  policy = auth::RolePolicy::Defaults();
  for (const auto& [role, permissions] : config.role_permissions) {
    QG_RETURN_IF_ERROR(policy.SetRole(role, permissions));
  }
  rpc::TenantOptions tenants;
  tenants.tenancy = schema.tenancy;
  if (schema.tenancy.has_value()) {
    // A mapping whose tenant can never be valid would refuse every call of that certificate.
    for (size_t i = 0; i < config.auth.certificates.size(); ++i) {
      const std::string& tenant = config.auth.certificates[i].tenant;
      if (tenant.empty()) continue;
      auto canonical = schema::CanonicalTenant(*schema.tenancy, tenant);
      if (!canonical.ok()) {
        return absl::InvalidArgumentError(absl::StrCat(
            "auth.mtls.identities[", i,
            "].tenant: ", absl::StripPrefix(canonical.status().message(), "tenant: ")));
      }
    }
  }
  if (!config.tenancy.header.empty()) {
    if (config.auth.mode != auth::AuthMode::kNone) {
      return absl::InvalidArgumentError(
          "tenancy.header: only with auth.mode none (development); an authenticated caller's "
          "tenant comes from its token or certificate");
    }
    QG_RETURN_IF_ERROR(CheckTenancyHeader(config.tenancy.header));
    if (!schema.tenancy.has_value() && hooks.warn) {
      hooks.warn(absl::StrCat("tenancy.header ", config.tenancy.header,
                              " is set but the schema declares no tenancy: it is ignored"));
    }
    tenants.header = config.tenancy.header;
  }
  CallLogObserver* calls = call_log.get();
  guard = std::make_unique<rpc::CallGuard>(
      authenticator.get(), &policy, hooks.audit, std::move(tenants),
      [calls](const std::string& request_id) { return calls->StartTrace(request_id); });
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<App>> App::Start(const ServerConfig& config, AppHooks hooks) {
  schema::LoadResult loaded = schema::LoadSchemaDir(config.schema_dir);
  schema::NamedQueryLoadResult named;
  if (loaded.ok()) named = schema::LoadNamedQueriesDir(config.schema_dir, loaded.schema);
  if (!loaded.ok() || !named.ok()) return SchemaErrors(config.schema_dir, loaded, named);

  auto parts = std::make_unique<Parts>();
  parts->schema = std::move(loaded.schema);
  QG_ASSIGN_OR_RETURN(
      parts->typed_lock,
      typed::ReadLockFile(config.typed_lock_file.empty() ? typed::DefaultLockPath(config.schema_dir)
                                                         : config.typed_lock_file));
  parts->log = hooks.log;
  parts->call_log = std::make_unique<CallLogObserver>(hooks.log, config.slow_call);
  parts->backend_log = BackendLog(hooks.log);
  QG_RETURN_IF_ERROR(parts->StartGuard(config, hooks));
  service::WarmOptions warm = config.warm;
  QG_RETURN_IF_ERROR(CanonicalWarmTenants(parts->schema, warm.sets));
  service::DatabaseReaderOptions reads = config.reads;
  {
    QG_ASSIGN_OR_RETURN(auto session,
                        db::Session::Connect(config.database.url, config.database.connect_timeout));
    QG_RETURN_IF_ERROR(CheckDatabaseRole(*session, parts->schema, config, hooks));
    QG_RETURN_IF_ERROR(LearnVectorStorage(*session, parts->schema));
    QG_ASSIGN_OR_RETURN(reads.vector_type_oid, PgvectorTypeOid(*session));
    QG_ASSIGN_OR_RETURN(
        parts->registry,
        service::QueryRegistry::Build(named.queries, parts->schema, *session, config.default_ttl));
  }
  parts->ops = std::make_unique<OpsWiring>(config);
  parts->pool = std::make_unique<db::SessionPool>(parts->ops->WithPoolObserver(config.database));
  QG_RETURN_IF_ERROR(parts->pool->Start());
  parts->redis = std::make_unique<cache::RedisQueryCache>(config.redis);
  std::string instance_id = absl::BytesToHexString(RandomBytes(8));
  if (config.l1.enabled) {
    cache::L1Options l1;
    l1.budget_bytes = config.l1.budget_mb << 20;
    parts->l1 = std::make_unique<cache::L1Store>(l1);
  }
  cache::CoherenceOptions coherence;
  coherence.instance_id = instance_id;
  coherence.hold_lease = config.l1.enabled;
  coherence.lease = config.l1.lease;
  coherence.await_acknowledgements = config.l1.await_acks;
  coherence.ping_interval = std::min(absl::Seconds(1), config.feed_timeout / 3);
  coherence.ping_timeout =
      std::min(absl::Seconds(3), config.feed_timeout - coherence.ping_interval);
  parts->coherence =
      std::make_unique<cache::L1Coherence>(parts->redis.get(), parts->l1.get(), coherence);
  parts->coherence->Start();
  parts->tiered = std::make_unique<cache::TieredCache>(parts->redis.get(), parts->l1.get(),
                                                       parts->coherence.get());
  parts->watcher = std::make_unique<db::CancelWatcher>();

  std::vector<service::Feed> feeds;
  if (!config.invalidation_channel.empty()) feeds.push_back(service::Feed::kPubSub);
  if (config.listen_for_changes) feeds.push_back(service::Feed::kDatabase);
  parts->hub = std::make_unique<service::InvalidationHub>(
      parts->tiered.get(), parts->registry.get(), &parts->schema, feeds);
  parts->gated = std::make_unique<service::GatedCache>(parts->tiered.get(), parts->hub.get());
  parts->reader =
      std::make_unique<service::DatabaseReader>(reads, parts->pool.get(), parts->watcher.get());
  parts->refresher = std::make_unique<service::Refresher>(2, 256);
  parts->query_reads = std::make_unique<service::CachedReader>(
      parts->gated.get(), &parts->wire_codec, config.stale_fill_guard, parts->refresher.get());
  parts->repository_reads = std::make_unique<service::CachedReader>(
      parts->gated.get(), &parts->binary_codec, config.stale_fill_guard, parts->refresher.get());
  service::QueryServiceOptions options = config.queries;
  options.schema_version = SchemaVersion(config.schema_dir);
  parts->queries = std::make_unique<service::QueryService>(
      options, parts->registry.get(), parts->reader.get(), parts->query_reads.get());
  service::RepositoryOptions repository_options = config.repository;
  repository_options.schema_version = options.schema_version;
  repository_options.default_ttl = config.model_default_ttl.value_or(config.default_ttl);
  repository_options.skip_own_write_triggers = config.skip_own_write_triggers;
  repository_options.page_token_secret = config.page_token_secret;
  repository_options.instance_id = instance_id;
  if (repository_options.page_token_secret.empty()) {
    repository_options.page_token_secret = RandomBytes(32);
    if (hooks.warn && config.auth.mode != auth::AuthMode::kNone) {
      hooks.warn(
          "security.page_token_secret_file is not set: page tokens are signed with a random "
          "key of this process, so another instance rejects them");
    }
  }
  service::InvalidationHub* hub_ptr = parts->hub.get();
  parts->repository = std::make_unique<service::RepositoryService>(
      repository_options, &parts->schema, parts->reader.get(), parts->repository_reads.get(),
      parts->pool.get(),
      [hub_ptr, metrics = parts->ops->metrics()](const std::set<std::string>& tables,
                                                 const std::string& tenant) {
        const absl::Time committed = absl::Now();
        cache::InvalidationEvent event;
        event.tables.assign(tables.begin(), tables.end());
        event.source = "write";
        event.tenant = tenant;
        absl::Status status = hub_ptr->Invalidate(event, service::InvalidationSource::kWrite);
        if (metrics != nullptr && status.ok()) {
          metrics->CountInvalidation("write");
          metrics->ObserveInvalidationLag(absl::Now() - committed, "write");
        }
        return status;
      });
  service::RepositoryService* repository = parts->repository.get();
  parts->warmer = std::make_unique<service::Warmer>(
      parts->queries.get(),
      [url = config.database.url, timeout = config.database.connect_timeout](absl::Time deadline) {
        return db::IsolatedSession::Connect(url, std::min(timeout, deadline - absl::Now()));
      },
      [repository](const std::string& model, const Value& id, const service::CallContext& ctx) {
        service::RepoGetRequest request;
        request.model = model;
        request.id = id;
        return repository->Get(request, ctx).status();
      });
  parts->admin = std::make_unique<service::CacheAdmin>(
      parts->hub.get(), parts->warmer.get(), warm, parts->queries.get(), parts->pool.get(),
      parts->redis.get(), absl::Now(),
      [repository, schema = &parts->schema] {
        std::vector<service::NameStats> out;
        for (const schema::Model& model : schema->models) {
          service::NameStats stats;
          stats.name = model.name;
          if (const service::QueryCounters* c = repository->Counters(model.name)) {
            stats.hits = c->hits.load();
            stats.l1_hits = c->l1_hits.load();
            stats.stale = c->stale.load();
            stats.misses = c->misses.load();
            stats.bypasses = c->bypasses.load();
            stats.fills = c->fills.load();
            stats.coalesced = c->coalesced.load();
          }
          out.push_back(stats);
        }
        return out;
      },
      service::InvalidateLimits{config.max_invalidate_names,
                                static_cast<size_t>(config.max_invalidate_name_bytes)});
  parts->insights = std::make_unique<service::Insights>(
      parts->registry.get(), &parts->schema, parts->admin.get(),
      [url = config.database.url, timeout = config.database.connect_timeout] {
        return db::Session::Connect(url, timeout);
      });
  parts->advisor = std::make_unique<service::IndexAdvisor>(parts->insights.get());

  parts->admin->SetLocalTierSource(
      [l1 = parts->l1.get(), coherence = parts->coherence.get(), budget = config.l1.budget_mb] {
        service::LocalTierStats out;
        cache::CoherenceFigures c = coherence->Figures();
        out.enabled = l1 != nullptr;
        out.serving = out.enabled && c.serving;
        out.leases_granted = c.leases_granted;
        out.lease_refusals = c.lease_refusals;
        out.acknowledgement_timeouts = c.acknowledgement_timeouts;
        if (l1 != nullptr) {
          cache::L1Figures f = l1->Figures();
          out.budget_bytes = budget << 20;
          out.bytes = f.bytes;
          out.entries = f.entries;
          out.evictions = f.evictions;
          out.rejections = f.rejections;
        }
        return out;
      });
  StartFeeds(config, repository_options.instance_id, parts->hub.get(), parts->subscriber,
             parts->listener, parts->log, parts->ops->metrics());
  parts->partitions =
      StartPartitionMaintenance(config, parts->schema, parts->pool.get(), parts->log);
  Parts* raw = parts.get();
  parts->ticker = std::thread([raw] {
    std::unique_lock<std::mutex> lock(raw->mu);
    while (!raw->stopping) {
      raw->stop_cv.wait_for(lock, std::chrono::milliseconds(100));
      lock.unlock();
      raw->hub->Tick();
      raw->backend_log.Observe(raw->redis->Health(), raw->pool->Figures());
      if (raw->log != nullptr) raw->log->FlushSuppressed();
      lock.lock();
    }
  });
  absl::Time wait_until = absl::Now() + config.feed_wait;
  while (!parts->hub->CacheTrusted() && absl::Now() < wait_until) {
    absl::SleepFor(absl::Milliseconds(5));
  }

  bool warm_at_start = config.warm.on_startup && !config.warm.sets.empty();
  parts->warm_done.store(!warm_at_start);
  bool block = config.warm.block_readiness;
  cache::QueryCache* redis = parts->redis.get();
  db::ConnectionPool* pool = parts->pool.get();
  service::InvalidationHub* hub = parts->hub.get();
  rpc::ServerOptions server_options = config.server;
  if (rpc::CallObserver* observer = parts->ops->call_observer()) {
    server_options.observers.push_back(observer);
  }
  server_options.observers.push_back(parts->call_log.get());
  server_options.reflection = config.reflection == "auto"
                                  ? config.auth.mode == auth::AuthMode::kNone
                                  : config.reflection == "true";
  QG_ASSIGN_OR_RETURN(
      parts->server,
      rpc::GrpcServer::Start(
          server_options,
          rpc::ServiceSet{parts->queries.get(), parts->admin.get(), parts->repository.get(),
                          parts->guard.get(), parts->insights.get(), parts->advisor.get(),
                          &parts->schema, &parts->typed_lock},
          [redis, pool, hub, raw, block] {
            rpc::BackendHealth health;
            health.cache_healthy = redis->Health().healthy && hub->CacheTrusted();
            db::PoolFigures figures = pool->Figures();
            health.database_healthy = figures.idle + figures.active > 0;
            health.ready = !block || raw->warm_done.load();
            return health;
          }));
  OpsSources ops_sources;
  ops_sources.admin = parts->admin.get();
  ops_sources.pool = pool;
  ops_sources.redis = redis;
  ops_sources.hub = hub;
  ops_sources.warmer = parts->warmer.get();
  ops_sources.warm_done = [raw] { return raw->warm_done.load(); };
  ops_sources.warm_blocks_readiness = block;
  if (cache::L1Store* l1 = parts->l1.get()) {
    ops_sources.local_tier = [l1]() -> std::optional<ops::LocalTierFigures> {
      cache::L1Figures f = l1->Figures();
      return ops::LocalTierFigures{f.bytes, f.entries, f.evictions};
    };
  }
  QG_RETURN_IF_ERROR(parts->ops->Start(std::move(ops_sources)));
  if (querygate::ops::HttpListener* http = parts->ops->listener()) {
    parts->status_page = std::make_unique<querygate::ops::StatusPage>(parts->ops->metrics());
    parts->status_page->Register(*http);
  }
  if (warm_at_start) {
    parts->warm_thread = std::thread([raw] {
      service::CallContext ctx;
      ctx.cancelled = [raw] { return raw->Stopping(); };
      service::WarmProgress last;
      absl::Status warmed =
          raw->admin->Warm({}, 0, ctx, [&last, raw](const service::WarmProgress& progress) {
            last = progress;
            raw->ops->WarmProgress(progress);
          });
      LogWarmSummary(raw->log, warmed, last);
      raw->warm_done.store(true);
    });
  }
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
