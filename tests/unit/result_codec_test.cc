// service::BinaryResultCodec and rpc::WireResultCodec: every value kind round-trips, foreign
// bytes are refused, and wire bytes plus an encoded cache field parse as one ExecuteResponse.
#include "service/result_codec.h"

#include <gtest/gtest.h>

#include <memory>

#include "querygate/v1/query_service.pb.h"
#include "rpc/result_wire_codec.h"

namespace querygate {
namespace {

service::QueryResult Sample() {
  service::QueryResult result;
  result.columns = {{"id", "int8"}, {"doc", "jsonb"}, {"at", "timestamptz"}};
  result.rows.push_back(
      {Value::Int(INT64_MAX),
       Value::StructOf({{"k", Value::ListOf({Value::Double(2.5), Value::Bool(false), Value()})}}),
       Value::Time({-1})});
  result.rows.push_back({Value::Int(INT64_MIN), Value::Bytes(std::string("\0\xff", 2)), Value()});
  result.rows.push_back(
      {Value::Int(0), Value::String("x'); DROP TABLE t; --"), Value::Time({253402300799999999})});
  return result;
}

class ResultCodecTest : public ::testing::TestWithParam<std::shared_ptr<service::ResultCodec>> {};

TEST_P(ResultCodecTest, RoundTripsEveryKind) {
  const service::ResultCodec& codec = *GetParam();
  auto decoded = codec.Decode(codec.Encode(Sample()));
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(*decoded, Sample());
}

TEST_P(ResultCodecTest, EmptyResultRoundTrips) {
  const service::ResultCodec& codec = *GetParam();
  service::QueryResult empty;
  empty.columns = {{"id", "int8"}};
  auto decoded = codec.Decode(codec.Encode(empty));
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(*decoded, empty);
}

TEST_P(ResultCodecTest, RefusesTruncatedBytes) {
  const service::ResultCodec& codec = *GetParam();
  std::string bytes = codec.Encode(Sample());
  auto decoded = codec.Decode(absl::string_view(bytes).substr(0, bytes.size() - 3));
  EXPECT_EQ(decoded.status().code(), absl::StatusCode::kDataLoss);
}

INSTANTIATE_TEST_SUITE_P(Codecs, ResultCodecTest,
                         ::testing::Values(std::make_shared<service::BinaryResultCodec>(),
                                           std::make_shared<rpc::WireResultCodec>()),
                         [](const auto& info) {
                           return info.param->format() == "qgr1" ? "Binary" : "Wire";
                         });

TEST(ResultCodecFormatsTest, FormatsDiffer) {
  EXPECT_NE(service::BinaryResultCodec().format(), rpc::WireResultCodec().format());
}

TEST(WireResultCodecTest, StoredBytesPlusCacheFieldAreAWholeResponse) {
  std::string bytes = rpc::WireResultCodec().Encode(Sample());
  v1::ExecuteResponse tail;
  tail.mutable_cache()->set_status(v1::CACHE_STATUS_HIT);
  tail.mutable_cache()->set_age_ms(7);
  v1::ExecuteResponse whole;
  ASSERT_TRUE(whole.ParseFromString(bytes + tail.SerializeAsString()));
  ASSERT_EQ(whole.columns_size(), 3);
  EXPECT_EQ(whole.columns(1).name(), "doc");
  ASSERT_EQ(whole.rows_size(), 3);
  EXPECT_EQ(whole.rows(0).values(0).int_value(), INT64_MAX);
  EXPECT_EQ(whole.rows(1).values(1).bytes_value(), std::string("\0\xff", 2));
  EXPECT_EQ(whole.cache().status(), v1::CACHE_STATUS_HIT);
  EXPECT_EQ(whole.cache().age_ms(), 7);
}

TEST(WireResultCodecTest, RefusesBytesThatCarryACacheField) {
  v1::ExecuteResponse response;
  response.add_columns()->set_name("id");
  response.mutable_cache()->set_status(v1::CACHE_STATUS_HIT);
  auto decoded = rpc::WireResultCodec().Decode(response.SerializeAsString());
  EXPECT_EQ(decoded.status().code(), absl::StatusCode::kDataLoss);
}

TEST(WireResultCodecTest, RefusesRowsOfTheWrongWidth) {
  v1::ExecuteResponse response;
  response.add_columns()->set_name("id");
  response.add_rows();
  auto decoded = rpc::WireResultCodec().Decode(response.SerializeAsString());
  EXPECT_EQ(decoded.status().code(), absl::StatusCode::kDataLoss);
}

}  // namespace
}  // namespace querygate
