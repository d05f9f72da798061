#ifndef QUERYGATE_SCHEMA_INTERNAL_TYPE_PARSER_H_
#define QUERYGATE_SCHEMA_INTERNAL_TYPE_PARSER_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "schema/model.h"

namespace querygate::schema::internal {

// A parsed type spelling. References ("@name") are resolved to an enum or a model later.
struct TypeSpelling {
  bool is_reference = false;
  std::string reference;  // the name after '@'
  bool is_array = false;
  bool nullable = false;  // trailing '?'
  FieldType type;         // when !is_reference; arrays have kind kArray
};

// Parses "int64", "string?", "decimal(12,2)", "string(80)", "vector(3)", "string[]",
// "map<string, any>", "@post_status", "@user?". Fails with INVALID_ARGUMENT whose message
// names the problem (e.g. "unknown type 'int65'").
absl::StatusOr<TypeSpelling> ParseTypeSpelling(absl::string_view spelling);

// True for kinds that may be array elements (everything except json, vector and arrays).
bool IsArrayElementKind(TypeKind kind);

}  // namespace querygate::schema::internal

#endif  // QUERYGATE_SCHEMA_INTERNAL_TYPE_PARSER_H_
