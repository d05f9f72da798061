#ifndef QUERYGATE_CLIENT_CLI_PARAM_PARSER_H_
#define QUERYGATE_CLIENT_CLI_PARAM_PARSER_H_

// Turns command-line text into typed values.

#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "common/value.h"

namespace querygate::cli {

// A declared parameter type such as "int64", "string?", "[int64]", "int64[]", "decimal(12,2)",
// "@post_status": its scalar base ("int64", "decimal", "@post_status"), whether it is a list
// and whether it is nullable.
struct ParamType {
  std::string scalar;
  bool list = false;
  bool nullable = false;
};
ParamType ParseParamType(const std::string& type_text);

// Parses `text` as a value of the declared type `type_text` (the spelling ListQueries reports):
//   int32, int64          decimal integer
//   float64               number
//   decimal               kept as a string (the server checks it)
//   bool                  true/false, t/f, yes/no, 1/0
//   datetime              RFC 3339, e.g. 2024-02-29T12:34:56Z
//   bytes                 \x<hex>, base64:<base64>, or the text's own bytes
//   json                  any JSON document
//   vector                list of numbers
//   string, text, date, uuid, @enum and anything unknown: the text itself
//   lists ([T], T[])      a JSON array, or comma-separated items ("" is the empty list)
// "null" is null for a nullable type. Fails with INVALID_ARGUMENT naming the parameter.
absl::StatusOr<Value> ParseParam(const std::string& name, const std::string& type_text,
                                 bool nullable, const std::string& text);

// Parses a value of unknown type: a JSON literal (number, true/false, null, "quoted
// string", array, object), an RFC 3339 date-time (a timestamp), else the text as a string.
Value ParseLooseValue(const std::string& text);

// Splits "key=value" at the first '='. Fails with INVALID_ARGUMENT when there is none or the
// key is empty.
absl::StatusOr<std::pair<std::string, std::string>> SplitKeyValue(const std::string& text);

}  // namespace querygate::cli

#endif  // QUERYGATE_CLIENT_CLI_PARAM_PARSER_H_
