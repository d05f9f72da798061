#ifndef QUERYGATE_SCHEMA_INTERNAL_FILE_READER_H_
#define QUERYGATE_SCHEMA_INTERNAL_FILE_READER_H_

#include <memory>
#include <string>
#include <vector>

#include "schema/internal/diagnostics.h"
#include "schema/internal/json_reader.h"

namespace querygate::schema::internal {

// One key of a model: a field or a relation, not yet interpreted.
struct MemberDecl {
  std::string name;
  std::string path;
  const JsonNode* value = nullptr;
};

// A model as written, in either the flat or the structured form.
struct ModelDecl {
  std::string name;
  std::string file;
  std::string path;                   // "models.user"
  std::string options_path;           // "models.user.$options" (flat) or "models.user" (structured)
  const JsonNode* options = nullptr;  // option keys live here; null when the model has none
  std::vector<MemberDecl> members;
};

struct EnumDecl {
  std::string name;
  std::string file;
  std::string path;
  std::vector<std::string> values;
};

// The declarations of one file. Decl pointers point into `root`.
struct FileDecl {
  std::string file;
  std::unique_ptr<JsonNode> root;
  std::string description;
  std::vector<ModelDecl> models;
  std::vector<EnumDecl> enums;
  const JsonNode* tenancy = nullptr;  // the top-level `tenancy` object, if the file declares one
};

// Splits one parsed file into model and enum declarations, reporting duplicate JSON keys,
// unknown top-level keys, malformed model/enum shapes and unknown model options.
FileDecl ReadSchemaFile(const std::string& file, std::unique_ptr<JsonNode> root, Diagnostics& diag);

}  // namespace querygate::schema::internal

#endif  // QUERYGATE_SCHEMA_INTERNAL_FILE_READER_H_
