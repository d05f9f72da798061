// client/cli/param_parser: command-line text to typed values by declared type.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "client/cli/crud_command.h"
#include "client/cli/param_parser.h"
#include "client/cli/service_command.h"

namespace querygate::cli {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;

Value Must(const std::string& type, const std::string& text, bool nullable = false) {
  absl::StatusOr<Value> v = ParseParam("p", type, nullable, text);
  EXPECT_TRUE(v.ok()) << type << " " << text << ": " << v.status();
  return v.ok() ? *v : Value();
}

TEST(ParamTypeTest, Spellings) {
  ParamType t = ParseParamType("[int64]?");
  EXPECT_EQ(t.scalar, "int64");
  EXPECT_TRUE(t.list);
  EXPECT_TRUE(t.nullable);
  t = ParseParamType("string[]");
  EXPECT_EQ(t.scalar, "string");
  EXPECT_TRUE(t.list);
  EXPECT_FALSE(t.nullable);
  EXPECT_EQ(ParseParamType("decimal(12,2)").scalar, "decimal");
  EXPECT_EQ(ParseParamType("datetime?").scalar, "datetime");
  EXPECT_EQ(ParseParamType("@post_status").scalar, "@post_status");
  EXPECT_EQ(ParseParamType("[\"int32\"]").scalar, "int32");
}

TEST(ParamParserTest, Scalars) {
  EXPECT_EQ(Must("int64", "9007199254740993"), Value::Int(9007199254740993));
  EXPECT_EQ(Must("int32", "-7"), Value::Int(-7));
  EXPECT_EQ(Must("float64", "0.5"), Value::Double(0.5));
  EXPECT_EQ(Must("float64", "3"), Value::Double(3));
  EXPECT_EQ(Must("decimal(12,2)", "12345.67"), Value::String("12345.67"));
  EXPECT_EQ(Must("bool", "true"), Value::Bool(true));
  EXPECT_EQ(Must("bool", "F"), Value::Bool(false));
  EXPECT_EQ(Must("string", "a b"), Value::String("a b"));
  EXPECT_EQ(Must("uuid?", "A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11"),
            Value::String("A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11"));
  EXPECT_EQ(Must("date", "2024-01-31"), Value::String("2024-01-31"));
  EXPECT_EQ(Must("@post_status", "draft"), Value::String("draft"));
}

TEST(ParamParserTest, Datetime) {
  EXPECT_EQ(Must("datetime", "2024-02-29T12:34:56.789012Z"), Value::Time({1709210096789012}));
  EXPECT_EQ(Must("datetime", "2024-02-29T13:34:56+01:00"), Value::Time({1709210096000000}));
  auto bad = ParseParam("at", "datetime", false, "yesterday");
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.status().message(), HasSubstr("parameter at: \"yesterday\" is not an RFC 3339"));
}

TEST(ParamParserTest, Bytes) {
  EXPECT_EQ(Must("bytes", "\\x00ff10"), Value::Bytes(std::string("\x00\xff\x10", 3)));
  EXPECT_EQ(Must("bytes", "base64:AP8Q"), Value::Bytes(std::string("\x00\xff\x10", 3)));
  EXPECT_EQ(Must("bytes", "raw"), Value::Bytes("raw"));
  EXPECT_FALSE(ParseParam("b", "bytes", false, "\\x0").ok());
}

TEST(ParamParserTest, Json) {
  EXPECT_EQ(Must("json", R"({"a": [1, 2.5, null], "s": "x"})"),
            Value::StructOf({{"a", Value::ListOf({Value::Int(1), Value::Double(2.5), Value()})},
                             {"s", Value::String("x")}}));
  EXPECT_FALSE(ParseParam("j", "json", false, "{oops").ok());
}

TEST(ParamParserTest, Lists) {
  Value ids = Value::ListOf({Value::Int(1), Value::Int(2), Value::Int(3)});
  EXPECT_EQ(Must("[int64]", "1,2,3"), ids);
  EXPECT_EQ(Must("[int64]", "1, 2 ,3"), ids);
  EXPECT_EQ(Must("[int64]", "[1,2,3]"), ids);
  EXPECT_EQ(Must("[int64]", "[\"1\",2,3]"), ids);
  EXPECT_EQ(Must("[int64]", ""), Value::ListOf({}));
  EXPECT_EQ(Must("string[]", R"(["a,b", "c"])"),
            Value::ListOf({Value::String("a,b"), Value::String("c")}));
  EXPECT_EQ(Must("[datetime]", "[\"2024-01-01T00:00:00Z\"]"),
            Value::ListOf({Value::Time({1704067200000000})}));
  auto bad = ParseParam("ids", "[int64]", false, "1,x");
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.status().message(), HasSubstr("parameter ids: \"x\" is not an integer"));
}

TEST(ParamParserTest, NullOnlyForNullable) {
  EXPECT_TRUE(Must("int64?", "null").is_null());
  EXPECT_TRUE(Must("int64", "null", /*nullable=*/true).is_null());
  EXPECT_FALSE(ParseParam("p", "int64", false, "null").ok());
  EXPECT_EQ(Must("string", "null"), Value::String("null"));
}

TEST(ParamParserTest, BadIntegersAreRejected) {
  for (const char* text : {"1.5", "", "12abc", "99999999999999999999"}) {
    EXPECT_FALSE(ParseParam("id", "int64", false, text).ok()) << text;
  }
}

TEST(ParamParserTest, LooseValues) {
  EXPECT_EQ(ParseLooseValue("42"), Value::Int(42));
  EXPECT_EQ(ParseLooseValue("1.5"), Value::Double(1.5));
  EXPECT_EQ(ParseLooseValue("true"), Value::Bool(true));
  EXPECT_TRUE(ParseLooseValue("null").is_null());
  EXPECT_EQ(ParseLooseValue("\"42\""), Value::String("42"));
  EXPECT_EQ(ParseLooseValue("hello world"), Value::String("hello world"));
  EXPECT_EQ(ParseLooseValue("[1,2]"), Value::ListOf({Value::Int(1), Value::Int(2)}));
  EXPECT_EQ(ParseLooseValue("2024-01-01T00:00:00Z"), Value::Time({1704067200000000}));
  EXPECT_EQ(ParseLooseValue("2024-01-01"), Value::String("2024-01-01"));
}

TEST(ParamParserTest, SplitKeyValue) {
  EXPECT_EQ(*SplitKeyValue("a=b=c"), std::make_pair(std::string("a"), std::string("b=c")));
  EXPECT_EQ(*SplitKeyValue("a="), std::make_pair(std::string("a"), std::string("")));
  EXPECT_FALSE(SplitKeyValue("=b").ok());
  EXPECT_FALSE(SplitKeyValue("ab").ok());
}

TEST(WhereParserTest, Operators) {
  using client::Operator;
  auto check = [](const std::string& text, const std::string& field, Operator op, Value value) {
    absl::StatusOr<client::Filter> f = ParseWhere(text);
    ASSERT_TRUE(f.ok()) << text << ": " << f.status();
    EXPECT_EQ(f->kind, client::Filter::Kind::kCondition);
    EXPECT_EQ(f->field, field) << text;
    EXPECT_EQ(f->op, op) << text;
    EXPECT_EQ(f->value, value) << text;
  };
  check("id=5", "id", Operator::kEq, Value::Int(5));
  check("name=first", "name", Operator::kEq, Value::String("first"));
  check("name!=\"5\"", "name", Operator::kNe, Value::String("5"));
  check("age>=18", "age", Operator::kGe, Value::Int(18));
  check("age<=18", "age", Operator::kLe, Value::Int(18));
  check("age>1.5", "age", Operator::kGt, Value::Double(1.5));
  check("age<0", "age", Operator::kLt, Value::Int(0));
  check("id=[1,2]", "id", Operator::kIn, Value::ListOf({Value::Int(1), Value::Int(2)}));
  check("id!=[1]", "id", Operator::kNotIn, Value::ListOf({Value::Int(1)}));
  check("note=null", "note", Operator::kIsNull, Value());
  check("note!=null", "note", Operator::kIsNotNull, Value());
  check("name~fir%", "name", Operator::kLike, Value::String("fir%"));
  check("name~~FIR%", "name", Operator::kILike, Value::String("FIR%"));
  check("body@@hello world", "body", Operator::kMatch, Value::String("hello world"));
  check("author.name=x", "author.name", Operator::kEq, Value::String("x"));
  check("seen_at>2024-01-01T00:00:00Z", "seen_at", Operator::kGt, Value::Time({1704067200000000}));
  EXPECT_FALSE(ParseWhere("=5").ok());
  EXPECT_FALSE(ParseWhere("id").ok());
  EXPECT_FALSE(ParseWhere("id^5").ok());
}

TEST(OrderParserTest, Directions) {
  auto orders = ParseOrder("-created_at,name, id:desc,x:asc");
  ASSERT_TRUE(orders.ok());
  ASSERT_EQ(orders->size(), 4u);
  EXPECT_EQ((*orders)[0].field, "created_at");
  EXPECT_TRUE((*orders)[0].descending);
  EXPECT_FALSE((*orders)[1].descending);
  EXPECT_EQ((*orders)[2].field, "id");
  EXPECT_TRUE((*orders)[2].descending);
  EXPECT_EQ((*orders)[3].field, "x");
  EXPECT_FALSE((*orders)[3].descending);
  EXPECT_FALSE(ParseOrder("a,,b").ok());
}

TEST(ArgParserTest, OptionsFlagsAndPositionals) {
  auto parsed = ParseArgs({"name", "-p", "a=1", "--param=b=2", "--all", "-5", "--", "--x"},
                          {{"--param", true, "-p"}, {"--all", false}});
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_THAT(parsed->positional, ElementsAre("name", "-5", "--x"));
  EXPECT_THAT(parsed->ordered,
              ElementsAre(Pair("--param", "a=1"), Pair("--param", "b=2"), Pair("--all", "")));
  EXPECT_THAT(parsed->All("--param"), ElementsAre("a=1", "b=2"));
  EXPECT_TRUE(parsed->Has("--all"));
  EXPECT_FALSE(parsed->help);
  EXPECT_TRUE(ParseArgs({"--help"}, {})->help);
  EXPECT_FALSE(ParseArgs({"--nope"}, {}).ok());
  EXPECT_FALSE(ParseArgs({"--param"}, {{"--param"}}).ok());
  EXPECT_FALSE(ParseArgs({"--all=1"}, {{"--all", false}}).ok());
}

}  // namespace
}  // namespace querygate::cli
