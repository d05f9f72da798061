#ifndef QUERYGATE_SERVICE_REPOSITORY_INCLUDES_H_
#define QUERYGATE_SERVICE_REPOSITORY_INCLUDES_H_

#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "schema/model.h"
#include "service/database_reader.h"
#include "service/repository_types.h"

namespace querygate::service {

// One requested relation and the relations requested below it.
struct IncludeNode {
  const schema::Relation* relation = nullptr;
  const schema::Model* target = nullptr;
  std::map<std::string, IncludeNode> children;
};
using IncludeTree = std::map<std::string, IncludeNode>;

// Parses dotted relation paths ("posts.comments") into a tree rooted at `model`. Fails with
// INVALID_ARGUMENT naming the path for an unknown relation, an empty segment, or a path
// deeper than `max_depth`.
absl::StatusOr<IncludeTree> ParseIncludes(const schema::Schema& schema, const schema::Model& model,
                                          const std::vector<std::string>& paths, int max_depth);

// Adds every table the tree reads (targets and junction tables) to `tables`.
void AddIncludeTables(const IncludeTree& tree, std::set<std::string>& tables);

// Returns a canonical text for the tree, e.g. "author;comments(user)".
std::string IncludeFingerprint(const IncludeTree& tree);

// Runs one read-only statement.
using StatementRunner = std::function<absl::StatusOr<SharedResult>(const Statement&)>;

// Loads the relations of `tree` into `records` (rows of `model` with every field present):
// one statement per relation and level, whatever the number of records, hiding soft-deleted
// related rows. belongs_to and has_one become a Struct or null, has_many and many_to_many a
// List ordered by the target's key. At most `max_rows` related rows are loaded, all levels
// together: each statement asks the database for no more than the rows left plus one. Fails
// with RESOURCE_EXHAUSTED past `max_rows` (naming repository.max_include_rows), or with the
// runner's error.
absl::Status LoadIncludes(const schema::Schema& schema, const schema::Model& model,
                          const IncludeTree& tree, std::vector<Record>& records,
                          const StatementRunner& run, int64_t max_rows);

}  // namespace querygate::service

#endif  // QUERYGATE_SERVICE_REPOSITORY_INCLUDES_H_
