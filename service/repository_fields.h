#ifndef QUERYGATE_SERVICE_REPOSITORY_FIELDS_H_
#define QUERYGATE_SERVICE_REPOSITORY_FIELDS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/value.h"
#include "db/pg_text.h"
#include "db/result_set.h"
#include "schema/model.h"
#include "service/repository_types.h"

namespace querygate::service {

// Returns `name` as a quoted SQL identifier ("name", embedded quotes doubled).
std::string QuoteIdent(absl::string_view name);

// The positional parameters of one statement being built.
class SqlParams {
 public:
  // Appends a parameter and returns its placeholder cast to `type`, e.g. "$3::bigint".
  std::string Add(db::Cell text, absl::string_view type);
  const db::Params& values() const { return values_; }
  db::Params Take() { return std::move(values_); }
  size_t size() const { return values_.size(); }

 private:
  db::Params values_;
};

// The bind type of a field's values (vectors bind as arrays of float64).
db::PgParamType FieldBindType(const schema::FieldType& type);

// The SQL type a field's parameter is cast to ("bigint", "text[]", "real[]").
std::string FieldCastType(const schema::FieldType& type);

// Removes the "parameter " prefix EncodeParam puts before names, so messages start with the
// field path ("record.email: expected a string, got int").
absl::Status WithPath(const absl::Status& status);

// Converts a non-null `value` to PostgreSQL text for `field`. Fails with INVALID_ARGUMENT
// naming `path` for a wrong kind, an out-of-range number or a vector of the wrong dimension;
// when `strict` (values to store), also for a value outside the enum or a string longer than
// the column.
absl::StatusOr<std::string> EncodeFieldValue(const schema::Schema& schema,
                                             const schema::Field& field, const Value& value,
                                             absl::string_view path, bool strict = true);

// Returns the model or junction table named `name`. Fails with INVALID_ARGUMENT naming the
// model otherwise (the name never reaches SQL).
absl::StatusOr<const schema::Model*> FindRepositoryModel(const schema::Schema& schema,
                                                         absl::string_view name);

// Returns `model`'s field named `name`. Fails with INVALID_ARGUMENT naming `path`.
absl::StatusOr<const schema::Field*> FindModelField(const schema::Model& model,
                                                    absl::string_view name, absl::string_view path);

// The key fields in key order: the primary key, or both columns of a junction table.
std::vector<const schema::Field*> KeyFields(const schema::Model& model);

// Builds `"k" = $n::type [AND ...]` for an id: a scalar, or a list of two values for a
// junction table. Fails with INVALID_ARGUMENT naming `path` for a null or mistyped id.
absl::StatusOr<std::string> KeyPredicate(const schema::Schema& schema, const schema::Model& model,
                                         const Value& id, absl::string_view path, SqlParams& params,
                                         absl::string_view alias = "");

// The model's columns in field order, quoted and optionally qualified by `alias`.
std::string SelectList(const schema::Model& model, absl::string_view alias = "");

// " AND <alias.>"deleted_at" IS NULL" on soft-delete models, else "".
std::string NotDeletedClause(const schema::Model& model, absl::string_view alias = "");

// Converts a row whose columns from `offset` on are SelectList(model) into a record.
Record RowToRecord(const schema::Model& model, const std::vector<Value>& row, size_t offset = 0);

// Returns a byte string identifying `value` exactly (for matching keys).
std::string ValueIdentity(const Value& value);

}  // namespace querygate::service

#endif  // QUERYGATE_SERVICE_REPOSITORY_FIELDS_H_
