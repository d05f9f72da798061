// `cmake --install` of this build tree, then a separate CMake project (tests/external_client)
// that does find_package(querygate) and links querygate::client, run against a server.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "absl/strings/str_cat.h"
#include "tests/support/test_server.h"

namespace querygate {
namespace {

using querygate::testing::ReadFile;
using querygate::testing::TestServer;
using ::testing::HasSubstr;

constexpr char kSchema[] = R"json({
  "models": {"item": {"fields": {"id": "int64", "name": "string"}}},
  "queries": {
    "item_by_id": {"sql": "SELECT id, name FROM items WHERE id = :id", "params": {"id": "int64"}}
  }
})json";

constexpr char kSeed[] = "INSERT INTO items (id, name) VALUES (1, 'first');";

std::string Quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

// Runs `command` with its output appended to `log`; returns its exit status.
int Sh(const std::string& command, const std::string& log) {
  int status = std::system(absl::StrCat("(", command, ") >>", Quote(log), " 2>&1").c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

TEST(ExternalClientTest, InstalledPackageBuildsAndCallsTheServer) {
  QG_REQUIRE_POSTGRES();
  if (querygate::testing::RedisUrl().empty()) GTEST_SKIP() << "no Redis";
  if (querygate::testing::SourceDir().empty()) GTEST_SKIP() << "QUERYGATE_SOURCE_DIR is not set";
  querygate::testing::ScopedTempDir dir;
  std::string prefix = dir.path() + "/prefix";
  std::string build = dir.path() + "/build";
  std::string log = dir.path() + "/log";
  const std::string cmake = QG_CMAKE_COMMAND;

  ASSERT_EQ(Sh(absl::StrCat(Quote(cmake), " --install ", Quote(QG_BUILD_DIR), " --prefix ",
                            Quote(prefix)),
               log),
            0)
      << ReadFile(log);
  ASSERT_EQ(Sh(absl::StrCat(Quote(cmake), " -S ",
                            Quote(querygate::testing::SourceDir() + "/tests/external_client"),
                            " -B ", Quote(build), " -DCMAKE_PREFIX_PATH=", Quote(prefix),
                            " -DCMAKE_BUILD_TYPE=Debug",
                            " -DCMAKE_CXX_FLAGS=", Quote(QG_EXTERNAL_CXX_FLAGS),
                            " -DCMAKE_EXE_LINKER_FLAGS=", Quote(QG_EXTERNAL_LINKER_FLAGS)),
               log),
            0)
      << ReadFile(log);
  ASSERT_EQ(Sh(absl::StrCat(Quote(cmake), " --build ", Quote(build), " -j2"), log), 0)
      << ReadFile(log);
  // Only the public headers were installed: no generated protobuf or gRPC headers.
  EXPECT_EQ(Sh(absl::StrCat("test ! -e ", Quote(prefix + "/include/querygate/querygate/v1")), log),
            0);
  EXPECT_EQ(Sh(absl::StrCat("test -x ", Quote(prefix + "/bin/querygate")), log), 0);

  TestServer server;
  ASSERT_EQ(server.Start(kSchema, kSeed), "");
  std::string out = dir.path() + "/out";
  ASSERT_EQ(Sh(absl::StrCat(Quote(build + "/external_client"), " ", Quote(server.Target()),
                            " item_by_id id=1 >", Quote(out)),
               log),
            0)
      << ReadFile(log);
  EXPECT_EQ(ReadFile(out), "1 rows, cache MISS\nid=1\nname=first\n");
  EXPECT_NE(
      Sh(absl::StrCat(Quote(build + "/external_client"), " ", Quote(server.Target()), " nope"),
         log),
      0);
  EXPECT_THAT(ReadFile(log), HasSubstr("NOT_FOUND: query: unknown query 'nope'"));
}

}  // namespace
}  // namespace querygate
