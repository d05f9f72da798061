#ifndef QUERYGATE_SCHEMA_NAMED_QUERY_H_
#define QUERYGATE_SCHEMA_NAMED_QUERY_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/value.h"
#include "schema/loader.h"
#include "schema/model.h"

namespace querygate::schema {

struct QueryParam {
  std::string name;
  FieldType type;         // scalar, array of scalars, or enum
  std::string type_text;  // as written, e.g. "[int64]", "datetime?"
  bool nullable = false;
  std::optional<Value> default_value;  // used when the caller omits the parameter
};

// A named query declared under "queries" in a schema file.
struct NamedQuery {
  std::string name;
  std::string description;
  std::string sql;  // with :name parameters
  std::vector<QueryParam> params;
  bool cached = true;
  std::optional<int64_t> ttl_seconds;  // unset: the server's default ttl
  // Results may be kept in each instance's in-process tier (besides Redis).
  bool local_cache = true;
  // After the ttl, an entry (never an invalidated one) may still be served, marked STALE:
  // while one refresh runs in the background, and when PostgreSQL fails. 0: off.
  int64_t stale_while_revalidate_seconds = 0;
  int64_t stale_if_error_seconds = 0;
  std::vector<std::string> tags;
  // Roles allowed to run the query; empty: any caller holding the RPC permission.
  std::vector<std::string> roles;
  std::string source_file;

  const QueryParam* FindParam(const std::string& param) const;
};

struct NamedQueryLoadResult {
  std::vector<NamedQuery> queries;  // files by name, queries in file order
  std::vector<SchemaDiagnostic> errors;
  bool ok() const { return errors.empty(); }
};

// Reads the "queries" sections of `sources`. Enum parameter types resolve against `schema`.
// Every problem is reported (file, path, message): unknown keys or types, duplicate names,
// missing sql, parameters used in the SQL but not declared or declared but unused, bad
// defaults, roles that are not a non-empty array of distinct non-empty strings.
NamedQueryLoadResult LoadNamedQueries(const std::vector<SchemaSource>& sources,
                                      const Schema& schema);

// The same for every "*.json" file directly in `dir`.
NamedQueryLoadResult LoadNamedQueriesDir(const std::string& dir, const Schema& schema);

// SQL with :name parameters replaced by $1, $2, ... (one number per distinct name, in order
// of first use), each followed by "::<cast>" when `casts` names one.
struct PositionalSql {
  std::string sql;
  std::vector<std::string> order;  // order[i] is the name bound to $(i+1)
};

// Rewrites `sql`'s :name placeholders, leaving string literals, quoted identifiers,
// dollar-quoted strings, comments and :: casts alone.
PositionalSql RewriteNamedParams(const std::string& sql,
                                 const std::vector<std::pair<std::string, std::string>>& casts);

}  // namespace querygate::schema

#endif  // QUERYGATE_SCHEMA_NAMED_QUERY_H_
