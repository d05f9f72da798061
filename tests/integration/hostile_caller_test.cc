// A hostile caller against a server with authentication on: SQL through every field, forged
// page tokens, oversized and nested input. Every answer has its exact status, the database is
// unchanged, and the server stays alive.
#include <gmock/gmock.h>
#include <grpcpp/client_context.h>
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "common/hmac.h"
#include "common/sha256.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "querygate/v1/cache_service.grpc.pb.h"
#include "querygate/v1/query_service.grpc.pb.h"
#include "querygate/v1/repository_service.grpc.pb.h"
#include "tests/support/auth_tokens.h"
#include "tests/support/test_server.h"
#include "tests/support/wire_values.h"

namespace querygate {
namespace {

using querygate::testing::Authorize;
using querygate::testing::Int;
using querygate::testing::List;
using querygate::testing::Str;
using querygate::testing::TestServer;
using querygate::testing::TestToken;
using ::testing::HasSubstr;

constexpr char kSchema[] = R"json({
  "models": {"item": {"fields": {"id": "int64", "name": "string"}}},
  "queries": {
    "item_by_id": {"sql": "SELECT id, name FROM items WHERE id = :id", "params": {"id": "int64"}},
    "item_by_name": {"sql": "SELECT id, name FROM items WHERE name = :name",
                     "params": {"name": "string"}, "tags": ["by-name"]},
    "items_by_ids": {"sql": "SELECT id, name FROM items WHERE id = ANY(:ids) ORDER BY id",
                     "params": {"ids": "[int64]"}}
  }
})json";

constexpr char kSeed[] =
    "INSERT INTO items (name) SELECT 'item ' || g FROM generate_series(1, 5) g";

struct Case {
  std::string name;
  std::function<grpc::Status(grpc::ClientContext&)> call;
  grpc::StatusCode code;
  std::string message_part;  // must appear in the error message
};

class HostileCallerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    QG_REQUIRE_POSTGRES();
    ASSERT_EQ(server_.Start(kSchema, kSeed,
                            [](server::ServerConfig& c) {
                              querygate::testing::UseTestJwt(c);
                              c.page_token_secret = "hostile-test-page-token-secret";
                            }),
              "");
    queries_ = v1::QueryService::NewStub(server_.Channel());
    repo_ = v1::RepositoryService::NewStub(server_.Channel());
    cache_ = v1::CacheService::NewStub(server_.Channel());
    token_ = TestToken("mallory", {"admin"});
  }

  // A digest of every row of items, to prove nothing was written.
  std::string TableDigest() {
    auto session = server_.database().Connect();
    auto rows =
        session->Query("SELECT md5(string_agg(id || ':' || name, ',' ORDER BY id)) FROM items");
    EXPECT_TRUE(rows.ok());
    return rows.ok() && !rows->rows.empty() && rows->rows[0][0] ? *rows->rows[0][0] : "";
  }

  grpc::Status Run(const std::function<grpc::Status(grpc::ClientContext&)>& call) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
    Authorize(context, token_);
    return call(context);
  }

  grpc::Status Execute(const std::string& query, const std::map<std::string, v1::Value>& params,
                       grpc::ClientContext& c) {
    v1::ExecuteRequest r;
    r.set_query(query);
    for (const auto& [k, v] : params) (*r.mutable_params())[k] = v;
    v1::ExecuteResponse out;
    return queries_->Execute(&c, r, &out);
  }

  grpc::Status ListWith(const std::function<void(v1::ListRequest&)>& fill, grpc::ClientContext& c,
                        v1::ListResponse* out = nullptr) {
    v1::ListRequest r;
    r.set_model("item");
    fill(r);
    v1::ListResponse local;
    return repo_->List(&c, r, out != nullptr ? out : &local);
  }

  grpc::Status Warm(const std::function<void(v1::WarmRequest&)>& fill, grpc::ClientContext& c) {
    v1::WarmRequest r;
    fill(r);
    auto reader = cache_->Warm(&c, r);
    v1::WarmProgress progress;
    while (reader->Read(&progress)) {
    }
    return reader->Finish();
  }

  grpc::Status Invalidate(const std::vector<std::string>& tables, grpc::ClientContext& c) {
    v1::InvalidateRequest r;
    for (const std::string& t : tables) r.add_tables(t);
    v1::InvalidateResponse out;
    return cache_->Invalidate(&c, r, &out);
  }

  // A real next-page token from the server.
  std::string RealToken() {
    grpc::ClientContext context;
    Authorize(context, token_);
    v1::ListResponse out;
    grpc::Status status = ListWith([](v1::ListRequest& r) { r.set_page_size(1); }, context, &out);
    EXPECT_TRUE(status.ok()) << status.error_message();
    EXPECT_FALSE(out.next_page_token().empty());
    return out.next_page_token();
  }

  TestServer server_;
  std::unique_ptr<v1::QueryService::Stub> queries_;
  std::unique_ptr<v1::RepositoryService::Stub> repo_;
  std::unique_ptr<v1::CacheService::Stub> cache_;
  std::string token_;
};

// Returns a filter with `n` OR'd conditions.
v1::Filter WideFilter(int n) {
  v1::Filter filter;
  for (int i = 0; i < n; ++i) {
    v1::Condition* c = filter.mutable_any()->add_filters()->mutable_condition();
    c->set_field("id");
    c->set_op(v1::EQ);
    *c->mutable_value() = Int(i);
  }
  return filter;
}

// Returns base64url(body) where body = bytes + the pre-MAC 16-hex SHA-256 "checksum".
std::string ChecksummedToken(const std::string& bytes) {
  std::string body = bytes + Sha256Hex(bytes).substr(0, 16);
  std::string out;
  absl::WebSafeBase64Escape(body, &out);
  return out;
}

TEST_F(HostileCallerTest, EveryHostileRequestGetsItsExactStatus) {
  const std::string before = TableDigest();
  ASSERT_FALSE(before.empty());
  const std::string real = RealToken();
  std::string tampered = real;
  tampered[tampered.size() / 2] = tampered[tampered.size() / 2] == 'A' ? 'B' : 'A';
  std::string real_body;
  ASSERT_TRUE(absl::WebSafeBase64Unescape(real, &real_body));
  std::string resigned_body = real_body.substr(0, real_body.size() - 32);
  std::string resigned_mac = HmacSha256("guessed-secret", resigned_body);
  std::string resigned;
  absl::WebSafeBase64Escape(resigned_body + resigned_mac, &resigned);
  // Version 1 layout (SHA-256 checksum, no key): a payload claiming 2^27 empty rows.
  std::string bomb(1, '\x01');
  absl::StrAppend(&bomb, "3:abc", std::string("\x01\x00\x00\x00\x00\x00\x00\x08", 8));
  const std::string huge_name(1 << 20, 'x');

  std::vector<Case> cases = {
      {"warm params_from carrying SQL",
       [&](grpc::ClientContext& c) {
         return Warm(
             [](v1::WarmRequest& r) {
               v1::WarmSet* s = r.add_sets();
               s->set_query("item_by_id");
               s->set_params_from("COMMIT; UPDATE items SET name = 'pwned'; SELECT 1 AS id");
             },
             c);
       },
       grpc::StatusCode::INVALID_ARGUMENT, "params_from"},
      {"warm params_from reading another table",
       [&](grpc::ClientContext& c) {
         return Warm(
             [](v1::WarmRequest& r) {
               v1::WarmSet* s = r.add_sets();
               s->set_model("item");
               s->set_params_from("SELECT usename AS id FROM pg_user");
             },
             c);
       },
       grpc::StatusCode::INVALID_ARGUMENT, "params_from"},
      {"warm concurrency a million",
       [&](grpc::ClientContext& c) {
         return Warm(
             [](v1::WarmRequest& r) {
               r.set_concurrency(1000000);
               v1::WarmSet* s = r.add_sets();
               s->set_query("item_by_id");
               (*s->add_params()->mutable_fields())["id"] = Int(1);
             },
             c);
       },
       grpc::StatusCode::INVALID_ARGUMENT, "warm.max_concurrency"},
      {"warm unknown configured set",
       [&](grpc::ClientContext& c) {
         return Warm([](v1::WarmRequest& r) { r.add_sets()->set_name("nope'; DROP TABLE items"); },
                     c);
       },
       grpc::StatusCode::NOT_FOUND, "nope"},
      {"invalidate a 1 MB name", [&](grpc::ClientContext& c) { return Invalidate({huge_name}, c); },
       grpc::StatusCode::INVALID_ARGUMENT, "tables[0]"},
      {"invalidate an unknown table",
       [&](grpc::ClientContext& c) { return Invalidate({"items; DROP TABLE items"}, c); },
       grpc::StatusCode::INVALID_ARGUMENT, "unknown table"},
      {"invalidate 300 names",
       [&](grpc::ClientContext& c) {
         return Invalidate(std::vector<std::string>(300, "items"), c);
       },
       grpc::StatusCode::INVALID_ARGUMENT, "limits.max_invalidate_names"},
      {"execute: SQL in a string parameter is a value",
       [&](grpc::ClientContext& c) {
         return Execute("item_by_name", {{"name", Str("x'; DROP TABLE items; --")}}, c);
       },
       grpc::StatusCode::OK, ""},
      {"execute: SQL in an int parameter",
       [&](grpc::ClientContext& c) {
         return Execute("item_by_id", {{"id", Str("1; DROP TABLE items")}}, c);
       },
       grpc::StatusCode::INVALID_ARGUMENT, "id"},
      {"execute: SQL as the query name",
       [&](grpc::ClientContext& c) { return Execute("item_by_id; DROP TABLE items", {}, c); },
       grpc::StatusCode::NOT_FOUND, "unknown query"},
      {"execute: unknown parameter name with SQL",
       [&](grpc::ClientContext& c) {
         return Execute("item_by_id", {{"id", Int(1)}, {"id) OR (1=1", Int(1)}}, c);
       },
       grpc::StatusCode::INVALID_ARGUMENT, "has no such parameter"},
      {"execute: 1001-element array",
       [&](grpc::ClientContext& c) {
         return Execute("items_by_ids", {{"ids", List(std::vector<v1::Value>(1001, Int(1)))}}, c);
       },
       grpc::StatusCode::INVALID_ARGUMENT, "limits.max_array_elements"},
      {"list: SQL as a filter field",
       [&](grpc::ClientContext& c) {
         return ListWith(
             [](v1::ListRequest& r) {
               v1::Condition* cond = r.mutable_filter()->mutable_condition();
               cond->set_field("id = id OR 1=1 --");
               cond->set_op(v1::EQ);
               *cond->mutable_value() = Int(1);
             },
             c);
       },
       grpc::StatusCode::INVALID_ARGUMENT, "filter"},
      {"list: SQL as an order field",
       [&](grpc::ClientContext& c) {
         return ListWith(
             [](v1::ListRequest& r) {
               r.add_order_by()->set_field("(SELECT 1); DROP TABLE items");
             },
             c);
       },
       grpc::StatusCode::INVALID_ARGUMENT, "order_by"},
      {"list: SQL as an include",
       [&](grpc::ClientContext& c) {
         return ListWith([](v1::ListRequest& r) { r.add_include("author; DROP TABLE items"); }, c);
       },
       grpc::StatusCode::INVALID_ARGUMENT, "include"},
      {"list: SQL as the model",
       [&](grpc::ClientContext& c) {
         return ListWith([](v1::ListRequest& r) { r.set_model("item; DROP TABLE items"); }, c);
       },
       grpc::StatusCode::INVALID_ARGUMENT, "model"},
      {"list: an offset of two billion",
       [&](grpc::ClientContext& c) {
         return ListWith([](v1::ListRequest& r) { r.set_offset(2000000000); }, c);
       },
       grpc::StatusCode::INVALID_ARGUMENT, "repository.max_offset"},
      {"list: 20,000 OR branches",
       [&](grpc::ClientContext& c) {
         return ListWith([](v1::ListRequest& r) { *r.mutable_filter() = WideFilter(20000); }, c);
       },
       grpc::StatusCode::INVALID_ARGUMENT, "repository.max_filter_nodes"},
      {"list: tampered page token",
       [&](grpc::ClientContext& c) {
         return ListWith([&](v1::ListRequest& r) { r.set_page_token(tampered); }, c);
       },
       grpc::StatusCode::INVALID_ARGUMENT, "page_token"},
      {"list: page token re-signed without the secret",
       [&](grpc::ClientContext& c) {
         return ListWith([&](v1::ListRequest& r) { r.set_page_token(resigned); }, c);
       },
       grpc::StatusCode::INVALID_ARGUMENT, "page_token"},
      {"list: checksummed token claiming 2^27 rows",
       [&](grpc::ClientContext& c) {
         return ListWith([&](v1::ListRequest& r) { r.set_page_token(ChecksummedToken(bomb)); }, c);
       },
       grpc::StatusCode::INVALID_ARGUMENT, "page_token"},
      {"list: truncated page token",
       [&](grpc::ClientContext& c) {
         return ListWith([&](v1::ListRequest& r) { r.set_page_token(real.substr(0, 10)); }, c);
       },
       grpc::StatusCode::INVALID_ARGUMENT, "page_token"},
      {"list: 1 MB page token",
       [&](grpc::ClientContext& c) {
         return ListWith([&](v1::ListRequest& r) { r.set_page_token(huge_name); }, c);
       },
       grpc::StatusCode::INVALID_ARGUMENT, "page_token"},
      {"create many: 1001 records",
       [&](grpc::ClientContext& c) {
         v1::CreateManyRequest r;
         r.set_model("item");
         for (int i = 0; i < 1001; ++i) {
           (*r.add_records()->mutable_fields())["name"] = Str("bulk");
         }
         v1::CreateManyResponse out;
         return repo_->CreateMany(&c, r, &out);
       },
       grpc::StatusCode::INVALID_ARGUMENT, "repository.max_batch_records"},
      {"transact: 101 operations",
       [&](grpc::ClientContext& c) {
         v1::TransactRequest r;
         for (int i = 0; i < 101; ++i) {
           v1::CreateRequest* create = r.add_ops()->mutable_create();
           create->set_model("item");
           (*create->mutable_record()->mutable_fields())["name"] = Str("tx");
         }
         v1::TransactResponse out;
         return repo_->Transact(&c, r, &out);
       },
       grpc::StatusCode::INVALID_ARGUMENT, "repository.max_transact_ops"},
      {"create: SQL as a field name",
       [&](grpc::ClientContext& c) {
         v1::CreateRequest r;
         r.set_model("item");
         (*r.mutable_record()->mutable_fields())["name) VALUES ('x'); DROP TABLE items; --"] =
             Str("x");
         v1::CreateResponse out;
         return repo_->Create(&c, r, &out);
       },
       grpc::StatusCode::INVALID_ARGUMENT, "record"},
  };
  for (const Case& c : cases) {
    grpc::Status status = Run(c.call);
    EXPECT_EQ(status.error_code(), c.code) << c.name << ": " << status.error_message();
    if (!c.message_part.empty()) {
      EXPECT_THAT(status.error_message(), HasSubstr(c.message_part)) << c.name;
    }
    EXPECT_NE(status.error_code(), grpc::StatusCode::UNKNOWN) << c.name;
    EXPECT_NE(status.error_code(), grpc::StatusCode::INTERNAL) << c.name;
  }
  EXPECT_EQ(TableDigest(), before);
  grpc::ClientContext health_context;
  grpc::health::v1::HealthCheckResponse health;
  EXPECT_TRUE(grpc::health::v1::Health::NewStub(server_.Channel())
                  ->Check(&health_context, grpc::health::v1::HealthCheckRequest(), &health)
                  .ok());
}

}  // namespace
}  // namespace querygate
