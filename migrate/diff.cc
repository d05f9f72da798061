#include "migrate/diff.h"

#include <functional>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "migrate/sql_ident.h"
#include "migrate/type_change.h"

namespace querygate::migrate {
namespace {

// The phases a plan runs in; removals of dependent objects come before what they depend on.
enum Phase {
  kDropPolicies,
  kDropForeignKeys,
  kDropConstraints,
  kDropIndexes,
  kCreateTables,
  kAddColumns,
  kAlterColumns,
  kAddConstraints,
  kAddForeignKeys,
  kCreateIndexes,
  kRowSecurity,
  kCreatePolicies,
  kDropColumns,
  kDropTables,
  kPhaseCount
};

using Phases = std::vector<std::vector<Change>>;

std::string SerialType(const std::string& type) {
  if (type == "bigint") return "bigserial";
  if (type == "integer") return "serial";
  if (type == "smallint") return "smallserial";
  return type;
}

std::string ColumnDefinition(const CatalogColumn& column) {
  std::string out = absl::StrCat(QuoteIdent(column.name), " ",
                                 column.serial ? SerialType(column.type) : column.type);
  if (column.not_null) absl::StrAppend(&out, " NOT NULL");
  if (column.default_expr) absl::StrAppend(&out, " DEFAULT ", *column.default_expr);
  return out;
}

void Add(Phases& phases, Phase phase, std::string summary, std::string sql,
         bool destructive = false, std::string note = "") {
  phases[phase].push_back({std::move(summary), std::move(sql), destructive, std::move(note)});
}

std::string AlterTable(const std::string& table) {
  return absl::StrCat("ALTER TABLE ", QuoteIdent(table), " ");
}

void AddConstraint(Phases& phases, const std::string& table, const CatalogConstraint& c) {
  Add(phases, c.kind == 'f' ? kAddForeignKeys : kAddConstraints,
      absl::StrCat("add constraint ", c.name, " on ", table),
      absl::StrCat(AlterTable(table), "ADD CONSTRAINT ", QuoteIdent(c.name), " ", c.definition,
                   ";"));
}

void DropConstraint(Phases& phases, const std::string& table, const CatalogConstraint& c) {
  Add(phases, c.kind == 'f' ? kDropForeignKeys : kDropConstraints,
      absl::StrCat("drop constraint ", c.name, " on ", table),
      absl::StrCat(AlterTable(table), "DROP CONSTRAINT ", QuoteIdent(c.name), ";"));
}

void CreateIndex(Phases& phases, const std::string& table, const CatalogIndex& index) {
  Add(phases, kCreateIndexes, absl::StrCat("create index ", index.name, " on ", table),
      absl::StrCat(index.definition, ";"));
}

void DropIndex(Phases& phases, const std::string& table, const CatalogIndex& index) {
  Add(phases, kDropIndexes, absl::StrCat("drop index ", index.name, " on ", table),
      absl::StrCat("DROP INDEX ", QuoteIdent(index.name), ";"));
}

void CreatePolicy(Phases& phases, const std::string& table, const CatalogPolicy& policy) {
  Add(phases, kCreatePolicies, absl::StrCat("create policy ", policy.name, " on ", table),
      absl::StrCat(policy.CreateSql(table), ";"));
}

void DropPolicy(Phases& phases, const std::string& table, const CatalogPolicy& policy) {
  Add(phases, kDropPolicies, absl::StrCat("drop policy ", policy.name, " on ", table),
      absl::StrCat("DROP POLICY ", QuoteIdent(policy.name), " ON ", QuoteIdent(table), ";"));
}

// ENABLE/DISABLE and FORCE/NO FORCE ROW LEVEL SECURITY where `to` differs from `from`.
void DiffRowSecurity(Phases& phases, const CatalogTable& from, const CatalogTable& to) {
  if (from.row_security != to.row_security) {
    Add(phases, kRowSecurity,
        absl::StrCat(to.row_security ? "enable" : "disable", " row level security on ", to.name),
        absl::StrCat(AlterTable(to.name), to.row_security ? "ENABLE" : "DISABLE",
                     " ROW LEVEL SECURITY;"));
  }
  if (from.force_row_security != to.force_row_security) {
    Add(phases, kRowSecurity,
        absl::StrCat(to.force_row_security ? "force" : "stop forcing", " row level security on ",
                     to.name),
        absl::StrCat(AlterTable(to.name), to.force_row_security ? "FORCE" : "NO FORCE",
                     " ROW LEVEL SECURITY;"));
  }
}

// True when the policy's expressions mention `column` (a column whose type changes must have
// the policies that use it dropped first and re-created after).
bool PolicyMentions(const CatalogPolicy& policy, const std::string& column) {
  return (policy.qual && absl::StrContains(*policy.qual, column)) ||
         (policy.with_check && absl::StrContains(*policy.with_check, column));
}

void CreateTable(Phases& phases, const CatalogTable& table) {
  std::vector<std::string> lines;
  for (const CatalogColumn& column : table.columns) lines.push_back(ColumnDefinition(column));
  for (const CatalogConstraint& c : table.constraints) {
    if (c.kind == 'f') continue;
    lines.push_back(absl::StrCat("CONSTRAINT ", QuoteIdent(c.name), " ", c.definition));
  }
  std::string partition_by;
  if (!table.partition_key.empty())
    partition_by = absl::StrCat(" PARTITION BY ", table.partition_key);
  Add(phases, kCreateTables, absl::StrCat("create table ", table.name),
      absl::StrCat("CREATE TABLE ", QuoteIdent(table.name), " (\n  ", absl::StrJoin(lines, ",\n  "),
                   "\n)", partition_by, ";"));
  for (const CatalogConstraint& c : table.constraints) {
    if (c.kind == 'f') AddConstraint(phases, table.name, c);
  }
  for (const CatalogIndex& index : table.indexes) CreateIndex(phases, table.name, index);
  DiffRowSecurity(phases, CatalogTable{}, table);
  for (const CatalogPolicy& policy : table.policies) CreatePolicy(phases, table.name, policy);
}

// True when a column's default cannot fill existing rows while migrating: the tenant default
// raises without a tenant (and PostgreSQL evaluates a non-volatile default once, at ADD COLUMN).
bool DefaultNeedsTenant(const CatalogColumn& column) {
  return column.default_expr && absl::StrContains(*column.default_expr, "querygate_current_tenant");
}

void AddColumn(Phases& phases, const std::string& table, const CatalogColumn& column) {
  std::string summary = absl::StrCat("add column ", table, ".", column.name);
  if (!column.not_null || (column.default_expr && !DefaultNeedsTenant(column)) || column.serial) {
    Add(phases, kAddColumns, summary,
        absl::StrCat(AlterTable(table), "ADD COLUMN ", ColumnDefinition(column), ";"));
    return;
  }
  std::string note = absl::StrCat(
      "NOTE: ", table, ".", column.name,
      " is NOT NULL without a usable default for existing rows: backfill it before applying "
      "(add an UPDATE ",
      QuoteIdent(table), " SET ", QuoteIdent(column.name),
      " = ... to this migration before it sets NOT NULL)");
  if (!column.default_expr) {
    Add(phases, kAddColumns, summary,
        absl::StrCat(AlterTable(table), "ADD COLUMN ", ColumnDefinition(column), ";"), false,
        std::move(note));
    return;
  }
  // Add the column bare, then its default and NOT NULL: this works on an empty table, and a
  // non-empty one fails on NOT NULL until the rows are backfilled.
  CatalogColumn bare = column;
  bare.not_null = false;
  bare.default_expr.reset();
  std::string alter = absl::StrCat(AlterTable(table), "ALTER COLUMN ", QuoteIdent(column.name));
  Add(phases, kAddColumns, summary,
      absl::StrCat(AlterTable(table), "ADD COLUMN ", ColumnDefinition(bare), ";\n", "-- backfill ",
                   table, ".", column.name, " here\n", alter, " SET DEFAULT ", *column.default_expr,
                   ";\n", alter, " SET NOT NULL;"),
      false, std::move(note));
}

void AlterColumn(Phases& phases, const std::string& table, const CatalogColumn& from,
                 const CatalogColumn& to) {
  const std::string alter =
      absl::StrCat(AlterTable(table), "ALTER COLUMN ", QuoteIdent(to.name), " ");
  const std::string what = absl::StrCat(table, ".", to.name);
  bool type_changes = from.type != to.type;
  bool default_changes = from.default_expr != to.default_expr || from.serial != to.serial;
  if (type_changes && from.default_expr && !from.serial) {
    Add(phases, kAlterColumns, absl::StrCat("drop default of ", what),
        absl::StrCat(alter, "DROP DEFAULT;"));
    default_changes = true;
  }
  if (type_changes) {
    bool widening = IsWideningTypeChange(from.type, to.type);
    Add(phases, kAlterColumns,
        absl::StrCat("change type of ", what, " from ", from.type, " to ", to.type,
                     widening ? "" : " (may lose data)"),
        absl::StrCat(alter, "TYPE ", to.type, " USING ", QuoteIdent(to.name), "::", to.type, ";"),
        !widening);
  }
  if (default_changes) {
    if (to.serial && !from.serial) {
      std::string sequence = absl::StrCat(table, "_", to.name, "_seq");
      Add(phases, kAlterColumns, absl::StrCat("make ", what, " draw from a sequence"),
          absl::StrCat("CREATE SEQUENCE IF NOT EXISTS ", QuoteIdent(sequence), " OWNED BY ",
                       QuoteIdent(table), ".", QuoteIdent(to.name), ";\n", alter,
                       "SET DEFAULT nextval('", sequence, "');"));
    } else if (to.default_expr) {
      Add(phases, kAlterColumns, absl::StrCat("set default of ", what),
          absl::StrCat(alter, "SET DEFAULT ", *to.default_expr, ";"));
    } else if (from.default_expr || from.serial) {
      Add(phases, kAlterColumns, absl::StrCat("drop default of ", what),
          absl::StrCat(alter, "DROP DEFAULT;"));
    }
  }
  if (from.not_null != to.not_null) {
    Add(phases, kAlterColumns,
        absl::StrCat(to.not_null ? "make " : "allow NULL in ", what,
                     to.not_null ? " NOT NULL" : ""),
        absl::StrCat(alter, to.not_null ? "SET NOT NULL;" : "DROP NOT NULL;"));
  }
}

template <typename T>
const T* FindByName(const std::vector<T>& items, const std::string& name) {
  for (const T& item : items) {
    if (item.name == name) return &item;
  }
  return nullptr;
}

void DiffTable(Phases& phases, const CatalogTable& from, const CatalogTable& to) {
  if (from.partition_key != to.partition_key) {
    // PostgreSQL cannot partition an existing table or un-partition one in place.
    std::string what = absl::StrCat("change the partitioning of ", to.name, " from ",
                                    from.partition_key.empty() ? "none" : from.partition_key,
                                    " to ", to.partition_key.empty() ? "none" : to.partition_key);
    Add(phases, kCreateTables, absl::StrCat(what, " (not supported: recreate the table)"),
        absl::StrCat("DO $qg$ BEGIN RAISE EXCEPTION '%', ", "'",
                     absl::StrReplaceAll(absl::StrCat("querygate cannot ", what,
                                                      " in place: create a new table and "
                                                      "copy the rows"),
                                         {{"'", "''"}}),
                     "'", "; END $qg$;"),
        true,
        absl::StrCat("NOTE: ", to.name,
                     ": changing partitioning is not supported; this migration fails until the "
                     "step is replaced by a copy into a new table"));
  }
  for (const CatalogColumn& column : to.columns) {
    const CatalogColumn* old = from.FindColumn(column.name);
    if (old == nullptr) {
      AddColumn(phases, to.name, column);
    } else {
      AlterColumn(phases, to.name, *old, column);
    }
  }
  for (const CatalogColumn& column : from.columns) {
    if (to.FindColumn(column.name) == nullptr) {
      Add(phases, kDropColumns, absl::StrCat("drop column ", to.name, ".", column.name),
          absl::StrCat(AlterTable(to.name), "DROP COLUMN ", QuoteIdent(column.name), ";"), true);
    }
  }
  for (const CatalogConstraint& c : from.constraints) {
    const CatalogConstraint* now = FindByName(to.constraints, c.name);
    if (now == nullptr || now->definition != c.definition || now->kind != c.kind) {
      DropConstraint(phases, to.name, c);
    }
  }
  for (const CatalogConstraint& c : to.constraints) {
    const CatalogConstraint* old = FindByName(from.constraints, c.name);
    if (old == nullptr || old->definition != c.definition || old->kind != c.kind) {
      AddConstraint(phases, to.name, c);
    }
  }
  for (const CatalogIndex& index : from.indexes) {
    const CatalogIndex* now = FindByName(to.indexes, index.name);
    if (now == nullptr || now->definition != index.definition) DropIndex(phases, to.name, index);
  }
  for (const CatalogIndex& index : to.indexes) {
    const CatalogIndex* old = FindByName(from.indexes, index.name);
    if (old == nullptr || old->definition != index.definition) CreateIndex(phases, to.name, index);
  }
  DiffRowSecurity(phases, from, to);
  std::vector<std::string> retyped;
  for (const CatalogColumn& column : to.columns) {
    const CatalogColumn* old = from.FindColumn(column.name);
    if (old != nullptr && old->type != column.type) retyped.push_back(column.name);
  }
  auto recreate = [&](const CatalogPolicy& policy) {
    for (const std::string& column : retyped) {
      if (PolicyMentions(policy, column)) return true;
    }
    return false;
  };
  for (const CatalogPolicy& policy : from.policies) {
    const CatalogPolicy* now = FindByName(to.policies, policy.name);
    if (now == nullptr || now->CreateSql(to.name) != policy.CreateSql(to.name) ||
        recreate(policy)) {
      DropPolicy(phases, to.name, policy);
    }
  }
  for (const CatalogPolicy& policy : to.policies) {
    const CatalogPolicy* old = FindByName(from.policies, policy.name);
    if (old == nullptr || old->CreateSql(to.name) != policy.CreateSql(to.name) || recreate(*old)) {
      CreatePolicy(phases, to.name, policy);
    }
  }
}

}  // namespace

std::vector<Change> Plan::Destructive() const {
  std::vector<Change> out;
  for (const Change& change : changes) {
    if (change.destructive) out.push_back(change);
  }
  return out;
}

std::vector<std::string> Plan::Notes() const {
  std::vector<std::string> out;
  for (const Change& change : changes) {
    if (!change.note.empty()) out.push_back(change.note);
  }
  return out;
}

std::string Plan::Sql() const {
  std::string out;
  for (const Change& change : changes) absl::StrAppend(&out, change.sql, "\n");
  return out;
}

Plan DiffCatalogs(const Catalog& from, const Catalog& to) {
  Phases phases(kPhaseCount);
  for (const auto& [name, table] : to.tables) {
    auto old = from.tables.find(name);
    if (old == from.tables.end()) {
      CreateTable(phases, table);
    } else {
      DiffTable(phases, old->second, table);
    }
  }
  for (const auto& [name, table] : from.tables) {
    if (to.tables.count(name)) continue;
    for (const CatalogConstraint& c : table.constraints) {
      if (c.kind == 'f') DropConstraint(phases, name, c);
    }
    Add(phases, kDropTables, absl::StrCat("drop table ", name),
        absl::StrCat("DROP TABLE ", QuoteIdent(name), ";"), true);
  }
  Plan plan;
  for (auto& phase : phases) {
    for (Change& change : phase) plan.changes.push_back(std::move(change));
  }
  return plan;
}

}  // namespace querygate::migrate
