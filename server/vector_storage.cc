#include "server/vector_storage.h"

#include <set>
#include <string>
#include <utility>

#include "absl/strings/numbers.h"
#include "common/status_macros.h"

namespace querygate::server {
namespace {

constexpr char kVectorColumnsSql[] = R"sql(
SELECT c.relname, a.attname
FROM pg_attribute a
JOIN pg_class c ON c.oid = a.attrelid
JOIN pg_type t ON t.oid = a.atttypid
WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'p')
  AND a.attnum > 0 AND NOT a.attisdropped AND t.typname = 'vector')sql";

constexpr char kPgvectorTypeSql[] = R"sql(
SELECT t.oid
FROM pg_type t
JOIN pg_depend d ON d.classid = 'pg_type'::regclass AND d.objid = t.oid AND d.deptype = 'e'
JOIN pg_extension e ON e.oid = d.refobjid
WHERE e.extname = 'vector' AND t.typname = 'vector')sql";

void Apply(schema::Model& model, const std::set<std::pair<std::string, std::string>>& pgvector) {
  for (schema::Field& field : model.fields) {
    if (field.type.kind != schema::TypeKind::kVector) continue;
    field.vector_storage = pgvector.count({model.table, field.column})
                               ? schema::VectorStorage::kPgvector
                               : schema::VectorStorage::kArray;
  }
}

}  // namespace

absl::Status LearnVectorStorage(db::Session& session, schema::Schema& schema) {
  QG_ASSIGN_OR_RETURN(db::ResultSet rows, session.Query(kVectorColumnsSql));
  std::set<std::pair<std::string, std::string>> pgvector;
  for (size_t r = 0; r < rows.rows.size(); ++r) pgvector.emplace(rows.Text(r, 0), rows.Text(r, 1));
  for (schema::Model& model : schema.models) Apply(model, pgvector);
  for (schema::Model& junction : schema.junctions) Apply(junction, pgvector);
  return absl::OkStatus();
}

absl::StatusOr<uint32_t> PgvectorTypeOid(db::Session& session) {
  QG_ASSIGN_OR_RETURN(db::ResultSet rows, session.Query(kPgvectorTypeSql));
  if (rows.rows.empty()) return 0;
  uint32_t oid = 0;
  if (!absl::SimpleAtoi(rows.Text(0, 0), &oid)) {
    return absl::InternalError("pg_type.oid of the vector type is not a number");
  }
  return oid;
}

}  // namespace querygate::server
