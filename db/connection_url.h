#ifndef QUERYGATE_DB_CONNECTION_URL_H_
#define QUERYGATE_DB_CONNECTION_URL_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace querygate::db {

// Returns `url` (a postgres:// or postgresql:// URI, or a key=value conninfo string) with its
// database name replaced by `database`. Fails with INVALID_ARGUMENT on an unusable URL.
absl::StatusOr<std::string> WithDatabase(absl::string_view url, absl::string_view database);

// Returns `url` with the connection parameter `key` set to `value` unless the URL sets it.
std::string WithDefaultParam(absl::string_view url, absl::string_view key, absl::string_view value);

// Returns the database name the URL selects, or an empty string when it names none.
std::string DatabaseName(absl::string_view url);

// Returns `url` with any password replaced by "***", for logs and error messages.
std::string RedactPassword(absl::string_view url);

}  // namespace querygate::db

#endif  // QUERYGATE_DB_CONNECTION_URL_H_
