#include "schema/internal/option_values.h"

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
