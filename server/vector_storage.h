#ifndef QUERYGATE_SERVER_VECTOR_STORAGE_H_
#define QUERYGATE_SERVER_VECTOR_STORAGE_H_

#include <cstdint>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "db/session.h"
#include "schema/model.h"

namespace querygate::server {

// Sets Field::vector_storage of every vector field of `schema` from the catalog of the
// database `session` is connected to (one query): kPgvector for a column of pgvector's type
// `vector`, kArray otherwise. Fails with the mapped database error.
absl::Status LearnVectorStorage(db::Session& session, schema::Schema& schema);

// Returns the OID of pgvector's `vector` type in the database `session` is connected to, or 0
// when the extension is not installed. Fails with the mapped database error.
absl::StatusOr<uint32_t> PgvectorTypeOid(db::Session& session);

}  // namespace querygate::server

#endif  // QUERYGATE_SERVER_VECTOR_STORAGE_H_
