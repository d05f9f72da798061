#include "common/logger.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/log_rate_limiter.h"
#include "nlohmann/json.hpp"

namespace querygate {
namespace {

// A logger writing into a vector, on a clock the test moves.
struct CapturedLogger {
  explicit CapturedLogger(LoggerOptions options)
      : logger(
            options, [this](absl::string_view line) { lines.emplace_back(line); },
            [this] { return now; }) {}

  std::vector<std::string> lines;
  absl::Time now = absl::FromUnixSeconds(1767323045);
  Logger logger;
};

TEST(LogRateLimiterTest, LetsThroughTheFirstLinesOfAWindowThenCounts) {
  LogRateLimiter limiter({2, absl::Seconds(10), 16});
  absl::Time t0 = absl::FromUnixSeconds(1000);
  EXPECT_TRUE(limiter.Admit("k", t0).write);
  EXPECT_TRUE(limiter.Admit("k", t0 + absl::Seconds(1)).write);
  EXPECT_FALSE(limiter.Admit("k", t0 + absl::Seconds(2)).write);
  EXPECT_FALSE(limiter.Admit("k", t0 + absl::Seconds(9)).write);
  EXPECT_TRUE(limiter.Admit("other", t0 + absl::Seconds(9)).write);
  LogRateLimiter::Decision next = limiter.Admit("k", t0 + absl::Seconds(10));
  EXPECT_TRUE(next.write);
  EXPECT_EQ(next.suppressed_before, 2);
}

TEST(LogRateLimiterTest, TakeEndedReportsEachSuppressedWindowOnce) {
  LogRateLimiter limiter({1, absl::Seconds(10), 16});
  absl::Time t0 = absl::FromUnixSeconds(1000);
  limiter.Admit("k", t0);
  limiter.Admit("k", t0);
  limiter.Admit("k", t0);
  limiter.Admit("quiet", t0);
  EXPECT_TRUE(limiter.TakeEnded(t0 + absl::Seconds(9)).empty());
  auto ended = limiter.TakeEnded(t0 + absl::Seconds(10));
  ASSERT_EQ(ended.size(), 1u);
  EXPECT_EQ(ended[0].first, "k");
  EXPECT_EQ(ended[0].second, 2);
  EXPECT_TRUE(limiter.TakeEnded(t0 + absl::Seconds(11)).empty());
  EXPECT_EQ(limiter.tracked(), 0u);
}

TEST(LogRateLimiterTest, KeysBeyondTheCapShareOneWindow) {
  LogRateLimiter limiter({1, absl::Seconds(10), 2});
  absl::Time t0 = absl::FromUnixSeconds(1000);
  EXPECT_TRUE(limiter.Admit("a", t0).write);
  EXPECT_TRUE(limiter.Admit("b", t0).write);
  EXPECT_TRUE(limiter.Admit("c", t0).write);   // first of the shared "*" window
  EXPECT_FALSE(limiter.Admit("d", t0).write);  // same shared window
  EXPECT_LE(limiter.tracked(), 3u);
  // Ended windows make room again.
  EXPECT_TRUE(limiter.Admit("e", t0 + absl::Seconds(10)).write);
}

TEST(LoggerTest, DropsLinesBelowTheLevel) {
  LoggerOptions options;
  options.level = LogLevel::kWarn;
  CapturedLogger log(options);
  log.logger.Debug("d");
  log.logger.Info("i");
  log.logger.Warn("w");
  log.logger.Error("e");
  ASSERT_EQ(log.lines.size(), 2u);
  EXPECT_EQ(nlohmann::json::parse(log.lines[0])["level"], "warn");
  EXPECT_EQ(nlohmann::json::parse(log.lines[1])["level"], "error");
  EXPECT_FALSE(log.logger.Enabled(LogLevel::kInfo));
}

TEST(LoggerTest, RateLimitsErrorsPerKeyAndSummarizesTheRest) {
  LoggerOptions options;
  options.rate_limit = {3, absl::Seconds(10), 64};
  CapturedLogger log(options);
  for (int i = 0; i < 100; ++i) {
    log.logger.Error("redis unavailable", {{"attempt", i}});
    log.logger.Info("not limited");
  }
  log.logger.Error("another key");
  size_t errors = 0;
  for (const std::string& line : log.lines) {
    if (nlohmann::json::parse(line)["msg"] == "redis unavailable") ++errors;
  }
  EXPECT_EQ(errors, 3u);
  EXPECT_EQ(log.lines.size(), 3u + 100u + 1u);
  log.logger.FlushSuppressed();
  EXPECT_EQ(log.lines.size(), 104u);  // the window has not ended
  log.now += absl::Seconds(10);
  log.logger.FlushSuppressed();
  ASSERT_EQ(log.lines.size(), 105u);
  nlohmann::json summary = nlohmann::json::parse(log.lines.back());
  EXPECT_EQ(summary["msg"], "suppressed 97 similar lines");
  EXPECT_EQ(summary["key"], "redis unavailable");
  EXPECT_EQ(summary["suppressed"], 97);
  EXPECT_EQ(summary["level"], "warn");
  log.logger.Error("redis unavailable");
  EXPECT_EQ(log.lines.size(), 106u);
}

TEST(LoggerTest, SummaryPrecedesTheFirstLineOfTheNextWindow) {
  LoggerOptions options;
  options.rate_limit = {1, absl::Seconds(10), 64};
  CapturedLogger log(options);
  log.logger.Warn("feed down", {}, "feed");
  log.logger.Warn("feed down", {}, "feed");
  log.now += absl::Seconds(11);
  log.logger.Warn("feed down", {}, "feed");
  ASSERT_EQ(log.lines.size(), 3u);
  EXPECT_EQ(nlohmann::json::parse(log.lines[1])["msg"], "suppressed 1 similar lines");
  EXPECT_EQ(nlohmann::json::parse(log.lines[2])["msg"], "feed down");
}

TEST(LoggerTest, LogfmtAndRawLines) {
  LoggerOptions options;
  options.format = LogFormat::kLogfmt;
  CapturedLogger log(options);
  log.logger.Info("hello", {{"n", 1}});
  log.logger.WriteRaw("{\"audit\":true}");
  ASSERT_EQ(log.lines.size(), 2u);
  EXPECT_EQ(log.lines[0], "ts=2026-01-02T03:04:05.000Z level=info msg=hello n=1");
  EXPECT_EQ(log.lines[1], "{\"audit\":true}");
}

}  // namespace
}  // namespace querygate
