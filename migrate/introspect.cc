#include "migrate/introspect.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "common/status_macros.h"
#include "schema/partitions.h"

namespace querygate::migrate {
namespace {

constexpr char kTablesSql[] = R"sql(
SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity,
       CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) END
FROM pg_class c
WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'p')
  AND c.relname <> $1 AND NOT c.relispartition
  AND coalesce(obj_description(c.oid, 'pg_class'), '') NOT LIKE $2 || '%'
ORDER BY 1)sql";

constexpr char kColumnsSql[] = R"sql(
SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
       pg_get_expr(d.adbin, d.adrelid),
       (a.attidentity <> '' OR pg_get_serial_sequence(c.oid::regclass::text, a.attname) IS NOT NULL)
FROM pg_attribute a
JOIN pg_class c ON c.oid = a.attrelid
LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'p')
  AND c.relname <> $1 AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY c.relname, a.attnum)sql";

constexpr char kConstraintsSql[] = R"sql(
SELECT c.relname, con.conname, con.contype, pg_get_constraintdef(con.oid)
FROM pg_constraint con
JOIN pg_class c ON c.oid = con.conrelid
WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'p')
  AND c.relname <> $1 AND con.contype IN ('p', 'u', 'f', 'c', 'x') AND con.conparentid = 0
ORDER BY 1, 2)sql";

constexpr char kIndexesSql[] = R"sql(
SELECT t.relname, i.relname, pg_get_indexdef(ix.indexrelid), current_schema()
FROM pg_index ix
JOIN pg_class i ON i.oid = ix.indexrelid
JOIN pg_class t ON t.oid = ix.indrelid
WHERE t.relnamespace = current_schema()::regnamespace AND t.relname <> $1
  AND NOT EXISTS (SELECT 1 FROM pg_constraint con
                  WHERE con.conindid = ix.indexrelid AND con.conrelid = t.oid
                    AND con.contype IN ('p', 'u', 'x'))
ORDER BY 1, 2)sql";

// One row per policy and role (pg_policies lists `public` for a policy on everyone).
constexpr char kPoliciesSql[] = R"sql(
SELECT p.tablename, p.policyname, p.permissive, p.cmd, p.qual, p.with_check, r.role
FROM pg_policies p, unnest(p.roles) AS r(role)
WHERE p.schemaname = current_schema() AND p.tablename <> $1
ORDER BY 1, 2, 7)sql";

}  // namespace

absl::StatusOr<Catalog> IntrospectCatalog(db::QueryRunner& runner) {
  const db::Params excluded = {std::string(kMigrationsTable)};
  Catalog catalog;
  QG_ASSIGN_OR_RETURN(
      db::ResultSet tables,
      runner.Query(kTablesSql, {std::string(kMigrationsTable), schema::kDetachedPartitionComment}));
  for (size_t r = 0; r < tables.rows.size(); ++r) {
    CatalogTable& table = catalog.tables[tables.Text(r, 0)];
    table.name = tables.Text(r, 0);
    table.row_security = tables.Text(r, 1) == "t";
    table.force_row_security = tables.Text(r, 2) == "t";
    table.partition_key = tables.rows[r][3].value_or("");
  }
  // Partitions (and partitions detached by retention) are left out of the tables above; their
  // columns, constraints, indexes and policies are skipped below.
  auto listed = [&catalog](const std::string& name) { return catalog.tables.count(name) > 0; };
  QG_ASSIGN_OR_RETURN(db::ResultSet columns, runner.Query(kColumnsSql, excluded));
  for (size_t r = 0; r < columns.rows.size(); ++r) {
    if (!listed(columns.Text(r, 0))) continue;
    CatalogColumn column;
    column.name = columns.Text(r, 1);
    column.type = columns.Text(r, 2);
    column.not_null = columns.Text(r, 3) == "t";
    column.default_expr = columns.rows[r][4];
    column.serial = columns.Text(r, 5) == "t";
    if (column.serial) column.default_expr.reset();
    catalog.tables[columns.Text(r, 0)].columns.push_back(std::move(column));
  }
  QG_ASSIGN_OR_RETURN(db::ResultSet constraints, runner.Query(kConstraintsSql, excluded));
  for (size_t r = 0; r < constraints.rows.size(); ++r) {
    if (!listed(constraints.Text(r, 0))) continue;
    CatalogConstraint constraint{constraints.Text(r, 1), constraints.Text(r, 2)[0],
                                 constraints.Text(r, 3)};
    catalog.tables[constraints.Text(r, 0)].constraints.push_back(std::move(constraint));
  }
  QG_ASSIGN_OR_RETURN(db::ResultSet indexes, runner.Query(kIndexesSql, excluded));
  for (size_t r = 0; r < indexes.rows.size(); ++r) {
    if (!listed(indexes.Text(r, 0))) continue;
    // An index of a partitioned table prints as "ON ONLY <table>"; re-run that way it would
    // index the parent alone, so it is kept as the plain statement that created it.
    std::string qualifier = absl::StrCat(" ON ", indexes.Text(r, 3), ".");
    std::string only = absl::StrCat(" ON ONLY ", indexes.Text(r, 3), ".");
    std::string definition =
        absl::StrReplaceAll(indexes.Text(r, 2), {{only, " ON "}, {qualifier, " ON "}});
    catalog.tables[indexes.Text(r, 0)].indexes.push_back({indexes.Text(r, 1), definition});
  }
  QG_ASSIGN_OR_RETURN(db::ResultSet policies, runner.Query(kPoliciesSql, excluded));
  for (size_t r = 0; r < policies.rows.size(); ++r) {
    if (!listed(policies.Text(r, 0))) continue;
    std::vector<CatalogPolicy>& list = catalog.tables[policies.Text(r, 0)].policies;
    if (list.empty() || list.back().name != policies.Text(r, 1)) {
      CatalogPolicy policy;
      policy.name = policies.Text(r, 1);
      policy.permissive = policies.Text(r, 2) == "PERMISSIVE";
      policy.command = policies.Text(r, 3);
      policy.qual = policies.rows[r][4];
      policy.with_check = policies.rows[r][5];
      list.push_back(std::move(policy));
    }
    list.back().roles.push_back(policies.Text(r, 6));
  }
  return catalog;
}

}  // namespace querygate::migrate
