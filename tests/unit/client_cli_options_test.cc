// The CLI's connection settings turned into client options: token, token file and TLS files.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>

#include "client/cli/service_command.h"

namespace querygate::cli {
namespace {

class CliOptionsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/qg_cli_options_XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir_ = pattern;
  }
  void TearDown() override {
    for (const std::string& file : files_) std::remove(file.c_str());
    rmdir(dir_.c_str());
  }

  std::string Write(const std::string& name, const std::string& text) {
    std::string path = dir_ + "/" + name;
    std::ofstream(path) << text;
    files_.push_back(path);
    return path;
  }

  std::string dir_;
  std::vector<std::string> files_;
};

TEST_F(CliOptionsTest, PlaintextWithoutCredentialsByDefault) {
  CliContext ctx;
  auto options = ClientOptionsFor(ctx);
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->target, "127.0.0.1:50051");
  EXPECT_FALSE(options->tls.enabled);
  EXPECT_EQ(options->bearer_token, "");
}

TEST_F(CliOptionsTest, TheTenantGoesInTheConfiguredHeader) {
  CliContext ctx;
  auto none = ClientOptionsFor(ctx);
  ASSERT_TRUE(none.ok()) << none.status();
  EXPECT_EQ(none->tenant, "");
  EXPECT_EQ(none->tenant_header, "x-querygate-tenant");
  ctx.tenant = "acme";
  ctx.tenant_header = "x-org";
  auto options = ClientOptionsFor(ctx);
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->tenant, "acme");
  EXPECT_EQ(options->tenant_header, "x-org");
  EXPECT_TRUE(client::Client::Create(*options).ok());
  for (const char* bad_header : {"X-Org", "grpc-tenant", "x-org-bin", ""}) {
    options->tenant_header = bad_header;
    EXPECT_EQ(client::Client::Create(*options).status().code(), absl::StatusCode::kInvalidArgument)
        << bad_header;
  }
  options->tenant_header = "x-org";
  options->tenant = "line\nbreak";
  EXPECT_EQ(client::Client::Create(*options).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(CliOptionsTest, TokenFromTheFlagOrAFileWithoutItsNewline) {
  CliContext ctx;
  ctx.token = "t0k3n";
  EXPECT_EQ(ClientOptionsFor(ctx)->bearer_token, "t0k3n");
  CliContext from_file;
  from_file.token_file = Write("token", "  file-token\n");
  EXPECT_EQ(ClientOptionsFor(from_file)->bearer_token, "file-token");
  from_file.token = "t0k3n";
  EXPECT_EQ(ClientOptionsFor(from_file).status().code(), absl::StatusCode::kInvalidArgument);
  CliContext empty_file;
  empty_file.token_file = Write("empty", "\n");
  EXPECT_EQ(ClientOptionsFor(empty_file).status().code(), absl::StatusCode::kInvalidArgument);
  CliContext missing;
  missing.token_file = dir_ + "/missing";
  auto status = ClientOptionsFor(missing).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("--token-file"), std::string::npos) << status;
}

TEST_F(CliOptionsTest, TlsFilesAreReadIntoTheOptions) {
  CliContext ctx;
  ctx.ca_file = Write("ca.pem", "CA PEM");
  ctx.cert_file = Write("cert.pem", "CERT PEM");
  ctx.key_file = Write("key.pem", "KEY PEM");
  ctx.tls_server_name = "querygate.test";
  auto options = ClientOptionsFor(ctx);
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_TRUE(options->tls.enabled);
  EXPECT_EQ(options->tls.root_certs_pem, "CA PEM");
  EXPECT_EQ(options->tls.cert_chain_pem, "CERT PEM");
  EXPECT_EQ(options->tls.private_key_pem, "KEY PEM");
  EXPECT_EQ(options->tls.server_name_override, "querygate.test");
}

TEST_F(CliOptionsTest, TlsFlagAloneUsesTheSystemRoots) {
  CliContext ctx;
  ctx.tls = true;
  auto options = ClientOptionsFor(ctx);
  ASSERT_TRUE(options.ok());
  EXPECT_TRUE(options->tls.enabled);
  EXPECT_EQ(options->tls.root_certs_pem, "");
}

TEST_F(CliOptionsTest, IncompleteTlsSettingsAreRefused) {
  CliContext cert_only;
  cert_only.cert_file = Write("cert.pem", "CERT");
  EXPECT_EQ(ClientOptionsFor(cert_only).status().code(), absl::StatusCode::kInvalidArgument);
  CliContext name_only;
  name_only.tls_server_name = "x";
  EXPECT_EQ(ClientOptionsFor(name_only).status().code(), absl::StatusCode::kInvalidArgument);
  CliContext missing_ca;
  missing_ca.ca_file = dir_ + "/nope.pem";
  auto status = ClientOptionsFor(missing_ca).status();
  EXPECT_NE(status.message().find("--ca"), std::string::npos) << status;
}

}  // namespace
}  // namespace querygate::cli
