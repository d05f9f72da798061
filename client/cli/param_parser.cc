#include "client/cli/param_parser.h"

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "client/cli/output.h"
#include "nlohmann/json.hpp"

namespace querygate::cli {
namespace {

absl::Status Bad(const std::string& name, const std::string& text, const std::string& what) {
  return absl::InvalidArgumentError(
      absl::StrCat("parameter ", name, ": \"", text, "\" is not ", what));
}

absl::StatusOr<Value> ParseScalar(const std::string& name, const std::string& scalar,
                                  const std::string& text) {
  if (scalar == "int32" || scalar == "int64") {
    int64_t v;
    if (!absl::SimpleAtoi(text, &v)) return Bad(name, text, "an integer");
    return Value::Int(v);
  }
  if (scalar == "float64" || scalar == "float32") {
    double v;
    if (!absl::SimpleAtod(text, &v)) return Bad(name, text, "a number");
    return Value::Double(v);
  }
  if (scalar == "bool") {
    std::string lower = absl::AsciiStrToLower(text);
    if (lower == "true" || lower == "t" || lower == "yes" || lower == "1") return Value::Bool(true);
    if (lower == "false" || lower == "f" || lower == "no" || lower == "0") {
      return Value::Bool(false);
    }
    return Bad(name, text, "a bool (true or false)");
  }
  if (scalar == "datetime") {
    absl::Time t;
    std::string error;
    if (!absl::ParseTime(absl::RFC3339_full, text, &t, &error)) {
      return Bad(name, text, "an RFC 3339 date-time (2024-02-29T12:34:56Z)");
    }
    return Value::Time({absl::ToUnixMicros(t)});
  }
  if (scalar == "bytes") {
    if (absl::StartsWith(text, "\\x")) {
      std::string hex = text.substr(2);
      if (hex.size() % 2 != 0 ||
          hex.find_first_not_of("0123456789abcdefABCDEF") != std::string::npos) {
        return Bad(name, text, "\\x followed by hex digit pairs");
      }
      return Value::Bytes(absl::HexStringToBytes(hex));
    }
    if (absl::StartsWith(text, "base64:")) {
      std::string bytes;
      if (!absl::Base64Unescape(text.substr(7), &bytes)) return Bad(name, text, "base64");
      return Value::Bytes(std::move(bytes));
    }
    return Value::Bytes(text);
  }
  if (scalar == "json" || absl::StartsWith(scalar, "map<")) {
    nlohmann::json json = nlohmann::json::parse(text, nullptr, false);
    if (json.is_discarded()) return Bad(name, text, "JSON");
    return JsonToValue(json);
  }
  return Value::String(text);
}

// A JSON array element as the text ParseScalar expects.
std::string ElementText(const nlohmann::json& item) {
  if (item.is_string()) return item.get<std::string>();
  return item.dump();
}

}  // namespace

ParamType ParseParamType(const std::string& type_text) {
  ParamType type;
  absl::string_view t = absl::StripAsciiWhitespace(type_text);
  if (absl::ConsumeSuffix(&t, "?")) type.nullable = true;
  if (t.size() >= 2 && t.front() == '[' && t.back() == ']') {
    type.list = true;
    t = t.substr(1, t.size() - 2);
  } else if (absl::ConsumeSuffix(&t, "[]")) {
    type.list = true;
  }
  t = absl::StripAsciiWhitespace(t);
  if (t.size() >= 2 && t.front() == '"' && t.back() == '"') t = t.substr(1, t.size() - 2);
  absl::ConsumeSuffix(&t, "?");
  if (!absl::StartsWith(t, "map<")) {
    size_t paren = t.find('(');
    if (paren != absl::string_view::npos) t = t.substr(0, paren);
  }
  type.scalar = std::string(t);
  if (type.scalar == "vector") {
    type.scalar = "float64";
    type.list = true;
  }
  return type;
}

absl::StatusOr<Value> ParseParam(const std::string& name, const std::string& type_text,
                                 bool nullable, const std::string& text) {
  ParamType type = ParseParamType(type_text);
  if ((nullable || type.nullable) && text == "null") return Value();
  if (!type.list) return ParseScalar(name, type.scalar, text);
  Value::List items;
  std::string trimmed(absl::StripAsciiWhitespace(text));
  if (absl::StartsWith(trimmed, "[")) {
    nlohmann::json json = nlohmann::json::parse(trimmed, nullptr, false);
    if (json.is_discarded() || !json.is_array()) return Bad(name, text, "a JSON array");
    for (const auto& item : json) {
      if (item.is_null()) {
        items.emplace_back();
        continue;
      }
      absl::StatusOr<Value> v = ParseScalar(name, type.scalar, ElementText(item));
      if (!v.ok()) return v.status();
      items.push_back(*std::move(v));
    }
  } else if (!trimmed.empty()) {
    for (absl::string_view piece : absl::StrSplit(trimmed, ',')) {
      absl::StatusOr<Value> v =
          ParseScalar(name, type.scalar, std::string(absl::StripAsciiWhitespace(piece)));
      if (!v.ok()) return v.status();
      items.push_back(*std::move(v));
    }
  }
  return Value::ListOf(std::move(items));
}

Value ParseLooseValue(const std::string& text) {
  nlohmann::json json = nlohmann::json::parse(text, nullptr, false);
  if (!json.is_discarded()) return JsonToValue(json);
  absl::Time t;
  std::string error;
  if (text.size() >= 20 && text[10] == 'T' &&
      absl::ParseTime(absl::RFC3339_full, text, &t, &error)) {
    return Value::Time({absl::ToUnixMicros(t)});
  }
  return Value::String(text);
}

absl::StatusOr<std::pair<std::string, std::string>> SplitKeyValue(const std::string& text) {
  size_t eq = text.find('=');
  if (eq == std::string::npos || eq == 0) {
    return absl::InvalidArgumentError(absl::StrCat("expected key=value, got \"", text, "\""));
  }
  return std::make_pair(text.substr(0, eq), text.substr(eq + 1));
}

}  // namespace querygate::cli
