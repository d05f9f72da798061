// The typed per-model services (docs/typed-services.md) under tenancy and on a time-partitioned
// model, through C++ stubs generated at build time from tests/integration/typed/tenant: the
// server runs as a runtime role under row-level security, each caller's tenant comes from its
// JWT, and the typed calls must follow the generic RepositoryService's rules (isolation, cache
// per tenant, the status of a caller without a tenant, invalidation by writes into a partition).

#include <grpcpp/client_context.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "querygate/models/v1/models.grpc.pb.h"
#include "querygate/v1/repository_service.grpc.pb.h"
#include "tests/support/auth_tokens.h"
#include "tests/support/poll.h"
#include "tests/support/test_server.h"
#include "tests/support/wire_values.h"

namespace querygate {
namespace {

namespace m = ::querygate::models::v1;
using querygate::testing::PollUntil;
using querygate::testing::StartOptions;
using querygate::testing::TestServer;
using querygate::testing::TestToken;

constexpr char kOrgA[] = "0a0a0a0a-0000-4000-8000-00000000000a";
constexpr char kOrgB[] = "0b0b0b0b-0000-4000-8000-00000000000b";

constexpr char kSeed[] = R"sql(
  INSERT INTO organizations (id, name) VALUES
    ('0a0a0a0a-0000-4000-8000-00000000000a', 'a'), ('0b0b0b0b-0000-4000-8000-00000000000b', 'b');
)sql";

// The first instant of the month `offset` months from the current one (UTC).
absl::Time MonthStart(int offset) {
  absl::CivilMonth month = absl::ToCivilMonth(absl::Now(), absl::UTCTimeZone()) + offset;
  return absl::FromCivil(month, absl::UTCTimeZone());
}

std::string PartitionOf(int offset) {
  absl::CivilMonth month = absl::ToCivilMonth(MonthStart(offset), absl::UTCTimeZone());
  return absl::StrFormat("readings_p%04d%02d01", month.year(), month.month());
}

std::string PgTime(absl::Time t) {
  return absl::FormatTime("%Y-%m-%d %H:%M:%S+00", t, absl::UTCTimeZone());
}

google::protobuf::Timestamp Proto(absl::Time t) {
  google::protobuf::Timestamp out;
  out.set_seconds(absl::ToUnixSeconds(t));
  return out;
}

std::vector<std::string> Bodies(const m::ListNoteResponse& response) {
  std::vector<std::string> out;
  for (const m::Note& note : response.records()) out.push_back(note.body());
  return out;
}

class TypedTenancyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    QG_REQUIRE_POSTGRES();
    if (querygate::testing::RedisUrl().empty()) GTEST_SKIP() << "no Redis";
    std::string dir = std::string(QG_TYPED_SCHEMA_DIR) + "/tenant";
    std::string schema = querygate::testing::ReadFile(dir + "/catalog.json");
    ASSERT_FALSE(schema.empty());
    ASSERT_EQ(server_.Start(
                  schema, kSeed,
                  [&](server::ServerConfig& c) {
                    c.typed_lock_file = dir + "/typed.lock";
                    querygate::testing::UseTestJwt(c);
                  },
                  StartOptions{.runtime_role = true}),
              "");
    ASSERT_NE(server_.role(), nullptr);
    notes_ = m::NoteService::NewStub(server_.Channel());
    readings_ = m::ReadingService::NewStub(server_.Channel());
    repo_ = v1::RepositoryService::NewStub(server_.Channel());
    admin_ = server_.database().Connect();
    absl::Time hour = absl::Now() + absl::Hours(1);
    token_a_ = TestToken("ann", {"writer"}, hour, kOrgA);
    token_b_ = TestToken("bob", {"writer"}, hour, kOrgB);
    no_tenant_ = TestToken("nobody", {"writer"}, hour);
  }

  // A context carrying `token`, with a deadline so that no call can hang the test.
  static std::unique_ptr<grpc::ClientContext> As(const std::string& token) {
    auto context = std::make_unique<grpc::ClientContext>();
    context->set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(20)));
    querygate::testing::Authorize(*context, token);
    return context;
  }

  grpc::Status CreateNote(const std::string& token, const std::string& body, m::Note* out,
                          const std::string& organization_id = "") {
    m::CreateNoteRequest request;
    request.mutable_record()->set_body(body);
    if (!organization_id.empty()) request.mutable_record()->set_organization_id(organization_id);
    m::CreateNoteResponse response;
    grpc::Status status = notes_->Create(As(token).get(), request, &response);
    if (out != nullptr) *out = response.record();
    return status;
  }

  grpc::Status GetNote(const std::string& token, int64_t id, m::GetNoteResponse* out) {
    m::GetNoteRequest request;
    request.set_id(id);
    return notes_->Get(As(token).get(), request, out);
  }

  grpc::Status ListNotes(const std::string& token, m::ListNoteResponse* out) {
    m::ListNoteRequest request;
    request.add_order_by()->set_field(m::NOTE_FIELD_ID);
    return notes_->List(As(token).get(), request, out);
  }

  grpc::Status CountNotes(const std::string& token, m::CountNoteResponse* out) {
    return notes_->Count(As(token).get(), m::CountNoteRequest(), out);
  }

  grpc::Status CreateReading(const std::string& sensor, absl::Time at, m::Reading* out) {
    m::CreateReadingRequest request;
    request.mutable_record()->set_sensor(sensor);
    request.mutable_record()->set_value(1.5);
    *request.mutable_record()->mutable_recorded_at() = Proto(at);
    m::CreateReadingResponse response;
    grpc::Status status = readings_->Create(As(token_a_).get(), request, &response);
    if (out != nullptr) *out = response.record();
    return status;
  }

  // The readings recorded in [from, to), by id, through the typed List's time-range filter.
  m::ListReadingResponse ReadingsBetween(absl::Time from, absl::Time to) {
    m::ListReadingRequest request;
    m::TimestampOp* op = request.mutable_filter()->add_all()->mutable_recorded_at();
    *op->mutable_ge() = Proto(from);
    *op->mutable_lt() = Proto(to);
    request.add_order_by()->set_field(m::READING_FIELD_ID);
    m::ListReadingResponse response;
    grpc::Status status = readings_->List(As(token_a_).get(), request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response;
  }

  std::string AdminText(const std::string& sql) {
    auto rows = admin_->Query(sql);
    EXPECT_TRUE(rows.ok()) << rows.status() << "\n" << sql;
    if (!rows.ok() || rows->rows.empty()) return "";
    return rows->Text(0, 0);
  }

  TestServer server_;
  std::unique_ptr<m::NoteService::Stub> notes_;
  std::unique_ptr<m::ReadingService::Stub> readings_;
  std::unique_ptr<v1::RepositoryService::Stub> repo_;
  std::unique_ptr<db::Session> admin_;
  std::string token_a_, token_b_, no_tenant_;
};

TEST_F(TypedTenancyTest, EachTenantSeesOnlyItsOwnRowsThroughTypedStubs) {
  m::Note a1, a2, b1;
  grpc::Status created = CreateNote(token_a_, "a1", &a1);
  ASSERT_TRUE(created.ok()) << created.error_message();
  ASSERT_TRUE(CreateNote(token_a_, "a2", &a2).ok());
  created = CreateNote(token_b_, "b1", &b1);
  ASSERT_TRUE(created.ok()) << created.error_message();
  EXPECT_EQ(a1.organization_id(), kOrgA);
  EXPECT_EQ(b1.organization_id(), kOrgB);
  EXPECT_EQ(AdminText(absl::StrCat("SELECT organization_id FROM notes WHERE id = ", b1.id())),
            kOrgB);

  // Get: B's id is NOT_FOUND for A, also after B's own read cached it, and on a second call.
  m::GetNoteResponse got;
  ASSERT_TRUE(GetNote(token_b_, b1.id(), &got).ok());
  ASSERT_TRUE(GetNote(token_b_, b1.id(), &got).ok());
  EXPECT_EQ(got.cache().status(), m::CACHE_STATUS_HIT);
  for (int call = 0; call < 2; ++call) {
    m::GetNoteResponse hidden;
    EXPECT_EQ(GetNote(token_a_, b1.id(), &hidden).error_code(), grpc::StatusCode::NOT_FOUND)
        << "call " << call;
  }
  ASSERT_TRUE(GetNote(token_a_, a1.id(), &got).ok());
  m::GetNoteResponse again;
  ASSERT_TRUE(GetNote(token_a_, a1.id(), &again).ok());
  EXPECT_EQ(again.cache().status(), m::CACHE_STATUS_HIT);
  EXPECT_EQ(again.record().body(), "a1");
  m::GetNoteResponse cross;
  EXPECT_EQ(GetNote(token_b_, a1.id(), &cross).error_code(), grpc::StatusCode::NOT_FOUND);

  // List and Count exclude the other tenant's rows, on the miss and on the cached hit.
  for (int call = 0; call < 2; ++call) {
    m::ListNoteResponse listed_a, listed_b;
    ASSERT_TRUE(ListNotes(token_a_, &listed_a).ok());
    ASSERT_TRUE(ListNotes(token_b_, &listed_b).ok());
    EXPECT_EQ(Bodies(listed_a), (std::vector<std::string>{"a1", "a2"})) << "call " << call;
    EXPECT_EQ(Bodies(listed_b), std::vector<std::string>{"b1"}) << "call " << call;
    m::CountNoteResponse count_a, count_b;
    ASSERT_TRUE(CountNotes(token_a_, &count_a).ok());
    ASSERT_TRUE(CountNotes(token_b_, &count_b).ok());
    EXPECT_EQ(count_a.count(), 2) << "call " << call;
    EXPECT_EQ(count_b.count(), 1) << "call " << call;
    if (call == 1) {
      EXPECT_EQ(listed_a.cache().status(), m::CACHE_STATUS_HIT);
      EXPECT_EQ(listed_b.cache().status(), m::CACHE_STATUS_HIT);
      EXPECT_EQ(count_a.cache().status(), m::CACHE_STATUS_HIT);
      EXPECT_EQ(count_b.cache().status(), m::CACHE_STATUS_HIT);
    }
  }

  // A's write invalidates A's entries only.
  ASSERT_TRUE(CreateNote(token_a_, "a3", nullptr).ok());
  m::ListNoteResponse after_a, after_b;
  ASSERT_TRUE(ListNotes(token_a_, &after_a).ok());
  EXPECT_NE(after_a.cache().status(), m::CACHE_STATUS_HIT);
  EXPECT_EQ(Bodies(after_a), (std::vector<std::string>{"a1", "a2", "a3"}));
  ASSERT_TRUE(ListNotes(token_b_, &after_b).ok());
  EXPECT_EQ(after_b.cache().status(), m::CACHE_STATUS_HIT);
  EXPECT_EQ(Bodies(after_b), std::vector<std::string>{"b1"});

  // A cannot write into B: naming B's tenant, or updating or deleting B's row, changes nothing
  // of B's and fails exactly as the generic service does.
  m::Note forged;
  grpc::Status typed_forge = CreateNote(token_a_, "forged", &forged, kOrgB);
  v1::CreateRequest generic_forge;
  generic_forge.set_model("note");
  (*generic_forge.mutable_record()->mutable_fields())["body"] = querygate::testing::Str("forged");
  (*generic_forge.mutable_record()->mutable_fields())["organization_id"] =
      querygate::testing::Str(kOrgB);
  v1::CreateResponse generic_forged;
  grpc::Status generic_status = repo_->Create(As(token_a_).get(), generic_forge, &generic_forged);
  EXPECT_EQ(typed_forge.error_code(), generic_status.error_code())
      << typed_forge.error_message() << " / " << generic_status.error_message();
  EXPECT_EQ(typed_forge.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_NE(typed_forge.error_message().find("record.organization_id"), std::string::npos)
      << typed_forge.error_message();

  m::UpdateNoteRequest update;
  update.set_id(b1.id());
  update.mutable_record()->set_body("hijacked");
  m::UpdateNoteResponse updated;
  grpc::Status typed_update = notes_->Update(As(token_a_).get(), update, &updated);
  v1::UpdateRequest generic_update;
  generic_update.set_model("note");
  *generic_update.mutable_id() = querygate::testing::Int(b1.id());
  (*generic_update.mutable_record()->mutable_fields())["body"] =
      querygate::testing::Str("hijacked");
  v1::UpdateResponse generic_updated;
  generic_status = repo_->Update(As(token_a_).get(), generic_update, &generic_updated);
  EXPECT_EQ(typed_update.error_code(), grpc::StatusCode::NOT_FOUND) << typed_update.error_message();
  EXPECT_EQ(typed_update.error_code(), generic_status.error_code());

  m::DeleteNoteRequest del;
  del.set_id(b1.id());
  del.set_hard(true);
  m::DeleteNoteResponse deleted;
  grpc::Status typed_delete = notes_->Delete(As(token_a_).get(), del, &deleted);
  v1::DeleteRequest generic_delete;
  generic_delete.set_model("note");
  *generic_delete.mutable_id() = querygate::testing::Int(b1.id());
  generic_delete.set_hard(true);
  v1::DeleteResponse generic_deleted;
  generic_status = repo_->Delete(As(token_a_).get(), generic_delete, &generic_deleted);
  EXPECT_EQ(typed_delete.error_code(), generic_status.error_code()) << typed_delete.error_message();
  EXPECT_FALSE(deleted.deleted());
  EXPECT_FALSE(generic_deleted.deleted());
  EXPECT_EQ(AdminText("SELECT string_agg(body, ',' ORDER BY id) FROM notes WHERE organization_id "
                      "= '0b0b0b0b-0000-4000-8000-00000000000b'"),
            "b1");
  ASSERT_TRUE(GetNote(token_b_, b1.id(), &got).ok());
  EXPECT_EQ(got.record().body(), "b1");
}

TEST_F(TypedTenancyTest, ACallerWithoutATenantGetsTheGenericServicesStatus) {
  ASSERT_TRUE(CreateNote(token_a_, "a1", nullptr).ok());
  auto expect_same = [](const char* what, const grpc::Status& typed, const grpc::Status& generic) {
    EXPECT_FALSE(typed.ok()) << what;
    EXPECT_EQ(typed.error_code(), generic.error_code())
        << what << ": typed " << typed.error_message() << " / generic " << generic.error_message();
    EXPECT_EQ(typed.error_message(), generic.error_message()) << what;
  };
  {
    m::GetNoteResponse typed;
    v1::GetRequest request;
    request.set_model("note");
    *request.mutable_id() = querygate::testing::Int(1);
    v1::GetResponse generic;
    expect_same("Get", GetNote(no_tenant_, 1, &typed),
                repo_->Get(As(no_tenant_).get(), request, &generic));
  }
  {
    m::ListNoteResponse typed;
    v1::ListRequest request;
    request.set_model("note");
    v1::ListResponse generic;
    expect_same("List", ListNotes(no_tenant_, &typed),
                repo_->List(As(no_tenant_).get(), request, &generic));
  }
  {
    m::CountNoteResponse typed;
    v1::CountRequest request;
    request.set_model("note");
    v1::CountResponse generic;
    expect_same("Count", CountNotes(no_tenant_, &typed),
                repo_->Count(As(no_tenant_).get(), request, &generic));
  }
  {
    v1::CreateRequest request;
    request.set_model("note");
    (*request.mutable_record()->mutable_fields())["body"] = querygate::testing::Str("x");
    v1::CreateResponse generic;
    grpc::Status generic_status = repo_->Create(As(no_tenant_).get(), request, &generic);
    expect_same("Create", CreateNote(no_tenant_, "x", nullptr), generic_status);
    EXPECT_EQ(generic_status.error_code(), grpc::StatusCode::PERMISSION_DENIED)
        << generic_status.error_message();
  }
  EXPECT_EQ(AdminText("SELECT count(*) FROM notes"), "1");
  // The global partitioned model needs no tenant.
  m::ListReadingResponse readings;
  grpc::Status global = readings_->List(As(no_tenant_).get(), m::ListReadingRequest(), &readings);
  EXPECT_TRUE(global.ok()) << global.error_message();
}

TEST_F(TypedTenancyTest, PartitionedModelThroughTypedStubs) {
  std::vector<int64_t> ids;
  for (int offset = -1; offset <= 2; ++offset) {
    m::Reading stored;
    grpc::Status status =
        CreateReading(absl::StrCat("s", offset), MonthStart(offset) + absl::Hours(36), &stored);
    ASSERT_TRUE(status.ok()) << offset << ": " << status.error_message();
    EXPECT_EQ(stored.recorded_at().seconds(),
              absl::ToUnixSeconds(MonthStart(offset) + absl::Hours(36)));
    ids.push_back(stored.id());
  }
  for (int offset = -1; offset <= 2; ++offset) {
    EXPECT_EQ(AdminText(absl::StrCat("SELECT sensor FROM ", PartitionOf(offset))),
              absl::StrCat("s", offset));
  }
  for (size_t i = 0; i < ids.size(); ++i) {
    m::GetReadingRequest request;
    request.set_id(ids[i]);
    m::GetReadingResponse got;
    ASSERT_TRUE(readings_->Get(As(token_a_).get(), request, &got).ok());
    EXPECT_EQ(got.record().sensor(), absl::StrCat("s", static_cast<int>(i) - 1));
  }

  // A time-range List: one month's rows, then the same answer from the cache.
  absl::Time from = MonthStart(1);
  absl::Time to = MonthStart(2);
  m::ListReadingResponse first = ReadingsBetween(from, to);
  ASSERT_EQ(first.records_size(), 1);
  EXPECT_EQ(first.records(0).id(), ids[2]);
  m::ListReadingResponse cached = ReadingsBetween(from, to);
  EXPECT_EQ(cached.cache().status(), m::CACHE_STATUS_HIT);
  EXPECT_EQ(cached.records_size(), 1);

  // A write straight into the partition, as the owner (psql-style), invalidates the typed List.
  ASSERT_TRUE(admin_
                  ->Execute(absl::StrCat("INSERT INTO ", PartitionOf(1),
                                         " (sensor, value, recorded_at) VALUES ('direct', 2, '",
                                         PgTime(from + absl::Hours(5)), "')"))
                  .ok());
  EXPECT_TRUE(PollUntil(absl::Now() + absl::Seconds(10),
                        [&] { return ReadingsBetween(from, to).records_size() == 2; }));

  // Update moves the row to its new month's partition; the cached List sees it leave.
  m::UpdateReadingRequest update;
  update.set_id(ids[2]);
  *update.mutable_record()->mutable_recorded_at() = Proto(MonthStart(0) + absl::Hours(1));
  update.mutable_record()->set_value(7.25);
  m::UpdateReadingResponse updated;
  grpc::Status status = readings_->Update(As(token_a_).get(), update, &updated);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(updated.record().value(), 7.25);
  EXPECT_EQ(updated.record().sensor(), "s1");
  EXPECT_EQ(AdminText(absl::StrCat("SELECT count(*) FROM ", PartitionOf(0))), "2");
  m::ListReadingResponse moved = ReadingsBetween(from, to);
  EXPECT_NE(moved.cache().status(), m::CACHE_STATUS_HIT);
  ASSERT_EQ(moved.records_size(), 1);
  EXPECT_EQ(moved.records(0).sensor(), "direct");

  // Delete by id alone, across partitions.
  m::DeleteReadingRequest del;
  del.set_id(ids[0]);
  m::DeleteReadingResponse deleted;
  ASSERT_TRUE(readings_->Delete(As(token_a_).get(), del, &deleted).ok());
  EXPECT_TRUE(deleted.deleted());
  EXPECT_EQ(AdminText(absl::StrCat("SELECT count(*) FROM ", PartitionOf(-1))), "0");
  m::GetReadingRequest gone;
  gone.set_id(ids[0]);
  m::GetReadingResponse missing;
  EXPECT_EQ(readings_->Get(As(token_a_).get(), gone, &missing).error_code(),
            grpc::StatusCode::NOT_FOUND);

  // Beyond the partitions made ahead: a clear error, never UNKNOWN or INTERNAL.
  grpc::Status far = CreateReading("far", MonthStart(30), nullptr);
  v1::CreateRequest generic;
  generic.set_model("reading");
  auto& fields = *generic.mutable_record()->mutable_fields();
  fields["sensor"] = querygate::testing::Str("far");
  fields["value"] = querygate::testing::Dbl(1.5);
  fields["recorded_at"].mutable_timestamp_value()->set_seconds(absl::ToUnixSeconds(MonthStart(30)));
  v1::CreateResponse generic_created;
  grpc::Status generic_far = repo_->Create(As(token_a_).get(), generic, &generic_created);
  EXPECT_FALSE(far.ok());
  EXPECT_NE(far.error_code(), grpc::StatusCode::UNKNOWN);
  EXPECT_NE(far.error_code(), grpc::StatusCode::INTERNAL);
  EXPECT_EQ(far.error_code(), generic_far.error_code())
      << far.error_message() << " / " << generic_far.error_message();
}

}  // namespace
}  // namespace querygate
