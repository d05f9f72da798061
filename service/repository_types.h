#ifndef QUERYGATE_SERVICE_REPOSITORY_TYPES_H_
#define QUERYGATE_SERVICE_REPOSITORY_TYPES_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "common/value.h"
#include "service/query_result.h"

namespace querygate::service {

// One row of a model: field name -> value. Included relations are Struct (belongs_to,
// has_one; null when absent) or List (has_many, many_to_many) values.
using Record = Value::Struct;

enum class FilterOp {
  kUnspecified,
  kEq,
  kNe,
  kLt,
  kLe,
  kGt,
  kGe,
  kIn,
  kNotIn,
  kIsNull,
  kIsNotNull,
  kBetween,
  kLike,
  kILike,
  kMatch,
};

// The query builder's filter tree. kEmpty matches every row; kAll with no children matches
// every row, kAny with no children none; kNot has exactly one child.
struct Filter {
  enum class Kind { kEmpty, kCondition, kAll, kAny, kNot };
  Kind kind = Kind::kEmpty;
  std::string field;  // kCondition
  FilterOp op = FilterOp::kUnspecified;
  Value value;
  std::vector<Filter> children;
};

struct OrderTerm {
  std::string field;
  bool descending = false;
};

enum class DistanceMetric { kDefault, kCosine, kL2, kInnerProduct };

// Nearest-neighbour search over a vector field (ListRequest.nearest).
struct NearestClause {
  std::string field;
  std::vector<float> vector;
  DistanceMetric metric = DistanceMetric::kDefault;
  int32_t k = 0;
  std::optional<double> max_distance;
  std::optional<double> min_similarity;
};

enum class RankFunction { kTsRank, kTsRankCd };

// Relevance order for a full-text query (ListRequest.rank_by).
struct RankClause {
  std::string field;
  std::string query;
  RankFunction function = RankFunction::kTsRank;
  int32_t normalization = 0;
};

// What a nearest or ranked List reports beside each record.
struct RecordScore {
  std::optional<double> distance;
  std::optional<double> similarity;
  std::optional<double> rank;
};

struct RepoGetRequest {
  std::string model;
  Value id;
  std::vector<std::string> include;
  CacheMode cache_mode = CacheMode::kDefault;
};

struct RepoGetResponse {
  Record record;
  CacheInfo cache;
  int statements = 0;
};

struct RepoListRequest {
  std::string model;
  Filter filter;
  std::vector<OrderTerm> order_by;
  int32_t page_size = 0;
  std::string page_token;
  int32_t offset = 0;
  std::vector<std::string> include;
  std::vector<std::string> fields;
  CacheMode cache_mode = CacheMode::kDefault;
  std::optional<NearestClause> nearest;
  std::optional<RankClause> rank_by;
};

struct RepoListResponse {
  std::vector<Record> records;
  // Empty, or one per record (nearest and rank_by lists).
  std::vector<RecordScore> scores;
  std::string next_page_token;
  CacheInfo cache;
  int statements = 0;
};

struct RepoCountRequest {
  std::string model;
  Filter filter;
  CacheMode cache_mode = CacheMode::kDefault;
};

struct RepoCountResponse {
  int64_t count = 0;
  CacheInfo cache;
};

struct RepoExistsRequest {
  std::string model;
  Value id;
  CacheMode cache_mode = CacheMode::kDefault;
};

struct RepoCreateRequest {
  std::string model;
  Record record;
};

struct RepoUpdateRequest {
  std::string model;
  Value id;
  Record record;
  // nullopt: write every field present in record.
  std::optional<std::vector<std::string>> update_mask;
  std::optional<Timestamp> expected_updated_at;
};

struct RepoDeleteRequest {
  std::string model;
  Value id;
  bool hard = false;
};

struct RepoWriteOp {
  enum class Kind { kCreate, kUpdate, kDelete };
  Kind kind = Kind::kCreate;
  RepoCreateRequest create;
  RepoUpdateRequest update;
  RepoDeleteRequest del;
};

}  // namespace querygate::service

#endif  // QUERYGATE_SERVICE_REPOSITORY_TYPES_H_
