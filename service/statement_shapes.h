#ifndef QUERYGATE_SERVICE_STATEMENT_SHAPES_H_
#define QUERYGATE_SERVICE_STATEMENT_SHAPES_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "schema/model.h"

namespace querygate::service {

// Recognizes the statements the repository generates (service/repository_*.cc) in
// pg_stat_statements' normalized text. Every repository statement starts with a form fixed by
// its model: its select list and quoted table, e.g. `SELECT "id", "email" FROM "users" WHERE `.
class RepositoryShapes {
 public:
  explicit RepositoryShapes(const schema::Schema& schema);

  // Returns "<Op> <model>" (Get, List, Count, Exists, Create, Update, Delete, Include) for a
  // statement the repository generates, or "" for any other text.
  std::string Classify(absl::string_view sql) const;

 private:
  struct Model {
    std::string name;
    std::string table;        // quoted
    std::string select_list;  // quoted columns, comma separated
  };
  std::vector<Model> models_;
};

}  // namespace querygate::service

#endif  // QUERYGATE_SERVICE_STATEMENT_SHAPES_H_
