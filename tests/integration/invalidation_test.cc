// Invalidation from outside the service (pub/sub events, database triggers, feed gaps),
// warming and stats, over real gRPC, PostgreSQL and Redis.
#include <grpcpp/client_context.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "cache/invalidation_event.h"
#include "cache/redis_options.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "querygate/v1/cache_service.grpc.pb.h"
#include "querygate/v1/query_service.grpc.pb.h"
#include "querygate/v1/repository_service.grpc.pb.h"
#include "tests/support/test_server.h"

namespace querygate {
namespace {

using querygate::testing::TestServer;

constexpr char kSchema[] = R"json({
  "models": {
    "item": {"fields": {"id": "int64", "name": "string"}},
    "audit_log": {"notify_changes": false, "fields": {"id": "int64", "line": "text"}}
  },
  "queries": {
    "item_by_id": {
      "sql": "SELECT id, name FROM items WHERE id = :id",
      "params": {"id": "int64"},
      "ttl": 300
    },
    "item_names": {
      "sql": "SELECT name FROM items ORDER BY id",
      "ttl": 300
    }
  }
})json";

constexpr char kSeed[] =
    "INSERT INTO items (id, name) SELECT g, 'name' || g FROM generate_series(1, 20) g;";

// Runs a shell command and returns its standard output.
std::string Shell(const std::string& command) {
  std::string out;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return out;
  char buf[256];
  while (fgets(buf, sizeof buf, pipe) != nullptr) out += buf;
  pclose(pipe);
  return out;
}

class InvalidationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    QG_REQUIRE_POSTGRES();
    if (querygate::testing::RedisUrl().empty()) GTEST_SKIP() << "no Redis";
    ASSERT_TRUE(cache::ApplyRedisUrl(querygate::testing::RedisUrl(), redis_).ok());
  }

  void StartServer(const std::function<void(server::ServerConfig&)>& tweak) {
    ASSERT_EQ(server_.Start(kSchema, kSeed, tweak), "");
    query_ = v1::QueryService::NewStub(server_.Channel());
    cache_ = v1::CacheService::NewStub(server_.Channel());
  }

  v1::ExecuteResponse Read(int64_t id) {
    v1::ExecuteRequest request;
    request.set_query("item_by_id");
    (*request.mutable_params())["id"].set_int_value(id);
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(5)));
    v1::ExecuteResponse response;
    grpc::Status status = query_->Execute(&context, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response;
  }

  std::string Name(const v1::ExecuteResponse& r) {
    return r.rows_size() == 1 ? r.rows(0).values(1).string_value() : "<none>";
  }

  // Fills the cache for item `id` and checks that the next read is a HIT.
  void Fill(int64_t id) {
    Read(id);
    ASSERT_EQ(Read(id).cache().status(), v1::CACHE_STATUS_HIT);
  }

  void Sql(const std::string& sql) {
    auto session = server_.database().Connect();
    ASSERT_TRUE(session->Execute(sql).ok()) << sql;
  }

  // Polls reads of `id` until the name is `want` or `bound` passes; returns the last name.
  std::string ReadUntil(int64_t id, const std::string& want, absl::Duration bound) {
    absl::Time until = absl::Now() + bound;
    std::string name;
    do {
      name = Name(Read(id));
      if (name == want) break;
      absl::SleepFor(absl::Milliseconds(10));
    } while (absl::Now() < until);
    return name;
  }

  std::string RedisCli(const std::string& args) {
    return Shell(absl::StrCat("redis-cli -h ", redis_.host, " -p ", redis_.port, " ", args));
  }

  cache::RedisOptions redis_;
  TestServer server_;
  std::unique_ptr<v1::QueryService::Stub> query_;
  std::unique_ptr<v1::CacheService::Stub> cache_;
};

TEST_F(InvalidationTest, RedisCliPublishMakesTheNextReadAMiss) {
  StartServer([](server::ServerConfig& c) { c.listen_for_changes = false; });
  Fill(1);
  Sql("UPDATE items SET name = 'published' WHERE id = 1");
  EXPECT_EQ(Name(Read(1)), "name1") << "no trigger feed: still the cached value";
  std::string receivers =
      RedisCli(absl::StrCat("PUBLISH '", server_.config().invalidation_channel,
                            "' '{\"tables\":[\"items\"],\"source\":\"test\"}'"));
  EXPECT_EQ(receivers, "1\n");
  EXPECT_EQ(ReadUntil(1, "published", absl::Seconds(2)), "published");

  Sql("UPDATE items SET name = 'bare' WHERE id = 1");
  RedisCli(absl::StrCat("PUBLISH '", server_.config().invalidation_channel, "' items"));
  EXPECT_EQ(ReadUntil(1, "bare", absl::Seconds(2)), "bare");
}

TEST_F(InvalidationTest, PsqlUpdateOutsideTheServiceIsSeen) {
  StartServer([](server::ServerConfig& c) { c.invalidation_channel = ""; });
  Fill(2);
  std::string out =
      Shell(absl::StrCat("psql '", server_.database().url(),
                         "' -qAtc \"UPDATE items SET name = 'from psql' WHERE id = 2\" 2>&1"));
  EXPECT_EQ(out, "");
  EXPECT_EQ(ReadUntil(2, "from psql", absl::Seconds(2)), "from psql");
}

TEST_F(InvalidationTest, KilledSubscriberNeverServesWhatItMissed) {
  StartServer([](server::ServerConfig& c) { c.listen_for_changes = false; });
  Fill(3);
  std::string killed = RedisCli("CLIENT KILL TYPE pubsub");
  Sql("UPDATE items SET name = 'during gap' WHERE id = 3");
  cache::InvalidationEvent event;
  event.tables = {"items"};
  auto receivers = cache::PublishInvalidation(redis_, server_.config().invalidation_channel, event);
  ASSERT_TRUE(receivers.ok());
  EXPECT_EQ(*receivers, 0) << "the event must fall into the gap (killed: " << killed << ")";
  EXPECT_EQ(ReadUntil(3, "during gap", absl::Seconds(3)), "during gap");
  absl::SleepFor(absl::Milliseconds(300));
  v1::ExecuteResponse again = Read(3);
  EXPECT_EQ(Name(again), "during gap");
  Read(3);
  EXPECT_EQ(Read(3).cache().status(), v1::CACHE_STATUS_HIT) << "the cache is trusted again";
}

TEST_F(InvalidationTest, TerminatedListenerNeverServesWhatItMissedAndReconnects) {
  StartServer([](server::ServerConfig& c) { c.invalidation_channel = ""; });
  Fill(4);
  auto session = server_.database().Connect();
  auto pid = session->Query(
      "SELECT pid FROM pg_stat_activity WHERE application_name = 'querygate-listener' AND "
      "datname = current_database()");
  ASSERT_TRUE(pid.ok());
  ASSERT_EQ(pid->rows.size(), 1u);
  ASSERT_TRUE(session->Query("SELECT pg_terminate_backend($1::int)", {pid->Text(0, 0)}).ok());
  ASSERT_TRUE(session->Execute("UPDATE items SET name = 'while listener gone' WHERE id = 4").ok());
  EXPECT_EQ(ReadUntil(4, "while listener gone", absl::Seconds(3)), "while listener gone");
  absl::Time until = absl::Now() + absl::Seconds(3);
  std::string new_pid;
  while (absl::Now() < until) {
    auto again = session->Query(
        "SELECT pid FROM pg_stat_activity WHERE application_name = 'querygate-listener' AND "
        "datname = current_database()");
    if (again.ok() && again->rows.size() == 1 && again->Text(0, 0) != pid->Text(0, 0)) {
      new_pid = again->Text(0, 0);
      break;
    }
    absl::SleepFor(absl::Milliseconds(20));
  }
  EXPECT_FALSE(new_pid.empty()) << "the listener reconnects";
  absl::SleepFor(absl::Milliseconds(200));
  EXPECT_EQ(Name(Read(4)), "while listener gone") << "no stale entry after the gap";
  EXPECT_EQ(Read(4).cache().status(), v1::CACHE_STATUS_HIT) << "the cache is trusted again";
  Sql("UPDATE items SET name = 'after reconnect' WHERE id = 4");
  EXPECT_EQ(ReadUntil(4, "after reconnect", absl::Seconds(2)), "after reconnect");
}

TEST_F(InvalidationTest, StartupWarmFromParamsFromMakesEveryKeyAHit) {
  StartServer([](server::ServerConfig& c) {
    service::WarmSet set;
    set.query = "item_by_id";
    set.params_from = "SELECT id FROM items ORDER BY id";
    c.warm.sets = {set};
    c.warm.concurrency = 3;
  });
  absl::Time until = absl::Now() + absl::Seconds(5);
  std::string status;
  while (absl::Now() < until) {
    v1::StatsResponse stats;
    grpc::ClientContext context;
    ASSERT_TRUE(cache_->Stats(&context, v1::StatsRequest(), &stats).ok());
    status = stats.warm_status();
    if (status.rfind("done", 0) == 0) break;
    absl::SleepFor(absl::Milliseconds(20));
  }
  EXPECT_EQ(status.rfind("done: 20 warmed, 0 failed", 0), 0u) << status;
  for (int id = 1; id <= 20; ++id) {
    EXPECT_EQ(Read(id).cache().status(), v1::CACHE_STATUS_HIT) << "id " << id;
  }
}

TEST_F(InvalidationTest, WarmStreamsProgressAndReportsFailedSets) {
  StartServer(nullptr);
  v1::WarmRequest request;
  v1::WarmSet* good = request.add_sets();
  good->set_query("item_by_id");
  for (int id = 1; id <= 10; ++id) {
    (*good->add_params()->mutable_fields())["id"].set_int_value(id);
  }
  v1::WarmSet* bad = request.add_sets();
  bad->set_query("item_by_id");
  (*bad->add_params()->mutable_fields())["id"].set_string_value("not a number");
  request.set_concurrency(2);
  grpc::ClientContext context;
  auto reader = cache_->Warm(&context, request);
  v1::WarmProgress progress, last;
  int messages = 0;
  std::vector<std::string> errors;
  while (reader->Read(&progress)) {
    ++messages;
    for (const auto& f : progress.failures()) errors.push_back(f.error());
    last = progress;
  }
  ASSERT_TRUE(reader->Finish().ok());
  EXPECT_GE(messages, 1);
  EXPECT_TRUE(last.finished());
  EXPECT_EQ(last.total(), 11);
  EXPECT_EQ(last.done(), 11);
  EXPECT_EQ(last.failed(), 1);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].find("id"), std::string::npos) << errors[0];
  for (int id = 1; id <= 10; ++id) EXPECT_EQ(Read(id).cache().status(), v1::CACHE_STATUS_HIT);
}

TEST_F(InvalidationTest, StatsCountReadsAndInvalidationsBySource) {
  StartServer(nullptr);
  Read(5);
  Read(5);
  Sql("UPDATE items SET name = 'x' WHERE id = 5");
  ReadUntil(5, "x", absl::Seconds(2));
  v1::InvalidateRequest invalidate;
  invalidate.add_tables("items");
  v1::InvalidateResponse invalidated;
  grpc::ClientContext icontext;
  ASSERT_TRUE(cache_->Invalidate(&icontext, invalidate, &invalidated).ok());
  v1::StatsResponse stats;
  grpc::ClientContext context;
  ASSERT_TRUE(cache_->Stats(&context, v1::StatsRequest(), &stats).ok());
  const v1::CacheCounters* item = nullptr;
  for (const auto& q : stats.queries()) {
    if (q.name() == "item_by_id") item = &q;
  }
  ASSERT_NE(item, nullptr);
  EXPECT_GE(item->hits(), 1);
  EXPECT_GE(item->misses(), 2);
  EXPECT_GE(item->fills(), 2);
  EXPECT_GE(item->invalidations_trigger(), 1);
  EXPECT_EQ(item->invalidations_event(), 1);
  EXPECT_GT(item->hit_ratio(), 0.0);
  EXPECT_TRUE(stats.redis_healthy());
  EXPECT_TRUE(stats.database_healthy());
  EXPECT_GT(stats.database_pool().max(), 0);
  EXPECT_GE(stats.uptime_ms(), 0);
  bool model_seen = false;
  for (const auto& m : stats.models())
    model_seen |= m.name() == "item" && m.invalidations_trigger() >= 1;
  EXPECT_TRUE(model_seen);
}

TEST_F(InvalidationTest, WarmingAModelGetMakesTheFirstGetAHit) {
  StartServer(nullptr);
  v1::WarmRequest request;
  v1::WarmSet* set = request.add_sets();
  set->set_model("item");
  for (int id = 1; id <= 3; ++id) (*set->add_params()->mutable_fields())["id"].set_int_value(id);
  (*set->add_params()->mutable_fields())["id"].set_int_value(999);
  grpc::ClientContext context;
  auto reader = cache_->Warm(&context, request);
  v1::WarmProgress progress, last;
  while (reader->Read(&progress)) last = progress;
  ASSERT_TRUE(reader->Finish().ok());
  EXPECT_EQ(last.total(), 4);
  EXPECT_EQ(last.failed(), 1) << "id 999 does not exist";
  auto repository = v1::RepositoryService::NewStub(server_.Channel());
  for (int id = 1; id <= 3; ++id) {
    v1::GetRequest get;
    get.set_model("item");
    get.mutable_id()->set_int_value(id);
    v1::GetResponse response;
    grpc::ClientContext gcontext;
    ASSERT_TRUE(repository->Get(&gcontext, get, &response).ok());
    EXPECT_EQ(response.cache().status(), v1::CACHE_STATUS_HIT) << "id " << id;
  }
}

TEST_F(InvalidationTest, TriggersCoverManagedTablesExceptOptedOutOnes) {
  StartServer(nullptr);
  auto session = server_.database().Connect();
  auto rows = session->Query(
      "SELECT tgrelid::regclass::text FROM pg_trigger WHERE tgname = 'querygate_notify_change' "
      "ORDER BY 1");
  ASSERT_TRUE(rows.ok());
  std::vector<std::string> tables;
  for (size_t r = 0; r < rows->rows.size(); ++r) tables.push_back(rows->Text(r, 0));
  EXPECT_EQ(tables, std::vector<std::string>{"items"});
}

// Creates an item through the repository and returns the item model's stats afterwards.
v1::CacheCounters CreateItemAndStats(TestServer& server, v1::CacheService::Stub& cache, int64_t id,
                                     absl::Duration settle) {
  auto repository = v1::RepositoryService::NewStub(server.Channel());
  v1::CreateRequest create;
  create.set_model("item");
  (*create.mutable_record()->mutable_fields())["id"].set_int_value(id);
  (*create.mutable_record()->mutable_fields())["name"].set_string_value("created");
  v1::CreateResponse created;
  grpc::ClientContext context;
  EXPECT_TRUE(repository->Create(&context, create, &created).ok());
  absl::SleepFor(settle);
  v1::StatsResponse stats;
  grpc::ClientContext scontext;
  EXPECT_TRUE(cache.Stats(&scontext, v1::StatsRequest(), &stats).ok());
  for (const auto& m : stats.models()) {
    if (m.name() == "item") return m;
  }
  return v1::CacheCounters();
}

TEST_F(InvalidationTest, OwnWritesAreNotInvalidatedTwiceByTheTrigger) {
  StartServer(nullptr);
  v1::CacheCounters item = CreateItemAndStats(server_, *cache_, 100, absl::Milliseconds(300));
  EXPECT_EQ(item.invalidations_write(), 1);
  EXPECT_EQ(item.invalidations_trigger(), 0) << "the trigger stays silent for the server's write";
  Sql("UPDATE items SET name = 'by psql' WHERE id = 100");
  absl::Time until = absl::Now() + absl::Seconds(2);
  int64_t triggers = 0;
  while (absl::Now() < until && triggers == 0) {
    v1::StatsResponse stats;
    grpc::ClientContext context;
    ASSERT_TRUE(cache_->Stats(&context, v1::StatsRequest(), &stats).ok());
    for (const auto& m : stats.models()) {
      if (m.name() == "item") triggers = m.invalidations_trigger();
    }
    absl::SleepFor(absl::Milliseconds(20));
  }
  EXPECT_EQ(triggers, 1) << "a write outside the service still fires it";
}

TEST_F(InvalidationTest, WithoutSkippingOwnWritesTheTriggerFiresToo) {
  StartServer([](server::ServerConfig& c) { c.skip_own_write_triggers = false; });
  v1::CacheCounters item = CreateItemAndStats(server_, *cache_, 101, absl::ZeroDuration());
  EXPECT_EQ(item.invalidations_write(), 1);
  absl::Time until = absl::Now() + absl::Seconds(3);
  while (item.invalidations_trigger() == 0 && absl::Now() < until) {
    absl::SleepFor(absl::Milliseconds(20));
    v1::StatsResponse stats;
    grpc::ClientContext context;
    ASSERT_TRUE(cache_->Stats(&context, v1::StatsRequest(), &stats).ok());
    for (const auto& m : stats.models()) {
      if (m.name() == "item") item = m;
    }
  }
  EXPECT_EQ(item.invalidations_trigger(), 1);
}

TEST_F(InvalidationTest, BlockReadinessHoldsHealthUntilTheStartupWarmEnds) {
  StartServer([](server::ServerConfig& c) {
    service::WarmSet set;
    set.query = "item_by_id";
    set.params_from = "SELECT id FROM items, pg_sleep(1) WHERE id <= 5";
    c.warm.sets = {set};
    c.warm.block_readiness = true;
  });
  auto health = grpc::health::v1::Health::NewStub(server_.Channel());
  auto status = [&] {
    grpc::health::v1::HealthCheckRequest request;
    grpc::health::v1::HealthCheckResponse response;
    grpc::ClientContext context;
    EXPECT_TRUE(health->Check(&context, request, &response).ok());
    return response.status();
  };
  EXPECT_EQ(status(), grpc::health::v1::HealthCheckResponse::NOT_SERVING);
  absl::Time until = absl::Now() + absl::Seconds(6);
  while (status() != grpc::health::v1::HealthCheckResponse::SERVING && absl::Now() < until) {
    absl::SleepFor(absl::Milliseconds(50));
  }
  EXPECT_EQ(status(), grpc::health::v1::HealthCheckResponse::SERVING);
  for (int id = 1; id <= 5; ++id) EXPECT_EQ(Read(id).cache().status(), v1::CACHE_STATUS_HIT);
}

}  // namespace
}  // namespace querygate
