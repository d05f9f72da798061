#ifndef QUERYGATE_SCHEMA_INTERNAL_NAMING_H_
#define QUERYGATE_SCHEMA_INTERNAL_NAMING_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace querygate::schema::internal {

inline constexpr size_t kMaxIdentifierBytes = 63;

// The default table name of a model: snake_case name with its last `_` segment pluralised
// (user_profile -> user_profiles, category -> categories, box -> boxes).
std::string Pluralize(absl::string_view model_name);

// True when `name` matches ^[a-z_][a-z0-9_]*$ and is at most 63 bytes.
bool IsValidIdentifier(absl::string_view name);

// True for PostgreSQL reserved key words and system column names (ctid, xmin, ...).
bool IsReservedIdentifier(absl::string_view name);

// Empty when `name` may be used as a column/table/index name, else why not (for messages).
std::string IdentifierProblem(absl::string_view name);

// `name` as an SQL identifier, double-quoted only when it would not parse bare.
std::string QuoteIdentifier(absl::string_view name);

// PostgreSQL's makeObjectName: "<name1>_<name2>_<label>" with name1/name2 trimmed (longer
// first) so the result fits in 63 bytes. `name2` may be empty.
std::string PgObjectName(absl::string_view name1, absl::string_view name2, absl::string_view label);

// "<prefix>_<table>_<columns joined by _><suffix>"; when longer than 63 bytes it is cut and
// ends with "_" plus 8 hex digits of a hash of the full name.
std::string IndexName(absl::string_view prefix, absl::string_view table,
                      const std::vector<std::string>& columns, absl::string_view suffix);

}  // namespace querygate::schema::internal

#endif  // QUERYGATE_SCHEMA_INTERNAL_NAMING_H_
