#ifndef QUERYGATE_TESTS_SUPPORT_TEST_ENV_H_
#define QUERYGATE_TESTS_SUPPORT_TEST_ENV_H_

#include <memory>
#include <string>

#include "db/session.h"

namespace querygate::testing {

// Returns the admin PostgreSQL URL from QUERYGATE_TEST_PG_URL, or "" when unset.
std::string AdminPgUrl();

// Returns the Redis URL from QUERYGATE_TEST_REDIS_URL, or "" when unset.
std::string RedisUrl();

// True when QUERYGATE_TEST_REQUIRE_SERVERS=1: a missing server must fail the test.
bool ServersRequired();

// Returns the repository root (QUERYGATE_SOURCE_DIR, set by CTest).
std::string SourceDir();

// Returns the directory holding the built binaries (QUERYGATE_BIN_DIR, set by CTest).
std::string BinDir();

// A database of its own for one test, created on construction and dropped on destruction.
class ScopedDatabase {
 public:
  ScopedDatabase();
  ~ScopedDatabase();

  bool ok() const { return !url_.empty(); }
  const std::string& url() const { return url_; }
  const std::string& name() const { return name_; }
  // Opens a new session on this database; aborts the test on failure.
  std::unique_ptr<db::Session> Connect() const;

 private:
  std::string name_;
  std::string url_;
};

// A fresh temporary directory, removed on destruction.
class ScopedTempDir {
 public:
  ScopedTempDir();
  ~ScopedTempDir();
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Writes `text` to `path`, creating parent directories.
void WriteFile(const std::string& path, const std::string& text);

// Returns the file's contents, or "" when it cannot be read.
std::string ReadFile(const std::string& path);

}  // namespace querygate::testing

// Skips the test (or fails it under QUERYGATE_TEST_REQUIRE_SERVERS=1) without PostgreSQL.
#define QG_REQUIRE_POSTGRES()                             \
  do {                                                    \
    if (::querygate::testing::AdminPgUrl().empty()) {     \
      if (::querygate::testing::ServersRequired()) {      \
        FAIL() << "QUERYGATE_TEST_PG_URL is not set";     \
      }                                                   \
      GTEST_SKIP() << "QUERYGATE_TEST_PG_URL is not set"; \
    }                                                     \
  } while (false)

#endif  // QUERYGATE_TESTS_SUPPORT_TEST_ENV_H_
