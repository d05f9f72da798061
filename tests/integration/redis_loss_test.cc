// Redis losing or rewinding its data (FLUSHALL, a restart without persistence, a restart from
// an old snapshot, keys written back as a lagging replica would hold them): the invalidation
// hub notices a new data identity (run_id, epoch sentinel) within a Tick and bumps the epoch,
// so no read after that serves an entry the lost bumps had invalidated. The server runs
// without pub/sub and trigger feeds, so nothing else bumps the epoch on a Redis restart.
#include <grpcpp/client_context.h>
#include <gtest/gtest.h>
#include <hiredis/hiredis.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "cache/l1_coherence.h"
#include "cache/redis_options.h"
#include "cache/redis_query_cache.h"
#include "cache/tiered_cache.h"
#include "querygate/v1/query_service.grpc.pb.h"
#include "tests/support/poll.h"
#include "tests/support/redis_command.h"
#include "tests/support/redis_process.h"
#include "tests/support/test_env.h"
#include "tests/support/test_server.h"

namespace querygate {
namespace {

using querygate::testing::FreeLoopbackPort;
using querygate::testing::ScopedTempDir;
using querygate::testing::TestServer;

constexpr char kSchema[] = R"json({
  "models": {"item": {"fields": {"id": "int64", "name": "string"}}},
  "queries": {
    "item_by_id": {
      "sql": "SELECT id, name FROM items WHERE id = :id",
      "params": {"id": "int64"},
      "ttl": 300
    }
  }
})json";

constexpr char kSeed[] =
    "INSERT INTO items (id, name) SELECT g, 'name' || g FROM generate_series(1, 5) g;";

using querygate::testing::RedisCommand;

// Every key under `prefix` with its (string) value.
std::map<std::string, std::string> KeysUnder(int port, const std::string& prefix) {
  std::map<std::string, std::string> out;
  timeval timeout{2, 0};
  redisContext* context = redisConnectWithTimeout("127.0.0.1", port, timeout);
  if (context == nullptr || context->err) {
    if (context != nullptr) redisFree(context);
    return out;
  }
  std::string pattern = prefix + ":*";
  auto* keys = static_cast<redisReply*>(redisCommand(context, "KEYS %s", pattern.c_str()));
  if (keys != nullptr && keys->type == REDIS_REPLY_ARRAY) {
    for (size_t i = 0; i < keys->elements; ++i) {
      std::string key(keys->element[i]->str, keys->element[i]->len);
      auto* value =
          static_cast<redisReply*>(redisCommand(context, "GET %b", key.data(), key.size()));
      if (value != nullptr && value->type == REDIS_REPLY_STRING) {
        out[key] = std::string(value->str, value->len);
      }
      if (value != nullptr) freeReplyObject(value);
    }
  }
  if (keys != nullptr) freeReplyObject(keys);
  redisFree(context);
  return out;
}

// A redis-server on a fixed loopback port that can be restarted on that port, persisting
// only on an explicit SAVE (to `dir`/dump.rdb, loaded again on restart).
class RestartableRedis {
 public:
  explicit RestartableRedis(std::string dir) : dir_(std::move(dir)), port_(FreeLoopbackPort()) {}
  ~RestartableRedis() { Kill(); }

  bool Start() {
    std::string port = absl::StrCat(port_);
    pid_ = fork();
    if (pid_ == 0) {
      execlp("redis-server", "redis-server", "--bind", "127.0.0.1", "--port", port.c_str(), "--dir",
             dir_.c_str(), "--dbfilename", "dump.rdb", "--save", "", "--appendonly", "no",
             "--loglevel", "warning", nullptr);
      _exit(127);
    }
    return querygate::testing::PollUntil(absl::Now() + absl::Seconds(5),
                                         [&] { return RedisCommand(port_, {"PING"}) == "PONG"; });
  }
  // SIGKILL: whatever was not saved is lost.
  void Kill() {
    if (pid_ <= 0) return;
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }
  void DropSnapshot() { unlink(absl::StrCat(dir_, "/dump.rdb").c_str()); }
  int port() const { return port_; }
  std::string url() const { return absl::StrCat("redis://127.0.0.1:", port_); }

 private:
  std::string dir_;
  int port_;
  pid_t pid_ = -1;
};

class RedisLossTest : public ::testing::Test {
 protected:
  void SetUp() override {
    QG_REQUIRE_POSTGRES();
    redis_ = std::make_unique<RestartableRedis>(dir_.path());
    ASSERT_TRUE(redis_->Start());
    std::string url = redis_->url();
    ASSERT_EQ(server_.Start(kSchema, kSeed,
                            [url](server::ServerConfig& c) {
                              ASSERT_TRUE(cache::ApplyRedisUrl(url, c.redis).ok());
                              c.invalidation_channel = "";
                              c.listen_for_changes = false;
                            }),
              "");
    query_ = v1::QueryService::NewStub(server_.Channel());
    epoch_key_ = server_.key_prefix() + ":gen:epoch";
    sentinel_key_ = server_.key_prefix() + ":epoch-sentinel";
    // The sentinel exists once the hub has read (and remembered) its first identity.
    ASSERT_TRUE(Eventually([&] { return Get(sentinel_key_).has_value(); }));
  }

  std::optional<std::string> Get(const std::string& key) {
    return RedisCommand(redis_->port(), {"GET", key});
  }

  // Polls `done` until it holds or a 5 s deadline passes.
  template <typename F>
  bool Eventually(F done) {
    return querygate::testing::PollUntil(absl::Now() + absl::Seconds(5), done);
  }

  v1::ExecuteResponse Read(int64_t id) {
    v1::ExecuteRequest request;
    request.set_query("item_by_id");
    (*request.mutable_params())["id"].set_int_value(id);
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(5)));
    v1::ExecuteResponse response;
    grpc::Status status = query_->Execute(&context, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response;
  }

  std::string Name(const v1::ExecuteResponse& r) {
    return r.rows_size() == 1 ? r.rows(0).values(1).string_value() : "<none>";
  }

  // Reads `id` until it is a cache hit; returns the name served.
  std::string FillAndHit(int64_t id) {
    std::string name;
    EXPECT_TRUE(Eventually([&] {
      v1::ExecuteResponse r = Read(id);
      name = Name(r);
      return r.cache().status() == v1::CACHE_STATUS_HIT;
    }));
    return name;
  }

  // A write another instance made: the row changes, then the table's generation is bumped.
  void WriteElsewhere(int64_t id, const std::string& name) {
    auto session = server_.database().Connect();
    ASSERT_TRUE(
        session->Execute(absl::StrCat("UPDATE items SET name = '", name, "' WHERE id = ", id))
            .ok());
    cache::RedisOptions options;
    ASSERT_TRUE(cache::ApplyRedisUrl(redis_->url(), options).ok());
    options.key_prefix = server_.key_prefix();
    cache::RedisQueryCache other(options);
    // Like an instance without an in-process tier: it waits for the lease holders.
    cache::CoherenceOptions coherence_options;
    coherence_options.instance_id = "other-instance";
    coherence_options.hold_lease = false;
    coherence_options.lease = absl::Milliseconds(300);
    cache::L1Coherence coherence(&other, nullptr, coherence_options);
    coherence.Start();
    cache::TieredCache tiered(&other, nullptr, &coherence);
    ASSERT_TRUE(tiered.Invalidate({"t:items"}).ok());
    ASSERT_EQ(Name(Read(id)), name) << "the write is seen before any fault";
  }

  ScopedTempDir dir_;
  std::unique_ptr<RestartableRedis> redis_;
  TestServer server_;
  std::unique_ptr<v1::QueryService::Stub> query_;
  std::string epoch_key_;
  std::string sentinel_key_;
};

TEST_F(RedisLossTest, FlushallIsFollowedByAnEpochBump) {
  EXPECT_EQ(FillAndHit(1), "name1");
  std::optional<std::string> sentinel = Get(sentinel_key_);
  ASSERT_EQ(RedisCommand(redis_->port(), {"FLUSHALL"}), "OK");
  // No read meanwhile, so only the hub's epoch bump can recreate the epoch key.
  EXPECT_TRUE(Eventually([&] { return Get(epoch_key_).has_value(); }))
      << "the loss is detected and the epoch bumped";
  EXPECT_NE(Get(sentinel_key_), sentinel);
  EXPECT_EQ(FillAndHit(1), "name1") << "the cache is trusted again";
}

TEST_F(RedisLossTest, RestartWithoutPersistenceIsFollowedByAnEpochBump) {
  EXPECT_EQ(FillAndHit(2), "name2");
  redis_->DropSnapshot();
  redis_->Kill();
  ASSERT_TRUE(redis_->Start());
  EXPECT_TRUE(Eventually([&] { return Get(epoch_key_).has_value(); }))
      << "the restart is detected and the epoch bumped";
  WriteElsewhere(2, "after restart");
  EXPECT_EQ(FillAndHit(2), "after restart") << "the cache is trusted again";
}

// A restart that loads a snapshot older than acknowledged bumps (as a promoted replica that
// lagged would hold): the old entry and generations come back with the same sentinel, and
// only the new run_id tells.
TEST_F(RedisLossTest, RestartFromAnOldSnapshotServesNoStaleEntry) {
  EXPECT_EQ(FillAndHit(3), "name3");
  ASSERT_EQ(RedisCommand(redis_->port(), {"SAVE"}), "OK");
  std::optional<std::string> old_epoch = Get(epoch_key_);
  WriteElsewhere(3, "after snapshot");
  EXPECT_EQ(FillAndHit(3), "after snapshot");
  redis_->Kill();
  ASSERT_TRUE(redis_->Start());
  EXPECT_TRUE(Eventually([&] {
    std::optional<std::string> epoch = Get(epoch_key_);
    return epoch.has_value() && epoch != old_epoch;
  })) << "the rewind is detected and the epoch bumped";
  EXPECT_EQ(Name(Read(3)), "after snapshot") << "no stale read after the detection";
  EXPECT_EQ(FillAndHit(3), "after snapshot");
}

// The same Redis process rewinds: the entry, the generations and the sentinel get values an
// older data set held (written at once, as a resync from a lagging master would).
TEST_F(RedisLossTest, RewoundSentinelAndGenerationsServeNoStaleEntry) {
  EXPECT_EQ(FillAndHit(4), "name4");
  std::map<std::string, std::string> old_keys = KeysUnder(redis_->port(), server_.key_prefix());
  ASSERT_TRUE(old_keys.count(epoch_key_));
  WriteElsewhere(4, "before rewind");
  EXPECT_EQ(FillAndHit(4), "before rewind");
  std::vector<std::string> mset = {"MSET"};
  for (const auto& [key, value] : old_keys) {
    mset.push_back(key);
    mset.push_back(key == sentinel_key_ ? "rewound" : value);
  }
  ASSERT_EQ(RedisCommand(redis_->port(), mset), "OK");
  EXPECT_TRUE(Eventually([&] { return Get(epoch_key_) != old_keys[epoch_key_]; }))
      << "the rewind is detected and the epoch bumped";
  EXPECT_EQ(Name(Read(4)), "before rewind") << "no stale read after the detection";
  EXPECT_EQ(FillAndHit(4), "before rewind");
}

}  // namespace
}  // namespace querygate
