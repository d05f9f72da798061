#ifndef QUERYGATE_MIGRATE_TYPE_CHANGE_H_
#define QUERYGATE_MIGRATE_TYPE_CHANGE_H_

#include "absl/strings/string_view.h"

namespace querygate::migrate {

// True when every value of PostgreSQL type `from` (format_type text) converts to `to`
// without loss: integer widening, longer varchar, varchar to text, wider numeric, real to
// double precision, and the same rules element-wise for arrays. False for anything else.
bool IsWideningTypeChange(absl::string_view from, absl::string_view to);

}  // namespace querygate::migrate

#endif  // QUERYGATE_MIGRATE_TYPE_CHANGE_H_
