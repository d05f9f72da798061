#ifndef QUERYGATE_SCHEMA_LOADER_H_
#define QUERYGATE_SCHEMA_LOADER_H_

#include <string>
#include <vector>

#include "schema/model.h"

namespace querygate::schema {

// One schema file's name (used in diagnostics) and JSON text.
struct SchemaSource {
  std::string file;
  std::string text;
};

// One problem found while loading. `path` is the dotted JSON location, e.g.
// "models.user.email.default"; empty for whole-file problems. line/column are set (1-based)
// only for malformed JSON.
struct SchemaDiagnostic {
  std::string file;
  std::string path;
  std::string message;
  int line = 0;
  int column = 0;

  // "file:LINE:COL: message" for JSON syntax errors, "file: path: message" otherwise
  // ("file: message" when path is empty).
  std::string ToString() const;
};

struct LoadResult {
  Schema schema;  // complete only when ok(); otherwise best effort, do not generate DDL from it
  std::vector<SchemaDiagnostic> errors;
  std::vector<SchemaDiagnostic> warnings;

  bool ok() const { return errors.empty(); }
};

// Parses, resolves and validates all sources together (models may reference models of other
// sources). Never throws; every problem found is reported in `errors`.
LoadResult LoadSchemaSources(const std::vector<SchemaSource>& sources);

// Loads every "*.json" file directly inside `dir`, in name order. A missing or unreadable
// directory or file is reported as an error diagnostic.
LoadResult LoadSchemaDir(const std::string& dir);

}  // namespace querygate::schema

#endif  // QUERYGATE_SCHEMA_LOADER_H_
