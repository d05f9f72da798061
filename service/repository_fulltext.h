#ifndef QUERYGATE_SERVICE_REPOSITORY_FULLTEXT_H_
#define QUERYGATE_SERVICE_REPOSITORY_FULLTEXT_H_

#include <cstddef>
#include <string>

#include "absl/strings/string_view.h"
#include "schema/model.h"

namespace querygate::service {

// The longest full-text search text (a MATCH value or rank_by.query), in bytes.
inline constexpr size_t kMaxFullTextQueryBytes = 1024;

// The fulltext indexes of a model covering one field: the first over that field alone and
// the first over several fields including it; either may be null.
struct FullTextIndexes {
  const schema::Index* single = nullptr;
  const schema::Index* multi = nullptr;
};

// Returns the fulltext indexes of `model` covering `field`.
FullTextIndexes FindFullTextIndexes(const schema::Model& model, const schema::Field& field);

// Returns the document expression of a fulltext index exactly as its DDL declares it
// ("to_tsvector('english'::regconfig, coalesce("a", '') || ' ' || coalesce("b", ''))"), so
// that a predicate over it can use the index.
std::string TsVectorSql(const schema::Index& index);

// Returns "plainto_tsquery(<the index's language>, <placeholder>)".
std::string TsQuerySql(const schema::Index& index, absl::string_view placeholder);

}  // namespace querygate::service

#endif  // QUERYGATE_SERVICE_REPOSITORY_FULLTEXT_H_
