#include "schema/ddl.h"

#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "schema/internal/default_value.h"
#include "schema/internal/naming.h"
#include "schema/partitions.h"
#include "schema/tenancy.h"

namespace querygate::schema {
namespace {

using internal::QuoteIdentifier;

std::string ColumnList(const std::vector<std::string>& columns) {
  std::vector<std::string> quoted;
  for (const std::string& column : columns) quoted.push_back(QuoteIdentifier(column));
  return absl::StrJoin(quoted, ", ");
}

// A foreign key between two tenant-scoped tables is composite, (tenant column, column) to
// (tenant column, key), so that a row can never reference another tenant's row.
std::string ForeignKeySql(const Schema& schema, const Model& model, const ForeignKey& fk) {
  const Model* target = schema.FindModelByTable(fk.referenced_table);
  bool composite = model.tenant_scoped() && fk.column != model.tenant_column && target != nullptr &&
                   HasTenantKey(*target);
  if (!composite) {
    return absl::StrCat(
        "CONSTRAINT ", QuoteIdentifier(fk.name), " FOREIGN KEY (", QuoteIdentifier(fk.column),
        ") REFERENCES ", QuoteIdentifier(fk.referenced_table), " (",
        QuoteIdentifier(fk.referenced_column), ") ON DELETE ", OnDeleteSql(fk.on_delete));
  }
  std::string sql = absl::StrCat(
      "CONSTRAINT ", QuoteIdentifier(fk.name), " FOREIGN KEY (",
      QuoteIdentifier(model.tenant_column), ", ", QuoteIdentifier(fk.column), ") REFERENCES ",
      QuoteIdentifier(fk.referenced_table), " (", QuoteIdentifier(target->tenant_column), ", ",
      QuoteIdentifier(fk.referenced_column), ") ON DELETE ", OnDeleteSql(fk.on_delete));
  // SET NULL / SET DEFAULT must leave the tenant column alone (PostgreSQL 15 column list).
  if (fk.on_delete == OnDelete::kSetNull || fk.on_delete == OnDelete::kSetDefault) {
    absl::StrAppend(&sql, " (", QuoteIdentifier(fk.column), ")");
  }
  return sql;
}

// A tenant-scoped junction's key leads with the tenant column: a pair another tenant holds then
// never collides (which would tell the caller that it exists); the pair is still unique per
// tenant, and the repository addresses junction rows by the pair under row-level security.
std::vector<std::string> PrimaryKeyColumns(const Model& model) {
  std::vector<std::string> columns = model.primary_key_columns;
  if (model.is_junction && model.tenant_scoped()) {
    columns.insert(columns.begin(), model.tenant_column);
  }
  // PostgreSQL requires the partition key in every unique constraint of a partitioned table.
  if (model.partitioning.has_value()) columns.push_back(model.partitioning->column);
  return columns;
}

bool UsesUuidV7(const Schema& schema) {
  for (const Model* model : schema.AllTables()) {
    for (const Field& field : model->fields) {
      if (field.default_sql == "generate_uuid_v7()") return true;
    }
  }
  return false;
}

// Tables in creation order: each after the tables it references, declared order otherwise.
std::vector<const Model*> CreationOrder(const Schema& schema) {
  std::vector<const Model*> pending = schema.AllTables();
  std::vector<const Model*> order;
  absl::flat_hash_set<std::string> created;
  while (!pending.empty()) {
    size_t pick = 0;
    for (size_t i = 0; i < pending.size(); ++i) {
      bool ready = true;
      for (const ForeignKey& fk : pending[i]->foreign_keys) {
        if (fk.referenced_table != pending[i]->table && !created.contains(fk.referenced_table)) {
          ready = false;
          break;
        }
      }
      if (ready) {
        pick = i;
        break;
      }
    }
    created.insert(pending[pick]->table);
    order.push_back(pending[pick]);
    pending.erase(pending.begin() + static_cast<std::ptrdiff_t>(pick));
  }
  return order;
}

bool IsVectorColumn(const Model& model, const std::string& column) {
  for (const Field& field : model.fields) {
    if (field.column == column) return field.type.kind == TypeKind::kVector;
  }
  return false;
}

// A vector field as a pgvector column: "embedding" vector(8) [NOT NULL] [DEFAULT ...].
std::string VectorColumnSql(const Field& field) {
  std::string sql = absl::StrCat(QuoteIdentifier(field.column), " vector(",
                                 field.type.dimensions.value_or(1), ")");
  if (!field.nullable) absl::StrAppend(&sql, " NOT NULL");
  if (field.has_default()) absl::StrAppend(&sql, " DEFAULT ", field.default_sql, "::real[]");
  return sql;
}

}  // namespace

std::string UuidV7FunctionSql() {
  return R"sql(CREATE OR REPLACE FUNCTION generate_uuid_v7()
RETURNS uuid
LANGUAGE sql
VOLATILE
PARALLEL SAFE
AS $$
  SELECT encode(
    set_bit(
      set_bit(
        overlay(uuid_send(gen_random_uuid())
                PLACING substring(int8send(floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint) FROM 3)
                FROM 1 FOR 6),
        52, 1),
      53, 1),
    'hex')::uuid
$$;
)sql";
}

bool HasVectorFields(const Schema& schema) {
  for (const Model* model : schema.AllTables()) {
    for (const Field& field : model->fields) {
      if (field.type.kind == TypeKind::kVector) return true;
    }
  }
  return false;
}

std::string VectorFunctionsSql() {
  return R"sql(CREATE OR REPLACE FUNCTION querygate_l2_distance(a real[], b real[])
RETURNS double precision LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$
  SELECT sqrt(sum((x::double precision - y::double precision) ^ 2)) FROM unnest(a, b) AS t(x, y)
$$;
CREATE OR REPLACE FUNCTION querygate_cosine_distance(a real[], b real[])
RETURNS double precision LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$
  SELECT CASE WHEN sum(x::double precision * x) = 0 OR sum(y::double precision * y) = 0
              THEN 'NaN'::double precision
              ELSE 1 - greatest(-1, least(1, sum(x::double precision * y) /
                   sqrt(sum(x::double precision * x) * sum(y::double precision * y)))) END
  FROM unnest(a, b) AS t(x, y)
$$;
CREATE OR REPLACE FUNCTION querygate_negative_inner_product(a real[], b real[])
RETURNS double precision LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$
  SELECT -sum(x::double precision * y) FROM unnest(a, b) AS t(x, y)
$$;
)sql";
}

std::vector<std::string> VectorFunctionSignatures() {
  return {"querygate_l2_distance(real[], real[])", "querygate_cosine_distance(real[], real[])",
          "querygate_negative_inner_product(real[], real[])"};
}

std::string CreateVectorIndexSql(const Model& model, const Field& field) {
  const VectorIndex& index = *field.vector_index;
  bool hnsw = index.method == VectorIndex::Method::kHnsw;
  absl::string_view ops = "vector_l2_ops";
  if (index.distance == VectorDistance::kCosine) ops = "vector_cosine_ops";
  if (index.distance == VectorDistance::kInnerProduct) ops = "vector_ip_ops";
  std::string with =
      hnsw ? absl::StrCat("m = ", index.m, ", ef_construction = ", index.ef_construction)
           : absl::StrCat("lists = ", index.lists);
  return absl::StrCat(
      "CREATE INDEX ",
      QuoteIdentifier(internal::PgObjectName(model.table, field.column, hnsw ? "hnsw" : "ivfflat")),
      " ON ", QuoteIdentifier(model.table), " USING ", hnsw ? "hnsw" : "ivfflat", " (",
      QuoteIdentifier(field.column), " ", ops, ") WITH (", with, ");");
}

std::vector<std::string> VectorIndexWarnings(const Schema& schema, VectorStorage storage) {
  std::vector<std::string> warnings;
  if (storage == VectorStorage::kPgvector) return warnings;
  for (const Model* model : schema.AllTables()) {
    for (const Field& field : model->fields) {
      if (!field.vector_index.has_value()) continue;
      warnings.push_back(
          absl::StrCat("vector index on ", model->name, ".", field.name,
                       " is not built: vectors are stored as REAL[] (pgvector is not available or "
                       "--vector-storage array), so nearest-neighbour search is exact"));
    }
  }
  return warnings;
}

std::string ColumnSqlType(const Schema& schema, const Field& field) {
  if (field.auto_generated && !field.has_default()) {
    if (field.type.kind == TypeKind::kInt64) return "BIGSERIAL";
    if (field.type.kind == TypeKind::kInt32) return "SERIAL";
  }
  int enum_length = 0;
  if (!field.type.enum_name.empty()) {
    if (const Enum* e = schema.FindEnum(field.type.enum_name)) enum_length = e->ColumnLength();
  }
  return SqlTypeName(field.type, enum_length);
}

std::string ColumnDefinitionSql(const Schema& schema, const Field& field) {
  std::string sql = absl::StrCat(QuoteIdentifier(field.column), " ", ColumnSqlType(schema, field));
  if (!field.nullable) absl::StrAppend(&sql, " NOT NULL");
  if (field.has_default()) absl::StrAppend(&sql, " DEFAULT ", field.default_sql);
  return sql;
}

std::string CreateIndexSql(const Model& model, const Index& index) {
  std::string sql = absl::StrCat("CREATE ", index.unique ? "UNIQUE " : "", "INDEX ",
                                 QuoteIdentifier(index.name), " ON ", QuoteIdentifier(model.table));
  switch (index.method) {
    case IndexMethod::kBtree:
      absl::StrAppend(&sql, " (", ColumnList(index.columns), ")");
      break;
    case IndexMethod::kGin:
      absl::StrAppend(&sql, " USING gin (", ColumnList(index.columns), ")");
      break;
    case IndexMethod::kFullText: {
      std::vector<std::string> parts;
      for (const std::string& column : index.columns) {
        parts.push_back(absl::StrCat("coalesce(", QuoteIdentifier(column), ", '')"));
      }
      absl::StrAppend(&sql, " USING gin (to_tsvector(", internal::SqlStringLiteral(index.language),
                      "::regconfig, ", absl::StrJoin(parts, " || ' ' || "), "))");
      break;
    }
  }
  if (!index.where.empty()) absl::StrAppend(&sql, " WHERE ", index.where);
  absl::StrAppend(&sql, ";");
  return sql;
}

std::string RowLevelSecuritySql(const Model& model) {
  if (!model.tenant_scoped()) return "";
  std::string table = QuoteIdentifier(model.table);
  std::string predicate = absl::StrCat(QuoteIdentifier(model.tenant_column), " = (SELECT ",
                                       kCurrentTenantFunction, "())");
  return absl::StrCat("ALTER TABLE ", table, " ENABLE ROW LEVEL SECURITY;\n", "ALTER TABLE ", table,
                      " FORCE ROW LEVEL SECURITY;\n", "CREATE POLICY ", kTenantPolicyName, " ON ",
                      table, " USING (", predicate, ") WITH CHECK (", predicate, ");\n");
}

std::string QuerygateFunctionsSql(const Schema& schema) {
  std::string sql = UuidV7FunctionSql();
  if (schema.tenancy.has_value()) absl::StrAppend(&sql, CurrentTenantFunctionSql(*schema.tenancy));
  if (HasVectorFields(schema)) absl::StrAppend(&sql, VectorFunctionsSql());
  return sql;
}

std::string GenerateDdl(const Schema& schema, const DdlOptions& options) {
  const bool pgvector = options.vector_storage == VectorStorage::kPgvector;
  std::string out = "-- Generated by querygate from the JSON schema. Do not edit.\n\n";
  if (pgvector && HasVectorFields(schema)) {
    absl::StrAppend(&out, "CREATE EXTENSION IF NOT EXISTS vector;\n\n");
  }
  if (UsesUuidV7(schema)) absl::StrAppend(&out, UuidV7FunctionSql(), "\n");
  if (schema.tenancy.has_value()) {
    absl::StrAppend(&out, CurrentTenantFunctionSql(*schema.tenancy), "\n");
  }

  std::vector<const Model*> order = CreationOrder(schema);
  absl::flat_hash_set<std::string> created;
  std::vector<std::pair<const Model*, const ForeignKey*>> deferred;
  for (const Model* model : order) {
    std::vector<std::string> lines;
    for (const Field& field : model->fields) {
      if (pgvector && field.type.kind == TypeKind::kVector) {
        lines.push_back(VectorColumnSql(field));
      } else {
        lines.push_back(ColumnDefinitionSql(schema, field));
      }
    }
    if (!model->primary_key_columns.empty()) {
      lines.push_back(absl::StrCat("CONSTRAINT ", QuoteIdentifier(model->primary_key_name),
                                   " PRIMARY KEY (", ColumnList(PrimaryKeyColumns(*model)), ")"));
    }
    bool tenant_key = HasTenantKey(*model);
    if (tenant_key) {
      lines.push_back(
          absl::StrCat("CONSTRAINT ", QuoteIdentifier(TenantKeyName(*model)), " UNIQUE (",
                       ColumnList({model->tenant_column, model->primary_key_columns[0]}), ")"));
    }
    for (const Field& field : model->fields) {
      if (!field.unique || field.primary_key) continue;
      // Unique values of a tenant-scoped model are unique per tenant.
      std::vector<std::string> columns = {field.column};
      if (tenant_key && !field.is_tenant_column)
        columns.insert(columns.begin(), model->tenant_column);
      lines.push_back(absl::StrCat(
          "CONSTRAINT ", QuoteIdentifier(internal::PgObjectName(model->table, field.column, "key")),
          " UNIQUE (", ColumnList(columns), ")"));
    }
    for (const CheckConstraint& check : model->checks) {
      if (pgvector && IsVectorColumn(*model, check.column)) continue;  // vector(N) checks it
      lines.push_back(absl::StrCat("CONSTRAINT ", QuoteIdentifier(check.name), " CHECK (",
                                   check.expression, ")"));
    }
    created.insert(model->table);
    for (const ForeignKey& fk : model->foreign_keys) {
      if (created.contains(fk.referenced_table)) {
        lines.push_back(ForeignKeySql(schema, *model, fk));
      } else {
        deferred.emplace_back(model, &fk);
      }
    }
    std::string partition_by;
    if (model->partitioning.has_value()) {
      partition_by =
          absl::StrCat(" PARTITION BY RANGE (", QuoteIdentifier(model->partitioning->column), ")");
    }
    absl::StrAppend(&out, "CREATE TABLE ", QuoteIdentifier(model->table), " (\n    ",
                    absl::StrJoin(lines, ",\n    "), "\n)", partition_by, ";\n\n");
  }
  for (const auto& [model, fk] : deferred) {
    absl::StrAppend(&out, "ALTER TABLE ", QuoteIdentifier(model->table), " ADD ",
                    ForeignKeySql(schema, *model, *fk), ";\n");
  }
  if (!deferred.empty()) out += "\n";

  bool any_index = false;
  for (const Model* model : order) {
    for (const Index& index : model->indexes) {
      absl::StrAppend(&out, CreateIndexSql(*model, index), "\n");
      any_index = true;
    }
    for (const Field& field : model->fields) {
      if (!pgvector || !field.vector_index.has_value()) continue;
      absl::StrAppend(&out, CreateVectorIndexSql(*model, field), "\n");
      any_index = true;
    }
  }
  if (any_index) out += "\n";

  bool any_policy = false;
  for (const Model* model : order) {
    std::string rls = RowLevelSecuritySql(*model);
    absl::StrAppend(&out, rls);
    any_policy = any_policy || !rls.empty();
  }
  if (any_policy) out += "\n";

  for (const Model* model : order) {
    if (!model->description.empty()) {
      absl::StrAppend(&out, "COMMENT ON TABLE ", QuoteIdentifier(model->table), " IS ",
                      internal::SqlStringLiteral(model->description), ";\n");
    }
    for (const Field& field : model->fields) {
      if (field.description.empty()) continue;
      absl::StrAppend(&out, "COMMENT ON COLUMN ", QuoteIdentifier(model->table), ".",
                      QuoteIdentifier(field.column), " IS ",
                      internal::SqlStringLiteral(field.description), ";\n");
    }
  }
  if (HasPartitionedModels(schema)) {
    absl::StrAppend(&out, "\n", PartitionFunctionsSql(schema), MaintainPartitionsSql(), ";\n");
  }
  return out;
}

}  // namespace querygate::schema
