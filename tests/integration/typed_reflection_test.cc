// Server reflection (rpc/reflection_service.cc) describes the typed per-model services with
// their real fields, from the descriptors the server built at startup.

#include <google/protobuf/descriptor.h>
#include <google/protobuf/descriptor.pb.h>
#include <google/protobuf/descriptor_database.h>
#include <grpcpp/client_context.h>
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "absl/time/clock.h"
#include "grpc/reflection/v1/reflection.grpc.pb.h"
#include "grpc/reflection/v1alpha/reflection.grpc.pb.h"
#include "tests/support/test_server.h"

namespace querygate {
namespace {

namespace v1a = ::grpc::reflection::v1alpha;
namespace v1 = ::grpc::reflection::v1;
using google::protobuf::FieldDescriptor;
using querygate::testing::TestServer;

class TypedReflectionTest : public ::testing::Test {
 protected:
  // Skips here, where GTEST_SKIP ends the test, when the servers are missing.
  void SetUp() override {
    QG_REQUIRE_POSTGRES();
    if (querygate::testing::RedisUrl().empty()) GTEST_SKIP() << "no Redis";
  }

  void Start(const std::string& reflection) {
    QG_REQUIRE_POSTGRES();
    if (querygate::testing::RedisUrl().empty()) GTEST_SKIP() << "no Redis";
    std::string schema =
        querygate::testing::ReadFile(std::string(QG_TYPED_SCHEMA_DIR) + "/v1/catalog.json");
    ASSERT_FALSE(schema.empty());
    ASSERT_EQ(server_.Start(schema, "",
                            [&](server::ServerConfig& c) {
                              c.typed_lock_file =
                                  std::string(QG_TYPED_SCHEMA_DIR) + "/v1/typed.lock";
                              c.reflection = reflection;
                            }),
              "");
  }

  // A deadline for every call, so that a server that never ends a stream fails the test.
  static void Bound(grpc::ClientContext& context) {
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(60)));
  }

  // One request, one response on `stream`; false when the stream ended instead.
  template <typename Stream, typename Request, typename Response>
  static bool Ask(Stream& stream, const Request& request, Response& response) {
    return stream.Write(request) && stream.Read(&response);
  }

  TestServer server_;
};

TEST_F(TypedReflectionTest, ListsTypedServicesAndDescribesTheirFields) {
  Start("auto");
  grpc::ClientContext context;
  Bound(context);
  auto stream = v1a::ServerReflection::NewStub(server_.Channel())->ServerReflectionInfo(&context);
  v1a::ServerReflectionRequest request;
  v1a::ServerReflectionResponse response;
  request.set_list_services("*");
  ASSERT_TRUE(Ask(*stream, request, response));
  std::set<std::string> names;
  for (const auto& s : response.list_services_response().service()) names.insert(s.name());
  for (const char* expected :
       {"querygate.models.v1.ProductService", "querygate.models.v1.CategoryService",
        "querygate.v1.RepositoryService", "querygate.v1.QueryService", "grpc.health.v1.Health",
        "grpc.reflection.v1alpha.ServerReflection", "grpc.reflection.v1.ServerReflection"}) {
    EXPECT_TRUE(names.count(expected)) << expected;
  }

  request.set_file_containing_symbol("querygate.models.v1.ProductService");
  ASSERT_TRUE(Ask(*stream, request, response));
  ASSERT_TRUE(response.has_file_descriptor_response()) << response.error_response().error_message();
  google::protobuf::SimpleDescriptorDatabase files;
  std::set<std::string> file_names;
  for (const std::string& bytes : response.file_descriptor_response().file_descriptor_proto()) {
    google::protobuf::FileDescriptorProto file;
    ASSERT_TRUE(file.ParseFromString(bytes));
    file_names.insert(file.name());
    ASSERT_TRUE(files.Add(file));
  }
  EXPECT_TRUE(file_names.count("querygate/models/v1/models.proto"));
  EXPECT_TRUE(file_names.count("querygate/models/v1/common.proto"));
  EXPECT_TRUE(file_names.count("google/protobuf/timestamp.proto"));
  google::protobuf::DescriptorPool pool(&files);
  const auto* service = pool.FindServiceByName("querygate.models.v1.ProductService");
  ASSERT_NE(service, nullptr);
  const auto* create = service->FindMethodByName("Create");
  ASSERT_NE(create, nullptr);
  const FieldDescriptor* record = create->input_type()->FindFieldByName("record");
  ASSERT_NE(record, nullptr);
  const google::protobuf::Descriptor* product = record->message_type();
  ASSERT_EQ(product->full_name(), "querygate.models.v1.Product");
  struct Expected {
    const char* name;
    int number;
    FieldDescriptor::Type type;
  };
  for (const Expected& e : {Expected{"id", 1, FieldDescriptor::TYPE_INT64},
                            Expected{"title", 3, FieldDescriptor::TYPE_STRING},
                            Expected{"stock", 5, FieldDescriptor::TYPE_INT32},
                            Expected{"rating", 6, FieldDescriptor::TYPE_DOUBLE},
                            Expected{"status", 7, FieldDescriptor::TYPE_ENUM},
                            Expected{"created_at", 12, FieldDescriptor::TYPE_MESSAGE}}) {
    const FieldDescriptor* field = product->FindFieldByName(e.name);
    ASSERT_NE(field, nullptr) << e.name;
    EXPECT_EQ(field->number(), e.number) << e.name;
    EXPECT_EQ(field->type(), e.type) << e.name;
  }
  EXPECT_TRUE(product->FindFieldByName("rating")->has_optional_keyword());
  EXPECT_EQ(product->FindFieldByName("status")->enum_type()->full_name(),
            "querygate.models.v1.ProductStatus");
  EXPECT_EQ(product->FindFieldByName("created_at")->message_type()->full_name(),
            "google.protobuf.Timestamp");
  EXPECT_TRUE(product->FindFieldByName("tags")->is_repeated());
  EXPECT_EQ(product->FindFieldByName("category")->message_type()->full_name(),
            "querygate.models.v1.Category");
  const auto* list = service->FindMethodByName("List");
  ASSERT_NE(list, nullptr);
  EXPECT_EQ(list->input_type()->FindFieldByName("filter")->message_type()->full_name(),
            "querygate.models.v1.ProductFilter");

  request.set_file_containing_symbol("querygate.models.v1.NoSuchService");
  ASSERT_TRUE(Ask(*stream, request, response));
  EXPECT_EQ(response.error_response().error_code(), grpc::StatusCode::NOT_FOUND);
  request.set_file_containing_symbol(std::string(5000, 'x'));
  ASSERT_TRUE(Ask(*stream, request, response));
  EXPECT_EQ(response.error_response().error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  request.set_all_extension_numbers_of_type("querygate.models.v1.Product");
  ASSERT_TRUE(Ask(*stream, request, response));
  EXPECT_EQ(response.all_extension_numbers_response().base_type_name(),
            "querygate.models.v1.Product");
  stream->WritesDone();
  EXPECT_TRUE(stream->Finish().ok());
}

TEST_F(TypedReflectionTest, VersionOneProtocolServesGeneratedAndTypedFiles) {
  Start("true");
  grpc::ClientContext context;
  Bound(context);
  auto stream = v1::ServerReflection::NewStub(server_.Channel())->ServerReflectionInfo(&context);
  v1::ServerReflectionRequest request;
  v1::ServerReflectionResponse response;
  request.set_file_by_filename("querygate/models/v1/common.proto");
  ASSERT_TRUE(Ask(*stream, request, response));
  ASSERT_GT(response.file_descriptor_response().file_descriptor_proto_size(), 0);
  google::protobuf::FileDescriptorProto last;
  ASSERT_TRUE(last.ParseFromString(response.file_descriptor_response().file_descriptor_proto(
      response.file_descriptor_response().file_descriptor_proto_size() - 1)));
  EXPECT_EQ(last.name(), "querygate/models/v1/common.proto");  // dependencies come first

  request.set_file_containing_symbol("querygate.v1.RepositoryService.Get");
  ASSERT_TRUE(Ask(*stream, request, response));
  ASSERT_GT(response.file_descriptor_response().file_descriptor_proto_size(), 0)
      << response.error_response().error_message();
  request.set_file_containing_symbol("grpc.health.v1.Health");
  ASSERT_TRUE(Ask(*stream, request, response));
  EXPECT_GT(response.file_descriptor_response().file_descriptor_proto_size(), 0);
  stream->WritesDone();
  EXPECT_TRUE(stream->Finish().ok());
}

TEST_F(TypedReflectionTest, ReflectionOffIsUnimplemented) {
  Start("false");
  for (int version = 0; version < 2; ++version) {
    grpc::ClientContext context;
    Bound(context);
    grpc::Status status;
    if (version == 0) {
      auto stream =
          v1a::ServerReflection::NewStub(server_.Channel())->ServerReflectionInfo(&context);
      v1a::ServerReflectionRequest request;
      request.set_list_services("");
      stream->Write(request);
      stream->WritesDone();
      v1a::ServerReflectionResponse response;
      EXPECT_FALSE(stream->Read(&response));
      status = stream->Finish();
    } else {
      auto stream =
          v1::ServerReflection::NewStub(server_.Channel())->ServerReflectionInfo(&context);
      v1::ServerReflectionRequest request;
      request.set_list_services("");
      stream->Write(request);
      stream->WritesDone();
      v1::ServerReflectionResponse response;
      EXPECT_FALSE(stream->Read(&response));
      status = stream->Finish();
    }
    EXPECT_EQ(status.error_code(), grpc::StatusCode::UNIMPLEMENTED) << version;
  }
}

TEST_F(TypedReflectionTest, AStreamAnswersABoundedNumberOfRequests) {
  Start("true");
  grpc::ClientContext context;
  Bound(context);
  auto stream = v1a::ServerReflection::NewStub(server_.Channel())->ServerReflectionInfo(&context);
  v1a::ServerReflectionRequest request;
  request.set_file_by_filename("querygate/models/v1/common.proto");
  v1a::ServerReflectionResponse response;
  int answered = 0;
  while (answered <= 2 * 1000 && Ask(*stream, request, response)) ++answered;
  EXPECT_EQ(answered, 1000);
  stream->WritesDone();  // so that a server without the cap ends the stream too
  EXPECT_EQ(stream->Finish().error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
}

}  // namespace
}  // namespace querygate
