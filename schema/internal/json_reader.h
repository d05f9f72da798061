#ifndef QUERYGATE_SCHEMA_INTERNAL_JSON_READER_H_
#define QUERYGATE_SCHEMA_INTERNAL_JSON_READER_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"

namespace querygate::schema::internal {

// A JSON document that keeps object keys in source order and remembers duplicated keys.
struct JsonNode {
  enum class Kind { kNull, kBool, kInteger, kUnsigned, kFloat, kString, kArray, kObject };

  // Declared here and defaulted in the .cc: clang needs JsonNode complete before the
  // special members of std::pair<std::string, JsonNode> are instantiated.
  JsonNode();
  ~JsonNode();
  JsonNode(const JsonNode&);
  JsonNode(JsonNode&&) noexcept;
  JsonNode& operator=(const JsonNode&);
  JsonNode& operator=(JsonNode&&) noexcept;

  Kind kind = Kind::kNull;
  bool bool_value = false;
  int64_t int_value = 0;
  uint64_t unsigned_value = 0;
  double float_value = 0;
  std::string text;                // kString: the value; kFloat: the number as written
  std::vector<JsonNode> elements;  // kArray
  std::vector<std::pair<std::string, JsonNode>> members;  // kObject, first occurrence wins
  std::vector<std::string> duplicate_keys;                // kObject: keys seen more than once

  bool is_object() const { return kind == Kind::kObject; }
  bool is_array() const { return kind == Kind::kArray; }
  bool is_string() const { return kind == Kind::kString; }
  bool is_bool() const { return kind == Kind::kBool; }
  bool is_null() const { return kind == Kind::kNull; }
  bool is_integer() const { return kind == Kind::kInteger || kind == Kind::kUnsigned; }
  bool is_number() const { return is_integer() || kind == Kind::kFloat; }

  // The member named `key` of an object, or nullptr (also for non-objects).
  const JsonNode* Find(absl::string_view key) const;
  // The number as SQL/JSON text ("12", "-3", "1.5e3"); empty for non-numbers.
  std::string NumberText() const;
  // A short name of the kind for messages: "object", "array", "string", ...
  absl::string_view KindName() const;
};

struct JsonParseResult {
  bool ok = false;
  JsonNode root;
  int line = 0;    // 1-based, set on failure
  int column = 0;  // 1-based, set on failure
  std::string message;
};

// Parses `text` as strict JSON (no comments). On failure `ok` is false and line/column/message
// describe the first problem. Nesting deeper than 200 levels is reported as a failure.
JsonParseResult ParseJson(absl::string_view text);

// Serializes `node` as compact JSON (object keys in source order).
std::string DumpJson(const JsonNode& node);

// Line and column (1-based) of byte `offset` in `text`.
std::pair<int, int> LineAndColumn(absl::string_view text, size_t offset);

}  // namespace querygate::schema::internal

#endif  // QUERYGATE_SCHEMA_INTERNAL_JSON_READER_H_
