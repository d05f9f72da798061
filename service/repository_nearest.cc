#include "service/repository_nearest.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "common/status_macros.h"
#include "service/vector_text.h"

namespace querygate::service {
namespace {

using schema::VectorDistance;

// pgvector's default hnsw.ef_search; a search asks for at least k + 1 candidates.
constexpr int kDefaultEfSearch = 40;

absl::StatusOr<VectorDistance> ResolveMetric(const schema::Field& field, DistanceMetric metric) {
  switch (metric) {
    case DistanceMetric::kDefault:
      return field.vector_index ? field.vector_index->distance : VectorDistance::kL2;
    case DistanceMetric::kL2:
      return VectorDistance::kL2;
    case DistanceMetric::kCosine:
      return VectorDistance::kCosine;
    case DistanceMetric::kInnerProduct:
      return VectorDistance::kInnerProduct;
  }
  return absl::InvalidArgumentError("nearest.metric: unknown metric");
}

// The distance expression: pgvector's operator over a vector(N) column, else querygate's SQL
// function over a REAL[] column. Both give the same value (inner product: its negation).
std::string DistanceSql(const schema::Field& field, VectorDistance distance,
                        const std::string& query) {
  std::string column = QuoteIdent(field.column);
  if (field.vector_storage == schema::VectorStorage::kPgvector) {
    absl::string_view op = "<->";
    if (distance == VectorDistance::kCosine) op = "<=>";
    if (distance == VectorDistance::kInnerProduct) op = "<#>";
    return absl::StrCat("(", column, " ", op, " ", query, "::vector)");
  }
  absl::string_view function = "querygate_l2_distance";
  if (distance == VectorDistance::kCosine) function = "querygate_cosine_distance";
  if (distance == VectorDistance::kInnerProduct) function = "querygate_negative_inner_product";
  return absl::StrCat(function, "(", column, ", ", query, ")");
}

absl::Status CheckRequest(const schema::Model& model, const RepoListRequest& request,
                          int64_t max_k) {
  if (!request.page_token.empty()) {
    return absl::InvalidArgumentError("nearest: cannot be combined with page_token");
  }
  if (request.offset != 0) {
    return absl::InvalidArgumentError("nearest: cannot be combined with offset");
  }
  if (!request.order_by.empty()) {
    return absl::InvalidArgumentError(
        "nearest: cannot be combined with order_by (results are ordered by distance)");
  }
  const NearestClause& nearest = *request.nearest;
  if (nearest.k < 1 || nearest.k > max_k) {
    return absl::InvalidArgumentError(
        absl::StrCat("nearest.k: must be between 1 and ", max_k, ", got ", nearest.k));
  }
  if (nearest.max_distance.has_value() && nearest.min_similarity.has_value()) {
    return absl::InvalidArgumentError("nearest: set max_distance or min_similarity, not both");
  }
  if (nearest.max_distance.has_value() &&
      (!std::isfinite(*nearest.max_distance) || *nearest.max_distance < 0)) {
    return absl::InvalidArgumentError("nearest.max_distance: must be a finite number >= 0");
  }
  if (nearest.min_similarity.has_value() && !std::isfinite(*nearest.min_similarity)) {
    return absl::InvalidArgumentError("nearest.min_similarity: must be a finite number");
  }
  (void)model;
  return absl::OkStatus();
}

// Whether `field` has a pgvector index built for `distance`.
bool IndexServes(const schema::Field& field, VectorDistance distance) {
  return field.vector_storage == schema::VectorStorage::kPgvector && field.vector_index &&
         field.vector_index->distance == distance;
}

// The search settings of the index serving `distance` on `field`, if any.
db::LocalSettings IndexSettings(const schema::Field& field, VectorDistance distance, int32_t k) {
  db::LocalSettings settings;
  if (!IndexServes(field, distance)) return settings;
  const schema::VectorIndex& index = *field.vector_index;
  if (index.method == schema::VectorIndex::Method::kHnsw) {
    int ef = std::max(index.ef_search.value_or(kDefaultEfSearch), k + 1);
    settings.emplace_back("hnsw.ef_search", absl::StrCat(std::min(ef, 1000)));
    settings.emplace_back("hnsw.iterative_scan", "strict_order");
  } else if (index.probes.has_value()) {
    settings.emplace_back("ivfflat.probes", absl::StrCat(*index.probes));
  }
  return settings;
}

}  // namespace

absl::StatusOr<ScoredQuery> CompileNearest(const schema::Schema& schema, const schema::Model& model,
                                           const RepoListRequest& request, int64_t max_k,
                                           SqlParams& params) {
  (void)schema;
  QG_RETURN_IF_ERROR(CheckRequest(model, request, max_k));
  const NearestClause& nearest = *request.nearest;
  QG_ASSIGN_OR_RETURN(const schema::Field* field,
                      FindModelField(model, nearest.field, "nearest.field"));
  if (field->type.kind != schema::TypeKind::kVector) {
    return absl::InvalidArgumentError(
        absl::StrCat("nearest.field: \"", field->name, "\" is not a vector field"));
  }
  QG_ASSIGN_OR_RETURN(VectorDistance distance, ResolveMetric(*field, nearest.metric));
  if (distance == VectorDistance::kL2 && nearest.min_similarity.has_value()) {
    return absl::InvalidArgumentError(
        "nearest.min_similarity: the l2 metric has no similarity (use max_distance)");
  }
  QG_ASSIGN_OR_RETURN(std::string text,
                      EncodeFloatVector(nearest.vector, field->type.dimensions, "nearest.vector"));
  if (distance == VectorDistance::kCosine &&
      std::all_of(nearest.vector.begin(), nearest.vector.end(), [](float v) { return v == 0; })) {
    return absl::InvalidArgumentError(
        "nearest.vector: the cosine distance needs a non-zero vector");
  }
  std::string query = params.Add(std::move(text), "real[]");
  std::string expr = DistanceSql(*field, distance, query);

  ScoredQuery out;
  out.columns.push_back({expr, ScoreKind::kDistance});
  if (distance == VectorDistance::kCosine) {
    out.columns.push_back({absl::StrCat("1 - ", expr), ScoreKind::kSimilarity});
  } else if (distance == VectorDistance::kInnerProduct) {
    out.columns.push_back({absl::StrCat("-", expr), ScoreKind::kSimilarity});
  }
  out.where = absl::StrCat(QuoteIdent(field->column), " IS NOT NULL");
  std::optional<double> bound = nearest.max_distance;
  if (nearest.min_similarity.has_value()) {
    bound = distance == VectorDistance::kCosine ? 1 - *nearest.min_similarity
                                                : -*nearest.min_similarity;
  }
  if (bound.has_value()) {
    absl::StrAppend(&out.where, " AND ", expr,
                    " <= ", params.Add(absl::StrFormat("%.17g", *bound), "double precision"));
  }
  out.settings = IndexSettings(*field, distance, nearest.k);
  // An index scan yields rows by distance alone; a second sort key would make PostgreSQL
  // sort every row instead, so ties go by primary key only when no index serves the search.
  std::vector<std::string> order = {expr};
  if (!IndexServes(*field, distance)) {
    for (const schema::Field* key : KeyFields(model)) order.push_back(QuoteIdent(key->column));
  }
  out.order_sql = absl::StrJoin(order, ", ");
  out.limit = nearest.k;
  out.fingerprint = absl::StrCat("nearest\n", schema::VectorDistanceName(distance));
  return out;
}

}  // namespace querygate::service
