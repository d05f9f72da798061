#ifndef QUERYGATE_SCHEMA_DDL_H_
#define QUERYGATE_SCHEMA_DDL_H_

#include <string>
#include <vector>

#include "schema/model.h"

namespace querygate::schema {

// Choices the DDL makes for the database it is for.
struct DdlOptions {
  // kPgvector: vector fields are vector(N) columns with their declared index (the extension
  // must be installed); kArray: REAL[] columns with a dimension CHECK and no vector index.
  VectorStorage vector_storage = VectorStorage::kArray;
};

// PostgreSQL 15 DDL for a schema that loaded without errors: the generate_uuid_v7() function
// when a column uses it, querygate_current_tenant() when tenancy is declared, CREATE TABLE
// statements in foreign-key order (with ALTER TABLE ... ADD CONSTRAINT for references to later
// tables), CREATE INDEX statements, row-level security and policies of tenant-scoped tables,
// then COMMENTs.
// Deterministic: the same Schema always gives the same text.
std::string GenerateDdl(const Schema& schema, const DdlOptions& options = {});

// Whether any model has a vector field.
bool HasVectorFields(const Schema& schema);

// The SQL distance functions over REAL[] that exact vector search uses without pgvector:
// querygate_l2_distance, querygate_cosine_distance and querygate_negative_inner_product
// (IMMUTABLE PARALLEL SAFE; they agree with pgvector's <->, <=> and <#>).
std::string VectorFunctionsSql();

// The names of the functions VectorFunctionsSql installs, with their argument types.
std::vector<std::string> VectorFunctionSignatures();

// The CREATE INDEX ... USING hnsw|ivfflat statement of a vector field's index (pgvector).
std::string CreateVectorIndexSql(const Model& model, const Field& field);

// One line per declared vector index that `storage` does not build, saying why.
std::vector<std::string> VectorIndexWarnings(const Schema& schema, VectorStorage storage);

// CREATE OR REPLACE FUNCTION generate_uuid_v7() for stock PostgreSQL 15 (no extension): a
// version 7 UUID whose first 48 bits are the Unix time in milliseconds.
std::string UuidV7FunctionSql();

// The functions migrations install before they run: generate_uuid_v7(),
// querygate_current_tenant() when the schema declares tenancy, and the vector distance
// functions when a model has a vector field.
std::string QuerygateFunctionsSql(const Schema& schema);

// ENABLE and FORCE ROW LEVEL SECURITY and the tenant isolation policy of a tenant-scoped
// table, one statement a line; empty for a global table.
std::string RowLevelSecuritySql(const Model& model);

// The column type as written in CREATE TABLE, e.g. "BIGSERIAL", "VARCHAR(255)", "TEXT[]".
std::string ColumnSqlType(const Schema& schema, const Field& field);

// One column definition without trailing comma, e.g. "email VARCHAR(255) NOT NULL".
std::string ColumnDefinitionSql(const Schema& schema, const Field& field);

// The CREATE [UNIQUE] INDEX statement for `index` of `model`, ending with ';'.
std::string CreateIndexSql(const Model& model, const Index& index);

}  // namespace querygate::schema

#endif  // QUERYGATE_SCHEMA_DDL_H_
