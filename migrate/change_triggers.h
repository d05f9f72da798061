#ifndef QUERYGATE_MIGRATE_CHANGE_TRIGGERS_H_
#define QUERYGATE_MIGRATE_CHANGE_TRIGGERS_H_

#include <string>

#include "schema/model.h"

namespace querygate::migrate {

// The PostgreSQL NOTIFY channel on which the triggers announce changed tables. The payload
// is {"tables":["<table>"],"ts_us":<database clock, microseconds since the Unix epoch>};
// triggers installed by older versions send the bare table name. A partition's trigger passes
// its parent's name as the trigger argument, and the payload names the parent.
inline constexpr char kChangeChannel[] = "querygate_changes";

// The transaction-local setting holding the timestamp a transaction's notifications carry.
inline constexpr char kNotifyTimestampSetting[] = "querygate.notify_ts";

// The transaction-local setting that silences the triggers for writes whose invalidation the
// server performs itself.
inline constexpr char kSkipNotifySetting[] = "querygate.skip_notify";

// Returns idempotent SQL that installs the notify function and a statement-level AFTER
// INSERT/UPDATE/DELETE/TRUNCATE trigger on every existing table of `schema` whose model keeps
// notify_changes, and removes the trigger from tables that opted out.
std::string ChangeTriggerSql(const schema::Schema& schema);

}  // namespace querygate::migrate

#endif  // QUERYGATE_MIGRATE_CHANGE_TRIGGERS_H_
