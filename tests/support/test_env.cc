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

}  // namespace

std::string AdminPgUrl() { return Env("QUERYGATE_TEST_PG_URL"); }
std::string RedisUrl() { return Env("QUERYGATE_TEST_REDIS_URL"); }
bool ServersRequired() { return Env("QUERYGATE_TEST_REQUIRE_SERVERS") == "1"; }

std::string SourceDir() {
  std::string dir = Env("QUERYGATE_SOURCE_DIR");
  return dir.empty() ? "." : dir;
}

std::string BinDir() {
  std::string dir = Env("QUERYGATE_BIN_DIR");
  return dir.empty() ? "./bin" : dir;
}

ScopedDatabase::ScopedDatabase() {
  std::string admin_url = AdminPgUrl();
  if (admin_url.empty()) return;
  auto admin = db::Session::Connect(admin_url, absl::Seconds(10));
  if (!admin.ok()) {
    ADD_FAILURE() << admin.status();
    return;
  }
  name_ = absl::StrCat("qg_test_", RandomSuffix());
  absl::Status created = (*admin)->Execute(absl::StrCat("CREATE DATABASE ", name_));
  if (!created.ok()) {
    ADD_FAILURE() << created;
    return;
  }
  url_ = *db::WithDatabase(admin_url, name_);
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
