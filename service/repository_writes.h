#ifndef QUERYGATE_SERVICE_REPOSITORY_WRITES_H_
#define QUERYGATE_SERVICE_REPOSITORY_WRITES_H_

#include <optional>
#include <set>
#include <string>

#include "absl/status/statusor.h"
#include "db/query_runner.h"
#include "schema/model.h"
#include "service/database_reader.h"
#include "service/repository_types.h"
#include "service/repository_uuid.h"

namespace querygate::service {

// A validated write, ready to run inside a transaction.
struct PlannedWrite {
  enum class Kind { kInsert, kUpdate, kSoftDelete, kHardDelete };
  Kind kind = Kind::kInsert;
  const schema::Model* model = nullptr;
  Statement statement;  // returns the written row's columns (SelectList order)
  Statement exists;     // kUpdate: tells a missing row from a changed one
  bool optimistic = false;
  std::set<std::string> tables;  // every table the write may change, cascades included
};

// Turns repository write requests into SQL, checking them against the schema first so that
// bad input never opens a transaction. Managed timestamps (created_at/updated_at of
// `timestamps` models) and deleted_at are maintained by the server: values sent for them are
// ignored.
class WritePlanner {
 public:
  WritePlanner(const schema::Schema* schema, UuidV7Generator* uuids)
      : schema_(schema), uuids_(uuids) {}

  // An INSERT ... RETURNING. Absent uuid_v7 fields get a generated value. Fails with
  // INVALID_ARGUMENT naming `path`.<field> for an unknown model or field, a missing required
  // field, null in a NOT NULL field, or a mistyped or out-of-range value.
  absl::StatusOr<PlannedWrite> Create(const RepoCreateRequest& request,
                                      const std::string& path = "record");

  // An UPDATE ... RETURNING of the fields in the mask (or present in the record) that also
  // moves updated_at forward. Fails like Create, and for a mask naming an unknown field, a
  // changed primary key, or expected_updated_at on a model without updated_at.
  absl::StatusOr<PlannedWrite> Update(const RepoUpdateRequest& request,
                                      const std::string& path = "");

  // A soft delete (models with soft_delete, unless hard) or a DELETE. Fails with
  // INVALID_ARGUMENT for an unknown model or a bad id.
  absl::StatusOr<PlannedWrite> Delete(const RepoDeleteRequest& request,
                                      const std::string& path = "");

 private:
  const schema::Schema* schema_;
  UuidV7Generator* uuids_;
};

// Runs `write` on `tx`. Returns the written row, or nullopt when a delete found no visible
// row. Fails with NOT_FOUND when an update finds no visible row, ABORTED when the row's
// updated_at no longer equals expected_updated_at, or the mapped database error
// (ALREADY_EXISTS naming the unique constraint and its columns, FAILED_PRECONDITION for a
// foreign key, INVALID_ARGUMENT for a check, ABORTED for a serialization failure).
absl::StatusOr<std::optional<Record>> RunWrite(db::QueryRunner& tx, const PlannedWrite& write);

// Returns `table` and every table whose rows a DELETE on it may change through foreign keys
// (transitively).
std::set<std::string> CascadeTables(const schema::Schema& schema, const std::string& table);

}  // namespace querygate::service

#endif  // QUERYGATE_SERVICE_REPOSITORY_WRITES_H_
