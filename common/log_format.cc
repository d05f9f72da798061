#include "common/log_format.h"

#include <cmath>

#include "absl/strings/str_cat.h"

namespace querygate {
namespace {

constexpr absl::string_view kReplacement = "\\ufffd";

// Returns the length of the valid UTF-8 sequence of two to four bytes at text[at], or 0 when
// the bytes there are not one (stray continuation, overlong, surrogate, past U+10FFFF, short).
size_t Utf8SequenceLength(absl::string_view text, size_t at) {
  auto byte = [&](size_t i) { return static_cast<unsigned char>(text[i]); };
  unsigned char lead = byte(at);
  size_t length = 0;
  uint32_t code = 0;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
    code = lead & 0x1F;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    code = lead & 0x0F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    code = lead & 0x07;
  } else {
    return 0;
  }
  if (at + length > text.size()) return 0;
  for (size_t i = 1; i < length; ++i) {
    if ((byte(at + i) & 0xC0) != 0x80) return 0;
    code = (code << 6) | (byte(at + i) & 0x3F);
  }
  if (length == 3 && (code < 0x800 || (code >= 0xD800 && code <= 0xDFFF))) return 0;
  if (length == 4 && (code < 0x10000 || code > 0x10FFFF)) return 0;
  return length;
}

// Appends `text` escaped for the inside of a JSON string literal.
void AppendEscaped(absl::string_view text, std::string& out) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (size_t i = 0; i < text.size();) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c >= 0x80) {
      size_t length = Utf8SequenceLength(text, i);
      if (length == 0) {
        out.append(kReplacement.data(), kReplacement.size());
        ++i;
      } else {
        out.append(text.data() + i, length);
        i += length;
      }
      continue;
    }
    ++i;
    switch (c) {
      case '"':
        out.append("\\\"");
        break;
      case '\\':
        out.append("\\\\");
        break;
      case '\n':
        out.append("\\n");
        break;
      case '\r':
        out.append("\\r");
        break;
      case '\t':
        out.append("\\t");
        break;
      default:
        if (c < 0x20 || c == 0x7F) {
          out.append("\\u00");
          out.push_back(kHex[c >> 4]);
          out.push_back(kHex[c & 0xF]);
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
  }
}

// Returns `key` with every byte outside [A-Za-z0-9_.-] replaced by '_' ("_" when empty).
std::string SafeKey(absl::string_view key) {
  std::string out;
  for (char c : key) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '.' || c == '-';
    out.push_back(ok ? c : '_');
  }
  return out.empty() ? "_" : out;
}

}  // namespace

LogField::LogField(std::string key, double value) : key_(std::move(key)), kind_(Kind::kNumber) {
  if (std::isfinite(value)) {
    text_ = absl::StrCat(value);
  } else {
    kind_ = Kind::kText;
    text_ = std::isnan(value) ? "nan" : (value > 0 ? "inf" : "-inf");
  }
}

absl::string_view LogLevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarn:
      return "warn";
    case LogLevel::kError:
      return "error";
  }
  return "info";
}

absl::StatusOr<LogLevel> ParseLogLevel(absl::string_view text, absl::string_view field) {
  for (LogLevel level : {LogLevel::kDebug, LogLevel::kInfo, LogLevel::kWarn, LogLevel::kError}) {
    if (text == LogLevelName(level)) return level;
  }
  return absl::InvalidArgumentError(
      absl::StrCat(field, ": expected debug, info, warn or error, got \"", text, "\""));
}

absl::StatusOr<LogFormat> ParseLogFormat(absl::string_view text, absl::string_view field) {
  if (text == "json") return LogFormat::kJson;
  if (text == "logfmt") return LogFormat::kLogfmt;
  return absl::InvalidArgumentError(
      absl::StrCat(field, ": expected json or logfmt, got \"", text, "\""));
}

std::string JsonQuote(absl::string_view text) {
  std::string out = "\"";
  out.reserve(text.size() + 2);
  AppendEscaped(text, out);
  out.push_back('"');
  return out;
}

std::string LogfmtValue(absl::string_view text) {
  bool bare = !text.empty();
  for (char c : text) {
    unsigned char u = static_cast<unsigned char>(c);
    bare = bare && u > 0x20 && u < 0x7F && c != '=' && c != '"' && c != '\\';
  }
  return bare ? std::string(text) : JsonQuote(text);
}

std::string LogTimestamp(absl::Time time) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", time, absl::UTCTimeZone());
}

std::string FormatLogLine(LogFormat format, absl::Time time, LogLevel level, absl::string_view msg,
                          const LogFields& fields) {
  std::string out;
  if (format == LogFormat::kJson) {
    absl::StrAppend(&out, "{\"ts\":\"", LogTimestamp(time), "\",\"level\":\"", LogLevelName(level),
                    "\",\"msg\":", JsonQuote(msg));
    for (const LogField& field : fields) {
      absl::StrAppend(
          &out, ",", JsonQuote(SafeKey(field.key())), ":",
          field.kind() == LogField::Kind::kText ? JsonQuote(field.text()) : field.text());
    }
    out.push_back('}');
    return out;
  }
  absl::StrAppend(&out, "ts=", LogTimestamp(time), " level=", LogLevelName(level),
                  " msg=", LogfmtValue(msg));
  for (const LogField& field : fields) {
    absl::StrAppend(&out, " ", SafeKey(field.key()), "=", LogfmtValue(field.text()));
  }
  return out;
}

}  // namespace querygate
