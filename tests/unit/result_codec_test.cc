// service::BinaryResultCodec and rpc::WireResultCodec: every value kind round-trips, foreign
// bytes are refused, wire bytes plus an encoded cache field parse as one ExecuteResponse, and
// the binary decoder refuses counts its input cannot hold without allocating for them.
#include "service/result_codec.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <new>

#include "querygate/v1/query_service.pb.h"
#include "rpc/result_wire_codec.h"

// The largest single allocation and the sum of all allocations made on this thread while
// tracking is on. Tracked requests above kRefusedAllocation throw instead of reaching malloc,
// so a regression fails the test rather than exhausting the machine.
thread_local bool tracking_allocations = false;
thread_local size_t largest_allocation = 0;
thread_local size_t total_allocated = 0;
constexpr size_t kRefusedAllocation = size_t{64} << 20;

void* operator new(size_t size) {
  if (tracking_allocations) {
    largest_allocation = std::max(largest_allocation, size);
    total_allocated += size;
    if (size > kRefusedAllocation) throw std::bad_alloc();
  }
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
// Out of line, so that GCC does not pair the inlined free() with operator new and warn.
[[gnu::noinline]] void operator delete(void* p) noexcept { std::free(p); }
[[gnu::noinline]] void operator delete(void* p, size_t) noexcept { std::free(p); }

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

std::string Varint(uint64_t v) {
  std::string out;
  while (v >= 0x80) {
    out.push_back(static_cast<char>(v | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
  return out;
}

// "QGR1", one column named "" of type "", one row, then `value`.
std::string OneValue(const std::string& value) {
  return std::string("QGR1\x01\x00\x00\x01", 8) + value;
}

struct Bomb {
  std::string name;
  std::string bytes;
};

std::vector<Bomb> Bombs() {
  const std::string kList(1, '\x08'), kStruct(1, '\x09'), kString(1, '\x05'), kBytes(1, '\x06');
  std::string nested;
  for (int i = 0; i < 100; ++i) nested += kList + Varint(1);
  // Each level alone fits the bytes left; together they claim 60 times more.
  std::string claims;
  for (int i = 0; i < 60; ++i) claims += kList + Varint(200);
  return {
      {"2^27 empty rows", "QGR1" + Varint(0) + Varint(uint64_t{1} << 27)},
      {"2^31 columns", "QGR1" + Varint(uint64_t{1} << 31) + std::string(64, '\0')},
      {"columns past half the bytes", "QGR1" + Varint(33) + std::string(64, '\0')},
      {"a column name of 2^62 bytes", "QGR1" + Varint(1) + Varint(uint64_t{1} << 62)},
      {"2^27 rows of one column", "QGR1" + Varint(1) + Varint(0) + Varint(0) +
                                      Varint(uint64_t{1} << 27) + std::string(16, '\0')},
      {"2^60 rows of 2^4 columns", "QGR1" + Varint(16) + std::string(32, '\0') +
                                       Varint(uint64_t{1} << 60) + std::string(64, '\0')},
      {"a list of 2^31 values", OneValue(kList + Varint(uint64_t{1} << 31))},
      {"a list one value longer than its bytes",
       OneValue(kList + Varint(5) + std::string(4, '\0'))},
      {"a struct of 2^31 fields",
       OneValue(kStruct + Varint(uint64_t{1} << 31) + std::string(3, '\0'))},
      {"a struct of more fields than pairs of bytes",
       OneValue(kStruct + Varint(3) + std::string(4, '\0'))},
      {"a string of 2^40 bytes", OneValue(kString + Varint(uint64_t{1} << 40) + "abc")},
      {"bytes of 2^63 bytes", OneValue(kBytes + Varint(uint64_t{1} << 63))},
      {"an 11-byte varint", "QGR1" + std::string(10, '\xff') + "\x01"},
      {"lists nested 100 deep", OneValue(nested + std::string(1, '\0'))},
      {"60 nested lists of 200 in 380 bytes", OneValue(claims + std::string(200, '\0'))},
  };
}

TEST(BinaryResultDecoderTest, RefusesCountsTheInputCannotHoldWithoutAllocatingForThem) {
  for (const Bomb& bomb : Bombs()) {
    SCOPED_TRACE(bomb.name);
    largest_allocation = 0;
    total_allocated = 0;
    tracking_allocations = true;
    absl::StatusOr<service::QueryResult> decoded = absl::UnknownError("did not run");
    try {
      decoded = service::DecodeResult(bomb.bytes);
    } catch (const std::bad_alloc&) {
      ADD_FAILURE() << "tried to allocate " << largest_allocation << " bytes";
    }
    tracking_allocations = false;
    EXPECT_EQ(decoded.status().code(), absl::StatusCode::kDataLoss) << decoded.status();
    EXPECT_LE(largest_allocation, 64 * bomb.bytes.size() + 1024);
    EXPECT_LE(total_allocated, 64 * bomb.bytes.size() + 1024);
  }
}

TEST(BinaryResultDecoderTest, CountsThatTheInputHoldsStillDecode) {
  const std::string kList(1, '\x08'), kStruct(1, '\x09');
  auto list = service::DecodeResult(OneValue(kList + Varint(4) + std::string(4, '\0')));
  ASSERT_TRUE(list.ok()) << list.status();
  EXPECT_EQ(list->rows.at(0).at(0), Value::ListOf(Value::List(4)));
  auto fields = service::DecodeResult(
      OneValue(kStruct + Varint(2) + Varint(1) + "a" + std::string(1, '\0') + Varint(0) + '\0'));
  ASSERT_TRUE(fields.ok()) << fields.status();
  EXPECT_EQ(fields->rows.at(0).at(0).struct_value().size(), 2u);
  auto empty_columns =
      service::DecodeResult("QGR1" + Varint(32) + std::string(64, '\0') + Varint(0));
  ASSERT_TRUE(empty_columns.ok()) << empty_columns.status();
  EXPECT_EQ(empty_columns->columns.size(), 32u);
  service::QueryResult no_columns;
  auto none = service::DecodeResult(service::EncodeResult(no_columns));
  ASSERT_TRUE(none.ok()) << none.status();
  EXPECT_EQ(*none, no_columns);
}

}  // namespace
}  // namespace querygate
