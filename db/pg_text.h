#ifndef QUERYGATE_DB_PG_TEXT_H_
#define QUERYGATE_DB_PG_TEXT_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/value.h"

namespace querygate::db {

// The scalar PostgreSQL types querygate binds parameters as.
enum class PgScalar {
  kInt32,
  kInt64,
  kFloat64,
  kDecimal,
  kBool,
  kText,
  kBytes,
  kTimestamp,
  kDate,
  kUuid,
  kJson,
};

struct PgParamType {
  PgScalar scalar = PgScalar::kText;
  bool array = false;
};

// Returns the SQL type name a parameter of `type` is cast to (for example "bigint[]").
std::string SqlTypeName(PgParamType type);

// Converts `value` to PostgreSQL text input for `type`. Fails with INVALID_ARGUMENT naming
// `name` when the kind is wrong, an integer is out of range, a double is NaN or infinite, a
// timestamp is outside years 1-9999, or a string is not a valid decimal, uuid or date. Null
// is not accepted here: the caller binds SQL NULL.
absl::StatusOr<std::string> EncodeParam(const Value& value, PgParamType type,
                                        absl::string_view name);

// Converts a PostgreSQL text-format cell of type `type_oid` to a Value: integers to int,
// floats to double, numeric/uuid/date/interval to canonical strings, timestamps to
// Timestamp (the session must run with TimeZone=UTC), json to struct/list values, bytea to
// bytes and arrays to lists. Fails with INTERNAL on text it cannot parse.
absl::StatusOr<Value> DecodeCell(uint32_t type_oid, absl::string_view text);

// Returns a readable type name for a result column ("bigint", "text[]", ...).
std::string TypeNameForOid(uint32_t type_oid);

// Formats a timestamp as ISO-8601 UTC with microseconds ("2024-01-02T03:04:05.000006Z").
std::string FormatTimestamp(Timestamp ts);

// Parses PostgreSQL timestamp output ("2024-01-02 03:04:05.06+00", optional " BC").
absl::StatusOr<Timestamp> ParsePgTimestamp(absl::string_view text);

}  // namespace querygate::db

#endif  // QUERYGATE_DB_PG_TEXT_H_
