#include "migrate/type_change.h"

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"

namespace querygate::migrate {
namespace {

struct ParsedType {
  std::string base;
  std::vector<int> modifiers;
  bool array = false;
};

std::optional<ParsedType> Parse(absl::string_view text) {
  ParsedType type;
  absl::string_view rest = absl::StripAsciiWhitespace(text);
  if (absl::ConsumeSuffix(&rest, "[]")) type.array = true;
  size_t open = rest.find('(');
  if (open == absl::string_view::npos) {
    type.base = std::string(rest);
    return type;
  }
  size_t close = rest.find(')', open);
  if (close == absl::string_view::npos) return std::nullopt;
  type.base = std::string(absl::StripAsciiWhitespace(rest.substr(0, open)));
  for (absl::string_view part : absl::StrSplit(rest.substr(open + 1, close - open - 1), ',')) {
    int value = 0;
    if (!absl::SimpleAtoi(absl::StripAsciiWhitespace(part), &value)) return std::nullopt;
    type.modifiers.push_back(value);
  }
  return type;
}

int IntegerRank(const std::string& base) {
  if (base == "smallint") return 1;
  if (base == "integer") return 2;
  if (base == "bigint") return 3;
  return 0;
}

bool IsCharacter(const std::string& base) {
  return base == "character varying" || base == "character" || base == "text";
}

bool Widens(const ParsedType& from, const ParsedType& to) {
  int from_rank = IntegerRank(from.base);
  int to_rank = IntegerRank(to.base);
  if (from_rank > 0 && to_rank > 0) return to_rank >= from_rank;
  if (from_rank > 0 && to.base == "numeric") {
    return to.modifiers.empty() ||
           to.modifiers[0] - (to.modifiers.size() > 1 ? to.modifiers[1] : 0) >= 19;
  }
  if (from.base == "real" && to.base == "double precision") return true;
  if (IsCharacter(from.base) && IsCharacter(to.base)) {
    if (to.base == "text") return true;
    if (to.base == "character varying" && to.modifiers.empty()) return true;
    if (from.base == "text" || from.modifiers.empty()) return false;
    return to.base == "character varying" && to.modifiers[0] >= from.modifiers[0];
  }
  if (from.base == "numeric" && to.base == "numeric") {
    if (to.modifiers.empty()) return true;
    if (from.modifiers.empty()) return false;
    int from_scale = from.modifiers.size() > 1 ? from.modifiers[1] : 0;
    int to_scale = to.modifiers.size() > 1 ? to.modifiers[1] : 0;
    return to_scale >= from_scale && to.modifiers[0] - to_scale >= from.modifiers[0] - from_scale;
  }
  if (from.base == "timestamp without time zone" && to.base == "timestamp with time zone") {
    return true;
  }
  if (from.base == "json" && to.base == "jsonb") return true;
  return false;
}

}  // namespace

bool IsWideningTypeChange(absl::string_view from, absl::string_view to) {
  std::optional<ParsedType> a = Parse(from);
  std::optional<ParsedType> b = Parse(to);
  if (!a || !b || a->array != b->array) return false;
  if (a->base == b->base && a->modifiers == b->modifiers) return true;
  return Widens(*a, *b);
}

}  // namespace querygate::migrate
