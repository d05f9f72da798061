// The typed per-model services (docs/typed-services.md) through C++ stubs generated at build
// time from the protos that `querygate schema proto` emitted for tests/integration/typed/v1.

#include <grpcpp/client_context.h>
#include <gtest/gtest.h>

#include <string>

#include "querygate/models/v1/models.grpc.pb.h"
#include "tests/support/auth_tokens.h"
#include "tests/support/test_server.h"

namespace querygate {
namespace {

namespace m = ::querygate::models::v1;
using querygate::testing::TestServer;

std::string SchemaFile(const std::string& version) {
  return querygate::testing::ReadFile(std::string(QG_TYPED_SCHEMA_DIR) + "/" + version +
                                      "/catalog.json");
}

std::string LockFile(const std::string& version) {
  return std::string(QG_TYPED_SCHEMA_DIR) + "/" + version + "/typed.lock";
}

class TypedServiceTest : public ::testing::Test {
 protected:
  // Skips here, where GTEST_SKIP ends the test, when the servers are missing.
  void SetUp() override {
    QG_REQUIRE_POSTGRES();
    if (querygate::testing::RedisUrl().empty()) GTEST_SKIP() << "no Redis";
  }

  void StartOn(const std::string& version, bool jwt = false) {
    QG_REQUIRE_POSTGRES();
    if (querygate::testing::RedisUrl().empty()) GTEST_SKIP() << "no Redis";
    std::string schema = SchemaFile(version);
    ASSERT_FALSE(schema.empty());
    ASSERT_EQ(server_.Start(schema, "INSERT INTO categories (name) VALUES ('tools');",
                            [&](server::ServerConfig& c) {
                              c.typed_lock_file = LockFile(version);
                              if (jwt) querygate::testing::UseTestJwt(c);
                            }),
              "");
    products_ = m::ProductService::NewStub(server_.Channel());
  }

  void Authorize(grpc::ClientContext& context) {
    if (!token_.empty()) querygate::testing::Authorize(context, token_);
  }

  grpc::Status Create(const m::Product& record, m::Product* out) {
    grpc::ClientContext context;
    Authorize(context);
    m::CreateProductRequest request;
    *request.mutable_record() = record;
    m::CreateProductResponse response;
    grpc::Status status = products_->Create(&context, request, &response);
    if (out != nullptr) *out = response.record();
    return status;
  }

  grpc::Status Get(int64_t id, m::GetProductResponse* out, const std::string& include = "") {
    grpc::ClientContext context;
    Authorize(context);
    m::GetProductRequest request;
    request.set_id(id);
    if (!include.empty()) request.add_include(include);
    return products_->Get(&context, request, out);
  }

  static m::Product Widget(const std::string& title) {
    m::Product p;
    p.set_title(title);
    p.set_price("12.50");
    p.set_status(m::PRODUCT_STATUS_ACTIVE);
    p.set_category_id(1);
    p.add_tags("red");
    (*p.mutable_attributes()->mutable_struct_value()->mutable_fields())["size"].set_number_value(3);
    return p;
  }

  TestServer server_;
  std::unique_ptr<m::ProductService::Stub> products_;
  std::string token_;
};

TEST_F(TypedServiceTest, CrudThroughGeneratedStubs) {
  StartOn("v1");
  m::Product created;
  ASSERT_TRUE(Create(Widget("hammer"), &created).ok());
  EXPECT_GT(created.id(), 0);
  EXPECT_EQ(created.title(), "hammer");
  EXPECT_EQ(created.price(), "12.50");
  EXPECT_EQ(created.status(), m::PRODUCT_STATUS_ACTIVE);
  EXPECT_EQ(created.stock(), 0);
  EXPECT_FALSE(created.has_rating());  // null stays distinguishable from 0
  EXPECT_TRUE(created.has_created_at());
  ASSERT_EQ(created.tags_size(), 1);
  EXPECT_EQ(created.attributes().struct_value().fields().at("size").number_value(), 3);

  m::GetProductResponse first, second;
  ASSERT_TRUE(Get(created.id(), &first, "category").ok());
  EXPECT_EQ(first.record().category().name(), "tools");
  ASSERT_TRUE(Get(created.id(), &first).ok());
  ASSERT_TRUE(Get(created.id(), &second).ok());
  EXPECT_EQ(second.cache().status(), m::CACHE_STATUS_HIT);
  EXPECT_EQ(second.record().title(), "hammer");

  ASSERT_TRUE(Create(Widget("saw"), nullptr).ok());
  {
    grpc::ClientContext context;
    m::ListProductRequest request;
    m::ProductCondition* like = request.mutable_filter()->add_all();
    like->mutable_title()->set_like("%a%");
    m::ProductCondition* status = request.mutable_filter()->add_all();
    status->mutable_status()->add_in(m::PRODUCT_STATUS_ACTIVE);
    m::ProductOrder* order = request.add_order_by();
    order->set_field(m::PRODUCT_FIELD_TITLE);
    order->set_descending(true);
    m::ListProductResponse response;
    ASSERT_TRUE(products_->List(&context, request, &response).ok());
    ASSERT_EQ(response.records_size(), 2);
    EXPECT_EQ(response.records(0).title(), "saw");
    EXPECT_EQ(response.records(1).title(), "hammer");
  }
  {
    grpc::ClientContext context;
    m::CountProductRequest request;
    request.mutable_filter()->add_all()->mutable_rating()->set_is_null(true);
    m::CountProductResponse response;
    ASSERT_TRUE(products_->Count(&context, request, &response).ok());
    EXPECT_EQ(response.count(), 2);
  }
  {
    grpc::ClientContext context;
    m::UpdateProductRequest request;
    request.set_id(created.id());
    request.mutable_record()->set_stock(0);
    request.mutable_record()->set_rating(4.5);
    request.mutable_update_mask()->add_paths("stock");
    request.mutable_update_mask()->add_paths("rating");
    m::UpdateProductResponse response;
    grpc::Status status = products_->Update(&context, request, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
    EXPECT_EQ(response.record().rating(), 4.5);
  }
  m::GetProductResponse after;
  ASSERT_TRUE(Get(created.id(), &after).ok());
  EXPECT_NE(after.cache().status(), m::CACHE_STATUS_HIT);  // the update invalidated it
  EXPECT_EQ(after.record().rating(), 4.5);
  {
    grpc::ClientContext context;
    m::DeleteProductRequest request;
    request.set_id(created.id());
    m::DeleteProductResponse response;
    ASSERT_TRUE(products_->Delete(&context, request, &response).ok());
    EXPECT_TRUE(response.deleted());
  }
  m::GetProductResponse gone;
  EXPECT_EQ(Get(created.id(), &gone).error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_F(TypedServiceTest, BadInputIsInvalidArgumentNamingTheField) {
  StartOn("v1");
  m::Product bad = Widget("x");
  bad.set_status(static_cast<m::ProductStatus>(42));
  grpc::Status status = Create(bad, nullptr);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("record.status"), std::string::npos)
      << status.error_message();

  m::Product date = Widget("y");
  date.set_released_on("yesterday");
  status = Create(date, nullptr);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("released_on"), std::string::npos)
      << status.error_message();

  grpc::ClientContext context;
  m::ListProductRequest request;
  request.mutable_filter()->add_all();  // a condition naming no field
  m::ListProductResponse response;
  status = products_->List(&context, request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("filter.all[0]"), std::string::npos)
      << status.error_message();

  grpc::ClientContext update_context;
  m::UpdateProductRequest update;
  update.set_id(1);
  update.mutable_update_mask()->add_paths("nope");
  m::UpdateProductResponse updated;
  status = products_->Update(&update_context, update, &updated);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("update_mask.paths[0]"), std::string::npos);
}

TEST_F(TypedServiceTest, TypedMethodsNeedTheRepositoryPermissions) {
  StartOn("v1", /*jwt=*/true);
  token_ = querygate::testing::TestToken("reader-1", {"reader"});
  grpc::Status status = Create(Widget("denied"), nullptr);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED) << status.error_message();
  m::GetProductResponse response;
  EXPECT_EQ(Get(12345, &response).error_code(), grpc::StatusCode::NOT_FOUND);
  token_.clear();
  EXPECT_EQ(Get(12345, &response).error_code(), grpc::StatusCode::UNAUTHENTICATED);
}

// A client compiled against v1 keeps working against a server on v2 (legacy_code removed,
// sku added, the lock updated).
TEST_F(TypedServiceTest, VersionOneClientWorksAgainstVersionTwoServer) {
  StartOn("v2");
  m::Product old = Widget("drill");
  old.set_legacy_code("L-1");  // reserved on the server now: ignored
  m::Product created;
  grpc::Status status = Create(old, &created);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(created.title(), "drill");
  EXPECT_EQ(created.status(), m::PRODUCT_STATUS_ACTIVE);
  EXPECT_FALSE(created.has_legacy_code());
  m::GetProductResponse got;
  ASSERT_TRUE(Get(created.id(), &got, "category").ok());
  EXPECT_EQ(got.record().price(), "12.50");
  EXPECT_EQ(got.record().category().name(), "tools");
  EXPECT_EQ(got.record().tags(0), "red");

  grpc::ClientContext context;
  m::ListProductRequest request;
  request.mutable_filter()->add_all()->mutable_title()->set_eq("drill");
  request.add_order_by()->set_field(m::PRODUCT_FIELD_CREATED_AT);
  m::ListProductResponse response;
  ASSERT_TRUE(products_->List(&context, request, &response).ok());
  ASSERT_EQ(response.records_size(), 1);
  EXPECT_EQ(response.records(0).id(), created.id());
}

}  // namespace
}  // namespace querygate
