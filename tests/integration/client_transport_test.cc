// The client's side of authentication against an in-process gRPC server that records what
// arrives: the bearer token on every call (plaintext and TLS), the token source, TLS with a
// private CA, client certificates (mutual TLS) and the server name override; also the CLI's
// --token/--ca/--cert/--key/--tls-server-name flags. Certificates are made with the openssl CLI.
#include <gmock/gmock.h>
#include <grpc/grpc_security_constants.h>
#include <grpcpp/security/auth_context.h>
#include <grpcpp/security/server_credentials.h>
#include <grpcpp/server.h>
#include <grpcpp/server_builder.h>
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <mutex>

#include "absl/strings/str_cat.h"
#include "client/client.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "tests/support/test_certs.h"
#include "tests/support/test_env.h"

namespace querygate {
namespace {

using querygate::testing::MakeTestCertificate;
using querygate::testing::ReadFile;
using querygate::testing::ScopedTempDir;
using querygate::testing::WriteFile;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// Answers SERVING and records each call's authorization metadata and client certificate CN.
class RecordingHealth final : public grpc::health::v1::Health::Service {
 public:
  grpc::Status Check(grpc::ServerContext* context, const grpc::health::v1::HealthCheckRequest*,
                     grpc::health::v1::HealthCheckResponse* response) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = context->client_metadata().find("authorization");
    authorization_.push_back(it == context->client_metadata().end()
                                 ? "<none>"
                                 : std::string(it->second.data(), it->second.size()));
    std::string cn = "<none>";
    auto auth = context->auth_context();
    if (auth != nullptr) {
      for (const auto& value : auth->FindPropertyValues(GRPC_X509_CN_PROPERTY_NAME)) {
        cn.assign(value.data(), value.size());
      }
    }
    client_cn_.push_back(cn);
    response->set_status(grpc::health::v1::HealthCheckResponse::SERVING);
    return grpc::Status::OK;
  }

  std::vector<std::string> authorization() {
    std::lock_guard<std::mutex> lock(mu_);
    return authorization_;
  }
  std::vector<std::string> client_cn() {
    std::lock_guard<std::mutex> lock(mu_);
    return client_cn_;
  }

 private:
  std::mutex mu_;
  std::vector<std::string> authorization_;
  std::vector<std::string> client_cn_;
};

// A CA, a server certificate for "querygate.test", a client certificate "client-1" from that
// CA, and a client certificate "intruder" from another CA.
class Certificates {
 public:
  bool Make() {
    const std::string& d = dir_.path();
    return MakeTestCertificate(d, "ca", "ca") && MakeTestCertificate(d, "other_ca", "other_ca") &&
           MakeTestCertificate(d, "server", "querygate.test", "ca", "DNS:querygate.test") &&
           MakeTestCertificate(d, "client", "client-1", "ca") &&
           MakeTestCertificate(d, "intruder", "intruder", "other_ca");
  }

  std::string Path(const std::string& file) const { return dir_.path() + "/" + file; }
  std::string Pem(const std::string& file) const { return ReadFile(Path(file)); }

 private:
  ScopedTempDir dir_;
};

class ClientTransportTest : public ::testing::Test {
 protected:
  void TearDown() override {
    if (server_) server_->Shutdown();
  }

  void Serve(std::shared_ptr<grpc::ServerCredentials> credentials) {
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", credentials, &port_);
    builder.RegisterService(&health_);
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    ASSERT_GT(port_, 0);
  }

  void ServeTls() {
    ASSERT_TRUE(certs_.Make()) << "openssl could not make the test certificates";
    grpc::SslServerCredentialsOptions ssl(
        GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
    ssl.pem_root_certs = certs_.Pem("ca.pem");
    ssl.pem_key_cert_pairs.push_back({certs_.Pem("server.key"), certs_.Pem("server.pem")});
    Serve(grpc::SslServerCredentials(ssl));
  }

  client::ClientOptions Options() const {
    client::ClientOptions options;
    options.target = absl::StrCat("127.0.0.1:", port_);
    options.retry.max_attempts = 1;
    options.default_deadline = std::chrono::seconds(10);
    return options;
  }

  client::ClientOptions TlsOptions(const std::string& client_cert) const {
    client::ClientOptions options = Options();
    options.tls.enabled = true;
    options.tls.root_certs_pem = certs_.Pem("ca.pem");
    options.tls.server_name_override = "querygate.test";
    if (!client_cert.empty()) {
      options.tls.cert_chain_pem = certs_.Pem(client_cert + ".pem");
      options.tls.private_key_pem = certs_.Pem(client_cert + ".key");
    }
    return options;
  }

  absl::StatusCode HealthCode(client::ClientOptions options) {
    auto client = client::Client::Create(std::move(options));
    if (!client.ok()) return client.status().code();
    return (*client)->Health().status().code();
  }

  RecordingHealth health_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
  Certificates certs_;
};

TEST_F(ClientTransportTest, TheBearerTokenTravelsOnEveryCallOverPlaintext) {
  Serve(grpc::InsecureServerCredentials());
  client::ClientOptions options = Options();
  options.bearer_token = "abc.def.ghi";
  auto client = client::Client::Create(options);
  ASSERT_TRUE(client.ok()) << client.status();
  ASSERT_TRUE((*client)->Health().ok());
  ASSERT_TRUE((*client)->Health().ok());
  EXPECT_THAT(health_.authorization(), ElementsAre("Bearer abc.def.ghi", "Bearer abc.def.ghi"));
}

TEST_F(ClientTransportTest, TheTokenSourceIsAskedForEveryCallAndWins) {
  Serve(grpc::InsecureServerCredentials());
  client::ClientOptions options = Options();
  options.bearer_token = "static";
  int calls = 0;
  options.token_source = [&calls] { return absl::StrCat("fresh-", ++calls); };
  auto client = client::Client::Create(options);
  ASSERT_TRUE(client.ok());
  ASSERT_TRUE((*client)->Health().ok());
  ASSERT_TRUE((*client)->Health().ok());
  EXPECT_THAT(health_.authorization(), ElementsAre("Bearer fresh-1", "Bearer fresh-2"));
}

TEST_F(ClientTransportTest, WithoutATokenNoAuthorizationIsSent) {
  Serve(grpc::InsecureServerCredentials());
  auto client = client::Client::Create(Options());
  ASSERT_TRUE(client.ok());
  ASSERT_TRUE((*client)->Health().ok());
  EXPECT_THAT(health_.authorization(), ElementsAre("<none>"));
}

TEST_F(ClientTransportTest, ATokenAHeaderCannotCarryIsRefusedLocally) {
  Serve(grpc::InsecureServerCredentials());
  client::ClientOptions options = Options();
  options.bearer_token = "two words";
  EXPECT_EQ(client::Client::Create(options).status().code(), absl::StatusCode::kInvalidArgument);
  options.bearer_token = "";
  options.token_source = [] { return std::string("line\nbreak"); };
  auto client = client::Client::Create(options);
  ASSERT_TRUE(client.ok());
  EXPECT_EQ((*client)->Health().status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(health_.authorization().empty());
}

TEST_F(ClientTransportTest, MutualTlsWithAPrivateCaAndTheServerNameOverride) {
  ServeTls();
  client::ClientOptions options = TlsOptions("client");
  options.bearer_token = "over-tls";
  EXPECT_EQ(HealthCode(options), absl::StatusCode::kOk);
  EXPECT_THAT(health_.client_cn(), ElementsAre("client-1"));
  EXPECT_THAT(health_.authorization(), ElementsAre("Bearer over-tls"));
}

TEST_F(ClientTransportTest, TlsFailsWithoutTheRightCertificatesOrName) {
  ServeTls();
  EXPECT_EQ(HealthCode(TlsOptions("")), absl::StatusCode::kUnavailable) << "no client cert";
  EXPECT_EQ(HealthCode(TlsOptions("intruder")), absl::StatusCode::kUnavailable)
      << "a client cert from another CA";
  client::ClientOptions wrong_roots = TlsOptions("client");
  wrong_roots.tls.root_certs_pem = certs_.Pem("other_ca.pem");
  EXPECT_EQ(HealthCode(wrong_roots), absl::StatusCode::kUnavailable) << "server not trusted";
  client::ClientOptions no_override = TlsOptions("client");
  no_override.tls.server_name_override.clear();
  EXPECT_EQ(HealthCode(no_override), absl::StatusCode::kUnavailable)
      << "the certificate names querygate.test, not 127.0.0.1";
  client::ClientOptions plaintext = Options();
  EXPECT_EQ(HealthCode(plaintext), absl::StatusCode::kUnavailable) << "plaintext to a TLS port";
  EXPECT_TRUE(health_.client_cn().empty());
}

// Runs the CLI with `args`; returns its exit code, output in `out`.
int RunCli(const std::string& args, std::string& out) {
  return querygate::testing::RunCommand(
      absl::StrCat(querygate::testing::BinDir(), "/querygate ", args), out);
}

TEST_F(ClientTransportTest, TheCliTakesTokenAndTlsFlags) {
  ServeTls();
  WriteFile(certs_.Path("token"), "from-a-file\n");
  std::string tls = absl::StrCat(" --ca ", certs_.Path("ca.pem"), " --cert ",
                                 certs_.Path("client.pem"), " --key ", certs_.Path("client.key"),
                                 " --tls-server-name querygate.test --target 127.0.0.1:", port_);
  std::string out;
  EXPECT_EQ(RunCli(absl::StrCat("health --service ''", tls, " --token cli-token"), out), 0) << out;
  out.clear();
  EXPECT_EQ(
      RunCli(absl::StrCat("--token-file ", certs_.Path("token"), tls, " health --service ''"), out),
      0)
      << out;
  out.clear();
  EXPECT_EQ(RunCli(absl::StrCat("health --service '' --cert ", certs_.Path("client.pem"),
                                " --target 127.0.0.1:", port_),
                   out),
            1);
  EXPECT_THAT(out, HasSubstr("--cert and --key"));
  EXPECT_THAT(health_.authorization(), ElementsAre("Bearer cli-token", "Bearer from-a-file"));
  EXPECT_THAT(health_.client_cn(), ElementsAre("client-1", "client-1"));
  std::string env_out;
  std::string env_command =
      absl::StrCat("QUERYGATE_TOKEN=from-env QUERYGATE_CA=", certs_.Path("ca.pem"),
                   " QUERYGATE_CERT=", certs_.Path("client.pem"),
                   " QUERYGATE_KEY=", certs_.Path("client.key"), " ", querygate::testing::BinDir(),
                   "/querygate health --service '' --tls-server-name "
                   "querygate.test --target 127.0.0.1:",
                   port_);
  EXPECT_EQ(querygate::testing::RunCommand(env_command, env_out), 0) << env_out;
  EXPECT_EQ(health_.authorization().back(), "Bearer from-env");
}

}  // namespace
}  // namespace querygate
