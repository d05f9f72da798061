#ifndef QUERYGATE_TESTS_INTEGRATION_TENANCY_ISOLATION_RENDER_H_
#define QUERYGATE_TESTS_INTEGRATION_TENANCY_ISOLATION_RENDER_H_

#include <set>
#include <string>

#include "db/result_set.h"
#include "querygate/v1/query_service.pb.h"
#include "querygate/v1/repository_service.pb.h"
#include "querygate/v1/value.pb.h"

// Canonical text of records and rows, so that an answer from querygate and the same read run by
// the test's own SQL oracle compare as two strings (and print readably when they differ).
namespace querygate::testing::isolation {

using Fields = google::protobuf::Map<std::string, v1::Value>;

// The PostgreSQL text form of a scalar wire value: decimal integers, "t"/"f", strings as they
// are; "null" for NULL; anything else as its debug text in angle brackets.
std::string ValueText(const v1::Value& value);

// A record as "{a=1, b=x, rel=[{...}, {...}], one={...}}": fields sorted by name, nested structs
// rendered the same way, lists of structs sorted by their "id". When `only` is not empty, scalar
// fields not in it are left out (relations are always rendered).
std::string Render(const Fields& fields, const std::set<std::string>& only = {});

// One row of an oracle result as a struct of string values (NULL cells as null values), every
// column but `skip`.
v1::StructValue FromRow(const db::ResultSet& rows, size_t row, const std::string& skip = "");

// The rows of a named query's answer, one rendered line each: "col=value, ..." in column order.
std::string RenderRows(const v1::ExecuteResponse& response);

// The same rendering for an oracle result.
std::string RenderRows(const db::ResultSet& rows);

// Records among `fields` and every record nested in it whose "organization_id" is set and is not
// `tenant`.
int CountForeign(const Fields& fields, const std::string& tenant);

// Rows of a named query's answer whose column `column` (when present) is not `tenant`.
int CountForeignRows(const v1::ExecuteResponse& response, const std::string& column,
                     const std::string& tenant);

// 'text' with quotes doubled: a SQL string literal for the oracle.
std::string Quote(const std::string& text);

}  // namespace querygate::testing::isolation

#endif  // QUERYGATE_TESTS_INTEGRATION_TENANCY_ISOLATION_RENDER_H_
