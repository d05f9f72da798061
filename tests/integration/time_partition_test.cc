// Time-partitioned tables (issue 13, part 3) over gRPC, PostgreSQL and Redis: rows land in their
// month's partition, a time-bounded List scans only the matching partitions, writes made
// straight into a partition invalidate reads of the parent (repository and named queries),
// the server's maintenance task re-creates partitions ahead, and retention detaches or drops
// old ones, with `migrate status` seeing no drift throughout.
#include <gmock/gmock.h>
#include <grpcpp/client_context.h>
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "migrate/migrator.h"
#include "nlohmann/json.hpp"
#include "querygate/v1/query_service.grpc.pb.h"
#include "querygate/v1/repository_service.grpc.pb.h"
#include "tests/support/poll.h"
#include "tests/support/test_server.h"
#include "tests/support/wire_values.h"

namespace querygate {
namespace {

using querygate::testing::Dbl;
using querygate::testing::Int;
using querygate::testing::PollUntil;
using querygate::testing::Str;
using querygate::testing::TestServer;
using ::testing::HasSubstr;

std::string Schema(const std::string& retention_action) {
  return absl::StrCat(R"json({
  "models": {
    "reading": {
      "$options": {"partition": {"by": "recorded_at", "interval": "month", "ahead": 3,
                                 "retention": 12, "retention_action": ")json",
                      retention_action, R"json("}},
      "id": "int64",
      "sensor": "string",
      "value": "float64",
      "recorded_at": "datetime"
    }
  },
  "queries": {
    "readings_between": {
      "sql": "SELECT id, sensor, value FROM readings WHERE recorded_at >= :from AND recorded_at < :to ORDER BY id",
      "params": {"from": "datetime", "to": "datetime"}
    }
  }
})json");
}

// The first instant of the month `offset` months from the current one (UTC).
absl::Time MonthStart(int offset) {
  absl::CivilMonth month = absl::ToCivilMonth(absl::Now(), absl::UTCTimeZone()) + offset;
  return absl::FromCivil(month, absl::UTCTimeZone());
}

std::string PartitionOf(int offset) {
  absl::CivilMonth month = absl::ToCivilMonth(MonthStart(offset), absl::UTCTimeZone());
  return absl::StrFormat("readings_p%04d%02d01", month.year(), month.month());
}

v1::Value Ts(absl::Time t) {
  v1::Value out;
  out.mutable_timestamp_value()->set_seconds(absl::ToUnixSeconds(t));
  return out;
}

std::string PgTime(absl::Time t) {
  return absl::FormatTime("%Y-%m-%d %H:%M:%S+00", t, absl::UTCTimeZone());
}

class TimePartitionTest : public ::testing::Test {
 protected:
  void Start(const std::string& retention_action, absl::Duration maintenance_interval,
             const std::string& seed = "") {
    ASSERT_EQ(server_.Start(Schema(retention_action), seed,
                            [&](server::ServerConfig& c) {
                              c.partition_maintenance_interval = maintenance_interval;
                            },
                            {.runtime_role = true}),
              "");
    repo_ = v1::RepositoryService::NewStub(server_.Channel());
    queries_ = v1::QueryService::NewStub(server_.Channel());
    admin_ = server_.database().Connect();
  }

  void SetUp() override {
    QG_REQUIRE_POSTGRES();
    if (querygate::testing::RedisUrl().empty()) GTEST_SKIP() << "no Redis";
  }

  std::unique_ptr<grpc::ClientContext> Context() {
    auto context = std::make_unique<grpc::ClientContext>();
    context->set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(20)));
    return context;
  }

  grpc::Status Create(const std::string& sensor, absl::Time at, v1::Record* stored) {
    v1::CreateRequest request;
    request.set_model("reading");
    auto& fields = *request.mutable_record()->mutable_fields();
    fields["sensor"] = Str(sensor);
    fields["value"] = Dbl(1.5);
    fields["recorded_at"] = Ts(at);
    v1::CreateResponse response;
    grpc::Status status = repo_->Create(Context().get(), request, &response);
    if (stored != nullptr) *stored = response.record();
    return status;
  }

  v1::ListResponse ListBetween(absl::Time from, absl::Time to) {
    v1::ListRequest request;
    request.set_model("reading");
    auto* all = request.mutable_filter()->mutable_all();
    for (auto [op, at] : {std::pair{v1::GE, from}, std::pair{v1::LT, to}}) {
      auto* condition = all->add_filters()->mutable_condition();
      condition->set_field("recorded_at");
      condition->set_op(op);
      *condition->mutable_value() = Ts(at);
    }
    v1::ListResponse response;
    grpc::Status status = repo_->List(Context().get(), request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response;
  }

  v1::ExecuteResponse ExecuteBetween(absl::Time from, absl::Time to) {
    v1::ExecuteRequest request;
    request.set_query("readings_between");
    (*request.mutable_params())["from"] = Ts(from);
    (*request.mutable_params())["to"] = Ts(to);
    v1::ExecuteResponse response;
    grpc::Status status = queries_->Execute(Context().get(), request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response;
  }

  std::string AdminText(const std::string& sql) {
    auto rows = admin_->Query(sql);
    EXPECT_TRUE(rows.ok()) << rows.status() << "\n" << sql;
    if (!rows.ok() || rows->rows.empty()) return "";
    return rows->Text(0, 0);
  }

  void ExpectNoDrift() {
    migrate::MigratorOptions options;
    options.database_url = server_.database().url();
    options.schema_dir = server_.schema_dir();
    options.migrations_dir = server_.schema_dir() + "/migrations";
    auto report = migrate::Migrator(options).Status();
    ASSERT_TRUE(report.ok()) << report.status();
    EXPECT_TRUE(report->database_drift.empty()) << report->database_drift.Sql();
    EXPECT_TRUE(report->unmigrated_schema_changes.empty())
        << report->unmigrated_schema_changes.Sql();
  }

  TestServer server_;
  std::unique_ptr<v1::RepositoryService::Stub> repo_;
  std::unique_ptr<v1::QueryService::Stub> queries_;
  std::unique_ptr<db::Session> admin_;
};

TEST_F(TimePartitionTest, RowsAcrossMonthsLandInTheirPartitions) {
  Start("detach", absl::ZeroDuration());
  EXPECT_EQ(AdminText("SELECT pg_get_partkeydef('readings'::regclass)"), "RANGE (recorded_at)");
  EXPECT_EQ(AdminText("SELECT pg_get_constraintdef(oid) FROM pg_constraint "
                      "WHERE conname = 'readings_pkey' AND conparentid = 0"),
            "PRIMARY KEY (id, recorded_at)");
  // migrate up created one month back to three ahead.
  EXPECT_EQ(AdminText("SELECT count(*) FROM pg_inherits WHERE inhparent = 'readings'::regclass"),
            "5");
  std::vector<int64_t> ids;
  for (int offset = -1; offset <= 2; ++offset) {
    v1::Record stored;
    grpc::Status status =
        Create(absl::StrCat("s", offset), MonthStart(offset) + absl::Hours(36), &stored);
    ASSERT_TRUE(status.ok()) << offset << ": " << status.error_message();
    ids.push_back(stored.fields().at("id").int_value());
  }
  for (int offset = -1; offset <= 2; ++offset) {
    EXPECT_EQ(AdminText(absl::StrCat("SELECT sensor FROM ", PartitionOf(offset))),
              absl::StrCat("s", offset));
  }
  // Get, Update and Delete address a row by id alone, across partitions.
  v1::GetRequest get;
  get.set_model("reading");
  *get.mutable_id() = Int(ids[2]);
  v1::GetResponse got;
  ASSERT_TRUE(repo_->Get(Context().get(), get, &got).ok());
  EXPECT_EQ(got.record().fields().at("sensor").string_value(), "s1");
  v1::UpdateRequest update;
  update.set_model("reading");
  *update.mutable_id() = Int(ids[2]);
  (*update.mutable_record()->mutable_fields())["recorded_at"] = Ts(MonthStart(0) + absl::Hours(1));
  v1::UpdateResponse updated;
  ASSERT_TRUE(repo_->Update(Context().get(), update, &updated).ok());
  EXPECT_EQ(AdminText(absl::StrCat("SELECT count(*) FROM ", PartitionOf(0))), "2");
  v1::DeleteRequest del;
  del.set_model("reading");
  *del.mutable_id() = Int(ids[0]);
  del.set_hard(true);
  v1::DeleteResponse deleted;
  ASSERT_TRUE(repo_->Delete(Context().get(), del, &deleted).ok());
  EXPECT_EQ(AdminText(absl::StrCat("SELECT count(*) FROM ", PartitionOf(-1))), "0");
  // Beyond the partitions made ahead there is no partition: a clear error, not a crash.
  grpc::Status far = Create("far", MonthStart(30), nullptr);
  EXPECT_FALSE(far.ok());
  EXPECT_NE(far.error_code(), grpc::StatusCode::UNKNOWN);
  EXPECT_NE(far.error_code(), grpc::StatusCode::INTERNAL);
  EXPECT_THAT(far.error_message(), HasSubstr("partition"));
  ExpectNoDrift();
}

TEST_F(TimePartitionTest, TimeBoundedListScansOnlyTheMatchingPartition) {
  std::string seed;
  for (int offset = -1; offset <= 3; ++offset) {
    absl::StrAppend(&seed,
                    "INSERT INTO readings (sensor, value, recorded_at) SELECT 's' || g, g, '",
                    PgTime(MonthStart(offset)), "'::timestamptz + g * interval '1 hour' ",
                    "FROM generate_series(1, 20) g;\n");
  }
  Start("detach", absl::ZeroDuration(), seed);
  // The plan of the service's statement shape, generic as a prepared statement runs it, keeps
  // only the partition of the bound month.
  ASSERT_TRUE(admin_
                  ->Execute("PREPARE bounded(timestamptz, timestamptz) AS SELECT id FROM readings "
                            "WHERE recorded_at >= $1 AND recorded_at < $2")
                  .ok());
  ASSERT_TRUE(admin_->Execute("SET plan_cache_mode = force_generic_plan").ok());
  std::string plan =
      AdminText(absl::StrCat("EXPLAIN (FORMAT JSON) EXECUTE bounded('", PgTime(MonthStart(1)),
                             "', '", PgTime(MonthStart(2)), "')"));
  std::vector<std::string> relations;
  std::function<void(const nlohmann::json&)> collect = [&](const nlohmann::json& node) {
    if (node.is_object()) {
      if (auto it = node.find("Relation Name"); it != node.end()) relations.push_back(*it);
      for (const auto& [key, child] : node.items()) collect(child);
    } else if (node.is_array()) {
      for (const auto& child : node) collect(child);
    }
  };
  collect(nlohmann::json::parse(plan));
  EXPECT_EQ(relations, std::vector<std::string>{PartitionOf(1)}) << plan;

  // The List the service runs: only the matching partition's scan counters move.
  ASSERT_TRUE(admin_->Execute("SELECT pg_stat_reset()").ok());
  v1::ListResponse listed = ListBetween(MonthStart(1), MonthStart(2));
  EXPECT_EQ(listed.records_size(), 20);
  std::map<std::string, int64_t> scans;
  auto read_scans = [&] {
    auto rows = admin_->Query(
        "SELECT relname, seq_scan + coalesce(idx_scan, 0) FROM pg_stat_user_tables "
        "WHERE relname LIKE 'readings_p%' ORDER BY 1");
    (void)admin_->Execute("SELECT pg_stat_clear_snapshot()");
    if (!rows.ok()) return false;
    scans.clear();
    for (size_t r = 0; r < rows->rows.size(); ++r) {
      scans[rows->Text(r, 0)] = std::stoll(rows->Text(r, 1));
    }
    return scans[PartitionOf(1)] > 0;
  };
  ASSERT_TRUE(PollUntil(absl::Now() + absl::Seconds(15), read_scans));
  for (int offset = -1; offset <= 3; ++offset) {
    if (offset == 1) continue;
    EXPECT_EQ(scans[PartitionOf(offset)], 0) << PartitionOf(offset);
  }
}

TEST_F(TimePartitionTest, WritesIntoAPartitionInvalidateTheParent) {
  Start("detach", absl::ZeroDuration());
  // The named query's plan names a partition; its dependency is the partitioned table.
  v1::ListQueriesResponse described;
  ASSERT_TRUE(queries_->ListQueries(Context().get(), v1::ListQueriesRequest(), &described).ok());
  ASSERT_EQ(described.queries_size(), 1);
  EXPECT_EQ(std::vector<std::string>(described.queries(0).tables().begin(),
                                     described.queries(0).tables().end()),
            std::vector<std::string>{"readings"});

  ASSERT_TRUE(Create("before", MonthStart(1) + absl::Hours(2), nullptr).ok());
  absl::Time from = MonthStart(1);
  absl::Time to = MonthStart(2);
  EXPECT_EQ(ListBetween(from, to).records_size(), 1);
  EXPECT_EQ(ListBetween(from, to).cache().status(), v1::CACHE_STATUS_HIT);
  EXPECT_EQ(ExecuteBetween(from, to).cache().status(), v1::CACHE_STATUS_MISS);
  EXPECT_EQ(ExecuteBetween(from, to).cache().status(), v1::CACHE_STATUS_HIT);

  // psql-style write straight into the partition, as the owner.
  ASSERT_TRUE(admin_
                  ->Execute(absl::StrCat("INSERT INTO ", PartitionOf(1),
                                         " (sensor, value, recorded_at) VALUES ('direct', 2, '",
                                         PgTime(from + absl::Hours(5)), "')"))
                  .ok());
  EXPECT_TRUE(PollUntil(absl::Now() + absl::Seconds(10),
                        [&] { return ListBetween(from, to).records_size() == 2; }));
  EXPECT_TRUE(PollUntil(absl::Now() + absl::Seconds(10), [&] {
    v1::ExecuteResponse response = ExecuteBetween(from, to);
    return response.rows_size() == 2;
  }));
}

TEST_F(TimePartitionTest, MaintenanceTaskRecreatesPartitionsAhead) {
  Start("detach", absl::Seconds(1));
  const std::string furthest = PartitionOf(3);
  ASSERT_EQ(AdminText(absl::StrCat("SELECT to_regclass('", furthest, "') IS NOT NULL")), "t");
  ASSERT_TRUE(admin_->Execute(absl::StrCat("DROP TABLE ", furthest)).ok());
  EXPECT_TRUE(PollUntil(absl::Now() + absl::Seconds(15), [&] {
    auto rows = admin_->Query(absl::StrCat("SELECT to_regclass('", furthest, "') IS NOT NULL"));
    return rows.ok() && rows->Text(0, 0) == "t";
  }));
  // The re-created partition carries the change trigger naming its parent.
  EXPECT_EQ(AdminText(absl::StrCat("SELECT count(*) FROM pg_trigger WHERE tgrelid = '", furthest,
                                   "'::regclass AND tgname = 'querygate_notify_change'")),
            "1");
  ExpectNoDrift();
}

TEST_F(TimePartitionTest, RetentionDetachesOldPartitions) {
  Start("detach", absl::ZeroDuration(),
        "CREATE TABLE readings_p20200101 PARTITION OF readings "
        "FOR VALUES FROM ('2020-01-01 00:00:00+00') TO ('2020-02-01 00:00:00+00');\n"
        "INSERT INTO readings (sensor, value, recorded_at) VALUES ('old', 1, '2020-01-10');\n");
  absl::Time from = absl::FromUnixSeconds(0);
  absl::Time to = MonthStart(4);
  EXPECT_EQ(ListBetween(from, to).records_size(), 1);
  // The server's role runs the maintenance (granted by migrate up --grant-to).
  auto runtime = db::Session::Connect(server_.server_url(), absl::Seconds(5));
  ASSERT_TRUE(runtime.ok()) << runtime.status();
  auto ran =
      (*runtime)->Query("SELECT action, partition_name FROM querygate_maintain_partitions()");
  ASSERT_TRUE(ran.ok()) << ran.status();
  ASSERT_EQ(ran->rows.size(), 1u);
  EXPECT_EQ(ran->Text(0, 0), "detached");
  EXPECT_EQ(ran->Text(0, 1), "readings_p20200101");
  EXPECT_EQ(AdminText("SELECT relispartition FROM pg_class WHERE relname = 'readings_p20200101'"),
            "f");
  EXPECT_EQ(AdminText("SELECT count(*) FROM readings_p20200101"), "1");
  EXPECT_TRUE(PollUntil(absl::Now() + absl::Seconds(10),
                        [&] { return ListBetween(from, to).records_size() == 0; }));
  ExpectNoDrift();
}

TEST_F(TimePartitionTest, RetentionDropsOldPartitions) {
  Start("drop", absl::Seconds(1),
        "CREATE TABLE readings_p20200101 PARTITION OF readings "
        "FOR VALUES FROM ('2020-01-01 00:00:00+00') TO ('2020-02-01 00:00:00+00');\n");
  EXPECT_TRUE(PollUntil(absl::Now() + absl::Seconds(15), [&] {
    auto rows = admin_->Query("SELECT to_regclass('readings_p20200101') IS NULL");
    return rows.ok() && rows->Text(0, 0) == "t";
  }));
  EXPECT_EQ(AdminText("SELECT count(*) FROM pg_inherits WHERE inhparent = 'readings'::regclass"),
            "5");
}

}  // namespace
}  // namespace querygate
