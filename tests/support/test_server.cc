#include "tests/support/test_server.h"

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>

#include <random>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "cache/redis_options.h"
#include "migrate/migrator.h"

namespace querygate::testing {

std::string TestServer::Start(const std::string& schema_json, const std::string& seed_sql,
                              const std::function<void(server::ServerConfig&)>& tweak,
                              const StartOptions& options) {
  if (!db_.ok()) return "no test database";
  if (RedisUrl().empty()) return "QUERYGATE_TEST_REDIS_URL is not set";
  server_url_ = db_.url();
  if (options.runtime_role) {
    role_ = std::make_unique<ScopedRole>();
    if (!role_->ok()) return "could not create the runtime role";
    server_url_ = role_->UrlFor(db_.url());
  }
  schema_dir_ = dir_.path() + "/schemas";
  WriteFile(schema_dir_ + "/test.json", schema_json);
  migrate::MigratorOptions migrate_options;
  migrate_options.database_url = db_.url();
  migrate_options.schema_dir = schema_dir_;
  migrate_options.migrations_dir = schema_dir_ + "/migrations";
  if (role_) migrate_options.grant_to = role_->name();
  migrate_options.vector_storage = options.vector_storage;
  migrate::Migrator migrator(migrate_options);
  auto created = migrator.New("init", false);
  if (!created.ok()) return absl::StrCat("migrate new: ", created.status().ToString());
  auto applied = migrator.Up();
  if (!applied.ok()) return absl::StrCat("migrate up: ", applied.status().ToString());
  if (!seed_sql.empty()) {
    auto session = db_.Connect();
    absl::Status seeded = session->Execute(seed_sql);
    if (!seeded.ok()) return absl::StrCat("seed: ", seeded.ToString());
  }
  config_ = server::ServerConfig();
  config_.schema_dir = schema_dir_;
  config_.database.url = server_url_;
  config_.database.min_connections = 1;
  config_.database.max_connections = 8;
  config_.server.listen = "127.0.0.1:0";
  absl::Status redis = cache::ApplyRedisUrl(RedisUrl(), config_.redis);
  if (!redis.ok()) return redis.ToString();
  std::random_device random;
  config_.redis.key_prefix = absl::StrFormat("qgtest:%08x%08x", random(), random());
  config_.invalidation_channel = config_.redis.key_prefix + ":invalidate";
  // A fresh key prefix is a newly born lease set: its first invalidations wait one lease period
  // (docs/caching.md, "The in-process tier"); a short lease keeps that out of every test.
  config_.l1.lease = absl::Milliseconds(300);
  if (tweak) tweak(config_);
  return StartAnother(nullptr);
}

std::string TestServer::StartAnother(const std::function<void(server::ServerConfig&)>& tweak) {
  server::ServerConfig config = config_;
  if (tweak) tweak(config);
  auto app = server::App::Start(config);
  if (!app.ok()) return absl::StrCat("start: ", app.status().ToString());
  apps_.push_back(*std::move(app));
  return "";
}

std::shared_ptr<grpc::Channel> TestServer::Channel(int instance) const {
  return grpc::CreateChannel(Target(instance), grpc::InsecureChannelCredentials());
}

std::string TestServer::Target(int instance) const {
  return absl::StrCat("127.0.0.1:", apps_.at(instance)->port());
}

void TestServer::Stop(absl::Duration grace) {
  for (auto& app : apps_) app->Shutdown(grace);
}

}  // namespace querygate::testing
