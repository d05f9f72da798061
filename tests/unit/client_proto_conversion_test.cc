// client/internal/proto_conversion: the client's wire conversion keeps the server's semantics.
#include <gtest/gtest.h>

#include "client/internal/proto_conversion.h"

namespace querygate::client::internal {
namespace {

TEST(ClientProtoConversionTest, EveryKindRoundTrips) {
  Value value = Value::StructOf({
      {"null", Value()},
      {"bool", Value::Bool(true)},
      {"int", Value::Int(INT64_MIN)},
      {"double", Value::Double(2.5)},
      {"string", Value::String("s")},
      {"bytes", Value::Bytes(std::string("\0\1", 2))},
      {"time", Value::Time({-1})},
      {"list", Value::ListOf({Value::Int(1), Value()})},
  });
  v1::Value wire;
  ToProto(value, wire);
  EXPECT_EQ(FromProto(wire), value);
}

TEST(ClientProtoConversionTest, NegativeMicrosUseNonNegativeNanos) {
  v1::Value wire;
  ToProto(Value::Time({-1}), wire);
  EXPECT_EQ(wire.timestamp_value().seconds(), -1);
  EXPECT_EQ(wire.timestamp_value().nanos(), 999999000);
}

TEST(ClientProtoConversionTest, WarmSetsByNameOrExplicitParamsAndNeverSql) {
  WarmRequest request;
  request.concurrency = 3;
  request.sets.push_back({"", "", {}, "top_users"});
  request.sets.push_back({"item_by_id", "", {{{"id", Value::Int(7)}}}, ""});
  v1::WarmRequest wire;
  ToProto(request, wire);
  EXPECT_EQ(wire.concurrency(), 3);
  ASSERT_EQ(wire.sets_size(), 2);
  EXPECT_EQ(wire.sets(0).name(), "top_users");
  EXPECT_EQ(wire.sets(0).query(), "");
  EXPECT_EQ(wire.sets(1).query(), "item_by_id");
  EXPECT_EQ(wire.sets(1).params(0).fields().at("id").int_value(), 7);
  for (const v1::WarmSet& set : wire.sets()) EXPECT_EQ(set.params_from(), "");
}

TEST(ClientProtoConversionTest, UnsetIsNull) { EXPECT_TRUE(FromProto(v1::Value()).is_null()); }

TEST(ClientProtoConversionTest, FilterTree) {
  Filter f = Filter::All({Filter::Where("a", Operator::kEq, Value::Int(1)),
                          Filter::Not(Filter::Where("b", Operator::kIsNull, Value::Int(9)))});
  v1::Filter wire;
  ToProto(f, wire);
  ASSERT_EQ(wire.all().filters_size(), 2);
  EXPECT_EQ(wire.all().filters(0).condition().field(), "a");
  EXPECT_EQ(wire.all().filters(0).condition().op(), v1::EQ);
  EXPECT_EQ(wire.all().filters(0).condition().value().int_value(), 1);
  const v1::Condition& b = wire.all().filters(1).not_().condition();
  EXPECT_EQ(b.op(), v1::IS_NULL);
  EXPECT_FALSE(b.has_value());  // IS NULL carries no value
}

TEST(ClientProtoConversionTest, GrpcStatusKeepsCodeAndMessage) {
  absl::Status s = FromGrpc(grpc::Status(grpc::StatusCode::NOT_FOUND, "query: unknown query 'x'"));
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(s.message(), "query: unknown query 'x'");
  EXPECT_TRUE(FromGrpc(grpc::Status::OK).ok());
}

}  // namespace
}  // namespace querygate::client::internal

namespace querygate::client::internal {
namespace {

TEST(ClientProtoConversionTest, QueryInfoCarriesTagsAndRoles) {
  v1::QueryInfo wire;
  wire.set_name("payroll");
  wire.add_tags("hr");
  wire.add_roles("finance");
  wire.add_roles("hr");
  QueryInfo info = FromProto(wire);
  EXPECT_EQ(info.name, "payroll");
  EXPECT_EQ(info.tags, std::vector<std::string>{"hr"});
  EXPECT_EQ(info.roles, (std::vector<std::string>{"finance", "hr"}));
}

}  // namespace
}  // namespace querygate::client::internal
