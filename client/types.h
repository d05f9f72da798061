#ifndef QUERYGATE_CLIENT_TYPES_H_
#define QUERYGATE_CLIENT_TYPES_H_

// The plain data types the client library returns and accepts. No gRPC or protobuf types.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "client/value_helpers.h"
#include "common/value.h"

namespace querygate::client {

// How a read uses the result cache.
enum class CacheMode {
  kDefault,     // serve a hit, fill on a miss
  kBypass,      // read PostgreSQL, store nothing
  kRefresh,     // read PostgreSQL and replace the cached entry
  kOnlyCached,  // answer from the cache only; NOT_FOUND on a miss
};

enum class CacheStatus { kUnspecified, kHit, kMiss, kBypass, kStale };

// "HIT", "MISS", "BYPASS", "STALE" or "UNSPECIFIED".
const char* CacheStatusName(CacheStatus status);

// Which tier served a HIT or STALE answer.
enum class CacheTier { kUnspecified, kLocal, kShared };

struct CacheInfo {
  CacheStatus status = CacheStatus::kUnspecified;
  std::chrono::milliseconds age{0};  // age of the served entry
  std::chrono::milliseconds ttl{0};  // time to live of the entry (0 when not cached)
  CacheTier tier = CacheTier::kUnspecified;
};

// A result column: its name and PostgreSQL type name ("bigint", "text[]", ...).
struct Column {
  std::string name;
  std::string type;
};

// The result of a named query.
struct Result {
  std::vector<Column> columns;
  std::vector<std::vector<Value>> rows;  // each row has one value per column
  CacheInfo cache;

  // Returns the index of the first column named `name`, or nullopt.
  std::optional<size_t> ColumnIndex(std::string_view name) const;

  // Returns row `row`'s value of column `column` as T. Fails with OUT_OF_RANGE for a bad row,
  // NOT_FOUND for an unknown column, or as FromValue<T>.
  template <typename T>
  absl::StatusOr<T> Get(size_t row, std::string_view column) const {
    absl::StatusOr<const Value*> value = Cell(row, column);
    if (!value.ok()) return value.status();
    absl::StatusOr<T> out = FromValue<T>(**value);
    if (!out.ok()) return Annotate(out.status(), column);
    return out;
  }

  // Returns the cell (row, column). Fails like Get.
  absl::StatusOr<const Value*> Cell(size_t row, std::string_view column) const;
};

// A declared parameter of a named query. `type` is the schema spelling: "int64", "string?",
// "[int64]", "datetime", "@post_status", ...
struct QueryParamInfo {
  std::string name;
  std::string type;
  bool nullable = false;
  bool required = false;
  std::optional<Value> default_value;
};

struct QueryInfo {
  std::string name;
  std::string description;
  std::vector<QueryParamInfo> params;
  std::vector<Column> columns;
  std::chrono::milliseconds ttl{0};  // 0 when the query is not cached
  std::vector<std::string> tables;
  std::vector<std::string> tags;
  std::string source_file;
  std::vector<std::string> roles;  // empty: any caller allowed to Execute
  // Reads a tenant-scoped table: runs for the caller's tenant only; refused without one.
  bool tenant_scoped = false;
};

// What to invalidate: cached results depending on any of these tables, queries or tags.
struct Invalidation {
  std::vector<std::string> tables;
  std::vector<std::string> queries;
  std::vector<std::string> tags;
  // With a schema that declares tenancy: limit the tenant-scoped tables to this tenant's
  // entries (global tables, queries and tags go for everyone). Empty: every tenant. (The
  // initializer keeps {tables, queries, tags} aggregate initialization warning-free.)
  std::string tenant = {};
};

// What the server invalidated.
struct InvalidationResult {
  std::vector<std::string> tables;
  std::vector<std::string> queries;
  std::string tenant = {};  // the canonical tenant it was limited to; empty: every tenant
};

// A set of cache entries to warm: either a warm set of the server's configuration by `name`
// (nothing else set), or a named query (`query`) or a model's Get (`model`, the parameter
// "id") for explicit parameter sets. The server accepts no SQL from callers; see the CLI's
// `warm --params-from` for turning rows of your own query into parameter sets.
struct WarmSet {
  std::string query;
  std::string model;
  std::vector<Value::Struct> params;
  std::string name;
  // Tenants to warm for (each parameter set once per tenant; with `name`, instead of the
  // configured ones); empty: the caller's tenant, if it has one.
  std::vector<std::string> tenants = {};
};

struct WarmRequest {
  std::vector<WarmSet> sets;  // empty: the server's configured sets
  int concurrency = 0;        // 0: the server's default
};

struct WarmFailure {
  std::string query;     // "query <name>" or "model <name>", after "set <name>: " for a set
  Value::Struct params;  // empty unless the caller may see warm details
  std::string error;
};

struct WarmProgress {
  int64_t total = 0;
  int64_t done = 0;
  int64_t failed = 0;
  std::chrono::milliseconds elapsed{0};
  std::vector<WarmFailure> failures;
  bool finished = false;
};

struct CacheCounters {
  std::string name;
  int64_t hits = 0;
  int64_t misses = 0;
  int64_t bypasses = 0;
  double hit_ratio = 0;
  int64_t fills = 0;
  int64_t invalidations_write = 0;
  int64_t invalidations_event = 0;
  int64_t invalidations_trigger = 0;
};

struct PoolFigures {
  int64_t active = 0;
  int64_t idle = 0;
  int64_t waiting = 0;
  int64_t created = 0;
  int64_t broken = 0;
  int64_t max = 0;
};

struct ServerStats {
  std::vector<CacheCounters> queries;
  std::vector<CacheCounters> models;
  PoolFigures database_pool;
  PoolFigures redis_pool;
  bool redis_healthy = false;
  bool database_healthy = false;
  std::chrono::milliseconds uptime{0};
  std::string warm_status;
};

// The standard gRPC health states.
enum class HealthStatus { kUnknown, kServing, kNotServing, kServiceUnknown };

// "SERVING", "NOT_SERVING", "SERVICE_UNKNOWN" or "UNKNOWN".
const char* HealthStatusName(HealthStatus status);

// One row of a model: field name -> value. Included relations are struct (belongs_to,
// has_one) or list (has_many, many_to_many) values.
struct Record {
  Value::Struct fields;

  // Returns field `name` as T. Fails with NOT_FOUND for an absent field, or as FromValue<T>.
  template <typename T>
  absl::StatusOr<T> Get(const std::string& name) const {
    auto it = fields.find(name);
    if (it == fields.end()) return absl::NotFoundError("no field " + name);
    absl::StatusOr<T> out = FromValue<T>(it->second);
    if (!out.ok()) return Annotate(out.status(), name);
    return out;
  }
  template <typename T>
  Record& Set(const std::string& name, const T& value) {
    fields[name] = ToValue(value);
    return *this;
  }
};

enum class Operator {
  kEq,
  kNe,
  kLt,
  kLe,
  kGt,
  kGe,
  kIn,         // value: a list of candidates
  kNotIn,      // value: a list
  kIsNull,     // no value
  kIsNotNull,  // no value
  kBetween,    // value: a list of two inclusive bounds
  kLike,
  kILike,
  kMatch,  // full-text search over a field with a fulltext index
};

// A filter tree for List and Count. A default-constructed Filter matches every row.
struct Filter {
  enum class Kind { kMatchAll, kCondition, kAll, kAny, kNot };
  Kind kind = Kind::kMatchAll;
  std::string field;  // kCondition
  Operator op = Operator::kEq;
  Value value;
  std::vector<Filter> children;  // kAll, kAny; kNot has exactly one

  static Filter Where(std::string field, Operator op, Value value = Value());
  static Filter All(std::vector<Filter> filters);
  static Filter Any(std::vector<Filter> filters);
  static Filter Not(Filter filter);
};

struct Order {
  std::string field;
  bool descending = false;
};

struct ListOptions {
  Filter filter;
  std::vector<Order> order_by;
  int page_size = 0;  // 0: the server's default
  std::string page_token;
  int offset = 0;  // only without page_token
  std::vector<std::string> include;
  std::vector<std::string> fields;  // empty: every field
};

struct ListResult {
  std::vector<Record> records;
  std::string next_page_token;  // empty on the last page
  CacheInfo cache;
};

struct GetResult {
  Record record;
  CacheInfo cache;
};

struct UpdateOptions {
  // Fields to write; a field named here but absent from the record is set to null. Empty:
  // every field present in the record.
  std::vector<std::string> mask;
  // When set, the update applies only if the row's updated_at still equals it (ABORTED
  // otherwise).
  std::optional<Timepoint> expected_updated_at;
};

}  // namespace querygate::client

#endif  // QUERYGATE_CLIENT_TYPES_H_
