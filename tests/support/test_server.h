#ifndef QUERYGATE_TESTS_SUPPORT_TEST_SERVER_H_
#define QUERYGATE_TESTS_SUPPORT_TEST_SERVER_H_

#include <grpcpp/channel.h>

#include <functional>
#include <memory>
#include <string>

#include "server/app.h"
#include "server/server_config.h"
#include "tests/support/test_env.h"

namespace querygate::testing {

// An in-process querygate server on its own database, schema directory and Redis key
// prefix, listening on a port picked by the kernel.
class TestServer {
 public:
  // Writes `schema_json` as the only schema file, migrates a fresh database to it, runs
  // `seed_sql`, then starts the server with `tweak` applied to its configuration. Returns an
  // empty string on success, else what failed.
  std::string Start(const std::string& schema_json, const std::string& seed_sql,
                    const std::function<void(server::ServerConfig&)>& tweak = nullptr);

  // Starts one more server on the same database, schema and Redis (another instance).
  std::string StartAnother(const std::function<void(server::ServerConfig&)>& tweak = nullptr);

  std::shared_ptr<grpc::Channel> Channel(int instance = 0) const;
  // "127.0.0.1:<port>" of an instance, for clients that dial by address (the CLI).
  std::string Target(int instance = 0) const;
  const ScopedDatabase& database() const { return db_; }
  const std::string& key_prefix() const { return config_.redis.key_prefix; }
  const server::ServerConfig& config() const { return config_; }
  const std::string& schema_dir() const { return schema_dir_; }
  // Stops every instance (draining for `grace`).
  void Stop(absl::Duration grace = absl::ZeroDuration());

 private:
  ScopedDatabase db_;
  ScopedTempDir dir_;
  std::string schema_dir_;
  server::ServerConfig config_;
  std::vector<std::unique_ptr<server::App>> apps_;
};

}  // namespace querygate::testing

#endif  // QUERYGATE_TESTS_SUPPORT_TEST_SERVER_H_
