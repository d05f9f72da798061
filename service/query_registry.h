#ifndef QUERYGATE_SERVICE_QUERY_REGISTRY_H_
#define QUERYGATE_SERVICE_QUERY_REGISTRY_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "db/pg_text.h"
#include "db/session.h"
#include "schema/model.h"
#include "schema/named_query.h"
#include "service/query_result.h"

namespace querygate::service {

// A named query checked against the database: prepared, described and with the tables it
// reads derived from its plan.
struct RegisteredQuery {
  schema::NamedQuery def;
  std::string statement;  // prepared statement name on every pooled connection
  std::string sql;        // positional SQL with typed casts
  // For each $n: the index into def.params and its bind type.
  std::vector<size_t> bind_params;
  std::vector<db::PgParamType> bind_types;
  std::vector<ResultColumn> columns;
  std::vector<std::string> tables;  // base tables the plan reads (partitions as their root), sorted
  std::vector<std::string> dependencies;  // cache dependencies: query, tables, tags, epoch
  absl::Duration ttl;
  bool cached = true;
  // Whether the plan reads a tenant-scoped table: the query then needs a tenant, and its
  // cache entries and dependencies are per tenant.
  bool tenant_scoped = false;
};

// Returns the bind type of a schema type (enums bind as text).
db::PgParamType BindTypeOf(const schema::FieldType& type);

// The cache dependency names of a table, a query and a tag, and the global epoch.
std::string TableDependency(const std::string& table);
std::string QueryDependency(const std::string& query);
std::string TagDependency(const std::string& tag);
// The dependency of `tenant`'s rows of a tenant-scoped table: "tt:<table>:<tenant>". Reads of
// the table under that tenant depend on it as well as on TableDependency(table).
std::string TenantTableDependency(const std::string& table, const std::string& tenant);
inline constexpr char kEpochDependency[] = "epoch";

// Returns the base tables in an EXPLAIN (FORMAT JSON) document, sorted and unique, and whether
// the plan writes (has a ModifyTable node). Fails with INTERNAL on malformed JSON.
absl::StatusOr<std::pair<std::vector<std::string>, bool>> TablesInPlan(const std::string& json);

class QueryRegistry {
 public:
  // Prepares, describes and plans every query on `session`. Fails with FAILED_PRECONDITION
  // naming the query, its file and the PostgreSQL error for the first query that does not
  // prepare, writes data, or has a default its type rejects; and, when the schema declares
  // tenancy, for a query whose SQL calls set_config, or current_setting on querygate.tenant
  // (the tenant is the server's to set).
  static absl::StatusOr<std::unique_ptr<QueryRegistry>> Build(
      const std::vector<schema::NamedQuery>& queries, const schema::Schema& schema,
      db::Session& session, absl::Duration default_ttl);

  // Returns the query named `name`, or nullptr.
  const RegisteredQuery* Find(const std::string& name) const;
  const std::vector<RegisteredQuery>& queries() const { return queries_; }
  const schema::Schema& schema() const { return schema_; }

 private:
  std::vector<RegisteredQuery> queries_;
  std::map<std::string, size_t> by_name_;
  schema::Schema schema_;
};

}  // namespace querygate::service

#endif  // QUERYGATE_SERVICE_QUERY_REGISTRY_H_
