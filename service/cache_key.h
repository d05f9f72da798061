#ifndef QUERYGATE_SERVICE_CACHE_KEY_H_
#define QUERYGATE_SERVICE_CACHE_KEY_H_

#include <optional>
#include <string>
#include <vector>

namespace querygate::service {

// One bound parameter as it is sent to PostgreSQL: its name, declared type and text (nullopt
// for NULL). Text is canonical for its type (defaults applied, uuids lowercased).
struct BoundParam {
  std::string name;
  std::string type;
  std::optional<std::string> text;
};

// Everything a cached result depends on besides the data: the schema version, the query (or
// model request) name, the bound parameters, the scope (tenant and role; empty today) and the
// format the result is stored in.
struct CacheKeyInput {
  std::string schema_version;
  std::string name;
  std::vector<BoundParam> params;
  std::string scope;
  std::string format;
};

// Returns the unambiguous, length-prefixed byte string the key hash is taken over.
std::string CanonicalKeyBytes(const CacheKeyInput& input);

// Returns "<name>:<hex SHA-256 of CanonicalKeyBytes>", the key suffix after the prefix.
std::string CacheKeySuffix(const CacheKeyInput& input);

}  // namespace querygate::service

#endif  // QUERYGATE_SERVICE_CACHE_KEY_H_
