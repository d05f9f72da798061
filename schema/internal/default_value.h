#ifndef QUERYGATE_SCHEMA_INTERNAL_DEFAULT_VALUE_H_
#define QUERYGATE_SCHEMA_INTERNAL_DEFAULT_VALUE_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "schema/internal/json_reader.h"
#include "schema/model.h"

namespace querygate::schema::internal {

struct DefaultSql {
  std::string sql;  // text after DEFAULT, e.g. "'draft'", "0", "now()", "'{}'"
  bool is_literal = true;
};

// Checks a field's `default` against its type and renders it as SQL. `enum_def` is the enum
// of kEnum fields (may be null otherwise). Fails with INVALID_ARGUMENT "bad default for its
// type (...): why" when the value does not fit the type.
absl::StatusOr<DefaultSql> DefaultToSql(const FieldType& type, bool nullable, const JsonNode& value,
                                        const Enum* enum_def);

// `text` as a single-quoted SQL string literal.
std::string SqlStringLiteral(absl::string_view text);

// True for "YYYY-MM-DD" with a valid month and day.
bool IsIsoDate(absl::string_view text);
// True for ISO-8601 date-times: date, then [T or space]HH:MM[:SS[.fraction]][Z|+HH[:MM]].
bool IsIsoDateTime(absl::string_view text);
// True for the canonical 8-4-4-4-12 hex form.
bool IsUuid(absl::string_view text);

}  // namespace querygate::schema::internal

#endif  // QUERYGATE_SCHEMA_INTERNAL_DEFAULT_VALUE_H_
