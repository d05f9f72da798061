// client/cli/output: tables for people, JSON for machines.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <sstream>

#include "client/cli/output.h"

namespace querygate::cli {
namespace {

TEST(FormatTableTest, AlignsColumns) {
  std::string table =
      FormatTable({"id", "name"}, {{"1", "first"}, {"10", "x"}}, {Align::kRight, Align::kLeft});
  EXPECT_EQ(table,
            "id  name\n"
            "--  -----\n"
            " 1  first\n"
            "10  x\n");
}

TEST(FormatTableTest, CountsUtf8CharactersNotBytes) {
  std::string table = FormatTable({"a", "b"}, {{"\xc3\xa9t\xc3\xa9", "x"}, {"abcd", "y"}});
  EXPECT_EQ(table,
            "a     b\n"
            "----  -\n"
            "\xc3\xa9t\xc3\xa9   x\n"
            "abcd  y\n");
}

TEST(FormatTableTest, EmptyRowsStillHaveHeader) { EXPECT_EQ(FormatTable({"id"}, {}), "id\n--\n"); }

TEST(ValueToCellTest, Kinds) {
  EXPECT_EQ(ValueToCell(Value()), "NULL");
  EXPECT_EQ(ValueToCell(Value::Bool(false)), "false");
  EXPECT_EQ(ValueToCell(Value::Int(-9223372036854775807 - 1)), "-9223372036854775808");
  EXPECT_EQ(ValueToCell(Value::Double(0.1)), "0.1");
  EXPECT_EQ(ValueToCell(Value::Double(1e300)), "1e+300");
  EXPECT_EQ(ValueToCell(Value::Double(std::nan(""))), "NaN");
  EXPECT_EQ(ValueToCell(Value::String("a\nb\tc")), "a\\nb\\tc");
  EXPECT_EQ(ValueToCell(Value::Bytes(std::string("\x00\xff\x10", 3))), "\\x00ff10");
  EXPECT_EQ(ValueToCell(Value::Time({1709210096789012})), "2024-02-29T12:34:56.789012Z");
  EXPECT_EQ(ValueToCell(Value::Time({1709210096000000})), "2024-02-29T12:34:56Z");
  EXPECT_EQ(ValueToCell(Value::ListOf({Value::String("b,c"), Value()})), "[\"b,c\",null]");
}

TEST(ValueToJsonTest, Kinds) {
  EXPECT_TRUE(ValueToJson(Value()).is_null());
  EXPECT_EQ(ValueToJson(Value::Int(9007199254740993)).get<int64_t>(), 9007199254740993);
  EXPECT_EQ(ValueToJson(Value::Double(2.5)).get<double>(), 2.5);
  EXPECT_EQ(ValueToJson(Value::Double(-std::numeric_limits<double>::infinity())), "-Infinity");
  EXPECT_EQ(ValueToJson(Value::Bytes(std::string("\x00\xff\x10", 3))), "AP8Q");
  EXPECT_EQ(ValueToJson(Value::Time({-1})), "1969-12-31T23:59:59.999999Z");
  nlohmann::json nested =
      ValueToJson(Value::StructOf({{"a", Value::ListOf({Value::Int(1), Value::Bool(true)})}}));
  EXPECT_EQ(nested.dump(), R"({"a":[1,true]})");
}

TEST(JsonToValueTest, Kinds) {
  nlohmann::json json = nlohmann::json::parse(
      R"({"i": 9223372036854775807, "u": 18446744073709551615, "d": 0.5, "s": "x",
          "t": "2024-01-01T00:00:00Z", "n": null, "l": [true]})");
  Value plain = JsonToValue(json);
  const Value::Struct& f = plain.struct_value();
  EXPECT_EQ(f.at("i"), Value::Int(9223372036854775807));
  EXPECT_EQ(f.at("u").kind(), Value::Kind::kDouble);
  EXPECT_EQ(f.at("d"), Value::Double(0.5));
  EXPECT_EQ(f.at("t"), Value::String("2024-01-01T00:00:00Z"));
  EXPECT_TRUE(f.at("n").is_null());
  EXPECT_EQ(f.at("l"), Value::ListOf({Value::Bool(true)}));
  EXPECT_EQ(JsonToValue(json, true).struct_value().at("t"), Value::Time({1704067200000000}));
}

TEST(FormatMillisTest, Units) {
  EXPECT_EQ(FormatMillis(350), "350ms");
  EXPECT_EQ(FormatMillis(1250), "1.2s");
  EXPECT_EQ(FormatMillis(300000), "5m");
  EXPECT_EQ(FormatMillis(3723000), "1h2m3s");
}

TEST(PrintErrorTest, CodeAndMessage) {
  std::ostringstream err;
  EXPECT_EQ(PrintError(err, absl::NotFoundError("query: unknown query 'x'")), 1);
  EXPECT_EQ(err.str(), "error: NOT_FOUND: query: unknown query 'x'\n");
}

}  // namespace
}  // namespace querygate::cli
