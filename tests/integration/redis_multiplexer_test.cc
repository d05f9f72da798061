// cache/internal/redis_multiplexer against a private redis-server: every reply reaches its own
// sender under concurrency, large replies arrive whole, and a frozen or stopped Redis fails
// pending commands instead of hanging.
#include "cache/internal/redis_multiplexer.h"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <future>
#include <mutex>
#include <thread>

#include "absl/strings/str_cat.h"
#include "tests/support/redis_process.h"

namespace querygate::cache::internal {
namespace {

using querygate::testing::RedisProcess;

absl::StatusOr<std::string> SendAndWait(RedisMultiplexer& mux,
                                        const std::vector<std::string>& args) {
  auto promise = std::make_shared<std::promise<absl::StatusOr<std::string>>>();
  auto future = promise->get_future();
  mux.Send(args, [promise](absl::StatusOr<const redisReply*> reply) {
    if (!reply.ok()) {
      promise->set_value(reply.status());
    } else if ((*reply)->type == REDIS_REPLY_INTEGER) {
      promise->set_value(absl::StrCat((*reply)->integer));
    } else {
      promise->set_value(std::string((*reply)->str, (*reply)->len));
    }
  });
  return future.get();
}

class RedisMultiplexerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(redis_.Start());
    options_.port = redis_.port();
    options_.command_timeout = absl::Milliseconds(200);
  }

  RedisProcess redis_;
  RedisOptions options_;
};

TEST_F(RedisMultiplexerTest, EveryReplyReachesItsSender) {
  options_.command_timeout = absl::Seconds(20);  // 16,000 queued commands under a sanitizer
  RedisMultiplexer mux(options_);
  constexpr int kThreads = 8;
  constexpr int kPerThread = 2000;
  std::mutex mu;
  std::condition_variable all_done;
  int answered = 0;
  std::atomic<int> wrong{0};
  std::atomic<int> failed{0};
  std::vector<std::thread> senders;
  for (int t = 0; t < kThreads; ++t) {
    senders.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        std::string text = absl::StrCat("t", t, "-", i, std::string(i % 7 * 100, 'x'));
        mux.Send({"ECHO", text}, [&, text](absl::StatusOr<const redisReply*> reply) {
          if (!reply.ok()) {
            failed.fetch_add(1);
          } else if (std::string((*reply)->str, (*reply)->len) != text) {
            wrong.fetch_add(1);
          }
          std::lock_guard<std::mutex> lock(mu);
          if (++answered == kThreads * kPerThread) all_done.notify_all();
        });
      }
    });
  }
  for (std::thread& t : senders) t.join();
  std::unique_lock<std::mutex> lock(mu);
  ASSERT_TRUE(all_done.wait_for(lock, std::chrono::seconds(30),
                                [&] { return answered == kThreads * kPerThread; }))
      << answered << " of " << kThreads * kPerThread << " answered";
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_EQ(failed.load(), 0);
}

TEST_F(RedisMultiplexerTest, LargeRepliesArriveWhole) {
  RedisMultiplexer mux(options_);
  std::string big(700 * 1024, '\0');
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>(i * 131 % 251);
  ASSERT_EQ(SendAndWait(mux, {"SET", "big", big}).value_or("error"), "OK");
  for (int i = 0; i < 3; ++i) EXPECT_EQ(SendAndWait(mux, {"GET", "big"}).value_or(""), big);
}

TEST_F(RedisMultiplexerTest, FrozenRedisFailsPendingCommandsThenRecovers) {
  RedisMultiplexer mux(options_);
  ASSERT_TRUE(SendAndWait(mux, {"PING"}).ok());
  redis_.Pause();
  auto frozen = SendAndWait(mux, {"INCR", "n"});
  EXPECT_EQ(frozen.status().code(), absl::StatusCode::kUnavailable) << frozen.status();
  redis_.Resume();
  absl::StatusOr<std::string> after = absl::UnavailableError("not tried");
  for (int i = 0; i < 50 && !after.ok(); ++i) {
    after = SendAndWait(mux, {"GET", "n"});
    if (!after.ok()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_TRUE(after.ok()) << after.status();
}

TEST_F(RedisMultiplexerTest, StoppedRedisFailsCommands) {
  RedisMultiplexer mux(options_);
  ASSERT_TRUE(SendAndWait(mux, {"PING"}).ok());
  redis_.Stop();
  auto stopped = SendAndWait(mux, {"PING"});
  EXPECT_EQ(stopped.status().code(), absl::StatusCode::kUnavailable) << stopped.status();
  auto again = SendAndWait(mux, {"PING"});
  EXPECT_EQ(again.status().code(), absl::StatusCode::kUnavailable) << again.status();
}

TEST_F(RedisMultiplexerTest, DestructionFailsWhatIsPending) {
  auto mux = std::make_unique<RedisMultiplexer>(options_);
  ASSERT_TRUE(SendAndWait(*mux, {"PING"}).ok());
  redis_.Pause();
  std::atomic<int> unavailable{0};
  for (int i = 0; i < 10; ++i) {
    mux->Send({"PING"}, [&](absl::StatusOr<const redisReply*> reply) {
      if (reply.status().code() == absl::StatusCode::kUnavailable) unavailable.fetch_add(1);
    });
  }
  mux.reset();
  EXPECT_EQ(unavailable.load(), 10);
  redis_.Resume();
}

TEST(RedisFormatCommandTest, BulkStringsAreLengthPrefixed) {
  EXPECT_EQ(FormatCommand({"GET", std::string("a\r\nb", 4)}),
            "*2\r\n$3\r\nGET\r\n$4\r\na\r\nb\r\n");
}

}  // namespace
}  // namespace querygate::cache::internal
