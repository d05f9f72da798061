// ToQueryResult on vector result columns: pgvector's text (its OID learned at startup) and
// real[] both become lists of doubles holding the exact float32 values.
#include <gtest/gtest.h>

#include "service/database_reader.h"

namespace querygate::service {
namespace {

constexpr uint32_t kVectorOid = 16390;  // any OID: pgvector's differs per database
constexpr uint32_t kRealArrayOid = 1021;
constexpr uint32_t kFloat8ArrayOid = 1022;

db::ResultSet Rows(uint32_t oid, db::Cell cell) {
  db::ResultSet rows;
  rows.columns.push_back({"embedding", oid});
  rows.rows.push_back({std::move(cell)});
  return rows;
}

void ExpectExactFloats(const Value& value) {
  ASSERT_EQ(value.kind(), Value::Kind::kList);
  const Value::List& list = value.list_value();
  ASSERT_EQ(list.size(), 3u);
  EXPECT_EQ(list[0].double_value(), static_cast<double>(0.1f));
  EXPECT_EQ(list[1].double_value(), -2.0);
  EXPECT_EQ(list[2].double_value(), static_cast<double>(1e-7f));
}

TEST(VectorResultTest, PgvectorColumnIsAListOfExactFloats) {
  auto result = ToQueryResult(Rows(kVectorOid, "[0.1,-2,1e-07]"), kVectorOid);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ((*result)->columns[0].type, "vector");
  ExpectExactFloats((*result)->rows[0][0]);
}

TEST(VectorResultTest, RealArrayColumnIsAListOfExactFloats) {
  auto result = ToQueryResult(Rows(kRealArrayOid, "{0.1,-2,1e-07}"), 0);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ((*result)->columns[0].type, "real[]");
  ExpectExactFloats((*result)->rows[0][0]);
}

TEST(VectorResultTest, OtherColumnsAndNullsAreUnchanged) {
  // Without the extension's OID, the same text is a plain string.
  auto result = ToQueryResult(Rows(kVectorOid, "[0.1,-2,1e-07]"), 0);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ((*result)->rows[0][0].string_value(), "[0.1,-2,1e-07]");
  // double precision[] keeps its double values.
  result = ToQueryResult(Rows(kFloat8ArrayOid, "{0.1}"), kVectorOid);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ((*result)->rows[0][0].list_value()[0].double_value(), 0.1);
  result = ToQueryResult(Rows(kVectorOid, std::nullopt), kVectorOid);
  ASSERT_TRUE(result.ok());
  EXPECT_TRUE((*result)->rows[0][0].is_null());
  // A real[] with a NULL element or nested arrays stays the generic list.
  result = ToQueryResult(Rows(kRealArrayOid, "{1,NULL}"), 0);
  ASSERT_TRUE(result.ok());
  EXPECT_TRUE((*result)->rows[0][0].list_value()[1].is_null());
}

}  // namespace
}  // namespace querygate::service
