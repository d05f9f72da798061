#ifndef QUERYGATE_SCHEMA_INTERNAL_DIAGNOSTICS_H_
#define QUERYGATE_SCHEMA_INTERNAL_DIAGNOSTICS_H_

#include <string>
#include <vector>

#include "schema/loader.h"

namespace querygate::schema::internal {

// Collects errors and warnings in the order they are found.
struct Diagnostics {
  std::vector<SchemaDiagnostic> errors;
  std::vector<SchemaDiagnostic> warnings;

  void Error(const std::string& file, const std::string& path, std::string message) {
    errors.push_back(SchemaDiagnostic{file, path, std::move(message)});
  }
  void Warning(const std::string& file, const std::string& path, std::string message) {
    warnings.push_back(SchemaDiagnostic{file, path, std::move(message)});
  }
};

// "a.b" from parent "a" and child "b"; just the child when parent is empty.
inline std::string JoinPath(const std::string& parent, const std::string& child) {
  return parent.empty() ? child : parent + "." + child;
}

}  // namespace querygate::schema::internal

#endif  // QUERYGATE_SCHEMA_INTERNAL_DIAGNOSTICS_H_
