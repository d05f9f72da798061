#ifndef QUERYGATE_COMMON_LOG_FORMAT_H_
#define QUERYGATE_COMMON_LOG_FORMAT_H_

#include <cstdint>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace querygate {

// Severity of a log line, lowest first.
enum class LogLevel { kDebug, kInfo, kWarn, kError };

// How a log line is written: one JSON object, or logfmt (key=value pairs).
enum class LogFormat { kJson, kLogfmt };

// Returns "debug", "info", "warn" or "error".
absl::string_view LogLevelName(LogLevel level);

// Parses "debug", "info", "warn" or "error"; fails with INVALID_ARGUMENT naming `field`.
absl::StatusOr<LogLevel> ParseLogLevel(absl::string_view text, absl::string_view field);

// Parses "json" or "logfmt"; fails with INVALID_ARGUMENT naming `field`.
absl::StatusOr<LogFormat> ParseLogFormat(absl::string_view text, absl::string_view field);

// One key and value of a log line. Text is written quoted and escaped; numbers and booleans
// bare. Keys are fixed names chosen by the code, never caller text.
class LogField {
 public:
  enum class Kind { kText, kInteger, kNumber, kBool };

  LogField(std::string key, absl::string_view text)
      : key_(std::move(key)), kind_(Kind::kText), text_(text) {}
  LogField(std::string key, const char* text)
      : key_(std::move(key)), kind_(Kind::kText), text_(text) {}
  LogField(std::string key, const std::string& text)
      : key_(std::move(key)), kind_(Kind::kText), text_(text) {}
  LogField(std::string key, bool value)
      : key_(std::move(key)), kind_(Kind::kBool), text_(value ? "true" : "false") {}
  LogField(std::string key, double value);
  template <typename T,
            typename = std::enable_if_t<std::is_integral_v<T> && !std::is_same_v<T, bool>>>
  LogField(std::string key, T value)
      : key_(std::move(key)), kind_(Kind::kInteger), text_(std::to_string(value)) {}

  const std::string& key() const { return key_; }
  Kind kind() const { return kind_; }
  // The text, or the decimal form of a number or boolean.
  const std::string& text() const { return text_; }

 private:
  std::string key_;
  Kind kind_;
  std::string text_;
};

using LogFields = std::vector<LogField>;

// Returns `text` as a JSON string literal (with the quotes): '"' and '\' escaped, control
// bytes and DEL as \uXXXX (\n, \r, \t short), and every byte that is not part of valid UTF-8
// (overlong forms, surrogates and code points past U+10FFFF included) as U+FFFD.
std::string JsonQuote(absl::string_view text);

// Returns `text` as a logfmt value: bare when it is non-empty printable ASCII without space,
// '=' or '"'; otherwise quoted with the escapes of JsonQuote.
std::string LogfmtValue(absl::string_view text);

// Returns `time` in RFC 3339, UTC, with milliseconds: "2026-01-02T03:04:05.678Z".
std::string LogTimestamp(absl::Time time);

// Returns one log line, without the newline: ts, level and msg first, then `fields` in order.
std::string FormatLogLine(LogFormat format, absl::Time time, LogLevel level, absl::string_view msg,
                          const LogFields& fields);

}  // namespace querygate

#endif  // QUERYGATE_COMMON_LOG_FORMAT_H_
