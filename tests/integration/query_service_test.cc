// Named queries over a real gRPC channel, PostgreSQL and Redis.
#include <gmock/gmock.h>
#include <google/protobuf/util/message_differencer.h>
#include <grpcpp/client_context.h>
#include <grpcpp/health_check_service_interface.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <iostream>
#include <limits>
#include <map>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "querygate/v1/cache_service.grpc.pb.h"
#include "querygate/v1/query_service.grpc.pb.h"
#include "tests/support/poll.h"
#include "tests/support/redis_process.h"
#include "tests/support/test_server.h"
#include "tests/support/wire_values.h"

namespace querygate {
namespace {

using querygate::testing::Dbl;
using querygate::testing::Int;
using querygate::testing::Str;
using querygate::testing::TestServer;
using ::testing::HasSubstr;

constexpr char kSchema[] = R"json({
  "models": {
    "item": {
      "fields": {
        "id": "int64",
        "name": "string",
        "big": "int64",
        "small": "int32",
        "price": "decimal(12,2)",
        "ratio": "float64?",
        "tags": "string[]",
        "data": "json",
        "seen_at": "datetime?",
        "note": "text?",
        "blob": "bytes?",
        "ref": "uuid?",
        "day": "date?"
      }
    }
  },
  "queries": {
    "item_by_id": {
      "sql": "SELECT id, name, big, small, price, ratio, tags, data, seen_at, note, blob, ref, day FROM items WHERE id = :id",
      "params": {"id": "int64"},
      "ttl": 300
    },
    "items_by_ids": {
      "sql": "SELECT id, name FROM items WHERE id = ANY(:ids) ORDER BY id",
      "params": {"ids": "[int64]"}
    },
    "items_named": {
      "sql": "SELECT id FROM items WHERE name = :name",
      "params": {"name": "string"}
    },
    "items_typed": {
      "sql": "SELECT id FROM items WHERE small = :small OR ratio = :ratio OR seen_at = :at OR day = :day OR ref = :ref",
      "params": {"small": "int32?", "ratio": "float64?", "at": "datetime?", "day": "date?", "ref": "uuid?"}
    },
    "slow_item": {
      "sql": "SELECT id, name FROM items, pg_sleep(:seconds) WHERE id = :id",
      "params": {"id": "int64", "seconds": "float64"},
      "cache": false
    },
    "racy_item": {
      "sql": "SELECT id, name FROM items, pg_sleep(0.005) WHERE id = :id",
      "params": {"id": "int64"},
      "ttl": 300
    },
    "counted_item": {
      "sql": "SELECT id, nextval('loads_seq') AS load FROM items, pg_sleep(0.3) WHERE id = :id",
      "params": {"id": "int64"}
    },
    "all_items": {
      "sql": "SELECT id FROM items ORDER BY id"
    }
  }
})json";

constexpr char kSeed[] = R"sql(
CREATE SEQUENCE loads_seq;
SELECT nextval('loads_seq');
INSERT INTO items (id, name, big, small, price, ratio, tags, data, seen_at, note, blob, ref, day)
VALUES (1, 'first', 9007199254740993, -7, 12345.67, 0.1, ARRAY['a', 'b,c', 'd"e'],
        '{"a": [1, 2.5, {"b": null}], "s": "x"}', '2024-02-29 12:34:56.789012+00', NULL,
        '\x00ff10', 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11', '2024-01-31'),
       (2, 'second', -9223372036854775808, 2147483647, 0.01, NULL, '{}', '[]', NULL, 'n', NULL,
        NULL, NULL);
)sql";

class QueryServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    QG_REQUIRE_POSTGRES();
    if (querygate::testing::RedisUrl().empty()) GTEST_SKIP() << "no Redis";
  }

  // Starts the server without the database-trigger feed: these tests change rows with plain
  // SQL and invalidate explicitly, so a late trigger bump must not turn an expected HIT into a
  // MISS. The trigger feed is covered by invalidation_test.cc.
  void StartServer(const std::function<void(server::ServerConfig&)>& tweak = nullptr) {
    std::string error = server_.Start(kSchema, kSeed, [&](server::ServerConfig& c) {
      c.listen_for_changes = false;
      if (tweak) tweak(c);
    });
    ASSERT_EQ(error, "");
    query_ = v1::QueryService::NewStub(server_.Channel());
    cache_ = v1::CacheService::NewStub(server_.Channel());
  }

  grpc::Status Execute(const std::string& query, std::map<std::string, v1::Value> params,
                       v1::ExecuteResponse* response,
                       v1::CacheMode mode = v1::CACHE_MODE_UNSPECIFIED,
                       absl::Duration deadline = absl::Seconds(10)) {
    v1::ExecuteRequest request;
    request.set_query(query);
    request.set_cache_mode(mode);
    for (auto& [k, v] : params) (*request.mutable_params())[k] = v;
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + deadline));
    return query_->Execute(&context, request, response);
  }

  v1::ExecuteResponse MustExecute(const std::string& query, std::map<std::string, v1::Value> params,
                                  v1::CacheMode mode = v1::CACHE_MODE_UNSPECIFIED) {
    v1::ExecuteResponse response;
    grpc::Status status = Execute(query, std::move(params), &response, mode);
    EXPECT_TRUE(status.ok()) << status.error_code() << " " << status.error_message();
    return response;
  }

  void InvalidateTable(const std::string& table) {
    v1::InvalidateRequest request;
    request.add_tables(table);
    v1::InvalidateResponse response;
    grpc::ClientContext context;
    grpc::Status status = cache_->Invalidate(&context, request, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }

  void Sql(const std::string& sql) {
    auto session = server_.database().Connect();
    ASSERT_TRUE(session->Execute(sql).ok()) << sql;
  }

  // Returns how many pg_sleep statements are still active in the test database once none are
  // or `bound` has passed.
  int64_t RunningSleeps(absl::Duration bound) {
    auto session = server_.database().Connect();
    int64_t running = -1;
    absl::Time until = absl::Now() + bound;
    do {
      auto rows = session->Query(
          "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND "
          "state = 'active' AND query LIKE '%pg_sleep%' AND pid <> pg_backend_pid()");
      if (!rows.ok()) return -1;
      running = std::stoll(rows->Text(0, 0));
      if (running == 0) break;
      absl::SleepFor(absl::Milliseconds(50));
    } while (absl::Now() < until);
    return running;
  }

  TestServer server_;
  std::unique_ptr<v1::QueryService::Stub> query_;
  std::unique_ptr<v1::CacheService::Stub> cache_;
};

TEST_F(QueryServiceTest, MissThenHitReturnIdenticalRowsAndTypes) {
  StartServer();
  v1::ExecuteResponse miss = MustExecute("item_by_id", {{"id", Int(1)}});
  v1::ExecuteResponse hit = MustExecute("item_by_id", {{"id", Int(1)}});
  EXPECT_EQ(miss.cache().status(), v1::CACHE_STATUS_MISS);
  EXPECT_EQ(hit.cache().status(), v1::CACHE_STATUS_HIT);
  EXPECT_GT(hit.cache().ttl_ms(), 0);
  ASSERT_EQ(miss.rows_size(), 1);
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(miss.rows(0), hit.rows(0)));
  ASSERT_EQ(miss.columns_size(), hit.columns_size());
  for (int i = 0; i < miss.columns_size(); ++i) {
    EXPECT_EQ(miss.columns(i).name(), hit.columns(i).name());
    EXPECT_EQ(miss.columns(i).type(), hit.columns(i).type());
  }
  for (const v1::ExecuteResponse* r : {&miss, &hit}) {
    const v1::Row& row = r->rows(0);
    EXPECT_EQ(row.values(2).int_value(), 9007199254740993);
    EXPECT_EQ(row.values(3).int_value(), -7);
    EXPECT_EQ(row.values(4).string_value(), "12345.67");
    EXPECT_DOUBLE_EQ(row.values(5).double_value(), 0.1);
    ASSERT_EQ(row.values(6).list_value().values_size(), 3);
    EXPECT_EQ(row.values(6).list_value().values(1).string_value(), "b,c");
    EXPECT_EQ(row.values(6).list_value().values(2).string_value(), "d\"e");
    const auto& data = row.values(7).struct_value().fields();
    EXPECT_EQ(data.at("s").string_value(), "x");
    EXPECT_EQ(data.at("a").list_value().values(0).int_value(), 1);
    EXPECT_EQ(data.at("a").list_value().values(1).double_value(), 2.5);
    EXPECT_TRUE(
        data.at("a").list_value().values(2).struct_value().fields().at("b").has_null_value());
    EXPECT_EQ(row.values(8).timestamp_value().seconds(), 1709210096);
    EXPECT_EQ(row.values(8).timestamp_value().nanos(), 789012000);
    EXPECT_TRUE(row.values(9).has_null_value());
    EXPECT_EQ(row.values(10).bytes_value(), std::string("\x00\xff\x10", 3));
    EXPECT_EQ(row.values(11).string_value(), "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
    EXPECT_EQ(row.values(12).string_value(), "2024-01-31");
  }
  EXPECT_EQ(miss.columns(2).type(), "bigint");
  EXPECT_EQ(miss.columns(6).type(), "text[]");
  EXPECT_EQ(miss.columns(7).type(), "jsonb");
  v1::ExecuteResponse extremes = MustExecute("item_by_id", {{"id", Int(2)}});
  EXPECT_EQ(extremes.rows(0).values(2).int_value(), std::numeric_limits<int64_t>::min());
  EXPECT_EQ(extremes.rows(0).values(3).int_value(), 2147483647);
  EXPECT_EQ(extremes.rows(0).values(6).list_value().values_size(), 0);
  EXPECT_EQ(extremes.rows(0).values(7).list_value().values_size(), 0);
}

TEST_F(QueryServiceTest, CacheModesBehaveAsNamed) {
  StartServer();
  v1::ExecuteResponse r = MustExecute("item_by_id", {{"id", Int(1)}}, v1::CACHE_MODE_BYPASS);
  EXPECT_EQ(r.cache().status(), v1::CACHE_STATUS_BYPASS);
  v1::ExecuteResponse none;
  grpc::Status only = Execute("item_by_id", {{"id", Int(1)}}, &none, v1::CACHE_MODE_ONLY_CACHED);
  EXPECT_EQ(only.error_code(), grpc::StatusCode::NOT_FOUND) << "BYPASS must not fill";
  EXPECT_EQ(MustExecute("item_by_id", {{"id", Int(1)}}).cache().status(), v1::CACHE_STATUS_MISS);
  r = MustExecute("item_by_id", {{"id", Int(1)}}, v1::CACHE_MODE_ONLY_CACHED);
  EXPECT_EQ(r.cache().status(), v1::CACHE_STATUS_HIT);

  Sql("UPDATE items SET name = 'renamed' WHERE id = 1");
  r = MustExecute("item_by_id", {{"id", Int(1)}}, v1::CACHE_MODE_REFRESH);
  EXPECT_EQ(r.cache().status(), v1::CACHE_STATUS_MISS);
  EXPECT_EQ(r.rows(0).values(1).string_value(), "renamed");
  r = MustExecute("item_by_id", {{"id", Int(1)}});
  EXPECT_EQ(r.cache().status(), v1::CACHE_STATUS_HIT);
  EXPECT_EQ(r.rows(0).values(1).string_value(), "renamed");
  r = MustExecute("slow_item", {{"id", Int(1)}, {"seconds", Dbl(0)}});
  EXPECT_EQ(r.cache().status(), v1::CACHE_STATUS_BYPASS) << "cache:false queries bypass";
}

TEST_F(QueryServiceTest, InvalidateTableMakesTheNextReadAFreshMiss) {
  StartServer();
  MustExecute("item_by_id", {{"id", Int(1)}});
  EXPECT_EQ(MustExecute("item_by_id", {{"id", Int(1)}}).cache().status(), v1::CACHE_STATUS_HIT);
  Sql("UPDATE items SET name = 'after' WHERE id = 1");
  InvalidateTable("items");
  v1::ExecuteResponse r = MustExecute("item_by_id", {{"id", Int(1)}});
  EXPECT_EQ(r.cache().status(), v1::CACHE_STATUS_MISS);
  EXPECT_EQ(r.rows(0).values(1).string_value(), "after");
  EXPECT_EQ(MustExecute("item_by_id", {{"id", Int(1)}}).cache().status(), v1::CACHE_STATUS_HIT);
}

TEST_F(QueryServiceTest, ListQueriesDerivesTablesAndColumns) {
  StartServer();
  v1::ListQueriesResponse response;
  grpc::ClientContext context;
  ASSERT_TRUE(query_->ListQueries(&context, v1::ListQueriesRequest(), &response).ok());
  bool found = false;
  for (const v1::QueryInfo& q : response.queries()) {
    if (q.name() != "item_by_id") continue;
    found = true;
    ASSERT_EQ(q.tables_size(), 1);
    EXPECT_EQ(q.tables(0), "items");
    EXPECT_EQ(q.columns_size(), 13);
    EXPECT_EQ(q.ttl_ms(), 300000);
    ASSERT_EQ(q.params_size(), 1);
    EXPECT_EQ(q.params(0).type(), "int64");
  }
  EXPECT_TRUE(found);
}

TEST(QueryTablesTest, DerivedThroughJoinsSubqueriesCtesAndViews) {
  QG_REQUIRE_POSTGRES();
  if (querygate::testing::RedisUrl().empty()) GTEST_SKIP() << "no Redis";
  constexpr char kTablesSchema[] = R"json({
    "models": {
      "author": {"fields": {"id": "int64", "name": "string"}},
      "book": {"fields": {"id": "int64", "author_id": "int64", "author": "@author",
                          "parent_id": "int64?", "title": "string"}},
      "review": {"fields": {"id": "int64", "book_id": "int64", "book": "@book", "stars": "int32"}}
    },
    "queries": {
      "joined": {"sql": "SELECT b.title, a.name FROM books b JOIN authors a ON a.id = b.author_id"},
      "subquery": {"sql": "SELECT title FROM books WHERE author_id IN (SELECT id FROM authors WHERE name = :n)", "params": {"n": "string"}},
      "scalar_subquery": {"sql": "SELECT name, (SELECT count(*) FROM reviews) AS n FROM authors"},
      "cte": {"sql": "WITH good AS (SELECT book_id FROM reviews WHERE stars > 3) SELECT title FROM books WHERE id IN (SELECT book_id FROM good)"},
      "recursive": {"sql": "WITH RECURSIVE t AS (SELECT id, parent_id FROM books WHERE id = :id UNION ALL SELECT b.id, b.parent_id FROM books b JOIN t ON b.parent_id = t.id) SELECT id FROM t", "params": {"id": "int64"}},
      "through_view": {"sql": "SELECT * FROM author_review_counts"}
    }
  })json";
  querygate::testing::TestServer server;
  ASSERT_EQ(server.Start(kTablesSchema,
                         "CREATE VIEW author_review_counts AS SELECT a.name, count(r.id) AS n "
                         "FROM authors a JOIN books b ON b.author_id = a.id "
                         "LEFT JOIN reviews r ON r.book_id = b.id GROUP BY a.name;"),
            "");
  auto stub = v1::QueryService::NewStub(server.Channel());
  v1::ListQueriesResponse response;
  grpc::ClientContext context;
  ASSERT_TRUE(stub->ListQueries(&context, v1::ListQueriesRequest(), &response).ok());
  std::map<std::string, std::vector<std::string>> tables;
  for (const v1::QueryInfo& q : response.queries()) {
    tables[q.name()].assign(q.tables().begin(), q.tables().end());
  }
  using V = std::vector<std::string>;
  EXPECT_EQ(tables["joined"], (V{"authors", "books"}));
  EXPECT_EQ(tables["subquery"], (V{"authors", "books"}));
  EXPECT_EQ(tables["scalar_subquery"], (V{"authors", "reviews"}));
  EXPECT_EQ(tables["cte"], (V{"books", "reviews"}));
  EXPECT_EQ(tables["recursive"], (V{"books"}));
  EXPECT_EQ(tables["through_view"], (V{"authors", "books", "reviews"}));
}

TEST_F(QueryServiceTest, ReadsSurviveRedisStoppedAndFrozen) {
  querygate::testing::RedisProcess redis;
  ASSERT_TRUE(redis.Start());
  StartServer([&](server::ServerConfig& c) {
    ASSERT_TRUE(cache::ApplyRedisUrl(redis.url(), c.redis).ok());
    c.redis.command_timeout = absl::Milliseconds(100);
  });
  EXPECT_EQ(MustExecute("item_by_id", {{"id", Int(1)}}).cache().status(), v1::CACHE_STATUS_MISS);
  EXPECT_EQ(MustExecute("item_by_id", {{"id", Int(1)}}).cache().status(), v1::CACHE_STATUS_HIT);

  redis.Pause();
  // The in-process tier answers until its lease, which cannot be renewed, runs out; from then
  // on every read bypasses.
  bool bypassed = querygate::testing::PollUntil(absl::Now() + absl::Seconds(10), [&] {
    v1::ExecuteResponse r;
    grpc::Status s =
        Execute("item_by_id", {{"id", Int(1)}}, &r, v1::CACHE_MODE_UNSPECIFIED, absl::Seconds(1));
    EXPECT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(r.rows(0).values(1).string_value(), "first");
    if (r.cache().status() == v1::CACHE_STATUS_HIT) {
      EXPECT_EQ(r.cache().tier(), v1::CACHE_TIER_LOCAL);
    }
    return r.cache().status() == v1::CACHE_STATUS_BYPASS;
  });
  ASSERT_TRUE(bypassed) << "the in-process tier kept serving after its lease ran out";
  for (int i = 0; i < 5; ++i) {
    v1::ExecuteResponse r;
    absl::Time start = absl::Now();
    grpc::Status s =
        Execute("item_by_id", {{"id", Int(1)}}, &r, v1::CACHE_MODE_UNSPECIFIED, absl::Seconds(1));
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(r.cache().status(), v1::CACHE_STATUS_BYPASS);
    EXPECT_LT(absl::Now() - start, absl::Seconds(1));
    EXPECT_EQ(r.rows(0).values(1).string_value(), "first");
  }
  auto health = grpc::health::v1::Health::NewStub(server_.Channel());
  auto check = [&](const std::string& service) {
    grpc::health::v1::HealthCheckRequest request;
    request.set_service(service);
    grpc::health::v1::HealthCheckResponse response;
    grpc::ClientContext context;
    EXPECT_TRUE(health->Check(&context, request, &response).ok());
    return response.status();
  };
  absl::Time until = absl::Now() + absl::Seconds(3);
  while (check("querygate.cache") != grpc::health::v1::HealthCheckResponse::NOT_SERVING &&
         absl::Now() < until) {
    absl::SleepFor(absl::Milliseconds(50));
  }
  EXPECT_EQ(check("querygate.cache"), grpc::health::v1::HealthCheckResponse::NOT_SERVING);
  EXPECT_EQ(check(""), grpc::health::v1::HealthCheckResponse::SERVING);

  redis.Resume();
  redis.Stop();
  for (int i = 0; i < 5; ++i) {
    v1::ExecuteResponse r;
    grpc::Status s =
        Execute("item_by_id", {{"id", Int(1)}}, &r, v1::CACHE_MODE_UNSPECIFIED, absl::Seconds(1));
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(r.cache().status(), v1::CACHE_STATUS_BYPASS);
  }
}

TEST_F(QueryServiceTest, HitsResumeAfterRedisThaws) {
  querygate::testing::RedisProcess redis;
  ASSERT_TRUE(redis.Start());
  StartServer([&](server::ServerConfig& c) {
    ASSERT_TRUE(cache::ApplyRedisUrl(redis.url(), c.redis).ok());
    c.redis.command_timeout = absl::Milliseconds(100);
    // The shared tier's recovery; the in-process tier would answer until its lease ran out
    // (ReadsSurviveRedisStoppedAndFrozen).
    c.l1.enabled = false;
  });
  MustExecute("item_by_id", {{"id", Int(1)}});
  EXPECT_EQ(MustExecute("item_by_id", {{"id", Int(1)}}).cache().status(), v1::CACHE_STATUS_HIT);
  redis.Pause();
  EXPECT_EQ(MustExecute("item_by_id", {{"id", Int(1)}}).cache().status(), v1::CACHE_STATUS_BYPASS);
  redis.Resume();
  v1::CacheStatus status = v1::CACHE_STATUS_BYPASS;
  absl::Time until = absl::Now() + absl::Seconds(10);
  while (status != v1::CACHE_STATUS_HIT && absl::Now() < until) {
    absl::SleepFor(absl::Milliseconds(50));
    status = MustExecute("item_by_id", {{"id", Int(1)}}).cache().status();
  }
  EXPECT_EQ(status, v1::CACHE_STATUS_HIT);
  EXPECT_EQ(MustExecute("item_by_id", {{"id", Int(1)}}).rows(0).values(1).string_value(), "first");
}

TEST_F(QueryServiceTest, ExhaustedPoolAnswersResourceExhaustedWithinTheDeadline) {
  StartServer([](server::ServerConfig& c) {
    c.database.min_connections = 1;
    c.database.max_connections = 1;
    c.database.acquire_timeout = absl::Milliseconds(200);
  });
  std::thread slow([&] {
    v1::ExecuteResponse r;
    Execute("slow_item", {{"id", Int(1)}, {"seconds", Dbl(1.5)}}, &r);
  });
  absl::SleepFor(absl::Milliseconds(300));
  v1::ExecuteResponse r;
  absl::Time start = absl::Now();
  grpc::Status s =
      Execute("item_by_id", {{"id", Int(2)}}, &r, v1::CACHE_MODE_BYPASS, absl::Seconds(1));
  EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << s.error_message();
  EXPECT_LT(absl::Now() - start, absl::Seconds(1));
  slow.join();
}

TEST_F(QueryServiceTest, DeadlineShorterThanTheQueryCancelsItsBackend) {
  StartServer();
  v1::ExecuteResponse r;
  absl::Time start = absl::Now();
  grpc::Status s = Execute("slow_item", {{"id", Int(1)}, {"seconds", Dbl(5)}}, &r,
                           v1::CACHE_MODE_UNSPECIFIED, absl::Milliseconds(300));
  EXPECT_EQ(s.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
  EXPECT_LT(absl::Now() - start, absl::Seconds(2));
  EXPECT_EQ(RunningSleeps(absl::Seconds(2)), 0) << "the backend query is still running";

  v1::ExecuteResponse late;
  EXPECT_EQ(
      Execute("item_by_id", {{"id", Int(1)}}, &late, v1::CACHE_MODE_BYPASS, absl::Milliseconds(-1))
          .error_code(),
      grpc::StatusCode::DEADLINE_EXCEEDED);
}

TEST_F(QueryServiceTest, CancelledCallCancelsItsBackend) {
  StartServer();
  v1::ExecuteRequest request;
  request.set_query("slow_item");
  (*request.mutable_params())["id"] = Int(1);
  (*request.mutable_params())["seconds"] = Dbl(5);
  grpc::ClientContext context;
  v1::ExecuteResponse response;
  std::thread canceller([&] {
    absl::SleepFor(absl::Milliseconds(300));
    context.TryCancel();
  });
  grpc::Status s = query_->Execute(&context, request, &response);
  canceller.join();
  EXPECT_EQ(s.error_code(), grpc::StatusCode::CANCELLED);
  EXPECT_EQ(RunningSleeps(absl::Seconds(2)), 0) << "the backend query is still running";
}

struct BadInput {
  const char* name;
  const char* query;
  std::map<std::string, v1::Value> params;
  grpc::StatusCode code;
  const char* message;
};

TEST_F(QueryServiceTest, BadInputGetsPreciseErrors) {
  StartServer([](server::ServerConfig& c) { c.reads.max_rows = 1; });
  v1::Value ts_low, ts_high, nan = Dbl(std::nan("")), inf = Dbl(INFINITY), list;
  ts_low.mutable_timestamp_value()->set_seconds(-62135596801);
  ts_high.mutable_timestamp_value()->set_seconds(253402300800);
  list.mutable_list_value()->add_values()->set_string_value("x");
  std::vector<BadInput> cases = {
      {"unknown query", "nope", {}, grpc::StatusCode::NOT_FOUND, "nope"},
      {"missing param", "item_by_id", {}, grpc::StatusCode::INVALID_ARGUMENT, "id"},
      {"unknown param",
       "item_by_id",
       {{"id", Int(1)}, {"bogus", Int(1)}},
       grpc::StatusCode::INVALID_ARGUMENT,
       "bogus"},
      {"wrong type", "item_by_id", {{"id", Str("1")}}, grpc::StatusCode::INVALID_ARGUMENT, "id"},
      {"null for non-null",
       "item_by_id",
       {{"id", v1::Value()}},
       grpc::StatusCode::INVALID_ARGUMENT,
       "id"},
      {"int32 out of range",
       "items_typed",
       {{"small", Int(2147483648)}},
       grpc::StatusCode::INVALID_ARGUMENT,
       "small"},
      {"NaN", "items_typed", {{"ratio", nan}}, grpc::StatusCode::INVALID_ARGUMENT, "ratio"},
      {"infinity", "items_typed", {{"ratio", inf}}, grpc::StatusCode::INVALID_ARGUMENT, "ratio"},
      {"timestamp before year 1",
       "items_typed",
       {{"at", ts_low}},
       grpc::StatusCode::INVALID_ARGUMENT,
       "at"},
      {"timestamp after 9999",
       "items_typed",
       {{"at", ts_high}},
       grpc::StatusCode::INVALID_ARGUMENT,
       "at"},
      {"bad date",
       "items_typed",
       {{"day", Str("2024-02-30")}},
       grpc::StatusCode::INVALID_ARGUMENT,
       "day"},
      {"bad uuid",
       "items_typed",
       {{"ref", Str("not-a-uuid")}},
       grpc::StatusCode::INVALID_ARGUMENT,
       "ref"},
      {"list element type",
       "items_by_ids",
       {{"ids", list}},
       grpc::StatusCode::INVALID_ARGUMENT,
       "ids"},
      {"scalar for list",
       "items_by_ids",
       {{"ids", Int(1)}},
       grpc::StatusCode::INVALID_ARGUMENT,
       "ids"},
      {"too many rows", "all_items", {}, grpc::StatusCode::RESOURCE_EXHAUSTED, "limit of 1"},
  };
  for (const BadInput& c : cases) {
    v1::ExecuteResponse r;
    grpc::Status s = Execute(c.query, c.params, &r);
    EXPECT_EQ(s.error_code(), c.code) << c.name << ": " << s.error_message();
    EXPECT_THAT(s.error_message(), HasSubstr(c.message)) << c.name;
  }
  const std::string injection = "x'; DROP TABLE items; --";
  v1::ExecuteResponse r = MustExecute("items_named", {{"name", Str(injection)}});
  EXPECT_EQ(r.rows_size(), 0);
  Sql("INSERT INTO items (id, name, big, small, price, tags, data) VALUES "
      "(3, 'x''; DROP TABLE items; --', 0, 0, 0, '{}', '{}')");
  r = MustExecute("items_named", {{"name", Str(injection)}}, v1::CACHE_MODE_BYPASS);
  ASSERT_EQ(r.rows_size(), 1);
  EXPECT_EQ(r.rows(0).values(0).int_value(), 3);
}

// Readers and a writer race; a read that starts after Invalidate returned must never see the
// value from before the update. Returns the number of reads that did.
int64_t RunRace(QueryServiceTest* test, v1::QueryService::Stub* stub, v1::CacheService::Stub* cache,
                const TestServer& server, int iterations) {
  std::atomic<int64_t> published{0};
  std::atomic<bool> done{false};
  std::atomic<int64_t> stale{0};
  auto reader = [&] {
    while (!done.load()) {
      int64_t floor = published.load();
      v1::ExecuteRequest request;
      request.set_query("racy_item");
      (*request.mutable_params())["id"] = Int(1);
      grpc::ClientContext context;
      v1::ExecuteResponse response;
      if (!stub->Execute(&context, request, &response).ok() || response.rows_size() != 1) continue;
      int64_t seen = std::stoll(response.rows(0).values(1).string_value().substr(1));
      if (seen < floor) stale.fetch_add(1);
    }
  };
  std::vector<std::thread> readers;
  for (int i = 0; i < 4; ++i) readers.emplace_back(reader);
  auto session = server.database().Connect();
  for (int i = 1; i <= iterations; ++i) {
    EXPECT_TRUE(
        session->Execute(absl::StrCat("UPDATE items SET name = 'v", i, "' WHERE id = 1")).ok());
    v1::InvalidateRequest request;
    request.add_tables("items");
    grpc::ClientContext context;
    v1::InvalidateResponse response;
    EXPECT_TRUE(cache->Invalidate(&context, request, &response).ok());
    published.store(i);
  }
  done.store(true);
  for (auto& t : readers) t.join();
  (void)test;
  return stale.load();
}

TEST_F(QueryServiceTest, RaceNoReadAfterInvalidateSeesTheOldValue) {
  StartServer();
  Sql("UPDATE items SET name = 'v0' WHERE id = 1");
  EXPECT_EQ(RunRace(this, query_.get(), cache_.get(), server_, 1000), 0);
}

TEST_F(QueryServiceTest, RaceDetectsStaleFillsWhenTheGuardIsOff) {
  StartServer([](server::ServerConfig& c) { c.stale_fill_guard = false; });
  Sql("UPDATE items SET name = 'v0' WHERE id = 1");
  int64_t stale = RunRace(this, query_.get(), cache_.get(), server_, 1000);
  RecordProperty("stale_reads", static_cast<int>(stale));
  std::cout << "stale reads with the guard off: " << stale << "\n";
  EXPECT_GT(stale, 0) << "with the guard off the race test must see stale reads";
}

TEST_F(QueryServiceTest, BrokenPooledConnectionsAreReplaced) {
  StartServer([](server::ServerConfig& c) {
    c.database.min_connections = 2;
    c.database.max_connections = 2;
  });
  MustExecute("item_by_id", {{"id", Int(1)}}, v1::CACHE_MODE_BYPASS);
  auto session = server_.database().Connect();
  auto killed = session->Query(
      "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = "
      "current_database() AND application_name = 'querygate' AND pid <> pg_backend_pid()");
  ASSERT_TRUE(killed.ok());
  ASSERT_GE(std::stoll(killed->Text(0, 0)), 1);
  for (int i = 0; i < 4; ++i) {
    v1::ExecuteResponse r = MustExecute("item_by_id", {{"id", Int(1)}}, v1::CACHE_MODE_BYPASS);
    EXPECT_EQ(r.rows_size(), 1);
  }
  v1::StatsResponse stats;
  grpc::ClientContext context;
  ASSERT_TRUE(cache_->Stats(&context, v1::StatsRequest(), &stats).ok());
  EXPECT_GE(stats.database_pool().broken(), 1);
}

TEST_F(QueryServiceTest, MessageSizeLimitsAnswerResourceExhausted) {
  StartServer([](server::ServerConfig& c) {
    c.server.max_receive_message_bytes = 1024;
    c.server.max_send_message_bytes = 300;
  });
  v1::ExecuteResponse r;
  grpc::Status big_request = Execute("items_named", {{"name", Str(std::string(4096, 'x'))}}, &r);
  EXPECT_EQ(big_request.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  Sql("UPDATE items SET note = repeat('y', 1000) WHERE id = 2");
  grpc::Status big_response = Execute("item_by_id", {{"id", Int(2)}}, &r);
  EXPECT_EQ(big_response.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_TRUE(Execute("items_named", {{"name", Str("first")}}, &r).ok());
}

TEST_F(QueryServiceTest, ServerStaysResponsiveWhileManyCallsWaitOnTheDatabase) {
  StartServer([](server::ServerConfig& c) { c.database.max_connections = 4; });
  MustExecute("item_by_id", {{"id", Int(1)}});
  std::vector<std::thread> slow;
  for (int i = 0; i < 48; ++i) {
    slow.emplace_back([&] {
      v1::ExecuteResponse r;
      Execute("slow_item", {{"id", Int(1)}, {"seconds", Dbl(1.0)}}, &r);
    });
  }
  absl::SleepFor(absl::Milliseconds(300));
  auto health = grpc::health::v1::Health::NewStub(server_.Channel());
  absl::Time start = absl::Now();
  grpc::health::v1::HealthCheckResponse checked;
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(5)));
  EXPECT_TRUE(health->Check(&context, grpc::health::v1::HealthCheckRequest(), &checked).ok());
  EXPECT_LT(absl::Now() - start, absl::Milliseconds(500)) << "health answered late";
  start = absl::Now();
  v1::ExecuteResponse hit = MustExecute("item_by_id", {{"id", Int(1)}});
  EXPECT_EQ(hit.cache().status(), v1::CACHE_STATUS_HIT);
  EXPECT_LT(absl::Now() - start, absl::Milliseconds(500)) << "a cache hit waited behind misses";
  for (auto& t : slow) t.join();
}

TEST_F(QueryServiceTest, ConcurrentMissesForOneKeyCostOneDatabaseQuery) {
  StartServer();
  auto session = server_.database().Connect();
  auto before = session->Query("SELECT last_value FROM loads_seq");
  ASSERT_TRUE(before.ok());
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      v1::ExecuteResponse r;
      if (Execute("counted_item", {{"id", Int(1)}}, &r).ok() && r.rows_size() == 1) ok.fetch_add(1);
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 8);
  auto after = session->Query("SELECT last_value FROM loads_seq");
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(std::stoll(after->Text(0, 0)) - std::stoll(before->Text(0, 0)), 1)
      << "eight concurrent misses must cost one database query";
}

}  // namespace
}  // namespace querygate
