#ifndef QUERYGATE_MIGRATE_SQL_IDENT_H_
#define QUERYGATE_MIGRATE_SQL_IDENT_H_

#include <string>

#include "absl/strings/string_view.h"

namespace querygate::migrate {

// Returns `name` as a PostgreSQL identifier: unchanged when it is a plain lowercase
// identifier that is not a keyword, double-quoted (with quotes doubled) otherwise.
std::string QuoteIdent(absl::string_view name);

}  // namespace querygate::migrate

#endif  // QUERYGATE_MIGRATE_SQL_IDENT_H_
