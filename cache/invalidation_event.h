#ifndef QUERYGATE_CACHE_INVALIDATION_EVENT_H_
#define QUERYGATE_CACHE_INVALIDATION_EVENT_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "cache/redis_options.h"

namespace querygate::cache {

// The default Redis pub/sub channel for invalidation events.
inline constexpr char kDefaultInvalidationChannel[] = "querygate:invalidate";

// An invalidation event as published on the channel:
// {"tables": [...], "queries": [...], "tags": [...], "source": "...", "tenant": "..."}.
struct InvalidationEvent {
  std::vector<std::string> tables;
  std::vector<std::string> queries;
  std::vector<std::string> tags;
  std::string source;
  // Empty: every tenant. Else the tenant whose entries of the named tenant-scoped tables are
  // invalidated (global tables, queries and tags are still invalidated for everyone).
  std::string tenant;

  bool empty() const { return tables.empty() && queries.empty() && tags.empty(); }
};

// Parses a channel message: the JSON object above, or a bare table name. Fails with
// INVALID_ARGUMENT saying what is wrong.
absl::StatusOr<InvalidationEvent> ParseInvalidationEvent(absl::string_view message);

// Returns the JSON form of `event`.
std::string InvalidationEventJson(const InvalidationEvent& event);

// The largest payload PostgreSQL's NOTIFY accepts is 8000 bytes; this leaves room to spare.
inline constexpr size_t kMaxNotifyPayload = 7900;

// Returns the NOTIFY payloads that announce a committed write of `tables` (for `tenant` only
// when it is not empty) on the database change channel, each at most `max_bytes` long: one
// JSON event {"tables": [...], "tenant": "...", "source": "..."} when it fits, else one per
// table, and for a table whose event alone does not fit, the bare table name (an
// invalidation for every tenant: never narrower than asked). Empty when `tables` is.
std::vector<std::string> ChangeNotifyPayloads(const std::vector<std::string>& tables,
                                              const std::string& tenant, const std::string& source,
                                              size_t max_bytes = kMaxNotifyPayload);

// Publishes `event` on `channel` and returns how many subscribers received it. Fails with
// UNAVAILABLE when Redis cannot be reached.
absl::StatusOr<int64_t> PublishInvalidation(const RedisOptions& options, const std::string& channel,
                                            const InvalidationEvent& event);

}  // namespace querygate::cache

#endif  // QUERYGATE_CACHE_INVALIDATION_EVENT_H_
