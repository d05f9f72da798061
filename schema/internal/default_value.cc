#include "schema/internal/default_value.h"

#include <cstdint>
#include <limits>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"

namespace querygate::schema::internal {
namespace {

absl::Status Bad(const FieldType& type, absl::string_view why) {
  std::string type_name(TypeKindName(type.kind));
  if (type.kind == TypeKind::kArray) {
    type_name = absl::StrCat(TypeKindName(type.element_kind), "[]");
  } else if (type.kind == TypeKind::kEnum) {
    type_name = absl::StrCat("@", type.enum_name);
  }
  return absl::InvalidArgumentError(
      absl::StrCat("bad default for its type (", type_name, "): ", why));
}

bool AllDigits(absl::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

int ToInt(absl::string_view digits) {
  int value = 0;
  for (char c : digits) value = value * 10 + (c - '0');
  return value;
}

size_t Utf8Length(absl::string_view text) {
  size_t count = 0;
  for (unsigned char c : text) {
    if ((c & 0xC0) != 0x80) ++count;
  }
  return count;
}

bool FitsDecimal(const std::string& number, int precision, int scale) {
  absl::string_view digits = number;
  absl::ConsumePrefix(&digits, "-");
  if (digits.find_first_of("eE") != absl::string_view::npos) return true;
  size_t dot = digits.find('.');
  absl::string_view whole = digits.substr(0, dot);
  absl::string_view fraction = dot == absl::string_view::npos ? "" : digits.substr(dot + 1);
  while (whole.size() > 1 && whole[0] == '0') whole.remove_prefix(1);
  if (whole == "0") whole = "";
  while (!fraction.empty() && fraction.back() == '0') fraction.remove_suffix(1);
  return static_cast<int>(whole.size()) <= precision - scale &&
         static_cast<int>(fraction.size()) <= scale;
}

// Validates one scalar of `kind`; on success `sql` is its value text (unquoted for numbers and
// booleans, raw string otherwise) and `quoted` says whether it needs quoting.
absl::Status ScalarValue(const FieldType& type, TypeKind kind, const JsonNode& value,
                         const Enum* enum_def, std::string& sql, bool& quoted) {
  quoted = false;
  switch (kind) {
    case TypeKind::kInt32:
    case TypeKind::kInt64: {
      if (!value.is_integer()) {
        return Bad(type, absl::StrCat("expected an integer, got ", value.KindName()));
      }
      if (value.kind == JsonNode::Kind::kUnsigned ||
          (kind == TypeKind::kInt32 && (value.int_value < std::numeric_limits<int32_t>::min() ||
                                        value.int_value > std::numeric_limits<int32_t>::max()))) {
        return Bad(type, absl::StrCat(value.NumberText(), " is out of range"));
      }
      sql = value.NumberText();
      return absl::OkStatus();
    }
    case TypeKind::kFloat64:
    case TypeKind::kDecimal:
      if (!value.is_number()) {
        return Bad(type, absl::StrCat("expected a number, got ", value.KindName()));
      }
      sql = value.NumberText();
      if (kind == TypeKind::kDecimal && type.precision.has_value() &&
          !FitsDecimal(sql, *type.precision, type.scale.value_or(0))) {
        return Bad(type, absl::StrCat(sql, " does not fit NUMERIC(", *type.precision, ",",
                                      type.scale.value_or(0), ")"));
      }
      return absl::OkStatus();
    case TypeKind::kBool:
      if (!value.is_bool()) {
        return Bad(type, absl::StrCat("expected true or false, got ", value.KindName()));
      }
      sql = value.bool_value ? "TRUE" : "FALSE";
      return absl::OkStatus();
    default:
      break;
  }
  if (!value.is_string()) {
    return Bad(type, absl::StrCat("expected a string, got ", value.KindName()));
  }
  const std::string& text = value.text;
  quoted = true;
  sql = text;
  switch (kind) {
    case TypeKind::kString:
      if (!type.IsArray() && Utf8Length(text) > static_cast<size_t>(type.length.value_or(255))) {
        return Bad(type, absl::StrCat("longer than length ", type.length.value_or(255)));
      }
      return absl::OkStatus();
    case TypeKind::kText:
      return absl::OkStatus();
    case TypeKind::kEnum:
      if (enum_def != nullptr && !enum_def->Contains(text)) {
        return Bad(type, absl::StrCat("'", text, "' is not a value of enum ", enum_def->name));
      }
      return absl::OkStatus();
    case TypeKind::kUuid:
    case TypeKind::kUuidV7:
      if (!IsUuid(text)) return Bad(type, absl::StrCat("'", text, "' is not a UUID"));
      return absl::OkStatus();
    case TypeKind::kDate:
      if (!IsIsoDate(text)) {
        return Bad(type, absl::StrCat("'", text, "' is not a YYYY-MM-DD date or now()"));
      }
      return absl::OkStatus();
    case TypeKind::kDateTime:
      if (!IsIsoDateTime(text)) {
        return Bad(type, absl::StrCat("'", text, "' is not an ISO-8601 date-time or now()"));
      }
      return absl::OkStatus();
    case TypeKind::kBytes: {
      absl::string_view hex = text;
      bool ok = absl::ConsumePrefix(&hex, "\\x") && hex.size() % 2 == 0;
      for (char c : hex) ok = ok && absl::ascii_isxdigit(static_cast<unsigned char>(c));
      if (!ok) return Bad(type, "expected a hex string like \"\\\\xdeadbeef\"");
      return absl::OkStatus();
    }
    default:
      return Bad(type, "defaults are not supported for this type");
  }
}

std::string ArrayElementText(const std::string& value, bool quoted) {
  if (!quoted) return value;
  std::string out = "\"";
  for (char c : value) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
  return out;
}

}  // namespace

std::string SqlStringLiteral(absl::string_view text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') out += '\'';
    out += c;
  }
  out += '\'';
  return out;
}

bool IsIsoDate(absl::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return false;
  absl::string_view year = text.substr(0, 4), month = text.substr(5, 2), day = text.substr(8, 2);
  if (!AllDigits(year) || !AllDigits(month) || !AllDigits(day)) return false;
  int y = ToInt(year), m = ToInt(month), d = ToInt(day);
  if (m < 1 || m > 12 || d < 1) return false;
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  int max_day = kDays[m - 1] + (m == 2 && leap ? 1 : 0);
  return d <= max_day;
}

bool IsIsoDateTime(absl::string_view text) {
  if (text.size() < 10 || !IsIsoDate(text.substr(0, 10))) return false;
  absl::string_view rest = text.substr(10);
  if (rest.empty()) return true;
  if (rest[0] != 'T' && rest[0] != ' ') return false;
  rest.remove_prefix(1);
  auto two_digits = [&rest](int max) {
    if (rest.size() < 2 || !AllDigits(rest.substr(0, 2))) return false;
    int value = ToInt(rest.substr(0, 2));
    rest.remove_prefix(2);
    return value <= max;
  };
  if (!two_digits(23) || !absl::ConsumePrefix(&rest, ":") || !two_digits(59)) return false;
  if (absl::ConsumePrefix(&rest, ":")) {
    if (!two_digits(60)) return false;
    if (absl::ConsumePrefix(&rest, ".")) {
      size_t n = 0;
      while (n < rest.size() && absl::ascii_isdigit(static_cast<unsigned char>(rest[n]))) ++n;
      if (n == 0) return false;
      rest.remove_prefix(n);
    }
  }
  if (rest.empty() || rest == "Z") return true;
  if (rest[0] != '+' && rest[0] != '-') return false;
  rest.remove_prefix(1);
  if (!two_digits(23)) return false;
  if (rest.empty()) return true;
  absl::ConsumePrefix(&rest, ":");
  return two_digits(59) && rest.empty();
}

bool IsUuid(absl::string_view text) {
  if (text.size() != 36) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash != (text[i] == '-')) return false;
    if (!dash && !absl::ascii_isxdigit(static_cast<unsigned char>(text[i]))) return false;
  }
  return true;
}

absl::StatusOr<DefaultSql> DefaultToSql(const FieldType& type, bool nullable, const JsonNode& value,
                                        const Enum* enum_def) {
  if (value.is_null()) {
    if (!nullable) return Bad(type, "null on a non-nullable field");
    return DefaultSql{"NULL", true};
  }
  TypeKind kind = type.kind;
  if (value.is_string()) {
    std::string call = absl::AsciiStrToLower(value.text);
    bool is_time = kind == TypeKind::kDateTime || kind == TypeKind::kDate;
    bool is_uuid = kind == TypeKind::kUuid || kind == TypeKind::kUuidV7;
    if (is_time && call == "now()") return DefaultSql{"now()", false};
    if (is_uuid && call == "generate_uuid_v7()") return DefaultSql{"generate_uuid_v7()", false};
    if (kind == TypeKind::kUuid && call == "gen_random_uuid()") {
      return DefaultSql{"gen_random_uuid()", false};
    }
  }
  if (kind == TypeKind::kJson) {
    if (!value.is_object() && !value.is_array()) {
      return Bad(type, absl::StrCat("expected an object or array, got ", value.KindName()));
    }
    return DefaultSql{SqlStringLiteral(DumpJson(value)), true};
  }
  if (kind == TypeKind::kArray || kind == TypeKind::kVector) {
    if (!value.is_array()) {
      return Bad(type, absl::StrCat("expected an array, got ", value.KindName()));
    }
    if (kind == TypeKind::kVector && type.dimensions.has_value() &&
        value.elements.size() != static_cast<size_t>(*type.dimensions)) {
      return Bad(type, absl::StrCat("expected ", *type.dimensions, " numbers"));
    }
    TypeKind element = kind == TypeKind::kVector ? TypeKind::kFloat64 : type.element_kind;
    std::vector<std::string> parts;
    for (const JsonNode& item : value.elements) {
      std::string sql;
      bool quoted = false;
      if (absl::Status s = ScalarValue(type, element, item, enum_def, sql, quoted); !s.ok()) {
        return s;
      }
      parts.push_back(ArrayElementText(sql, quoted));
    }
    return DefaultSql{SqlStringLiteral(absl::StrCat("{", absl::StrJoin(parts, ","), "}")), true};
  }
  std::string sql;
  bool quoted = false;
  if (absl::Status s = ScalarValue(type, kind, value, enum_def, sql, quoted); !s.ok()) return s;
  return DefaultSql{quoted ? SqlStringLiteral(sql) : sql, true};
}

}  // namespace querygate::schema::internal
