#ifndef QUERYGATE_SERVICE_QUERY_RESULT_H_
#define QUERYGATE_SERVICE_QUERY_RESULT_H_

#include <cstdint>
#include <string>
#include <vector>

#include "common/value.h"

namespace querygate::service {

enum class CacheMode { kDefault, kBypass, kRefresh, kOnlyCached };
enum class CacheStatus { kUnspecified, kHit, kMiss, kBypass, kStale };

// Which tier served a hit (or a stale entry).
enum class CacheTier { kNone, kLocal, kShared };

struct CacheInfo {
  CacheStatus status = CacheStatus::kUnspecified;
  int64_t age_ms = 0;
  int64_t ttl_ms = 0;
  CacheTier tier = CacheTier::kNone;
};

struct ResultColumn {
  std::string name;
  std::string type;
  bool operator==(const ResultColumn&) const = default;
};

// Rows of a query, each with one value per column.
struct QueryResult {
  std::vector<ResultColumn> columns;
  std::vector<std::vector<Value>> rows;
  bool operator==(const QueryResult&) const = default;
};

}  // namespace querygate::service

#endif  // QUERYGATE_SERVICE_QUERY_RESULT_H_
