#ifndef QUERYGATE_SCHEMA_MODEL_H_
#define QUERYGATE_SCHEMA_MODEL_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace querygate::schema {

// The storage kind of a column. kArray uses FieldType::element_kind; kEnum uses enum_name.
enum class TypeKind {
  kInt32,
  kInt64,
  kFloat64,
  kDecimal,
  kBool,
  kString,
  kText,
  kBytes,
  kDateTime,
  kDate,
  kUuid,
  kUuidV7,
  kJson,
  kVector,
  kEnum,
  kArray,
};

// The schema spelling of `kind` ("int64", "datetime", "map<string, any>" is "json", ...).
absl::string_view TypeKindName(TypeKind kind);

struct FieldType {
  TypeKind kind = TypeKind::kString;
  TypeKind element_kind = TypeKind::kString;  // only meaningful when kind == kArray
  std::string enum_name;                      // kEnum, or kArray of kEnum
  std::optional<int> length;                  // kString: VARCHAR(length); resolved to 255
  std::optional<int> precision;               // kDecimal: NUMERIC(precision, scale)
  std::optional<int> scale;
  std::optional<int> dimensions;  // kVector: required element count

  bool IsArray() const { return kind == TypeKind::kArray; }
  // The scalar kind: element_kind for arrays, kind otherwise.
  TypeKind ScalarKind() const { return IsArray() ? element_kind : kind; }
};

// Column base type without serial or default, e.g. "BIGINT", "VARCHAR(255)", "TEXT[]",
// "NUMERIC(12,2)". Enum columns need the values' longest length, so pass it in.
std::string SqlTypeName(const FieldType& type, int enum_max_length = 0);

enum class OnDelete { kCascade, kSetNull, kRestrict, kNoAction, kSetDefault };

// "CASCADE", "SET NULL", "RESTRICT", "NO ACTION" or "SET DEFAULT".
absl::string_view OnDeleteSql(OnDelete action);

// How a database stores vector columns: pgvector's vector(N), or REAL[] with a dimension CHECK
// (exact search through querygate's SQL distance functions).
enum class VectorStorage { kArray, kPgvector };

// The distance a vector index is built for (pgvector operator classes vector_l2_ops,
// vector_cosine_ops, vector_ip_ops).
enum class VectorDistance { kL2, kCosine, kInnerProduct };

// "l2", "cosine" or "inner_product".
absl::string_view VectorDistanceName(VectorDistance distance);

// The `index` of a vector field: an approximate nearest-neighbour index (pgvector only).
struct VectorIndex {
  enum class Method { kHnsw, kIvfflat };
  Method method = Method::kHnsw;
  VectorDistance distance = VectorDistance::kL2;
  int m = 16;                // hnsw
  int ef_construction = 64;  // hnsw
  int lists = 100;           // ivfflat
  // Search-time settings applied with SET LOCAL to nearest reads; nullopt keeps pgvector's.
  std::optional<int> ef_search;  // hnsw.ef_search
  std::optional<int> probes;     // ivfflat.probes
};

struct Field {
  std::string name;
  std::string column;  // always equal to name today; read this when building SQL
  FieldType type;
  bool nullable = false;
  bool primary_key = false;
  bool unique = false;              // single-column UNIQUE constraint <table>_<column>_key
  bool auto_generated = false;      // SERIAL/BIGSERIAL key (database assigns the value)
  std::string default_sql;          // empty: no DEFAULT clause
  bool default_is_literal = false;  // true for JSON literals, false for now() and friends
  bool index = false;               // `index: true` on the field
  std::string description;
  bool is_managed_timestamp = false;        // created_at/updated_at owned by `timestamps`
  bool is_soft_delete_marker = false;       // deleted_at owned by `soft_delete`
  std::optional<OnDelete> on_delete;        // declared on an FK field
  std::string references_model;             // `references: "@model"`; empty otherwise
  bool is_tenant_column = false;            // the tenancy column of a tenant-scoped model
  std::optional<VectorIndex> vector_index;  // kVector with an `index`
  // kVector: how the database in use stores the column; set by the server at startup from
  // the catalog (the schema files alone leave kArray).
  VectorStorage vector_storage = VectorStorage::kArray;

  bool has_default() const { return !default_sql.empty(); }
};

enum class RelationKind { kBelongsTo, kHasOne, kHasMany, kManyToMany };

// "belongs_to", "has_one", "has_many" or "many_to_many".
absl::string_view RelationKindName(RelationKind kind);

struct Relation {
  std::string name;
  RelationKind kind = RelationKind::kBelongsTo;
  std::string target_model;
  // belongs_to: column on the owner; has_one/has_many: column on the target;
  // many_to_many: junction column pointing at the owner.
  std::string foreign_key;
  // many_to_many only: junction column pointing at the target.
  std::string other_key;
  // many_to_many only: the junction table name.
  std::string through;
  // The key column the foreign key points at (target's key for belongs_to, owner's key for
  // has_one/has_many). For many_to_many, the owner's key; the target's key is target_key_other.
  std::string referenced_key;
  std::string target_key_other;
  OnDelete on_delete = OnDelete::kCascade;
  bool optional = false;  // `@model?`: the related row may be missing
  std::string description;
};

enum class IndexMethod { kBtree, kGin, kFullText };

struct Index {
  std::string name;
  std::vector<std::string> columns;
  bool unique = false;
  std::string where;  // partial-index predicate (SQL), empty for none
  IndexMethod method = IndexMethod::kBtree;
  std::string language = "english";  // kFullText only
  bool implicit = false;             // derived from a foreign key or `index: true`
};

struct ForeignKey {
  std::string name;  // <table>_<column>_fkey
  std::string column;
  std::string referenced_model;
  std::string referenced_table;
  std::string referenced_column;
  OnDelete on_delete = OnDelete::kCascade;
};

struct CheckConstraint {
  std::string name;  // <table>_<column>_check
  std::string column;
  std::string expression;  // SQL boolean expression, without CHECK ( )
};

enum class PartitionInterval { kDay, kWeek, kMonth };

// "day", "week" or "month".
absl::string_view PartitionIntervalName(PartitionInterval interval);

enum class RetentionAction { kDetach, kDrop };

// "detach" or "drop".
absl::string_view RetentionActionName(RetentionAction action);

// Range partitioning of a model's table by a time field (the `partition` model option).
struct Partitioning {
  std::string field;   // a NOT NULL datetime or date field
  std::string column;  // its column, the partition key
  PartitionInterval interval = PartitionInterval::kMonth;
  int ahead = 3;      // partitions kept created after the current one
  int retention = 0;  // older partitions kept before the current one; 0 keeps them all
  RetentionAction retention_action = RetentionAction::kDetach;
};

struct Model {
  std::string name;
  std::string table;
  std::vector<Field> fields;  // declared order, then implicit timestamp/soft-delete fields
  std::string primary_key;    // key field name; empty for junction tables
  std::vector<std::string> primary_key_columns;  // one column, or two for junction tables
  std::string primary_key_name;                  // <table>_pkey
  std::vector<Relation> relations;
  std::vector<Index> indexes;  // implicit (field/FK) then declared, in DDL order
  std::vector<ForeignKey> foreign_keys;
  std::vector<CheckConstraint> checks;
  bool timestamps = false;
  bool soft_delete = false;
  std::optional<int64_t> cache_ttl_seconds;
  // Reads may be kept in each instance's in-process tier; expired (never invalidated) entries
  // may be served STALE this long during a background refresh, and when PostgreSQL fails.
  bool local_cache = true;
  int64_t stale_while_revalidate_seconds = 0;
  int64_t stale_if_error_seconds = 0;
  // Whether migrations install the change-notification trigger on this table (writes made
  // directly in the database then invalidate the cache). Off for write-heavy, uncached tables.
  bool notify_changes = true;
  // Roles allowed to read the model (Get, List, Count, Exists, and being included from another
  // model) and to write it (Create, CreateMany, Update, Delete, Transact). Empty: no restriction
  // beyond the RPC permission. Not SQL: DDL and migrations ignore them.
  std::vector<std::string> read_roles;
  std::vector<std::string> write_roles;
  std::string description;
  std::string source_file;
  bool is_junction = false;
  // The column that scopes rows to a tenant: Tenancy::column for tenant-scoped models, the
  // primary-key column for the tenant model itself. Empty: the model is global.
  std::string tenant_column;
  // Set when the table is range-partitioned by time: its primary key is then (key, partition
  // column) in the database, while the repository still addresses rows by the key alone.
  std::optional<Partitioning> partitioning;

  // Whether rows of this table belong to a tenant (row-level security applies).
  bool tenant_scoped() const { return !tenant_column.empty(); }
  const Field* FindField(absl::string_view field_name) const;
  Field* FindField(absl::string_view field_name);
  const Relation* FindRelation(absl::string_view relation_name) const;
  // The primary key field, or nullptr for junction tables.
  const Field* PrimaryKeyField() const;
  // The foreign key constraint on `column`, or nullptr.
  const ForeignKey* FindForeignKey(absl::string_view column) const;
};

struct Enum {
  std::string name;
  std::vector<std::string> values;
  std::string description;
  std::string source_file;

  bool Contains(absl::string_view value) const;
  // max(50, longest value): the VARCHAR length of columns of this enum.
  int ColumnLength() const;
};

// The schema's top-level `tenancy` declaration.
struct Tenancy {
  std::string column;  // the tenant column of every tenant-scoped model
  FieldType type;      // kUuid, kInt64, kInt32 or kString (VARCHAR(255))
  std::string model;   // the tenant model's name; empty when none is declared
};

struct Schema {
  std::optional<Tenancy> tenancy;  // absent: single-tenant schema
  std::vector<Model> models;       // declared order: files by name, then models in file order
  std::vector<Enum> enums;         // declared order
  std::vector<Model> junctions;    // many_to_many tables, is_junction == true

  const Model* FindModel(absl::string_view name) const;
  // Searches models, then junction tables.
  const Model* FindModelByTable(absl::string_view table) const;
  const Enum* FindEnum(absl::string_view name) const;
  // Models followed by junction tables.
  std::vector<const Model*> AllTables() const;
};

}  // namespace querygate::schema

#endif  // QUERYGATE_SCHEMA_MODEL_H_
