#include "service/internal/plan_filters.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/sha256.h"
#include "nlohmann/json.hpp"

namespace querygate::service::internal {
namespace {

constexpr size_t kMaxIdentifierBytes = 63;
// Words that continue a type name after `::`, e.g. `::character varying`.
const std::set<std::string>& TypeContinuations() {
  static const auto* words =
      new std::set<std::string>{"varying", "precision", "with", "without", "time", "zone"};
  return *words;
}

enum class Kind { kIdent, kOp, kOther };
struct Token {
  Kind kind;
  std::string text;
  bool in_function = false;
};

bool IdentStart(char c) { return absl::ascii_isalpha(c) || c == '_'; }
bool IdentChar(char c) { return absl::ascii_isalnum(c) || c == '_' || c == '$'; }
bool OpChar(char c) { return c == '=' || c == '<' || c == '>' || c == '!' || c == '~'; }

// Reads a bare or double-quoted identifier at `i`, with any qualification dropped.
std::string ReadIdentifier(absl::string_view s, size_t& i) {
  std::string part;
  while (i < s.size()) {
    part.clear();
    if (s[i] == '"') {
      ++i;
      while (i < s.size()) {
        if (s[i] == '"' && i + 1 < s.size() && s[i + 1] == '"') {
          part.push_back('"');
          i += 2;
        } else if (s[i] == '"') {
          ++i;
          break;
        } else {
          part.push_back(s[i++]);
        }
      }
    } else {
      while (i < s.size() && IdentChar(s[i])) part.push_back(s[i++]);
    }
    if (i < s.size() && s[i] == '.' && i + 1 < s.size() &&
        (IdentStart(s[i + 1]) || s[i + 1] == '"')) {
      ++i;
      continue;
    }
    break;
  }
  return part;
}

// Skips a type name after `::` at `i`.
void SkipTypeName(absl::string_view s, size_t& i) {
  if (i < s.size() && (IdentStart(s[i]) || s[i] == '"')) ReadIdentifier(s, i);
  for (;;) {
    size_t j = i;
    while (j < s.size() && s[j] == ' ') ++j;
    size_t k = j;
    std::string word;
    while (k < s.size() && IdentChar(s[k])) word.push_back(s[k++]);
    if (!word.empty() && TypeContinuations().count(absl::AsciiStrToLower(word))) {
      i = k;
      continue;
    }
    break;
  }
  if (i < s.size() && s[i] == '(') {
    while (i < s.size() && s[i] != ')') ++i;
    if (i < s.size()) ++i;
  }
  while (i + 1 < s.size() && s[i] == '[' && s[i + 1] == ']') i += 2;
}

std::vector<Token> Tokenize(absl::string_view s) {
  std::vector<Token> out;
  std::vector<bool> parens;  // true: a function call's parentheses
  auto in_function = [&parens] {
    return std::find(parens.begin(), parens.end(), true) != parens.end();
  };
  size_t i = 0;
  while (i < s.size()) {
    char c = s[i];
    if (c == ' ') {
      ++i;
    } else if (c == '\'') {
      ++i;
      while (i < s.size()) {
        if (s[i] == '\'' && i + 1 < s.size() && s[i + 1] == '\'') {
          i += 2;
        } else if (s[i++] == '\'') {
          break;
        }
      }
      out.push_back({Kind::kOther, "'", in_function()});
    } else if (c == ':' && i + 1 < s.size() && s[i + 1] == ':') {
      i += 2;
      SkipTypeName(s, i);
    } else if (c == '(') {
      bool call = !out.empty() && out.back().kind == Kind::kIdent && i > 0 && s[i - 1] != ' ';
      if (call) out.back().kind = Kind::kOther;
      parens.push_back(call);
      ++i;
    } else if (c == ')') {
      if (!parens.empty()) parens.pop_back();
      ++i;
    } else if (IdentStart(c) || c == '"') {
      std::string ident = ReadIdentifier(s, i);
      out.push_back({Kind::kIdent, ident, in_function()});
    } else if (OpChar(c)) {
      std::string op;
      while (i < s.size() && OpChar(s[i])) op.push_back(s[i++]);
      out.push_back({Kind::kOp, op, in_function()});
    } else {
      std::string other;
      while (i < s.size() && !IdentStart(s[i]) && !OpChar(s[i]) && s[i] != ' ' && s[i] != '(' &&
             s[i] != ')' && s[i] != '\'' && s[i] != '"' && s[i] != ':') {
        other.push_back(s[i++]);
      }
      if (other.empty()) other.push_back(s[i++]);
      out.push_back({Kind::kOther, other, in_function()});
    }
  }
  return out;
}

Comparison ComparisonOf(const std::string& op) {
  if (op == "=") return Comparison::kEquality;
  if (op == "<" || op == "<=" || op == ">" || op == ">=") return Comparison::kRange;
  return Comparison::kOther;
}

bool IsKeyword(const std::string& word) {
  static const auto* words =
      new std::set<std::string>{"and", "or", "not", "is", "null", "any", "all", "true", "false"};
  return words->count(absl::AsciiStrToLower(word)) > 0;
}

void CollectScans(const nlohmann::json& node, std::vector<std::string> sort_keys,
                  std::vector<FilteredScan>& out) {
  if (!node.is_object()) return;
  std::string type = node.value("Node Type", "");
  if (type == "Sort" && node.contains("Sort Key") && node["Sort Key"].is_array()) {
    sort_keys.clear();
    for (const auto& key : node["Sort Key"]) {
      if (!key.is_string()) continue;
      std::string text = key.get<std::string>();
      size_t i = 0;
      if (!text.empty() && (IdentStart(text[0]) || text[0] == '"')) {
        std::string column = ReadIdentifier(text, i);
        // Only plain columns: an expression key ends the list.
        if (i < text.size() && text[i] != ' ') break;
        sort_keys.push_back(column);
      } else {
        break;
      }
    }
  } else if (type != "Limit" && type != "Gather" && type != "Gather Merge" &&
             type != "Incremental Sort") {
    if (type == "Seq Scan" && node.contains("Filter") && node["Filter"].is_string() &&
        node.contains("Relation Name")) {
      out.push_back({node.value("Schema", ""), node.value("Relation Name", ""),
                     node["Filter"].get<std::string>(), sort_keys});
    }
    sort_keys.clear();
  }
  if (node.contains("Plans") && node["Plans"].is_array()) {
    for (const auto& child : node["Plans"]) CollectScans(child, sort_keys, out);
  }
}

}  // namespace

absl::StatusOr<std::vector<FilteredScan>> FilteredScans(const std::string& json) {
  nlohmann::json doc = nlohmann::json::parse(json, nullptr, false);
  if (doc.is_discarded() || !doc.is_array()) {
    return absl::InternalError("EXPLAIN returned malformed JSON");
  }
  std::vector<FilteredScan> out;
  for (const auto& entry : doc) {
    if (entry.is_object() && entry.contains("Plan")) CollectScans(entry["Plan"], {}, out);
  }
  return out;
}

std::vector<std::pair<std::string, Comparison>> FilterComparisons(absl::string_view filter) {
  std::vector<Token> tokens = Tokenize(filter);
  std::vector<std::pair<std::string, Comparison>> out;
  for (size_t i = 0; i < tokens.size(); ++i) {
    const Token& t = tokens[i];
    if (t.kind != Kind::kOp || t.in_function) continue;
    const Token* left = i > 0 ? &tokens[i - 1] : nullptr;
    const Token* right = i + 1 < tokens.size() ? &tokens[i + 1] : nullptr;
    // `$1 < col` is a range comparison as much as `col > $1`: no need to mirror the operator.
    const Token* column = nullptr;
    if (left != nullptr && left->kind == Kind::kIdent && !left->in_function &&
        !IsKeyword(left->text)) {
      column = left;
    } else if (right != nullptr && right->kind == Kind::kIdent && !right->in_function &&
               !IsKeyword(right->text)) {
      column = right;
    }
    if (column != nullptr) out.emplace_back(column->text, ComparisonOf(t.text));
  }
  // `col ~~ x` (LIKE) and `col IS NULL` are kept as other comparisons.
  for (size_t i = 0; i + 1 < tokens.size(); ++i) {
    if (tokens[i].kind == Kind::kIdent && !tokens[i].in_function && !IsKeyword(tokens[i].text) &&
        tokens[i + 1].kind == Kind::kIdent && absl::EqualsIgnoreCase(tokens[i + 1].text, "is")) {
      out.emplace_back(tokens[i].text, Comparison::kOther);
    }
  }
  return out;
}

std::vector<std::string> ProposedColumns(const FilteredScan& scan,
                                         const std::set<std::string>& columns) {
  std::vector<std::string> out;
  std::string range;
  auto add = [&out, &columns](const std::string& column) {
    if (columns.count(column) && std::find(out.begin(), out.end(), column) == out.end()) {
      out.push_back(column);
    }
  };
  for (const auto& [column, how] : FilterComparisons(scan.filter)) {
    if (how == Comparison::kEquality) add(column);
    if (how == Comparison::kRange && range.empty() && columns.count(column)) range = column;
  }
  if (out.empty() && range.empty()) return out;
  if (!range.empty()) {
    add(range);
  } else {
    for (const std::string& key : scan.sort_keys) add(key);
  }
  return out;
}

std::string ProposedIndexName(const std::string& table, const std::vector<std::string>& columns) {
  std::string name = absl::StrCat("qg_", table, "_", absl::StrJoin(columns, "_"), "_idx");
  if (name.size() <= kMaxIdentifierBytes) return name;
  std::string hash = Sha256Hex(name).substr(0, 8);
  return absl::StrCat(name.substr(0, kMaxIdentifierBytes - 4 - 9), "_", hash, "_idx");
}

}  // namespace querygate::service::internal
