#ifndef QUERYGATE_MIGRATE_DIFF_H_
#define QUERYGATE_MIGRATE_DIFF_H_

#include <string>
#include <vector>

#include "migrate/catalog.h"

namespace querygate::migrate {

// One step of a plan: a statement and a one-line summary. Destructive steps can lose data
// (dropping a table or column, narrowing a type).
struct Change {
  std::string summary;
  std::string sql;
  bool destructive = false;
};

struct Plan {
  std::vector<Change> changes;

  bool empty() const { return changes.empty(); }
  // Returns the destructive steps, in plan order.
  std::vector<Change> Destructive() const;
  // Returns the whole plan as one SQL script, one statement per line.
  std::string Sql() const;
};

// Returns the ordered statements that turn a database shaped like `from` into one shaped like
// `to`. Tables, columns, constraints and indexes are matched by name; renames show up as a drop
// and an add.
Plan DiffCatalogs(const Catalog& from, const Catalog& to);

}  // namespace querygate::migrate

#endif  // QUERYGATE_MIGRATE_DIFF_H_
