#include "common/log_format.h"

#include <gtest/gtest.h>

#include <string>

#include "nlohmann/json.hpp"

namespace querygate {
namespace {

const absl::Time kTime = absl::FromUnixMillis(1767323045678);  // 2026-01-02T03:04:05.678Z

TEST(LogFormatTest, JsonLineHasTimestampLevelMessageAndFieldsInOrder) {
  std::string line = FormatLogLine(LogFormat::kJson, kTime, LogLevel::kWarn, "slow call",
                                   {{"name", "users"}, {"ms", 12.5}, {"n", 3}, {"ok", true}});
  EXPECT_EQ(line,
            "{\"ts\":\"2026-01-02T03:04:05.678Z\",\"level\":\"warn\",\"msg\":\"slow call\","
            "\"name\":\"users\",\"ms\":12.5,\"n\":3,\"ok\":true}");
}

TEST(LogFormatTest, LogfmtLineQuotesOnlyWhatNeedsIt) {
  std::string line = FormatLogLine(LogFormat::kLogfmt, kTime, LogLevel::kInfo, "feed up",
                                   {{"feed", "pubsub"}, {"empty", ""}, {"n", 7}, {"eq", "a=b"}});
  EXPECT_EQ(line,
            "ts=2026-01-02T03:04:05.678Z level=info msg=\"feed up\" feed=pubsub empty=\"\" n=7 "
            "eq=\"a=b\"");
}

TEST(LogFormatTest, HostileTextStaysInsideItsJsonString) {
  std::string hostile = "a\"b\\c\nd\re\tf";
  hostile += std::string("\x01\x1f\x7f", 3);
  hostile += "\",\"level\":\"error";
  std::string line =
      FormatLogLine(LogFormat::kJson, kTime, LogLevel::kInfo, hostile, {{"payload", hostile}});
  EXPECT_EQ(line.find('\n'), std::string::npos);
  EXPECT_EQ(line.find('\r'), std::string::npos);
  nlohmann::json parsed = nlohmann::json::parse(line);
  EXPECT_EQ(parsed["msg"], hostile);
  EXPECT_EQ(parsed["payload"], hostile);
  EXPECT_EQ(parsed["level"], "info");
  EXPECT_EQ(parsed.size(), 4u);
  EXPECT_EQ(JsonQuote(std::string("\n\x01\x7f", 3)), "\"\\n\\u0001\\u007f\"");
}

TEST(LogFormatTest, InvalidUtf8BecomesReplacementCharacters) {
  // Valid: 2-, 3- and 4-byte sequences are kept as they are.
  EXPECT_EQ(JsonQuote("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80"),
            "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"");
  // A stray continuation byte, a truncated sequence, an overlong '/', an encoded surrogate,
  // a code point past U+10FFFF and bytes never valid in UTF-8.
  EXPECT_EQ(JsonQuote("\x80"), "\"\\ufffd\"");
  EXPECT_EQ(JsonQuote("a\xe2\x82"), "\"a\\ufffd\\ufffd\"");
  EXPECT_EQ(JsonQuote("\xc0\xaf"), "\"\\ufffd\\ufffd\"");
  EXPECT_EQ(JsonQuote("\xed\xa0\x80"), "\"\\ufffd\\ufffd\\ufffd\"");
  EXPECT_EQ(JsonQuote("\xf4\x90\x80\x80"), "\"\\ufffd\\ufffd\\ufffd\\ufffd\"");
  EXPECT_EQ(JsonQuote("\xff\xfe"), "\"\\ufffd\\ufffd\"");
  std::string line = FormatLogLine(LogFormat::kJson, kTime, LogLevel::kInfo, "m",
                                   {{"bytes", std::string("ok\xff\xc3(", 5)}});
  nlohmann::json parsed = nlohmann::json::parse(line);  // throws on invalid UTF-8
  EXPECT_EQ(parsed["bytes"], "ok\xef\xbf\xbd\xef\xbf\xbd(");
}

TEST(LogFormatTest, LogfmtEscapesHostileValuesAndKeys) {
  std::string line = FormatLogLine(LogFormat::kLogfmt, kTime, LogLevel::kInfo, "m",
                                   {{"bad key=\"", "x\ny level=error"}});
  EXPECT_EQ(line.find('\n'), std::string::npos);
  EXPECT_NE(line.find("bad_key__=\"x\\ny level=error\""), std::string::npos) << line;
}

TEST(LogFormatTest, NonFiniteNumbersAreText) {
  std::string line = FormatLogLine(LogFormat::kJson, kTime, LogLevel::kInfo, "m",
                                   {{"x", std::numeric_limits<double>::infinity()}});
  EXPECT_NE(line.find("\"x\":\"inf\""), std::string::npos) << line;
}

TEST(LogFormatTest, ParsesLevelsAndFormatsNamingTheField) {
  EXPECT_EQ(*ParseLogLevel("debug", "log.level"), LogLevel::kDebug);
  EXPECT_EQ(*ParseLogLevel("error", "log.level"), LogLevel::kError);
  EXPECT_EQ(*ParseLogFormat("logfmt", "log.format"), LogFormat::kLogfmt);
  auto bad = ParseLogLevel("loud", "--log-level");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("--log-level"), absl::string_view::npos);
  EXPECT_FALSE(ParseLogFormat("xml", "log.format").ok());
}

}  // namespace
}  // namespace querygate
