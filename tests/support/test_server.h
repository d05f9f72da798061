#ifndef QUERYGATE_TESTS_SUPPORT_TEST_SERVER_H_
#define QUERYGATE_TESTS_SUPPORT_TEST_SERVER_H_

#include <grpcpp/channel.h>

#include <functional>
#include <memory>
#include <string>

#include "migrate/migrator.h"
#include "server/app.h"
#include "server/server_config.h"
#include "tests/support/test_env.h"

namespace querygate::testing {

// How TestServer::Start prepares the database the server runs on.
struct StartOptions {
  // Serve as a fresh runtime role (a ScopedRole: no superuser, no BYPASSRLS, owns nothing)
  // instead of the admin: migrations and the seed still run as the admin, the migration
  // grants the role its table privileges (MigratorOptions::grant_to), and
  // config.database.url is the role's URL before `tweak` runs. Every instance uses it.
  bool runtime_role = false;
  // How the migration stores vector fields (MigratorOptions::vector_storage).
  migrate::VectorStorageMode vector_storage = migrate::VectorStorageMode::kAuto;
};

// An in-process querygate server on its own database, schema directory and Redis key
// prefix, listening on a port picked by the kernel.
class TestServer {
 public:
  // Writes `schema_json` as the only schema file, migrates a fresh database to it, runs
  // `seed_sql`, then starts the server with `tweak` applied to its configuration. Returns an
  // empty string on success, else what failed.
  std::string Start(const std::string& schema_json, const std::string& seed_sql,
                    const std::function<void(server::ServerConfig&)>& tweak = nullptr,
                    const StartOptions& options = {});

  // Starts one more server on the same database, schema and Redis (another instance).
  std::string StartAnother(const std::function<void(server::ServerConfig&)>& tweak = nullptr);

  std::shared_ptr<grpc::Channel> Channel(int instance = 0) const;
  // "127.0.0.1:<port>" of an instance, for clients that dial by address (the CLI).
  std::string Target(int instance = 0) const;
  const ScopedDatabase& database() const { return db_; }
  // The runtime role the server connects as, or nullptr when it runs as the admin.
  const ScopedRole* role() const { return role_.get(); }
  // The URL the server connects with: the runtime role's when there is one, else the admin's
  // (database().url()).
  const std::string& server_url() const { return server_url_; }
  const std::string& key_prefix() const { return config_.redis.key_prefix; }
  const server::ServerConfig& config() const { return config_; }
  const std::string& schema_dir() const { return schema_dir_; }
  // Stops every instance (draining for `grace`).
  void Stop(absl::Duration grace = absl::ZeroDuration());

 private:
  // Declared first so that it is dropped after the database that grants to it.
  std::unique_ptr<ScopedRole> role_;
  std::string server_url_;
  ScopedDatabase db_;
  ScopedTempDir dir_;
  std::string schema_dir_;
  server::ServerConfig config_;
  std::vector<std::unique_ptr<server::App>> apps_;
};

}  // namespace querygate::testing

#endif  // QUERYGATE_TESTS_SUPPORT_TEST_SERVER_H_
