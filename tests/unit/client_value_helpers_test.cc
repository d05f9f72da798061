// client/value_helpers.h: C++ types to and from querygate::Value.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "client/types.h"
#include "client/value_helpers.h"

namespace querygate::client {
namespace {

using ::testing::HasSubstr;

template <typename T>
T RoundTrip(const T& value) {
  absl::StatusOr<T> back = FromValue<T>(ToValue(value));
  EXPECT_TRUE(back.ok()) << back.status();
  return back.ok() ? *back : T();
}

TEST(ClientValueHelpersTest, ScalarsRoundTrip) {
  EXPECT_EQ(RoundTrip<int64_t>(std::numeric_limits<int64_t>::min()),
            std::numeric_limits<int64_t>::min());
  EXPECT_EQ(RoundTrip<int64_t>(9007199254740993), 9007199254740993);
  EXPECT_EQ(RoundTrip<int>(-7), -7);
  EXPECT_EQ(RoundTrip<double>(0.1), 0.1);
  EXPECT_EQ(RoundTrip<std::string>("b,c\"d"), "b,c\"d");
  EXPECT_EQ(RoundTrip<bool>(true), true);
  EXPECT_EQ(RoundTrip<Bytes>(Bytes{std::string("\0\xff", 2)}).data, std::string("\0\xff", 2));
}

TEST(ClientValueHelpersTest, KindsAreDistinct) {
  EXPECT_EQ(ToValue(std::string("x")).kind(), Value::Kind::kString);
  EXPECT_EQ(ToValue("x").kind(), Value::Kind::kString);
  EXPECT_EQ(ToValue(Bytes{"x"}).kind(), Value::Kind::kBytes);
  EXPECT_EQ(ToValue(7).kind(), Value::Kind::kInt);
  EXPECT_EQ(ToValue(7.0).kind(), Value::Kind::kDouble);
  EXPECT_EQ(ToValue(true).kind(), Value::Kind::kBool);
  EXPECT_EQ(ToValue(std::nullopt).kind(), Value::Kind::kNull);
}

TEST(ClientValueHelpersTest, WrongKindNamesBoth) {
  absl::StatusOr<int64_t> v = FromValue<int64_t>(Value::String("1"));
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(v.status().message(), HasSubstr("expected int, got string"));
  EXPECT_FALSE(FromValue<std::string>(Value::Bytes("x")).ok());
  EXPECT_FALSE(FromValue<Bytes>(Value::String("x")).ok());
}

TEST(ClientValueHelpersTest, NarrowIntegersAreRangeChecked) {
  EXPECT_EQ(FromValue<int32_t>(Value::Int(int64_t{1} << 40)).status().code(),
            absl::StatusCode::kOutOfRange);
  EXPECT_EQ(FromValue<uint8_t>(Value::Int(-1)).status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(*FromValue<uint8_t>(Value::Int(255)), 255);
}

TEST(ClientValueHelpersTest, DoubleAcceptsInt) {
  EXPECT_EQ(*FromValue<double>(Value::Int(3)), 3.0);
}

TEST(ClientValueHelpersTest, TimePointsKeepMicroseconds) {
  using namespace std::chrono;
  auto t = system_clock::time_point(seconds(1709210096) + microseconds(789012));
  Value v = ToValue(t);
  ASSERT_EQ(v.kind(), Value::Kind::kTimestamp);
  EXPECT_EQ(v.time_value().micros, 1709210096789012);
  EXPECT_EQ(RoundTrip(t), t);
  // Before the epoch, rounding goes down.
  auto before = system_clock::time_point(-microseconds(1) - nanoseconds(500));
  EXPECT_EQ(ToValue(before).time_value().micros, -2);
  // Sub-microsecond parts are dropped (rounded down).
  auto fine = system_clock::time_point(nanoseconds(1999));
  EXPECT_EQ(ToValue(fine).time_value().micros, 1);
}

TEST(ClientValueHelpersTest, ContainersRoundTrip) {
  std::vector<int64_t> ids = {1, 2, 3};
  EXPECT_EQ(RoundTrip(ids), ids);
  std::map<std::string, std::vector<std::string>> nested = {{"a", {"x"}}, {"b", {}}};
  EXPECT_EQ(RoundTrip(nested), nested);
  std::vector<std::optional<int>> holes = {1, std::nullopt, 3};
  EXPECT_EQ(RoundTrip(holes), holes);
  Value list = ToValue(holes);
  EXPECT_TRUE(list.list_value()[1].is_null());
}

TEST(ClientValueHelpersTest, ErrorsNameThePath) {
  Value v = Value::StructOf({{"ids", Value::ListOf({Value::Int(1), Value::String("2")})}});
  auto out = FromValue<std::map<std::string, std::vector<int64_t>>>(v);
  ASSERT_FALSE(out.ok());
  EXPECT_THAT(out.status().message(), HasSubstr("ids: [1]: expected int, got string"));
}

TEST(ClientValueHelpersTest, OptionalMapsNull) {
  EXPECT_EQ(*FromValue<std::optional<std::string>>(Value()), std::nullopt);
  EXPECT_EQ(*FromValue<std::optional<std::string>>(Value::String("x")), "x");
  EXPECT_TRUE(ToValue(std::optional<int>()).is_null());
}

TEST(ClientValueHelpersTest, ParamsBuilder) {
  Value::Struct params = Params().Set("id", 7).Set("name", "x").Set("ids", std::vector<int>{1});
  EXPECT_EQ(params.at("id"), Value::Int(7));
  EXPECT_EQ(params.at("name"), Value::String("x"));
  EXPECT_EQ(params.at("ids"), Value::ListOf({Value::Int(1)}));
}

TEST(ClientTypesTest, ResultGetByColumnName) {
  Result result;
  result.columns = {{"id", "bigint"}, {"name", "text"}};
  result.rows = {{Value::Int(1), Value::String("first")}, {Value::Int(2), Value()}};
  EXPECT_EQ(*result.Get<int64_t>(0, "id"), 1);
  EXPECT_EQ(*result.Get<std::string>(0, "name"), "first");
  EXPECT_EQ(*result.Get<std::optional<std::string>>(1, "name"), std::nullopt);
  EXPECT_EQ(result.Get<int64_t>(2, "id").status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(result.Get<int64_t>(0, "nope").status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(result.Get<int64_t>(0, "name").status().message(),
              HasSubstr("name: expected int, got string"));
}

TEST(ClientTypesTest, RecordGetAndSet) {
  Record r;
  r.Set("id", 5).Set("title", "t");
  EXPECT_EQ(*r.Get<int>("id"), 5);
  EXPECT_EQ(r.Get<int>("missing").status().code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace querygate::client
