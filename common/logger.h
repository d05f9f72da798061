#ifndef QUERYGATE_COMMON_LOGGER_H_
#define QUERYGATE_COMMON_LOGGER_H_

#include <functional>
#include <memory>

#include "absl/base/thread_annotations.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/log_format.h"
#include "common/log_rate_limiter.h"

namespace querygate {

struct LoggerOptions {
  LogFormat format = LogFormat::kJson;
  // Lines below this level are dropped.
  LogLevel level = LogLevel::kInfo;
  // Warnings and errors per message key and window; the rest are counted and summarized.
  LogRateLimit rate_limit;
};

// A structured logger: one line per event (JSON or logfmt) with ts, level, msg and fields.
// Warnings and errors are rate-limited per key, so a failing backend cannot flood the log.
// Thread-safe. Components take a `Logger*`; null means quiet.
class Logger {
 public:
  using Sink = std::function<void(absl::string_view line)>;
  using Clock = std::function<absl::Time()>;

  // Writes to stderr (through an unregistered spdlog logger).
  explicit Logger(LoggerOptions options);
  // Writes each line to `sink` and reads the time from `clock` (tests).
  Logger(LoggerOptions options, Sink sink, Clock clock);
  ~Logger();

  Logger(const Logger&) = delete;
  Logger& operator=(const Logger&) = delete;

  // True when lines of `level` are written (to skip building costly fields).
  bool Enabled(LogLevel level) const { return level >= options_.level; }

  void Debug(absl::string_view msg, const LogFields& fields = {});
  void Info(absl::string_view msg, const LogFields& fields = {});
  // Rate-limited per `key` (the message when empty); keys must be of bounded variety.
  void Warn(absl::string_view msg, const LogFields& fields = {}, absl::string_view key = {});
  void Error(absl::string_view msg, const LogFields& fields = {}, absl::string_view key = {});
  // Writes one line of `level`; warnings and errors are rate-limited per `key` (or msg).
  void Log(LogLevel level, absl::string_view msg, const LogFields& fields,
           absl::string_view key = {});

  // Writes a "suppressed K similar lines" warning for each rate-limit window that has ended
  // with lines suppressed. Call it now and then (the server does, every 100 ms).
  void FlushSuppressed();

  // Writes `line` unchanged (lines with a format of their own, such as audit lines).
  void WriteRaw(absl::string_view line);

 private:
  // Writes the summary of `count` suppressed lines of `key`.
  void WriteSummary(absl::string_view key, int64_t count, absl::Time now)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const LoggerOptions options_;
  Sink sink_;
  Clock clock_;
  absl::Mutex mu_;
  LogRateLimiter limiter_ ABSL_GUARDED_BY(mu_);
};

}  // namespace querygate

#endif  // QUERYGATE_COMMON_LOGGER_H_
