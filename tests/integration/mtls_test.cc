// Mutual TLS: certificates made with the openssl CLI, a client certificate mapped to roles.
#include <grpcpp/client_context.h>
#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <gtest/gtest.h>

#include <string>

#include "absl/strings/str_cat.h"
#include "querygate/v1/cache_service.grpc.pb.h"
#include "querygate/v1/query_service.grpc.pb.h"
#include "tests/support/test_certs.h"
#include "tests/support/test_server.h"
#include "tests/support/wire_values.h"

namespace querygate {
namespace {

using querygate::testing::MakeTestCertificate;
using querygate::testing::ReadFile;
using querygate::testing::ScopedTempDir;
using querygate::testing::TestServer;

constexpr char kSchema[] = R"json({
  "models": {"item": {"fields": {"id": "int64", "name": "string"}}},
  "queries": {
    "item_by_id": {"sql": "SELECT id, name FROM items WHERE id = :id", "params": {"id": "int64"}}
  }
})json";

class MtlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    QG_REQUIRE_POSTGRES();
    const std::string& d = dir_.path();
    ASSERT_TRUE(MakeTestCertificate(d, "ca", "qg-test-ca"));
    ASSERT_TRUE(MakeTestCertificate(d, "other_ca", "qg-other-ca"));
    ASSERT_TRUE(MakeTestCertificate(d, "server", "localhost", "ca", "DNS:localhost,IP:127.0.0.1"));
    ASSERT_TRUE(MakeTestCertificate(d, "ops", "ops-client", "ca"));
    ASSERT_TRUE(MakeTestCertificate(d, "stranger", "stranger", "ca"));
    ASSERT_TRUE(MakeTestCertificate(d, "impostor", "ops-client", "other_ca"));
    ASSERT_EQ(server_.Start(kSchema, "INSERT INTO items (name) VALUES ('one')",
                            [&](server::ServerConfig& c) {
                              c.auth.mode = auth::AuthMode::kMtls;
                              c.auth.certificates = {{"ops-client", {"operator"}, ""}};
                              c.server.tls.cert_chain_pem = Pem("server.pem");
                              c.server.tls.private_key_pem = Pem("server.key");
                              c.server.tls.client_ca_pem = Pem("ca.pem");
                              c.server.tls.require_client_cert = true;
                            }),
              "");
  }

  std::string Pem(const std::string& file) const { return ReadFile(dir_.path() + "/" + file); }

  // A TLS channel trusting the test CA, presenting `client` ("" for no certificate).
  std::shared_ptr<grpc::Channel> Channel(const std::string& client) const {
    grpc::SslCredentialsOptions ssl;
    ssl.pem_root_certs = Pem("ca.pem");
    if (!client.empty()) {
      ssl.pem_cert_chain = Pem(client + ".pem");
      ssl.pem_private_key = Pem(client + ".key");
    }
    grpc::ChannelArguments args;
    args.SetSslTargetNameOverride("localhost");
    return grpc::CreateCustomChannel(server_.Target(), grpc::SslCredentials(ssl), args);
  }

  static grpc::Status Stats(const std::shared_ptr<grpc::Channel>& channel) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    v1::StatsResponse out;
    return v1::CacheService::NewStub(channel)->Stats(&context, v1::StatsRequest(), &out);
  }

  ScopedTempDir dir_;
  TestServer server_;
};

TEST_F(MtlsTest, OnlyAMappedCertificateFromTheTrustedCaGetsIn) {
  EXPECT_TRUE(Stats(Channel("ops")).ok());
  EXPECT_EQ(Stats(Channel("")).error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(Stats(Channel("impostor")).error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(Stats(server_.Channel()).error_code(), grpc::StatusCode::UNAVAILABLE);
  grpc::Status stranger = Stats(Channel("stranger"));
  EXPECT_EQ(stranger.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(stranger.error_message(), "client certificate is not mapped to an identity");
}

TEST_F(MtlsTest, TheCertificateCarriesItsRolesOnly) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  v1::ExecuteRequest request;
  request.set_query("item_by_id");
  (*request.mutable_params())["id"] = querygate::testing::Int(1);
  v1::ExecuteResponse out;
  grpc::Status status = v1::QueryService::NewStub(Channel("ops"))->Execute(&context, request, &out);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(status.error_message(), "missing permission QueryService.Execute");
}

}  // namespace
}  // namespace querygate
