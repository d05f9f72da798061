#include "service/repository_rank.h"

#include <cmath>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/status_macros.h"
#include "service/repository_fulltext.h"
#include "service/repository_order.h"

namespace querygate::service {
namespace {

constexpr int32_t kMaxNormalization = 63;

// The rank as compared by the keyset: the text PostgreSQL prints for the real (what the
// caller and the page token receive) read back as a float8. Text is monotone in the real and
// one-to-one, so it orders exactly as the rank does, and the page's last row equals itself.
std::string KeysetRankSql(const std::string& rank_sql) {
  return absl::StrCat("(", rank_sql, ")::text::float8");
}

absl::StatusOr<std::string> AfterRank(const schema::Schema& schema, const std::string& rank_sql,
                                      const ResolvedOrder& key_order,
                                      const std::vector<Value>& last, SqlParams& params) {
  if (last.size() != key_order.fields.size() + 1 || last[0].kind() != Value::Kind::kDouble ||
      !std::isfinite(last[0].double_value())) {
    return absl::InvalidArgumentError("page_token: does not match the rank order");
  }
  std::string rank = KeysetRankSql(rank_sql);
  std::string bound = params.Add(absl::StrFormat("%.17g", last[0].double_value()), "float8");
  std::vector<Value> key(last.begin() + 1, last.end());
  QG_ASSIGN_OR_RETURN(std::string after_key, KeysetPredicate(schema, key_order, key, params));
  return absl::StrCat("(", rank, " < ", bound, " OR (", rank, " = ", bound, " AND ", after_key,
                      "))");
}

}  // namespace

absl::StatusOr<ScoredQuery> CompileRank(const schema::Schema& schema, const schema::Model& model,
                                        const RepoListRequest& request, SqlParams& params) {
  const RankClause& rank = *request.rank_by;
  if (!request.order_by.empty()) {
    return absl::InvalidArgumentError("rank_by: cannot be combined with order_by");
  }
  QG_ASSIGN_OR_RETURN(const schema::Field* field,
                      FindModelField(model, rank.field, "rank_by.field"));
  FullTextIndexes found = FindFullTextIndexes(model, *field);
  const schema::Index* index = found.single != nullptr ? found.single : found.multi;
  if (index == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("rank_by.field: needs a fulltext index covering ", field->name));
  }
  if (rank.query.size() > kMaxFullTextQueryBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("rank_by.query: longer than ", kMaxFullTextQueryBytes, " bytes"));
  }
  if (absl::StripAsciiWhitespace(rank.query).empty()) {
    return absl::InvalidArgumentError("rank_by.query: must not be empty");
  }
  if (rank.normalization < 0 || rank.normalization > kMaxNormalization) {
    return absl::InvalidArgumentError(
        absl::StrCat("rank_by.normalization: must be 0 to ", kMaxNormalization));
  }
  auto text =
      db::EncodeParam(Value::String(rank.query), {db::PgScalar::kText, false}, "rank_by.query");
  if (!text.ok()) return WithPath(text.status());
  std::string query = TsQuerySql(*index, params.Add(*std::move(text), "text"));
  std::string document = TsVectorSql(*index);
  std::string normalization = params.Add(absl::StrCat(rank.normalization), "integer");
  std::string rank_sql =
      absl::StrCat(rank.function == RankFunction::kTsRankCd ? "ts_rank_cd(" : "ts_rank(", document,
                   ", ", query, ", ", normalization, ")");

  ResolvedOrder key_order;
  for (const schema::Field* key : KeyFields(model)) {
    key_order.fields.push_back(key);
    key_order.descending.push_back(false);
  }
  ScoredQuery scored;
  scored.columns.push_back({rank_sql, ScoreKind::kRank});
  scored.where = absl::StrCat(document, " @@ ", query);
  scored.order_sql = absl::StrCat(rank_sql, " DESC, ", OrderBySql(key_order));
  scored.fingerprint = "rank_by";
  ScoredQuery::Keyset keyset;
  keyset.row_columns.push_back(model.fields.size());
  for (const schema::Field* key : key_order.fields) {
    keyset.row_columns.push_back(static_cast<size_t>(key - model.fields.data()));
  }
  const schema::Schema* schema_ptr = &schema;
  keyset.after = [schema_ptr, rank_sql, key_order](const std::vector<Value>& last,
                                                   SqlParams& keyset_params) {
    return AfterRank(*schema_ptr, rank_sql, key_order, last, keyset_params);
  };
  scored.keyset = std::move(keyset);
  return scored;
}

}  // namespace querygate::service
