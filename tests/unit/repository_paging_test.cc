// Page tokens, total orders with keyset predicates, and UUIDv7 generation.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "schema/loader.h"
#include "service/repository_order.h"
#include "service/repository_page_token.h"
#include "service/repository_uuid.h"

namespace querygate::service {
namespace {

using ::testing::HasSubstr;

TEST(PageTokenTest, RoundTripsValues) {
  std::vector<Value> values = {Value::Int(-5), Value(), Value::String("a\"b"),
                               Value::Time({1234567}), Value::Double(0.1)};
  std::string token = EncodePageToken("fp1", values);
  EXPECT_EQ(
      token.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
      std::string::npos);
  auto decoded = DecodePageToken(token, "fp1", values.size());
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(*decoded, values);
}

TEST(PageTokenTest, RejectsGarbageTamperingAndOtherRequests) {
  std::string token = EncodePageToken("fp1", {Value::Int(7)});
  EXPECT_THAT(DecodePageToken(token, "fp2", 1).status().message(), HasSubstr("different"));
  EXPECT_EQ(DecodePageToken(token, "fp1", 2).status().code(), absl::StatusCode::kInvalidArgument);
  for (std::string bad : {std::string("garbage!"), std::string(""), std::string("AAAA"),
                          token.substr(0, token.size() - 2)}) {
    EXPECT_EQ(DecodePageToken(bad, "fp1", 1).status().code(), absl::StatusCode::kInvalidArgument)
        << bad;
  }
  std::string flipped = token;
  flipped[flipped.size() / 2] = flipped[flipped.size() / 2] == 'A' ? 'B' : 'A';
  EXPECT_EQ(DecodePageToken(flipped, "fp1", 1).status().code(), absl::StatusCode::kInvalidArgument);
}

constexpr char kSchema[] = R"json({
  "models": {
    "row": {"id": "int64", "a": "int32?", "b": "string", "data": "json"}
  }
})json";

class OrderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    loaded_ = schema::LoadSchemaSources({{"test.json", kSchema}});
    ASSERT_TRUE(loaded_.ok());
    model_ = loaded_.schema.FindModel("row");
  }
  schema::LoadResult loaded_;
  const schema::Model* model_ = nullptr;
};

TEST_F(OrderTest, AddsTheKeyAsTieBreaker) {
  auto order = ResolveOrder(*model_, {{"a", true}});
  ASSERT_TRUE(order.ok());
  EXPECT_EQ(OrderBySql(*order), "\"a\" DESC, \"id\" ASC");
  auto by_key = ResolveOrder(*model_, {{"id", true}});
  EXPECT_EQ(OrderBySql(*by_key), "\"id\" DESC");
  EXPECT_EQ(OrderBySql(*ResolveOrder(*model_, {})), "\"id\" ASC");
}

TEST_F(OrderTest, RejectsUnknownDuplicateAndJsonFields) {
  EXPECT_THAT(ResolveOrder(*model_, {{"zz", false}}).status().message(),
              HasSubstr("order_by[0].field"));
  EXPECT_THAT(ResolveOrder(*model_, {{"a", false}, {"a", true}}).status().message(),
              HasSubstr("order_by[1].field"));
  EXPECT_EQ(ResolveOrder(*model_, {{"data", false}}).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(OrderTest, KeysetTreatsNullAsLargest) {
  auto asc = ResolveOrder(*model_, {{"a", false}});
  SqlParams params;
  auto after_value = KeysetPredicate(loaded_.schema, *asc, {Value::Int(3), Value::Int(9)}, params);
  ASSERT_TRUE(after_value.ok()) << after_value.status();
  EXPECT_EQ(*after_value,
            "(((\"a\" > $1::integer OR \"a\" IS NULL)) OR (\"a\" = $1::integer AND \"id\" > "
            "$2::bigint))");
  SqlParams params2;
  auto after_null = KeysetPredicate(loaded_.schema, *asc, {Value(), Value::Int(9)}, params2);
  EXPECT_EQ(*after_null, "((\"a\" IS NULL AND \"id\" > $1::bigint))");
  auto desc = ResolveOrder(*model_, {{"a", true}});
  SqlParams params3;
  auto desc_null = KeysetPredicate(loaded_.schema, *desc, {Value(), Value::Int(9)}, params3);
  EXPECT_EQ(*desc_null, "((\"a\" IS NOT NULL) OR (\"a\" IS NULL AND \"id\" > $1::bigint))");
  SqlParams params4;
  EXPECT_EQ(KeysetPredicate(loaded_.schema, *asc, {Value::String("x"), Value::Int(1)}, params4)
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
}

bool IsCanonicalV7(const std::string& id) {
  if (id.size() != 36 || id[8] != '-' || id[13] != '-' || id[18] != '-' || id[23] != '-') {
    return false;
  }
  return id[14] == '7' && std::string("89ab").find(id[19]) != std::string::npos;
}

TEST(UuidV7Test, LayoutAndTimestamp) {
  UuidV7Generator gen([] { return int64_t{0x0123456789AB}; });
  auto id = gen.Next();
  ASSERT_TRUE(id.ok());
  EXPECT_TRUE(IsCanonicalV7(*id)) << *id;
  EXPECT_EQ(id->substr(0, 13), "01234567-89ab");
}

TEST(UuidV7Test, MonotonicWithinAMillisecondAndWhenTheClockStepsBack) {
  int64_t now = 1700000000000;
  UuidV7Generator gen([&] { return now; });
  std::string last;
  for (int i = 0; i < 5000; ++i) {
    if (i == 2000) now -= 5;  // clock steps back
    if (i == 3000) now += 10;
    auto id = gen.Next();
    ASSERT_TRUE(id.ok());
    ASSERT_TRUE(IsCanonicalV7(*id)) << *id;
    ASSERT_GT(*id, last) << i;
    last = *id;
  }
}

TEST(UuidV7Test, UniqueAcrossThreads) {
  UuidV7Generator gen;
  std::vector<std::vector<std::string>> out(4);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 2000; ++i) out[t].push_back(*gen.Next());
    });
  }
  for (auto& th : threads) th.join();
  std::set<std::string> all;
  for (const auto& ids : out) {
    for (size_t i = 1; i < ids.size(); ++i) EXPECT_GT(ids[i], ids[i - 1]);
    all.insert(ids.begin(), ids.end());
  }
  EXPECT_EQ(all.size(), 8000u);
}

}  // namespace
}  // namespace querygate::service
