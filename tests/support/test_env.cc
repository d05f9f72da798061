#include "tests/support/test_env.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "db/connection_url.h"

namespace querygate::testing {
namespace {

std::string Env(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? "" : value;
}

std::string RandomSuffix() {
  std::random_device random;
  return absl::StrFormat("%d_%08x", static_cast<int>(getpid()), random());
}

// Runs `sql` on a new session as the admin; false (and a test failure) when it cannot.
bool RunAsAdmin(const std::string& sql) {
  auto admin = db::Session::Connect(Env("QUERYGATE_TEST_PG_URL"), absl::Seconds(10));
  absl::Status status = admin.ok() ? (*admin)->Execute(sql) : admin.status();
  if (!status.ok()) ADD_FAILURE() << status;
  return status.ok();
}

}  // namespace

std::string AdminPgUrl() { return Env("QUERYGATE_TEST_PG_URL"); }
std::string RedisUrl() { return Env("QUERYGATE_TEST_REDIS_URL"); }
bool ServersRequired() { return Env("QUERYGATE_TEST_REQUIRE_SERVERS") == "1"; }

std::string SourceDir() {
  std::string dir = Env("QUERYGATE_SOURCE_DIR");
  return dir.empty() ? "." : dir;
}

std::string ReadSourceFile(const std::string& relative) {
  return ReadFile(SourceDir() + "/" + relative);
}

std::string BinDir() {
  std::string dir = Env("QUERYGATE_BIN_DIR");
  return dir.empty() ? "./bin" : dir;
}

ScopedDatabase::ScopedDatabase() {
  if (AdminPgUrl().empty()) return;
  name_ = absl::StrCat("qg_test_", RandomSuffix());
  if (!RunAsAdmin(absl::StrCat("CREATE DATABASE ", name_))) return;
  url_ = *db::WithDatabase(AdminPgUrl(), name_);
}

ScopedDatabase::~ScopedDatabase() {
  if (url_.empty()) return;
  auto admin = db::Session::Connect(AdminPgUrl(), absl::Seconds(10));
  if (admin.ok()) {
    (void)(*admin)->Execute(absl::StrCat("DROP DATABASE IF EXISTS ", name_, " WITH (FORCE)"));
  }
}

std::unique_ptr<db::Session> ScopedDatabase::Connect() const {
  auto session = db::Session::Connect(url_, absl::Seconds(10));
  if (!session.ok()) {
    ADD_FAILURE() << session.status();
    return nullptr;
  }
  return *std::move(session);
}

std::string WithUser(const std::string& url, const std::string& user) {
  size_t scheme = url.find("://");
  if (scheme == std::string::npos) return absl::StrCat(url, " user=", user);
  size_t authority = scheme + 3;
  size_t end = url.find_first_of("/?", authority);
  if (end == std::string::npos) end = url.size();
  size_t at = url.rfind('@', end);
  size_t host = at == std::string::npos || at < authority ? authority : at + 1;
  return absl::StrCat(url.substr(0, authority), user, "@", url.substr(host));
}

ScopedRole::ScopedRole() {
  if (AdminPgUrl().empty()) return;
  std::string name = absl::StrCat("qg_role_", RandomSuffix());
  if (!RunAsAdmin(absl::StrCat("CREATE ROLE ", name,
                               " LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE"))) {
    return;
  }
  name_ = std::move(name);
}

ScopedRole::~ScopedRole() {
  if (name_.empty()) return;
  std::string admin_url = AdminPgUrl();
  auto admin = db::Session::Connect(admin_url, absl::Seconds(10));
  if (!admin.ok()) {
    ADD_FAILURE() << "dropping role " << name_ << ": " << admin.status();
    return;
  }
  // Grants to the role are shared dependencies recorded per database; DROP OWNED BY in each
  // of those databases revokes them (and drops anything the role created there).
  auto databases = (*admin)->Query(
      "SELECT DISTINCT d.datname FROM pg_shdepend s JOIN pg_database d ON d.oid = s.dbid "
      "WHERE s.refclassid = 'pg_authid'::regclass AND s.refobjid = "
      "(SELECT oid FROM pg_roles WHERE rolname = $1)",
      {name_});
  if (databases.ok()) {
    for (size_t r = 0; r < databases->rows.size(); ++r) {
      auto url = db::WithDatabase(admin_url, databases->Text(r, 0));
      if (!url.ok()) continue;
      auto session = db::Session::Connect(*url, absl::Seconds(10));
      if (session.ok()) (void)(*session)->Execute(absl::StrCat("DROP OWNED BY ", name_));
    }
  }
  absl::Status dropped = (*admin)->Execute(absl::StrCat("DROP ROLE IF EXISTS ", name_));
  if (!dropped.ok()) ADD_FAILURE() << "dropping role " << name_ << ": " << dropped;
}

std::string ScopedRole::UrlFor(const std::string& database_url) const {
  return WithUser(database_url, name_);
}

void ScopedRole::GrantRuntimeAccess(const std::string& admin_database_url) const {
  auto admin = db::Session::Connect(admin_database_url, absl::Seconds(10));
  if (!admin.ok()) {
    ADD_FAILURE() << admin.status();
    return;
  }
  absl::Status granted = (*admin)->Execute(
      absl::StrCat("GRANT USAGE ON SCHEMA public TO ", name_,
                   "; GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ",
                   name_, "; GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ", name_,
                   "; GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO ", name_));
  if (!granted.ok()) ADD_FAILURE() << "granting " << name_ << ": " << granted;
}

ScopedTempDir::ScopedTempDir() {
  path_ = (std::filesystem::temp_directory_path() / absl::StrCat("qg_", RandomSuffix())).string();
  std::filesystem::create_directories(path_);
}

ScopedTempDir::~ScopedTempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

void WriteFile(const std::string& path, const std::string& text) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream out(path, std::ios::binary);
  out << text;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace querygate::testing
