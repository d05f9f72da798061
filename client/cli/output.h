#ifndef QUERYGATE_CLIENT_CLI_OUTPUT_H_
#define QUERYGATE_CLIENT_CLI_OUTPUT_H_

// Rendering for the CLI: aligned text tables for people, JSON for machines.

#include <iosfwd>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "common/value.h"
#include "nlohmann/json.hpp"

namespace querygate::cli {

enum class Align { kLeft, kRight };

// A text table: a header row, a rule of dashes, then the rows, columns padded to their widest
// cell (counting UTF-8 characters) and separated by two spaces. `align` may be shorter than
// the header (missing columns align left). Trailing spaces are trimmed. Ends with a newline.
std::string FormatTable(const std::vector<std::string>& header,
                        const std::vector<std::vector<std::string>>& rows,
                        const std::vector<Align>& align = {});

// The number of UTF-8 characters in `text`.
size_t DisplayWidth(const std::string& text);

// A value as one table cell: NULL, true/false, numbers (doubles round-trip), strings with
// control characters escaped, bytes as \x<hex>, timestamps in RFC 3339 UTC, lists and structs
// as compact JSON.
std::string ValueToCell(const Value& value);

// A value as JSON: null, bool, number (int64 exact), string; bytes as base64, timestamps as
// RFC 3339 UTC strings, NaN and infinities as the strings "NaN", "Infinity", "-Infinity",
// lists as arrays, structs as objects.
nlohmann::json ValueToJson(const Value& value);
nlohmann::json StructToJson(const Value::Struct& fields);

// JSON as a Value: integers (up to int64) become int, other numbers double, arrays lists,
// objects structs. Strings stay strings unless `timestamps` is set and the string is an RFC
// 3339 date-time, which becomes a timestamp.
Value JsonToValue(const nlohmann::json& json, bool timestamps = false);

// "2024-02-29T12:34:56.789012Z" (fraction only as long as needed).
std::string FormatTimestamp(Timestamp timestamp);

// "1.2s", "350ms", "2m3s", "1h2m".
std::string FormatMillis(int64_t millis);

// Prints "error: <CODE>: <message>" on `err` and returns 1, the exit status for failures.
int PrintError(std::ostream& err, const absl::Status& status);

}  // namespace querygate::cli

#endif  // QUERYGATE_CLIENT_CLI_OUTPUT_H_
