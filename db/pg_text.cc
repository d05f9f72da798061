#include "db/pg_text.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"
#include "common/json_value.h"

namespace querygate::db {
namespace {

constexpr int64_t kMicrosPerSecond = 1000000;
constexpr int64_t kSecondsPerDay = 86400;

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
int64_t DaysFromCivil(int64_t y, int64_t m, int64_t d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

void CivilFromDays(int64_t z, int64_t& y, int64_t& m, int64_t& d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = yoe + era * 400;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2;
}

bool IsLeap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int64_t DaysInMonth(int64_t y, int64_t m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

// Reads exactly `n` digits at `pos`; returns false if they are not there.
bool Digits(absl::string_view text, size_t& pos, size_t n, int64_t& out) {
  if (pos + n > text.size()) return false;
  out = 0;
  for (size_t i = 0; i < n; ++i) {
    char c = text[pos + i];
    if (c < '0' || c > '9') return false;
    out = out * 10 + (c - '0');
  }
  pos += n;
  return true;
}

bool ValidDate(absl::string_view text) {
  size_t pos = 0;
  int64_t y, m, d;
  if (text.size() != 10 || !Digits(text, pos, 4, y) || text[pos++] != '-' ||
      !Digits(text, pos, 2, m) || text[pos++] != '-' || !Digits(text, pos, 2, d)) {
    return false;
  }
  return y >= 1 && m >= 1 && m <= 12 && d >= 1 && d <= DaysInMonth(y, m);
}

bool ValidDecimal(absl::string_view text) {
  size_t i = 0;
  if (i < text.size() && (text[i] == '+' || text[i] == '-')) ++i;
  size_t int_digits = 0, frac_digits = 0;
  while (i < text.size() && absl::ascii_isdigit(text[i])) ++i, ++int_digits;
  if (i < text.size() && text[i] == '.') {
    ++i;
    while (i < text.size() && absl::ascii_isdigit(text[i])) ++i, ++frac_digits;
  }
  if (int_digits + frac_digits == 0) return false;
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    if (i < text.size() && (text[i] == '+' || text[i] == '-')) ++i;
    size_t exp_digits = 0;
    while (i < text.size() && absl::ascii_isdigit(text[i])) ++i, ++exp_digits;
    if (exp_digits == 0) return false;
  }
  return i == text.size();
}

bool ValidUuid(absl::string_view text) {
  if (text.size() != 36) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? text[i] != '-' : !absl::ascii_isxdigit(text[i])) return false;
  }
  return true;
}

absl::Status WrongKind(absl::string_view name, const char* expected, const Value& value) {
  return absl::InvalidArgumentError(
      absl::StrCat("parameter ", name, ": expected ", expected, ", got ", KindName(value.kind())));
}

absl::StatusOr<std::string> EncodeScalar(const Value& value, PgScalar scalar,
                                         absl::string_view name) {
  switch (scalar) {
    case PgScalar::kInt32:
      if (value.kind() != Value::Kind::kInt) return WrongKind(name, "an integer", value);
      if (value.int_value() < INT32_MIN || value.int_value() > INT32_MAX) {
        return absl::InvalidArgumentError(absl::StrCat("parameter ", name, ": ", value.int_value(),
                                                       " is out of range for int32"));
      }
      return absl::StrCat(value.int_value());
    case PgScalar::kInt64:
      if (value.kind() != Value::Kind::kInt) return WrongKind(name, "an integer", value);
      return absl::StrCat(value.int_value());
    case PgScalar::kFloat64: {
      double v;
      if (value.kind() == Value::Kind::kInt) {
        v = static_cast<double>(value.int_value());
      } else if (value.kind() == Value::Kind::kDouble) {
        v = value.double_value();
      } else {
        return WrongKind(name, "a number", value);
      }
      if (!std::isfinite(v)) {
        return absl::InvalidArgumentError(
            absl::StrCat("parameter ", name, ": NaN and infinity are not allowed"));
      }
      return absl::StrFormat("%.17g", v);
    }
    case PgScalar::kDecimal:
      if (value.kind() == Value::Kind::kInt) return absl::StrCat(value.int_value());
      if (value.kind() == Value::Kind::kDouble) {
        if (!std::isfinite(value.double_value())) {
          return absl::InvalidArgumentError(
              absl::StrCat("parameter ", name, ": NaN and infinity are not allowed"));
        }
        return absl::StrFormat("%.17g", value.double_value());
      }
      if (value.kind() != Value::Kind::kString) return WrongKind(name, "a decimal string", value);
      if (!ValidDecimal(value.string_value())) {
        return absl::InvalidArgumentError(absl::StrCat(
            "parameter ", name, ": \"", value.string_value(), "\" is not a decimal number"));
      }
      return value.string_value();
    case PgScalar::kBool:
      if (value.kind() != Value::Kind::kBool) return WrongKind(name, "a bool", value);
      return std::string(value.bool_value() ? "t" : "f");
    case PgScalar::kText:
      if (value.kind() != Value::Kind::kString) return WrongKind(name, "a string", value);
      if (value.string_value().find('\0') != std::string::npos) {
        return absl::InvalidArgumentError(
            absl::StrCat("parameter ", name, ": strings cannot contain NUL characters"));
      }
      return value.string_value();
    case PgScalar::kBytes: {
      if (value.kind() != Value::Kind::kBytes) return WrongKind(name, "bytes", value);
      static constexpr char kHex[] = "0123456789abcdef";
      std::string out = "\\x";
      for (unsigned char c : value.bytes_value()) {
        out.push_back(kHex[c >> 4]);
        out.push_back(kHex[c & 0xF]);
      }
      return out;
    }
    case PgScalar::kTimestamp: {
      if (value.kind() != Value::Kind::kTimestamp) return WrongKind(name, "a timestamp", value);
      int64_t micros = value.time_value().micros;
      if (micros < kMinTimestampMicros || micros > kMaxTimestampMicros) {
        return absl::InvalidArgumentError(
            absl::StrCat("parameter ", name, ": timestamp is outside years 0001-9999"));
      }
      return FormatTimestamp(value.time_value());
    }
    case PgScalar::kDate:
      if (value.kind() != Value::Kind::kString) return WrongKind(name, "a date string", value);
      if (!ValidDate(value.string_value())) {
        return absl::InvalidArgumentError(absl::StrCat(
            "parameter ", name, ": \"", value.string_value(), "\" is not a YYYY-MM-DD date"));
      }
      return value.string_value();
    case PgScalar::kUuid:
      if (value.kind() != Value::Kind::kString) return WrongKind(name, "a uuid string", value);
      if (!ValidUuid(value.string_value())) {
        return absl::InvalidArgumentError(
            absl::StrCat("parameter ", name, ": \"", value.string_value(), "\" is not a uuid"));
      }
      return absl::AsciiStrToLower(value.string_value());
    case PgScalar::kJson: {
      auto json = ValueToJson(value);
      if (!json.ok()) {
        return absl::InvalidArgumentError(
            absl::StrCat("parameter ", name, ": ", json.status().message()));
      }
      return *std::move(json);
    }
  }
  return absl::InternalError("unreachable");
}

uint32_t ElementOid(uint32_t array_oid) {
  switch (array_oid) {
    case 1000:
      return 16;
    case 1001:
      return 17;
    case 1005:
      return 21;
    case 1007:
      return 23;
    case 1009:
      return 25;
    case 1014:
      return 1042;
    case 1015:
      return 1043;
    case 1016:
      return 20;
    case 1021:
      return 700;
    case 1022:
      return 701;
    case 1115:
      return 1114;
    case 1182:
      return 1082;
    case 1185:
      return 1184;
    case 1231:
      return 1700;
    case 1187:
      return 1186;
    case 2951:
      return 2950;
    case 199:
      return 114;
    case 3807:
      return 3802;
    case 1028:
      return 26;
    default:
      return 0;
  }
}

// Parses one `{...}` level of a PostgreSQL array literal starting at text[pos] == '{'.
absl::StatusOr<Value> ParseArray(absl::string_view text, size_t& pos, uint32_t element_oid) {
  if (pos >= text.size() || text[pos] != '{') {
    return absl::InternalError(absl::StrCat("bad array literal: ", text));
  }
  ++pos;
  Value::List items;
  if (pos < text.size() && text[pos] == '}') {
    ++pos;
    return Value::ListOf(std::move(items));
  }
  while (pos < text.size()) {
    if (text[pos] == '{') {
      auto nested = ParseArray(text, pos, element_oid);
      if (!nested.ok()) return nested;
      items.push_back(*std::move(nested));
    } else if (text[pos] == '"') {
      std::string element;
      ++pos;
      while (pos < text.size() && text[pos] != '"') {
        if (text[pos] == '\\' && pos + 1 < text.size()) ++pos;
        element.push_back(text[pos++]);
      }
      ++pos;
      auto decoded = DecodeCell(element_oid, element);
      if (!decoded.ok()) return decoded;
      items.push_back(*std::move(decoded));
    } else {
      size_t end = text.find_first_of(",}", pos);
      if (end == absl::string_view::npos) break;
      absl::string_view element = text.substr(pos, end - pos);
      pos = end;
      if (absl::EqualsIgnoreCase(element, "NULL")) {
        items.emplace_back();
      } else {
        auto decoded = DecodeCell(element_oid, element);
        if (!decoded.ok()) return decoded;
        items.push_back(*std::move(decoded));
      }
    }
    if (pos < text.size() && text[pos] == ',') {
      ++pos;
    } else if (pos < text.size() && text[pos] == '}') {
      ++pos;
      return Value::ListOf(std::move(items));
    }
  }
  return absl::InternalError(absl::StrCat("bad array literal: ", text));
}

std::string QuoteArrayElement(absl::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

}  // namespace

std::string SqlTypeName(PgParamType type) {
  const char* base = "text";
  switch (type.scalar) {
    case PgScalar::kInt32:
      base = "integer";
      break;
    case PgScalar::kInt64:
      base = "bigint";
      break;
    case PgScalar::kFloat64:
      base = "double precision";
      break;
    case PgScalar::kDecimal:
      base = "numeric";
      break;
    case PgScalar::kBool:
      base = "boolean";
      break;
    case PgScalar::kText:
      base = "text";
      break;
    case PgScalar::kBytes:
      base = "bytea";
      break;
    case PgScalar::kTimestamp:
      base = "timestamptz";
      break;
    case PgScalar::kDate:
      base = "date";
      break;
    case PgScalar::kUuid:
      base = "uuid";
      break;
    case PgScalar::kJson:
      base = "jsonb";
      break;
  }
  return type.array ? absl::StrCat(base, "[]") : std::string(base);
}

absl::StatusOr<std::string> EncodeParam(const Value& value, PgParamType type,
                                        absl::string_view name) {
  if (!type.array) return EncodeScalar(value, type.scalar, name);
  if (value.kind() != Value::Kind::kList) return WrongKind(name, "a list", value);
  std::string out = "{";
  bool first = true;
  for (const Value& item : value.list_value()) {
    if (!first) out.push_back(',');
    first = false;
    if (item.is_null()) {
      out += "NULL";
      continue;
    }
    if (item.kind() == Value::Kind::kList && type.scalar != PgScalar::kJson) {
      return absl::InvalidArgumentError(
          absl::StrCat("parameter ", name, ": nested lists are not supported"));
    }
    auto encoded = EncodeScalar(item, type.scalar, name);
    if (!encoded.ok()) return encoded.status();
    out += QuoteArrayElement(*encoded);
  }
  out.push_back('}');
  return out;
}

std::string FormatTimestamp(Timestamp ts) {
  int64_t seconds = ts.micros / kMicrosPerSecond;
  int64_t micros = ts.micros % kMicrosPerSecond;
  if (micros < 0) {
    micros += kMicrosPerSecond;
    --seconds;
  }
  int64_t days = seconds / kSecondsPerDay;
  int64_t rest = seconds % kSecondsPerDay;
  if (rest < 0) {
    rest += kSecondsPerDay;
    --days;
  }
  int64_t y, m, d;
  CivilFromDays(days, y, m, d);
  return absl::StrFormat("%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", y, m, d, rest / 3600,
                         (rest / 60) % 60, rest % 60, micros);
}

absl::StatusOr<Timestamp> ParsePgTimestamp(absl::string_view text) {
  auto bad = [&] { return absl::InternalError(absl::StrCat("bad timestamp: ", text)); };
  bool bc = absl::ConsumeSuffix(&text, " BC");
  size_t pos = 0;
  int64_t year = 0;
  while (pos < text.size() && absl::ascii_isdigit(text[pos])) {
    year = year * 10 + (text[pos++] - '0');
  }
  int64_t month, day, hour, minute, second;
  if (pos < 4 || pos >= text.size() || text[pos++] != '-' || !Digits(text, pos, 2, month) ||
      pos >= text.size() || text[pos++] != '-' || !Digits(text, pos, 2, day) ||
      pos >= text.size() || (text[pos] != ' ' && text[pos] != 'T')) {
    return bad();
  }
  ++pos;
  if (!Digits(text, pos, 2, hour) || pos >= text.size() || text[pos++] != ':' ||
      !Digits(text, pos, 2, minute) || pos >= text.size() || text[pos++] != ':' ||
      !Digits(text, pos, 2, second)) {
    return bad();
  }
  int64_t fraction = 0;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    int digits = 0;
    while (pos < text.size() && absl::ascii_isdigit(text[pos])) {
      if (digits < 6) fraction = fraction * 10 + (text[pos] - '0');
      ++digits;
      ++pos;
    }
    for (; digits < 6; ++digits) fraction *= 10;
  }
  int64_t offset_seconds = 0;
  if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
    int sign = text[pos++] == '-' ? -1 : 1;
    int64_t oh = 0, om = 0, os = 0;
    if (!Digits(text, pos, 2, oh)) return bad();
    if (pos < text.size() && text[pos] == ':') {
      ++pos;
      if (!Digits(text, pos, 2, om)) return bad();
      if (pos < text.size() && text[pos] == ':') {
        ++pos;
        if (!Digits(text, pos, 2, os)) return bad();
      }
    }
    offset_seconds = sign * (oh * 3600 + om * 60 + os);
  } else if (pos < text.size() && text[pos] == 'Z') {
    ++pos;
  }
  if (pos != text.size()) return bad();
  if (bc) year = 1 - year;
  int64_t days = DaysFromCivil(year, month, day);
  int64_t seconds = days * kSecondsPerDay + hour * 3600 + minute * 60 + second - offset_seconds;
  return Timestamp{seconds * kMicrosPerSecond + fraction};
}

absl::StatusOr<Value> DecodeCell(uint32_t type_oid, absl::string_view text) {
  switch (type_oid) {
    case 16:
      return Value::Bool(text == "t");
    case 20:
    case 21:
    case 23:
    case 26: {
      int64_t v;
      if (!absl::SimpleAtoi(text, &v)) return absl::InternalError(absl::StrCat("bad int: ", text));
      return Value::Int(v);
    }
    case 700:
    case 701: {
      std::string copy(text);
      return Value::Double(std::strtod(copy.c_str(), nullptr));
    }
    case 1114:
    case 1184: {
      if (text == "infinity" || text == "-infinity") return Value::String(std::string(text));
      auto ts = ParsePgTimestamp(text);
      if (!ts.ok()) return ts.status();
      return Value::Time(*ts);
    }
    case 114:
    case 3802: {
      auto json = ParseJsonValue(text);
      if (!json.ok()) return absl::InternalError("bad json from the database");
      return json;
    }
    case 17: {
      if (!absl::StartsWith(text, "\\x")) return Value::Bytes(std::string(text));
      std::string out;
      out.reserve((text.size() - 2) / 2);
      for (size_t i = 2; i + 1 < text.size(); i += 2) {
        auto nibble = [](char c) {
          return absl::ascii_isdigit(c) ? c - '0' : (c | 0x20) - 'a' + 10;
        };
        out.push_back(static_cast<char>(nibble(text[i]) << 4 | nibble(text[i + 1])));
      }
      return Value::Bytes(std::move(out));
    }
    default:
      break;
  }
  uint32_t element = ElementOid(type_oid);
  if (element != 0) {
    size_t pos = text.find('{');
    if (pos == absl::string_view::npos) return absl::InternalError("bad array literal");
    return ParseArray(text, pos, element);
  }
  return Value::String(std::string(text));
}

std::string TypeNameForOid(uint32_t type_oid) {
  uint32_t element = ElementOid(type_oid);
  if (element != 0) return absl::StrCat(TypeNameForOid(element), "[]");
  switch (type_oid) {
    case 16:
      return "boolean";
    case 17:
      return "bytea";
    case 18:
      return "char";
    case 19:
      return "name";
    case 20:
      return "bigint";
    case 21:
      return "smallint";
    case 23:
      return "integer";
    case 25:
      return "text";
    case 26:
      return "oid";
    case 114:
      return "json";
    case 700:
      return "real";
    case 701:
      return "double precision";
    case 1042:
      return "character";
    case 1043:
      return "character varying";
    case 1082:
      return "date";
    case 1083:
      return "time";
    case 1114:
      return "timestamp";
    case 1184:
      return "timestamptz";
    case 1186:
      return "interval";
    case 1700:
      return "numeric";
    case 2278:
      return "void";
    case 2950:
      return "uuid";
    case 3802:
      return "jsonb";
    default:
      return absl::StrCat("oid:", type_oid);
  }
}

}  // namespace querygate::db
