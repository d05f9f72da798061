#include "schema/internal/type_parser.h"

#include <optional>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "schema/internal/naming.h"

namespace querygate::schema::internal {
namespace {

std::optional<TypeKind> KindFromName(absl::string_view name) {
  static constexpr std::pair<absl::string_view, TypeKind> kNames[] = {
      {"int32", TypeKind::kInt32},       {"int64", TypeKind::kInt64},
      {"float64", TypeKind::kFloat64},   {"decimal", TypeKind::kDecimal},
      {"bool", TypeKind::kBool},         {"string", TypeKind::kString},
      {"text", TypeKind::kText},         {"bytes", TypeKind::kBytes},
      {"datetime", TypeKind::kDateTime}, {"date", TypeKind::kDate},
      {"uuid", TypeKind::kUuid},         {"uuid_v7", TypeKind::kUuidV7},
      {"json", TypeKind::kJson},         {"vector", TypeKind::kVector},
  };
  for (const auto& [spelled, kind] : kNames) {
    if (spelled == name) return kind;
  }
  return std::nullopt;
}

absl::Status Unknown(absl::string_view spelling) {
  return absl::InvalidArgumentError(absl::StrCat("unknown type '", spelling, "'"));
}

// Applies "(a[,b])" arguments of `kind` to `type`.
absl::Status ApplyArguments(absl::string_view spelling, TypeKind kind, absl::string_view args,
                            FieldType& type) {
  std::vector<int> numbers;
  for (absl::string_view part : absl::StrSplit(args, ',')) {
    int value = 0;
    if (!absl::SimpleAtoi(absl::StripAsciiWhitespace(part), &value)) {
      return absl::InvalidArgumentError(
          absl::StrCat("bad type arguments in '", spelling, "': expected integers"));
    }
    numbers.push_back(value);
  }
  switch (kind) {
    case TypeKind::kDecimal:
      if (numbers.size() > 2) break;
      type.precision = numbers[0];
      type.scale = numbers.size() == 2 ? numbers[1] : 0;
      return absl::OkStatus();
    case TypeKind::kString:
      if (numbers.size() != 1) break;
      type.length = numbers[0];
      return absl::OkStatus();
    case TypeKind::kVector:
      if (numbers.size() != 1) break;
      type.dimensions = numbers[0];
      return absl::OkStatus();
    default:
      return absl::InvalidArgumentError(
          absl::StrCat("type '", TypeKindName(kind), "' takes no arguments (in '", spelling, "')"));
  }
  return absl::InvalidArgumentError(
      absl::StrCat("wrong number of type arguments in '", spelling, "'"));
}

}  // namespace

bool IsArrayElementKind(TypeKind kind) {
  return kind != TypeKind::kJson && kind != TypeKind::kVector && kind != TypeKind::kArray;
}

absl::StatusOr<TypeSpelling> ParseTypeSpelling(absl::string_view spelling) {
  TypeSpelling result;
  absl::string_view rest = absl::StripAsciiWhitespace(spelling);
  if (absl::ConsumeSuffix(&rest, "?")) result.nullable = true;
  if (absl::ConsumeSuffix(&rest, "[]")) result.is_array = true;
  rest = absl::StripAsciiWhitespace(rest);
  if (rest.empty()) return Unknown(spelling);

  if (absl::ConsumePrefix(&rest, "@")) {
    if (!IsValidIdentifier(rest)) {
      return absl::InvalidArgumentError(absl::StrCat("invalid reference '", spelling, "'"));
    }
    result.is_reference = true;
    result.reference = std::string(rest);
    return result;
  }

  std::string compact = absl::StrReplaceAll(rest, {{" ", ""}, {"\t", ""}});
  TypeKind kind;
  if (absl::StartsWith(compact, "map<")) {
    if (compact != "map<string,any>") return Unknown(spelling);
    kind = TypeKind::kJson;
  } else if (size_t open = compact.find('('); open != std::string::npos) {
    if (compact.back() != ')') return Unknown(spelling);
    std::optional<TypeKind> base = KindFromName(compact.substr(0, open));
    if (!base.has_value()) return Unknown(spelling);
    kind = *base;
    std::string args = compact.substr(open + 1, compact.size() - open - 2);
    if (absl::Status s = ApplyArguments(spelling, kind, args, result.type); !s.ok()) return s;
  } else {
    std::optional<TypeKind> base = KindFromName(compact);
    if (!base.has_value()) return Unknown(spelling);
    kind = *base;
  }

  if (result.is_array) {
    if (!IsArrayElementKind(kind)) {
      return absl::InvalidArgumentError(
          absl::StrCat("arrays of '", TypeKindName(kind), "' are not supported"));
    }
    result.type.kind = TypeKind::kArray;
    result.type.element_kind = kind;
  } else {
    result.type.kind = kind;
  }
  return result;
}

}  // namespace querygate::schema::internal
