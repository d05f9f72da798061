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

// Returns the contents of `relative` (e.g. "schemas/blog.json") under SourceDir(), or "" when
// it cannot be read.
std::string ReadSourceFile(const std::string& relative);

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

// A PostgreSQL login role of its own for one test (NOSUPERUSER NOBYPASSRLS NOCREATEDB
// NOCREATEROLE, owning nothing), with a cluster-unique name, created on construction and dropped
// on destruction: first DROP OWNED BY (revoking its privileges) in every database that still
// records grants to it, then DROP ROLE. The server uses trust auth on loopback, so the role
// logs in without a password.
class ScopedRole {
 public:
  ScopedRole();
  ~ScopedRole();
  ScopedRole(const ScopedRole&) = delete;
  ScopedRole& operator=(const ScopedRole&) = delete;

  bool ok() const { return !name_.empty(); }
  const std::string& name() const { return name_; }
  // Returns `database_url` (e.g. ScopedDatabase::url()) with its user replaced by this role.
  std::string UrlFor(const std::string& database_url) const;
  // Grants this role what a runtime role needs on every table and sequence of schema public in
  // the database at `admin_database_url` (connected as the admin): USAGE on the schema,
  // SELECT/INSERT/UPDATE/DELETE on tables, USAGE/SELECT on sequences, EXECUTE on functions.
  // For tests that migrate by hand; TestServer uses MigratorOptions::grant_to. Records a test
  // failure when a grant fails.
  void GrantRuntimeAccess(const std::string& admin_database_url) const;

 private:
  std::string name_;
};

// Returns `url` with its user name replaced by `user`: a URI's userinfo (password included) is
// replaced, a key=value conninfo string gets " user=<user>" appended (the last one wins).
std::string WithUser(const std::string& url, const std::string& user);

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
