// Per-query and per-model roles, enforced by QueryService and RepositoryService before any cache
// or database work, against real PostgreSQL and Redis. The gRPC role matrix lives elsewhere.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "cache/redis_options.h"
#include "cache/redis_query_cache.h"
#include "common/identity.h"
#include "db/cancel_watcher.h"
#include "db/session_pool.h"
#include "schema/ddl.h"
#include "schema/loader.h"
#include "schema/named_query.h"
#include "service/cached_reader.h"
#include "service/database_reader.h"
#include "service/query_registry.h"
#include "service/query_service.h"
#include "service/repository_service.h"
#include "service/result_codec.h"
#include "tests/support/test_env.h"

namespace querygate {
namespace {

using service::CacheStatus;
using service::CallContext;
using service::ExecuteRequest;
using service::ExecuteResponse;
using ::testing::HasSubstr;

constexpr char kSchema[] = R"json({
  "models": {
    "author": {"id": "int64", "name": "string", "posts": ["@post"], "payslips": ["@payslip"]},
    "post": {"id": "int64", "author_id": "int64", "title": "string", "author": "@author"},
    "payslip": {
      "roles": {"read": ["hr", "finance"], "write": ["payroll"]},
      "fields": {
        "id": "int64", "author_id": "int64", "amount": "int64", "author": "@author",
        "tags": {"type": ["@tag"], "relationship": "many_to_many", "through": "payslip_tags"}
      }
    },
    "tag": {"id": "int64", "label": "string"}
  },
  "queries": {
    "post_titles": {"sql": "SELECT title FROM posts ORDER BY id", "ttl": 300},
    "payslips_of": {
      "sql": "SELECT amount FROM payslips WHERE author_id = :author_id ORDER BY id",
      "params": {"author_id": "int64"},
      "ttl": 300,
      "roles": ["hr", "finance"]
    },
    "posts_by_ids": {
      "sql": "SELECT id FROM posts WHERE id = ANY(:ids) ORDER BY id",
      "params": {"ids": "[int64]"},
      "ttl": 300
    }
  }
})json";

constexpr char kSeed[] = R"sql(
  INSERT INTO authors (id, name) VALUES (1, 'ann');
  INSERT INTO posts (id, author_id, title) VALUES (1, 1, 'hello'), (2, 1, 'again');
  INSERT INTO payslips (id, author_id, amount) VALUES (1, 1, 100);
  INSERT INTO tags (id, label) VALUES (1, 'q1');
  INSERT INTO payslip_tags (payslip_id, tag_id) VALUES (1, 1);
  SELECT setval(pg_get_serial_sequence(t, 'id'), 100)
    FROM unnest(ARRAY['authors', 'posts', 'payslips', 'tags']) t;
)sql";

// Counts every call that reaches Redis.
class CountingCache : public cache::QueryCache {
 public:
  explicit CountingCache(cache::QueryCache* inner) : inner_(inner) {}

  cache::CacheLookup Lookup(const std::string& key,
                            const std::vector<std::string>& dependencies) override {
    ++touches_;
    return inner_->Lookup(key, dependencies);
  }
  void LookupAsync(const std::string& key, const std::vector<std::string>& dependencies,
                   std::function<void(cache::CacheLookup)> done) override {
    ++touches_;
    inner_->LookupAsync(key, dependencies, std::move(done));
  }
  absl::StatusOr<cache::Generations> CurrentGenerations(
      const std::vector<std::string>& dependencies) override {
    ++touches_;
    return inner_->CurrentGenerations(dependencies);
  }
  absl::Status Fill(const std::string& key, const std::string& payload,
                    const cache::Generations& generations, const cache::FillSpec& spec) override {
    ++touches_;
    return inner_->Fill(key, payload, generations, spec);
  }
  absl::Status Invalidate(const std::vector<std::string>& dependencies) override {
    ++touches_;
    return inner_->Invalidate(dependencies);
  }
  cache::CacheHealth Health() const override { return inner_->Health(); }
  std::string Key(const std::string& suffix) const override { return inner_->Key(suffix); }

  int64_t touches() const { return touches_.load(); }

 private:
  cache::QueryCache* inner_;
  std::atomic<int64_t> touches_{0};
};

// Counts every connection taken from the pool; leases go back to the inner pool.
class CountingPool : public db::ConnectionPool {
 public:
  explicit CountingPool(db::ConnectionPool* inner) : inner_(inner) {}

  absl::StatusOr<db::Lease> Acquire(absl::Time deadline) override {
    ++acquires_;
    return inner_->Acquire(deadline);
  }
  db::PoolFigures Figures() const override { return inner_->Figures(); }

  int64_t acquires() const { return acquires_.load(); }

 protected:
  void Release(std::unique_ptr<db::Session>, absl::Time) override {}

 private:
  db::ConnectionPool* inner_;
  std::atomic<int64_t> acquires_{0};
};

CallContext As(std::vector<std::string> roles) {
  auto identity = std::make_shared<Identity>();
  identity->method = Identity::Method::kJwt;
  identity->subject = "tester";
  identity->roles = std::move(roles);
  CallContext ctx;
  ctx.deadline = absl::Now() + absl::Seconds(30);
  ctx.identity = std::move(identity);
  return ctx;
}

CallContext Internal() {
  CallContext ctx;
  ctx.deadline = absl::Now() + absl::Seconds(30);
  return ctx;
}

class AccessRolesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    QG_REQUIRE_POSTGRES();
    if (testing::RedisUrl().empty()) {
      if (testing::ServersRequired()) FAIL() << "QUERYGATE_TEST_REDIS_URL is not set";
      GTEST_SKIP() << "QUERYGATE_TEST_REDIS_URL is not set";
    }
    ASSERT_TRUE(db_.ok());
    schema::LoadResult loaded = schema::LoadSchemaSources({{"test.json", kSchema}});
    ASSERT_TRUE(loaded.ok()) << (loaded.errors.empty() ? "" : loaded.errors[0].ToString());
    schema_ = std::move(loaded.schema);
    schema::NamedQueryLoadResult named =
        schema::LoadNamedQueries({{"test.json", kSchema}}, schema_);
    ASSERT_TRUE(named.ok()) << named.errors[0].ToString();

    session_ = db_.Connect();
    ASSERT_NE(session_, nullptr);
    ASSERT_TRUE(session_->Execute(schema::GenerateDdl(schema_)).ok());
    absl::Status seeded = session_->Execute(kSeed);
    ASSERT_TRUE(seeded.ok()) << seeded;
    auto registry =
        service::QueryRegistry::Build(named.queries, schema_, *session_, absl::Minutes(5));
    ASSERT_TRUE(registry.ok()) << registry.status();
    registry_ = *std::move(registry);

    db::PoolOptions pool_options;
    pool_options.url = db_.url();
    pool_options.min_connections = 1;
    pool_options.max_connections = 4;
    sessions_ = std::make_unique<db::SessionPool>(pool_options);
    ASSERT_TRUE(sessions_->Start().ok());
    pool_ = std::make_unique<CountingPool>(sessions_.get());

    cache::RedisOptions redis;
    ASSERT_TRUE(cache::ApplyRedisUrl(testing::RedisUrl(), redis).ok());
    std::random_device random;
    redis.key_prefix = absl::StrFormat("qgtest:%08x%08x", random(), random());
    redis_ = std::make_unique<cache::RedisQueryCache>(redis);
    cache_ = std::make_unique<CountingCache>(redis_.get());

    reader_ = std::make_unique<service::DatabaseReader>(service::DatabaseReaderOptions(),
                                                        pool_.get(), &watcher_);
    query_reads_ = std::make_unique<service::CachedReader>(cache_.get(), &codec_, true);
    repository_reads_ = std::make_unique<service::CachedReader>(cache_.get(), &codec_, true);
    service::QueryServiceOptions query_options;
    query_options.schema_version = "v1";
    query_options.max_array_elements = 3;
    queries_ = std::make_unique<service::QueryService>(query_options, registry_.get(),
                                                       reader_.get(), query_reads_.get());
    service::RepositoryOptions repository_options;
    repository_options.schema_version = "v1";
    CountingCache* counting = cache_.get();
    repository_ = std::make_unique<service::RepositoryService>(
        repository_options, &schema_, reader_.get(), repository_reads_.get(), pool_.get(),
        [counting](const std::set<std::string>& tables, const std::string& /*tenant*/) {
          std::vector<std::string> dependencies;
          for (const std::string& table : tables) {
            dependencies.push_back(service::TableDependency(table));
          }
          return counting->Invalidate(dependencies);
        });
  }

  // Runs TryCached and waits for its answer.
  absl::StatusOr<std::optional<ExecuteResponse>> TryCached(const ExecuteRequest& request,
                                                           const CallContext& ctx) {
    std::promise<absl::StatusOr<std::optional<ExecuteResponse>>> answer;
    queries_->TryCached(request, ctx, [&answer](auto result) { answer.set_value(result); });
    return answer.get_future().get();
  }

  int64_t CountRows(const std::string& table) {
    auto rows = session_->Query(absl::StrCat("SELECT count(*) FROM ", table));
    EXPECT_TRUE(rows.ok()) << rows.status();
    return rows.ok() ? std::stoll(rows->Text(0, 0)) : -1;
  }

  // Expects `status` to be PERMISSION_DENIED with exactly `message`, and that nothing reached
  // Redis or the pool since `touches`/`acquires` were read.
  void ExpectDenied(const absl::Status& status, const std::string& message, int64_t touches,
                    int64_t acquires) {
    EXPECT_EQ(status.code(), absl::StatusCode::kPermissionDenied) << status;
    EXPECT_EQ(status.message(), message);
    EXPECT_EQ(cache_->touches(), touches) << "a denied call touched the cache";
    EXPECT_EQ(pool_->acquires(), acquires) << "a denied call touched the database";
  }

  testing::ScopedDatabase db_;
  schema::Schema schema_;
  std::unique_ptr<db::Session> session_;
  std::unique_ptr<service::QueryRegistry> registry_;
  std::unique_ptr<db::SessionPool> sessions_;
  std::unique_ptr<CountingPool> pool_;
  std::unique_ptr<cache::RedisQueryCache> redis_;
  std::unique_ptr<CountingCache> cache_;
  db::CancelWatcher watcher_;
  service::BinaryResultCodec codec_;
  std::unique_ptr<service::DatabaseReader> reader_;
  std::unique_ptr<service::CachedReader> query_reads_;
  std::unique_ptr<service::CachedReader> repository_reads_;
  std::unique_ptr<service::QueryService> queries_;
  std::unique_ptr<service::RepositoryService> repository_;
};

constexpr char kQueryDenied[] = "query payslips_of: requires one of the roles [hr, finance]";
constexpr char kReadDenied[] = "model payslip: reading requires one of the roles [hr, finance]";
constexpr char kWriteDenied[] = "model payslip: writing requires one of the roles [payroll]";

ExecuteRequest PayslipsOf(int64_t author) {
  ExecuteRequest request;
  request.query = "payslips_of";
  request.params["author_id"] = Value::Int(author);
  return request;
}

TEST_F(AccessRolesTest, QueryRolesGuardExecuteBeforeTheDatabase) {
  int64_t touches = cache_->touches();
  int64_t acquires = pool_->acquires();
  ExpectDenied(queries_->Execute(PayslipsOf(1), As({"reader"})).status(), kQueryDenied, touches,
               acquires);
  ExpectDenied(queries_->Execute(PayslipsOf(1), As({})).status(), kQueryDenied, touches, acquires);
  ExpectDenied(queries_->Execute(PayslipsOf(1), As({"payroll", "HR"})).status(), kQueryDenied,
               touches, acquires);

  for (const CallContext& ctx :
       {As({"finance"}), As({"reader", "hr"}), As({"admin"}), Internal()}) {
    auto result = queries_->Execute(PayslipsOf(1), ctx);
    ASSERT_TRUE(result.ok()) << result.status();
  }
  auto open = queries_->Execute({"post_titles", {}, service::CacheMode::kDefault}, As({"reader"}));
  ASSERT_TRUE(open.ok()) << open.status();
}

TEST_F(AccessRolesTest, QueryRolesGuardTheHitPathBeforeTheCache) {
  auto filled = queries_->Execute(PayslipsOf(1), As({"hr"}));
  ASSERT_TRUE(filled.ok()) << filled.status();
  auto hit = TryCached(PayslipsOf(1), As({"hr"}));
  ASSERT_TRUE(hit.ok()) << hit.status();
  ASSERT_TRUE(hit->has_value()) << "the entry should be cached now";
  EXPECT_EQ((*hit)->cache.status, CacheStatus::kHit);

  int64_t touches = cache_->touches();
  int64_t acquires = pool_->acquires();
  ExpectDenied(TryCached(PayslipsOf(1), As({"reader"})).status(), kQueryDenied, touches, acquires);
  ExpectDenied(TryCached(PayslipsOf(2), As({"writer"})).status(), kQueryDenied, touches, acquires);

  auto admin = TryCached(PayslipsOf(1), As({"admin"}));
  ASSERT_TRUE(admin.ok()) << admin.status();
  EXPECT_TRUE(admin->has_value());
}

TEST_F(AccessRolesTest, ArrayParametersAreCapped) {
  ExecuteRequest request;
  request.query = "posts_by_ids";
  request.params["ids"] =
      Value::ListOf({Value::Int(1), Value::Int(2), Value::Int(3), Value::Int(4)});
  int64_t touches = cache_->touches();
  int64_t acquires = pool_->acquires();
  for (const absl::Status& status : {queries_->Execute(request, As({"reader"})).status(),
                                     TryCached(request, As({"reader"})).status()}) {
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
    EXPECT_EQ(status.message(), "parameter ids: more than 3 elements (limits.max_array_elements)");
  }
  EXPECT_EQ(cache_->touches(), touches);
  EXPECT_EQ(pool_->acquires(), acquires);

  request.params["ids"] = Value::ListOf({Value::Int(1), Value::Int(2), Value::Int(3)});
  auto result = queries_->Execute(request, As({"reader"}));
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_NE(result->result, nullptr);
  EXPECT_EQ(result->result->rows.size(), 2u);
}

TEST_F(AccessRolesTest, ModelReadRolesGuardEveryRead) {
  service::RepoGetRequest get{"payslip", Value::Int(1), {}, service::CacheMode::kDefault};
  service::RepoListRequest list;
  list.model = "payslip";
  service::RepoCountRequest count;
  count.model = "payslip";
  service::RepoExistsRequest exists{"payslip", Value::Int(1), service::CacheMode::kDefault};
  auto all = [&](const CallContext& ctx) {
    return std::vector<absl::Status>{
        repository_->Get(get, ctx).status(), repository_->List(list, ctx).status(),
        repository_->Count(count, ctx).status(), repository_->Exists(exists, ctx).status()};
  };

  int64_t touches = cache_->touches();
  int64_t acquires = pool_->acquires();
  for (const absl::Status& status : all(As({"reader", "payroll"}))) {
    ExpectDenied(status, kReadDenied, touches, acquires);
  }
  EXPECT_EQ(repository_->statements_sent(), 0);

  for (const CallContext& ctx : {As({"hr"}), As({"finance"}), As({"admin"}), Internal()}) {
    for (const absl::Status& status : all(ctx)) EXPECT_TRUE(status.ok()) << status;
  }
  auto post =
      repository_->Get({"post", Value::Int(1), {}, service::CacheMode::kDefault}, As({"reader"}));
  ASSERT_TRUE(post.ok()) << post.status();
}

TEST_F(AccessRolesTest, IncludingAModelNeedsItsReadRoles) {
  service::RepoGetRequest get{
      "author", Value::Int(1), {"posts", "payslips"}, service::CacheMode::kDefault};
  service::RepoListRequest list;
  list.model = "post";
  list.include = {"author.payslips"};
  int64_t touches = cache_->touches();
  int64_t acquires = pool_->acquires();
  ExpectDenied(repository_->Get(get, As({"reader"})).status(), kReadDenied, touches, acquires);
  ExpectDenied(repository_->List(list, As({"reader"})).status(), kReadDenied, touches, acquires);

  get.include = {"posts"};
  auto open = repository_->Get(get, As({"reader"}));
  ASSERT_TRUE(open.ok()) << open.status();
  EXPECT_EQ(open->record.at("posts").list_value().size(), 2u);

  list.include = {"author.payslips"};
  auto listed = repository_->List(list, As({"hr"}));
  ASSERT_TRUE(listed.ok()) << listed.status();
  ASSERT_EQ(listed->records.size(), 2u);
  const Value::Struct& author = listed->records[0].at("author").struct_value();
  EXPECT_EQ(author.at("payslips").list_value().size(), 1u);
}

TEST_F(AccessRolesTest, AJunctionTableNeedsTheRolesOfBothModels) {
  service::RepoListRequest list;
  list.model = "payslip_tags";
  int64_t touches = cache_->touches();
  int64_t acquires = pool_->acquires();
  ExpectDenied(repository_->List(list, As({"reader"})).status(), kReadDenied, touches, acquires);
  auto allowed = repository_->List(list, As({"hr"}));
  ASSERT_TRUE(allowed.ok()) << allowed.status();
  EXPECT_EQ(allowed->records.size(), 1u);

  service::RepoCreateRequest link{"payslip_tags",
                                  {{"payslip_id", Value::Int(1)}, {"tag_id", Value::Int(1)}}};
  ExpectDenied(repository_->Create(link, As({"hr"})).status(), kWriteDenied, cache_->touches(),
               pool_->acquires());
}

TEST_F(AccessRolesTest, ModelWriteRolesGuardEveryWrite) {
  service::Record record{{"author_id", Value::Int(1)}, {"amount", Value::Int(5)}};
  service::RepoCreateRequest create{"payslip", record};
  service::RepoUpdateRequest update;
  update.model = "payslip";
  update.id = Value::Int(1);
  update.record = {{"amount", Value::Int(999)}};
  service::RepoDeleteRequest del{"payslip", Value::Int(1), true};
  service::RepoWriteOp open_op;
  open_op.kind = service::RepoWriteOp::Kind::kCreate;
  open_op.create = {"post", {{"author_id", Value::Int(1)}, {"title", Value::String("new")}}};
  service::RepoWriteOp closed_op;
  closed_op.kind = service::RepoWriteOp::Kind::kUpdate;
  closed_op.update = update;

  int64_t touches = cache_->touches();
  int64_t acquires = pool_->acquires();
  CallContext hr = As({"hr", "writer"});
  ExpectDenied(repository_->Create(create, hr).status(), kWriteDenied, touches, acquires);
  ExpectDenied(repository_->CreateMany("payslip", {record, record}, hr).status(), kWriteDenied,
               touches, acquires);
  ExpectDenied(repository_->Update(update, hr).status(), kWriteDenied, touches, acquires);
  ExpectDenied(repository_->Delete(del, hr).status(), kWriteDenied, touches, acquires);
  ExpectDenied(repository_->Transact({open_op, closed_op}, hr).status(),
               absl::StrCat("ops[1]: ", kWriteDenied), touches, acquires);
  EXPECT_EQ(CountRows("payslips"), 1);
  EXPECT_EQ(CountRows("posts"), 2);
  auto amount = session_->Query("SELECT amount FROM payslips WHERE id = 1");
  ASSERT_TRUE(amount.ok());
  EXPECT_EQ(amount->Text(0, 0), "100");

  auto created = repository_->Create(create, As({"payroll"}));
  ASSERT_TRUE(created.ok()) << created.status();
  auto transacted = repository_->Transact({open_op, closed_op}, As({"admin"}));
  ASSERT_TRUE(transacted.ok()) << transacted.status();
  auto many = repository_->CreateMany("payslip", {record}, Internal());
  ASSERT_TRUE(many.ok()) << many.status();
  EXPECT_EQ(CountRows("payslips"), 3);
  EXPECT_EQ(CountRows("posts"), 3);
  auto deleted = repository_->Delete(del, As({"payroll"}));
  ASSERT_TRUE(deleted.ok()) << deleted.status();
  EXPECT_TRUE(*deleted);
}

TEST_F(AccessRolesTest, UnknownModelsStillGetInvalidArgument) {
  service::RepoCreateRequest create{"nothing", {}};
  EXPECT_EQ(repository_->Create(create, As({"reader"})).status().code(),
            absl::StatusCode::kInvalidArgument);
  service::RepoWriteOp op;
  op.create = create;
  EXPECT_EQ(repository_->Transact({op}, As({"reader"})).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace querygate
