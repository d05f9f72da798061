#include "common/logger.h"

#include <spdlog/logger.h>
#include <spdlog/sinks/stdout_sinks.h>

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace querygate {
namespace {

// A sink writing whole lines to stderr through a spdlog logger of its own, kept out of
// spdlog's global registry; spdlog adds only the newline ("%v").
Logger::Sink StderrSink() {
  auto logger = std::make_shared<spdlog::logger>("querygate",
                                                 std::make_shared<spdlog::sinks::stderr_sink_mt>());
  logger->set_pattern("%v");
  logger->set_level(spdlog::level::trace);
  logger->flush_on(spdlog::level::trace);
  return [logger](absl::string_view line) {
    logger->log(spdlog::level::info, spdlog::string_view_t(line.data(), line.size()));
  };
}

}  // namespace

Logger::Logger(LoggerOptions options) : Logger(options, StderrSink(), [] { return absl::Now(); }) {}

Logger::Logger(LoggerOptions options, Sink sink, Clock clock)
    : options_(options),
      sink_(std::move(sink)),
      clock_(std::move(clock)),
      limiter_(options.rate_limit) {}

Logger::~Logger() { FlushSuppressed(); }

void Logger::Debug(absl::string_view msg, const LogFields& fields) {
  Log(LogLevel::kDebug, msg, fields);
}

void Logger::Info(absl::string_view msg, const LogFields& fields) {
  Log(LogLevel::kInfo, msg, fields);
}

void Logger::Warn(absl::string_view msg, const LogFields& fields, absl::string_view key) {
  Log(LogLevel::kWarn, msg, fields, key);
}

void Logger::Error(absl::string_view msg, const LogFields& fields, absl::string_view key) {
  Log(LogLevel::kError, msg, fields, key);
}

void Logger::Log(LogLevel level, absl::string_view msg, const LogFields& fields,
                 absl::string_view key) {
  if (!Enabled(level)) return;
  absl::Time now = clock_();
  absl::MutexLock lock(&mu_);
  if (level >= LogLevel::kWarn) {
    if (key.empty()) key = msg;
    LogRateLimiter::Decision decision = limiter_.Admit(key, now);
    if (decision.suppressed_before > 0) WriteSummary(key, decision.suppressed_before, now);
    if (!decision.write) return;
  }
  sink_(FormatLogLine(options_.format, now, level, msg, fields));
}

void Logger::FlushSuppressed() {
  absl::Time now = clock_();
  absl::MutexLock lock(&mu_);
  for (const auto& [key, count] : limiter_.TakeEnded(now)) WriteSummary(key, count, now);
}

void Logger::WriteRaw(absl::string_view line) {
  absl::MutexLock lock(&mu_);
  sink_(line);
}

void Logger::WriteSummary(absl::string_view key, int64_t count, absl::Time now) {
  if (!Enabled(LogLevel::kWarn)) return;
  sink_(FormatLogLine(options_.format, now, LogLevel::kWarn,
                      absl::StrCat("suppressed ", count, " similar lines"),
                      {{"key", key}, {"suppressed", count}}));
}

}  // namespace querygate
