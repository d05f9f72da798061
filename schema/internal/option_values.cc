#include "schema/internal/option_values.h"

#include <set>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace querygate::schema::internal {
namespace {

std::string LastSegment(const std::string& path) {
  size_t dot = path.rfind('.');
  return dot == std::string::npos ? path : path.substr(dot + 1);
}

}  // namespace

std::optional<bool> ReadBool(const JsonNode& value, const std::string& file,
                             const std::string& path, Diagnostics& diag) {
  if (!value.is_bool()) {
    diag.Error(file, path,
               absl::StrCat("bad option value: ", LastSegment(path), " must be true or false, got ",
                            value.KindName()));
    return std::nullopt;
  }
  return value.bool_value;
}

std::optional<std::string> ReadString(const JsonNode& value, const std::string& file,
                                      const std::string& path, Diagnostics& diag) {
  if (!value.is_string()) {
    diag.Error(file, path,
               absl::StrCat("bad option value: ", LastSegment(path), " must be a string, got ",
                            value.KindName()));
    return std::nullopt;
  }
  return value.text;
}

std::optional<int64_t> ReadInteger(const JsonNode& value, const std::string& file,
                                   const std::string& path, Diagnostics& diag) {
  if (value.kind != JsonNode::Kind::kInteger) {
    diag.Error(file, path,
               absl::StrCat("bad option value: ", LastSegment(path), " must be an integer, got ",
                            value.KindName()));
    return std::nullopt;
  }
  return value.int_value;
}

std::optional<std::vector<std::string>> ReadRoles(const JsonNode& value, const std::string& file,
                                                  const std::string& path, Diagnostics& diag) {
  if (!value.is_array() || value.elements.empty()) {
    diag.Error(
        file, path,
        absl::StrCat("bad option value: ", LastSegment(path),
                     " must be a non-empty array of role names, got ",
                     value.is_array() ? absl::string_view("an empty array") : value.KindName()));
    return std::nullopt;
  }
  std::vector<std::string> roles;
  std::set<std::string> seen;
  bool ok = true;
  for (size_t i = 0; i < value.elements.size(); ++i) {
    const JsonNode& role = value.elements[i];
    std::string role_path = absl::StrCat(path, "[", i, "]");
    if (!role.is_string() || role.text.empty()) {
      diag.Error(file, role_path, "a role must be a non-empty string");
      ok = false;
    } else if (!seen.insert(role.text).second) {
      diag.Error(file, role_path, absl::StrCat("duplicate role '", role.text, "'"));
      ok = false;
    } else {
      roles.push_back(role.text);
    }
  }
  if (!ok) return std::nullopt;
  return roles;
}

std::optional<OnDelete> ParseOnDelete(absl::string_view text) {
  std::vector<std::string> words =
      absl::StrSplit(absl::AsciiStrToUpper(text), ' ', absl::SkipWhitespace());
  std::string normalized = absl::StrJoin(words, " ");
  if (normalized == "CASCADE") return OnDelete::kCascade;
  if (normalized == "SET NULL") return OnDelete::kSetNull;
  if (normalized == "RESTRICT") return OnDelete::kRestrict;
  if (normalized == "NO ACTION") return OnDelete::kNoAction;
  if (normalized == "SET DEFAULT") return OnDelete::kSetDefault;
  return std::nullopt;
}

std::optional<OnDelete> ReadOnDelete(const JsonNode& value, const std::string& file,
                                     const std::string& path, Diagnostics& diag) {
  std::optional<std::string> text = ReadString(value, file, path, diag);
  if (!text.has_value()) return std::nullopt;
  std::optional<OnDelete> action = ParseOnDelete(*text);
  if (!action.has_value()) {
    diag.Error(file, path,
               absl::StrCat("unknown on_delete action '", *text,
                            "' (expected CASCADE, SET NULL, RESTRICT, NO ACTION, SET DEFAULT)"));
  }
  return action;
}

}  // namespace querygate::schema::internal
