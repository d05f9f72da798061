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
  // Something the user must do or know before applying (e.g. backfilling a new NOT NULL
  // column of an existing table); empty for most steps.
  std::string note;
};

struct Plan {
  std::vector<Change> changes;

  bool empty() const { return changes.empty(); }
  // Returns the destructive steps, in plan order.
  std::vector<Change> Destructive() const;
  // Returns the whole plan as one SQL script, one statement per line.
  std::string Sql() const;
  // Returns the notes of the steps that have one, in plan order.
  std::vector<std::string> Notes() const;
};

// Returns the ordered statements that turn a database shaped like `from` into one shaped like
// `to`. Tables, columns, constraints, indexes and policies are matched by name; renames show up
// as a drop and an add. Policies are compared by their whole definition, and row-level
// security flags are part of each table.
Plan DiffCatalogs(const Catalog& from, const Catalog& to);

}  // namespace querygate::migrate

#endif  // QUERYGATE_MIGRATE_DIFF_H_
