// Page tokens, total orders with keyset predicates, and UUIDv7 generation.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "absl/strings/escaping.h"
#include "common/sha256.h"
#include "schema/loader.h"
#include "service/repository_order.h"
#include "service/repository_page_token.h"
#include "service/repository_uuid.h"

namespace querygate::service {
namespace {

using ::testing::HasSubstr;

constexpr char kSecret[] = "page-token-test-secret";

std::string Unbase64(const std::string& token) {
  std::string raw;
  EXPECT_TRUE(absl::WebSafeBase64Unescape(token, &raw)) << token;
  return raw;
}

std::string Base64(const std::string& raw) {
  std::string token;
  absl::WebSafeBase64Escape(raw, &token);
  return token;
}

// The body of a sealed token (everything before the 32-byte MAC).
std::string BodyOf(const std::string& token) {
  std::string raw = Unbase64(token);
  return raw.substr(0, raw.size() - 32);
}

absl::StatusCode CodeOf(const absl::StatusOr<std::vector<Value>>& decoded) {
  return decoded.status().code();
}

TEST(PageTokenTest, RoundTripsValues) {
  std::vector<Value> values = {Value::Int(-5), Value(), Value::String("a\"b"),
                               Value::Time({1234567}), Value::Double(0.1)};
  std::string token = EncodePageToken(kSecret, "fp1", values);
  EXPECT_EQ(
      token.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
      std::string::npos);
  auto decoded = DecodePageToken(kSecret, token, "fp1", values.size());
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(*decoded, values);
}

TEST(PageTokenTest, AnEmptySecretStillWorks) {
  std::string token = EncodePageToken("", "fp1", {Value::Int(7)});
  auto decoded = DecodePageToken("", token, "fp1", 1);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(*decoded, std::vector<Value>{Value::Int(7)});
  EXPECT_EQ(CodeOf(DecodePageToken(kSecret, token, "fp1", 1)), absl::StatusCode::kInvalidArgument);
}

TEST(PageTokenTest, RejectsGarbageTamperingAndOtherRequests) {
  std::string token = EncodePageToken(kSecret, "fp1", {Value::Int(7)});
  auto other_request = DecodePageToken(kSecret, token, "fp2", 1);
  EXPECT_EQ(CodeOf(other_request), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(other_request.status().message(), HasSubstr("page_token: "));
  EXPECT_THAT(other_request.status().message(), HasSubstr("different"));
  auto wrong_count = DecodePageToken(kSecret, token, "fp1", 2);
  EXPECT_EQ(CodeOf(wrong_count), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(wrong_count.status().message(), HasSubstr("page_token: "));
  std::vector<std::string> bad = {
      "garbage!",     "", "AAAA", token.substr(0, token.size() - 2), token.substr(0, 10),
      token.substr(2)};
  for (const std::string& text : bad) {
    auto decoded = DecodePageToken(kSecret, text, "fp1", 1);
    EXPECT_EQ(CodeOf(decoded), absl::StatusCode::kInvalidArgument) << text;
    EXPECT_THAT(decoded.status().message(), HasSubstr("page_token: ")) << text;
  }
}

TEST(PageTokenTest, EveryFlippedBitIsRefused) {
  std::string raw = Unbase64(EncodePageToken(kSecret, "fp1", {Value::Int(7), Value::String("x")}));
  for (size_t i = 0; i < raw.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string tampered = raw;
      tampered[i] = static_cast<char>(tampered[i] ^ (1 << bit));
      auto decoded = DecodePageToken(kSecret, Base64(tampered), "fp1", 2);
      ASSERT_EQ(CodeOf(decoded), absl::StatusCode::kInvalidArgument) << i << ":" << bit;
      EXPECT_THAT(decoded.status().message(), HasSubstr("page_token: "));
    }
  }
}

TEST(PageTokenTest, TruncatedTokensAreRefused) {
  std::string raw = Unbase64(EncodePageToken(kSecret, "fp1", {Value::Int(7)}));
  for (size_t size = 0; size < raw.size(); ++size) {
    EXPECT_EQ(CodeOf(DecodePageToken(kSecret, Base64(raw.substr(0, size)), "fp1", 1)),
              absl::StatusCode::kInvalidArgument)
        << size;
  }
}

TEST(PageTokenTest, TokensOfAnotherSecretAreRefused) {
  std::string foreign = EncodePageToken("another-secret", "fp1", {Value::Int(7)});
  auto decoded = DecodePageToken(kSecret, foreign, "fp1", 1);
  EXPECT_EQ(CodeOf(decoded), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(decoded.status().message(), HasSubstr("page_token: "));
  // A forger who knows the layout but not the secret: the body of a real token with new
  // values, re-signed under a guessed key and with the old unkeyed checksum scheme.
  std::string body = BodyOf(EncodePageToken(kSecret, "fp1", {Value::Int(7)}));
  std::string forged_body = BodyOf(EncodePageToken("guess", "fp1", {Value::Int(999)}));
  EXPECT_EQ(CodeOf(DecodePageToken(kSecret, SealPageToken("guess", forged_body), "fp1", 1)),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(
      CodeOf(DecodePageToken(kSecret, Base64(body + Sha256Hex(body).substr(0, 16)), "fp1", 1)),
      absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(DecodePageToken(kSecret, SealPageToken(kSecret, body), "fp1", 1).ok());
}

TEST(PageTokenTest, TooLongTokensAreRefusedBeforeDecoding) {
  std::string token = EncodePageToken(kSecret, "fp1", {Value::String(std::string(3200, 'x'))});
  ASSERT_GT(token.size(), kMaxPageTokenSize);
  auto decoded = DecodePageToken(kSecret, token, "fp1", 1);
  EXPECT_EQ(CodeOf(decoded), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(decoded.status().message(), HasSubstr("page_token: longer than 4096 characters"));
  auto fits = EncodePageToken(kSecret, "fp1", {Value::String(std::string(2000, 'x'))});
  ASSERT_LE(fits.size(), kMaxPageTokenSize);
  EXPECT_TRUE(DecodePageToken(kSecret, fits, "fp1", 1).ok());
  EXPECT_EQ(CodeOf(DecodePageToken(kSecret, std::string(1 << 20, 'A'), "fp1", 1)),
            absl::StatusCode::kInvalidArgument);
}

// Well-signed bodies whose payload claims huge counts: the MAC holds, the decoder refuses.
TEST(PageTokenTest, SignedPayloadsClaimingHugeCountsAreRefused) {
  std::string prefix = std::string(1, '\x02') + "3:fp1";
  std::vector<std::string> payloads = {
      std::string("QGR1\x00\x80\x80\x80\x40", 9),                       // 0 columns, 2^27 rows
      std::string("QGR1\x80\x80\x80\x80\x08", 9),                       // 2^31 columns
      std::string("QGR1\x01\xff\xff\xff\xff\x0f", 10),                  // name of 2^32 bytes
      std::string("QGR1\x01\x00\x00\x01\x08\x80\x80\x80\x80\x08", 14),  // list of 2^31
      std::string("QGR1\x01\x00\x00\x80\x80\x80\x40\x00", 12),          // 2^27 rows of 1
  };
  for (const std::string& payload : payloads) {
    auto decoded = DecodePageToken(kSecret, SealPageToken(kSecret, prefix + payload), "fp1", 1);
    EXPECT_EQ(CodeOf(decoded), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(decoded.status().message(), HasSubstr("page_token: "));
  }
  // The prefix itself is right: a well-formed payload behind it decodes.
  std::string good = BodyOf(EncodePageToken(kSecret, "fp1", {Value::Int(1)}));
  ASSERT_EQ(good.substr(0, prefix.size()), prefix);
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
