#include "service/repository_scoring.h"

#include "absl/status/status.h"
#include "service/repository_nearest.h"
#include "service/repository_rank.h"

namespace querygate::service {
namespace {

std::optional<double>& Slot(RecordScore& score, ScoreKind kind) {
  switch (kind) {
    case ScoreKind::kDistance:
      return score.distance;
    case ScoreKind::kSimilarity:
      return score.similarity;
    case ScoreKind::kRank:
      return score.rank;
  }
  return score.distance;
}

Value Optional(const std::optional<double>& v) { return v ? Value::Double(*v) : Value(); }

absl::StatusOr<std::optional<double>> OptionalFrom(const Value& v) {
  if (v.is_null()) return std::optional<double>();
  if (v.kind() != Value::Kind::kDouble) {
    return absl::DataLossError("cached scores: expected a double");
  }
  return std::optional<double>(v.double_value());
}

}  // namespace

absl::StatusOr<std::optional<ScoredQuery>> CompileScoring(const schema::Schema& schema,
                                                          const schema::Model& model,
                                                          const RepoListRequest& request,
                                                          int64_t max_k, SqlParams& params) {
  if (request.nearest.has_value() && request.rank_by.has_value()) {
    return absl::InvalidArgumentError("nearest: cannot be combined with rank_by");
  }
  if (request.nearest.has_value()) return CompileNearest(schema, model, request, max_k, params);
  if (request.rank_by.has_value()) return CompileRank(schema, model, request, params);
  return std::optional<ScoredQuery>();
}

RecordScore ScoresOfRow(const ScoredQuery& query, const std::vector<Value>& row, size_t offset) {
  RecordScore score;
  for (size_t i = 0; i < query.columns.size() && offset + i < row.size(); ++i) {
    const Value& cell = row[offset + i];
    std::optional<double>& slot = Slot(score, query.columns[i].kind);
    if (cell.kind() == Value::Kind::kDouble) {
      slot = cell.double_value();
    } else if (cell.kind() == Value::Kind::kInt) {
      slot = static_cast<double>(cell.int_value());
    }
  }
  return score;
}

Value EncodeScores(const std::vector<RecordScore>& scores) {
  Value::List list;
  list.reserve(scores.size());
  for (const RecordScore& s : scores) {
    list.push_back(Value::ListOf({Optional(s.distance), Optional(s.similarity), Optional(s.rank)}));
  }
  return Value::ListOf(std::move(list));
}

absl::StatusOr<std::vector<RecordScore>> DecodeScores(const Value& value) {
  if (value.kind() != Value::Kind::kList) return absl::DataLossError("cached scores: not a list");
  std::vector<RecordScore> out;
  out.reserve(value.list_value().size());
  for (const Value& item : value.list_value()) {
    if (item.kind() != Value::Kind::kList || item.list_value().size() != 3) {
      return absl::DataLossError("cached scores: bad entry");
    }
    const Value::List& cells = item.list_value();
    RecordScore s;
    auto distance = OptionalFrom(cells[0]);
    auto similarity = OptionalFrom(cells[1]);
    auto rank = OptionalFrom(cells[2]);
    if (!distance.ok()) return distance.status();
    if (!similarity.ok()) return similarity.status();
    if (!rank.ok()) return rank.status();
    s.distance = *distance;
    s.similarity = *similarity;
    s.rank = *rank;
    out.push_back(s);
  }
  return out;
}

}  // namespace querygate::service
