#ifndef QUERYGATE_SCHEMA_INTERNAL_VECTOR_INDEX_READER_H_
#define QUERYGATE_SCHEMA_INTERNAL_VECTOR_INDEX_READER_H_

#include <optional>
#include <string>

#include "schema/internal/diagnostics.h"
#include "schema/internal/json_reader.h"
#include "schema/model.h"

namespace querygate::schema::internal {

// Reads the `index` of a vector field: true (HNSW, l2), false (none) or an object with type
// ("hnsw" | "ivfflat"), distance_function ("cosine" | "l2" | "inner_product"), m,
// ef_construction, lists, ef_search and probes. Reports each bad option at its path and
// returns nullopt for false or on error.
std::optional<VectorIndex> ReadVectorIndex(const JsonNode& value, const std::string& file,
                                           const std::string& path, Diagnostics& diag);

}  // namespace querygate::schema::internal

#endif  // QUERYGATE_SCHEMA_INTERNAL_VECTOR_INDEX_READER_H_
