// A Node client (@grpc/grpc-js + @grpc/proto-loader, tests/integration/typed/node) loads the
// protos `querygate schema proto` emitted for tests/integration/typed/v1 at build time and
// calls the typed ProductService of an in-process server; its JSON summary is checked here.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "absl/strings/str_cat.h"
#include "tests/support/test_certs.h"
#include "tests/support/test_server.h"

namespace querygate {
namespace {

using querygate::testing::TestServer;

// Fails the test under QUERYGATE_TEST_REQUIRE_SERVERS=1, skips it otherwise.
#define QG_REQUIRE(condition, what)                                  \
  do {                                                               \
    if (!(condition)) {                                              \
      if (::querygate::testing::ServersRequired()) FAIL() << (what); \
      GTEST_SKIP() << (what);                                        \
    }                                                                \
  } while (false)

bool Exists(const std::string& path) {
  std::string out;
  return querygate::testing::RunCommand(absl::StrCat("test -e '", path, "'"), out) == 0;
}

// The last line of `output` that parses as a JSON object, or null.
nlohmann::json LastJsonLine(const std::string& output) {
  nlohmann::json last;
  size_t start = 0;
  while (start < output.size()) {
    size_t end = output.find('\n', start);
    if (end == std::string::npos) end = output.size();
    nlohmann::json line = nlohmann::json::parse(output.substr(start, end - start), nullptr, false);
    if (line.is_object()) last = std::move(line);
    start = end + 1;
  }
  return last;
}

TEST(TypedNodeClientTest, CrudThroughEmittedProtos) {
  QG_REQUIRE_POSTGRES();
  if (querygate::testing::RedisUrl().empty()) GTEST_SKIP() << "no Redis";
  std::string ignored;
  QG_REQUIRE(querygate::testing::RunCommand("node --version", ignored) == 0,
             "node is not installed");
  const std::string modules = std::string(QG_TYPED_NODE_DIR) + "/node_modules/@grpc/grpc-js";
  QG_REQUIRE(Exists(modules),
             absl::StrCat(modules, " is missing: npm ci runs at build time when npm is found"));
  ASSERT_TRUE(Exists(std::string(QG_TYPED_PROTO_DIR) + "/querygate/models/v1/models.proto"));

  TestServer server;
  std::string schema =
      querygate::testing::ReadFile(std::string(QG_TYPED_SCHEMA_DIR) + "/v1/catalog.json");
  ASSERT_FALSE(schema.empty());
  ASSERT_EQ(server.Start(schema, "INSERT INTO categories (name) VALUES ('tools');",
                         [](server::ServerConfig& c) {
                           c.typed_lock_file = std::string(QG_TYPED_SCHEMA_DIR) + "/v1/typed.lock";
                         }),
            "");

  // `timeout` bounds the client; NODE_PATH points node at the build tree's node_modules.
  std::string output;
  int code = querygate::testing::RunCommand(
      absl::StrCat("NODE_PATH='", QG_TYPED_NODE_DIR, "/node_modules' timeout 120 node '",
                   QG_TYPED_NODE_SRC, "/typed_client.js' ", server.Target(), " '",
                   QG_TYPED_PROTO_DIR, "'"),
      output);
  ASSERT_EQ(code, 0) << output;
  nlohmann::json summary = LastJsonLine(output);
  ASSERT_TRUE(summary.is_object()) << output;

  EXPECT_NE(summary["created_id"], "0") << output;
  EXPECT_EQ(summary["created_status"], "PRODUCT_STATUS_ACTIVE");
  EXPECT_EQ(summary["created_tags"], nlohmann::json::array({"blue", "node"}));
  EXPECT_EQ(summary["created_has_rating"], false);  // a null column stays unset
  EXPECT_NE(summary["created_at_seconds"], nullptr);
  EXPECT_EQ(summary["get_title"], "node-hammer");
  EXPECT_EQ(summary["get_price"], "9.90");
  EXPECT_EQ(summary["get_category"], "tools");
  EXPECT_EQ(summary["second_get_cache"], "CACHE_STATUS_HIT");
  EXPECT_EQ(summary["list_titles"], nlohmann::json::array({"node-saw", "node-hammer"}));
  EXPECT_EQ(summary["count_rating_null"], "3");
  EXPECT_EQ(summary["updated_rating"], 4.5);
  EXPECT_EQ(summary["updated_stock"], 7);
  EXPECT_EQ(summary["deleted"], true);
  EXPECT_EQ(summary["get_after_delete_code"], 5);  // NOT_FOUND
}

}  // namespace
}  // namespace querygate
