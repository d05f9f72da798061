#ifndef QUERYGATE_MIGRATE_CATALOG_H_
#define QUERYGATE_MIGRATE_CATALOG_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace querygate::migrate {

// A column as PostgreSQL reports it: `type` is format_type() text, `default_expr` is
// pg_get_expr() text, and `serial` marks a default drawn from an owned sequence.
struct CatalogColumn {
  std::string name;
  std::string type;
  bool not_null = false;
  std::optional<std::string> default_expr;
  bool serial = false;
};

// A table constraint: kind is p (primary key), u (unique), f (foreign key), c (check) or
// x (exclusion); `definition` is pg_get_constraintdef() text.
struct CatalogConstraint {
  std::string name;
  char kind = 'c';
  std::string definition;
};

// An index that does not back a constraint; `definition` is pg_get_indexdef() text with the
// schema qualification removed.
struct CatalogIndex {
  std::string name;
  std::string definition;
};

// A row-level security policy as pg_policies reports it: `command` is ALL, SELECT, INSERT,
// UPDATE or DELETE; `roles` are role names ("public" for everyone); `qual` and `with_check` are
// pg_get_expr() text, absent when the policy has none.
struct CatalogPolicy {
  std::string name;
  std::string command = "ALL";
  bool permissive = true;
  std::vector<std::string> roles;
  std::optional<std::string> qual;
  std::optional<std::string> with_check;

  // The CREATE POLICY statement (without ';') that makes this policy on `table`; two policies
  // are the same when their statements are.
  std::string CreateSql(const std::string& table) const;
};

struct CatalogTable {
  std::string name;
  std::vector<CatalogColumn> columns;
  std::vector<CatalogConstraint> constraints;
  std::vector<CatalogIndex> indexes;
  bool row_security = false;        // pg_class.relrowsecurity
  bool force_row_security = false;  // pg_class.relforcerowsecurity
  // pg_get_partkeydef() of a partitioned table ("RANGE (recorded_at)"); empty for a plain
  // table. Its partitions are not tables of the catalog.
  std::string partition_key;
  std::vector<CatalogPolicy> policies;

  // Returns the column named `name`, or nullptr.
  const CatalogColumn* FindColumn(const std::string& column) const;
};

// The tables of one PostgreSQL schema, keyed by name.
struct Catalog {
  std::map<std::string, CatalogTable> tables;
};

}  // namespace querygate::migrate

#endif  // QUERYGATE_MIGRATE_CATALOG_H_
