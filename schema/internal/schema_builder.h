#ifndef QUERYGATE_SCHEMA_INTERNAL_SCHEMA_BUILDER_H_
#define QUERYGATE_SCHEMA_INTERNAL_SCHEMA_BUILDER_H_

#include <vector>

#include "schema/internal/diagnostics.h"
#include "schema/internal/file_reader.h"
#include "schema/model.h"

namespace querygate::schema::internal {

// Builds the resolved Schema from the declarations of all files (in the given order):
// enums, models, relations, foreign keys, junction tables, indexes and checks. Every problem is
// reported to `diag`; the returned Schema is only meaningful when no error was reported.
Schema BuildSchema(const std::vector<FileDecl>& files, Diagnostics& diag);

}  // namespace querygate::schema::internal

#endif  // QUERYGATE_SCHEMA_INTERNAL_SCHEMA_BUILDER_H_
