#ifndef QUERYGATE_SCHEMA_INTERNAL_OPTION_VALUES_H_
#define QUERYGATE_SCHEMA_INTERNAL_OPTION_VALUES_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "schema/internal/diagnostics.h"
#include "schema/internal/json_reader.h"
#include "schema/model.h"

namespace querygate::schema::internal {

// Readers for option values. Each reports "<key> must be ..." at `path` and returns nullopt
// when the value has the wrong JSON kind.
std::optional<bool> ReadBool(const JsonNode& value, const std::string& file,
                             const std::string& path, Diagnostics& diag);
std::optional<std::string> ReadString(const JsonNode& value, const std::string& file,
                                      const std::string& path, Diagnostics& diag);
std::optional<int64_t> ReadInteger(const JsonNode& value, const std::string& file,
                                   const std::string& path, Diagnostics& diag);

// Reads a list of role names: a non-empty array of distinct non-empty strings. Reports
// "<key> must be ..." (or the duplicate) at `path` and returns nullopt otherwise.
std::optional<std::vector<std::string>> ReadRoles(const JsonNode& value, const std::string& file,
                                                  const std::string& path, Diagnostics& diag);

// Parses an on_delete action case-insensitively ("cascade", "SET NULL", ...); nullopt if unknown.
std::optional<OnDelete> ParseOnDelete(absl::string_view text);

// Like ParseOnDelete, reporting "unknown on_delete action" at `path`.
std::optional<OnDelete> ReadOnDelete(const JsonNode& value, const std::string& file,
                                     const std::string& path, Diagnostics& diag);

}  // namespace querygate::schema::internal

#endif  // QUERYGATE_SCHEMA_INTERNAL_OPTION_VALUES_H_
