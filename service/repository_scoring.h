#ifndef QUERYGATE_SERVICE_REPOSITORY_SCORING_H_
#define QUERYGATE_SERVICE_REPOSITORY_SCORING_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/value.h"
#include "db/query_runner.h"
#include "schema/model.h"
#include "service/repository_fields.h"
#include "service/repository_types.h"

namespace querygate::service {

// What one extra column of a scored List reports beside each record.
enum class ScoreKind { kDistance, kSimilarity, kRank };

// The SQL a nearest-neighbour or ranked List adds to the model's SELECT. The extra columns
// follow the model's columns in `columns` order.
struct ScoredQuery {
  struct Column {
    std::string sql;  // an expression over the model's table and bound parameters
    ScoreKind kind = ScoreKind::kDistance;
  };
  std::vector<Column> columns;
  std::string where;      // ANDed to the filter; empty for none
  std::string order_sql;  // the whole ORDER BY list (replaces the field order)
  // Rows to return: k for a nearest-neighbour search (one page, no token); nullopt keeps the
  // request's page size and paging.
  std::optional<int64_t> limit;
  // Hashed into the page-token fingerprint and the cache key (besides the SQL and parameters).
  std::string fingerprint;
  // Transaction-local settings the read runs with (hnsw.ef_search, ivfflat.probes, ...).
  db::LocalSettings settings;
  // Keyset paging of a scored order (rank_by): a page token carries the cells `row_columns`
  // of the page's last row (indexes into the model's columns followed by `columns`), and
  // `after` returns the predicate selecting the rows strictly after such a row, failing with
  // INVALID_ARGUMENT ("page_token: ...") when the values do not fit. Unset: the field order's
  // keyset.
  struct Keyset {
    std::vector<size_t> row_columns;
    std::function<absl::StatusOr<std::string>(const std::vector<Value>& last, SqlParams& params)>
        after;
  };
  std::optional<Keyset> keyset;
};

// Returns the scoring of a List with `nearest` or `rank_by` (binding its values into `params`),
// or nullopt when it has neither. Fails with INVALID_ARGUMENT naming the field for bad input,
// and when both are set. `max_k` caps nearest.k.
absl::StatusOr<std::optional<ScoredQuery>> CompileScoring(const schema::Schema& schema,
                                                          const schema::Model& model,
                                                          const RepoListRequest& request,
                                                          int64_t max_k, SqlParams& params);

// Returns the scores of a row whose extra columns start at `offset`. A null column stays unset.
RecordScore ScoresOfRow(const ScoredQuery& query, const std::vector<Value>& row, size_t offset);

// Encodes scores as the cached value of a List page (one list of doubles-or-null per record)
// and back; DecodeScores fails when `value` does not have that shape.
Value EncodeScores(const std::vector<RecordScore>& scores);
absl::StatusOr<std::vector<RecordScore>> DecodeScores(const Value& value);

}  // namespace querygate::service

#endif  // QUERYGATE_SERVICE_REPOSITORY_SCORING_H_
