// Differential test of List and Count: random filters, orders, page sizes and offsets, walked
// page by page through keyset tokens, against the same filter written as plain SQL on the same
// data.
#include <gmock/gmock.h>
#include <grpcpp/client_context.h>
#include <gtest/gtest.h>

#include <random>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "querygate/v1/repository_service.grpc.pb.h"
#include "tests/support/test_server.h"

namespace querygate {
namespace {

using querygate::testing::TestServer;

constexpr char kSchema[] = R"json({
  "enums": {"color": ["red", "green", "blue"]},
  "models": {
    "thing": {
      "soft_delete": true,
      "indexes": [{"fields": ["body"], "type": "fulltext", "language": "english"}],
      "fields": {
        "id": "int64",
        "n": "int32?",
        "big": "int64",
        "name": "string?",
        "body": "text",
        "score": "float64?",
        "amount": "decimal(10,2)?",
        "flag": "bool?",
        "color": "@color",
        "at": "datetime?",
        "day": "date?"
      }
    }
  }
})json";

constexpr char kSeed[] = R"sql(
INSERT INTO things (id, n, big, name, body, score, amount, flag, color, at, day, deleted_at)
SELECT g,
  CASE WHEN g % 7 = 0 THEN NULL ELSE (g * 37) % 23 - 5 END,
  (g * 7919) % 1000 - 500,
  CASE WHEN g % 5 = 0 THEN NULL
       ELSE (ARRAY['alpha','beta','Gamma','delta','beta ray','al_pha','100%'])[g % 7 + 1] END,
  (ARRAY['cats and dogs','the quick fox','dogs run','cat naps','nothing here'])[g % 5 + 1] || ' ' || g,
  CASE WHEN g % 6 = 0 THEN NULL ELSE ((g * 13) % 17) / 4.0 END,
  CASE WHEN g % 9 = 0 THEN NULL ELSE ((g * 31) % 200) / 4.0 END,
  CASE WHEN g % 4 = 0 THEN NULL ELSE g % 3 = 0 END,
  (ARRAY['red','green','blue'])[g % 3 + 1],
  CASE WHEN g % 8 = 0 THEN NULL ELSE timestamptz '2024-01-01 00:00:00+00' + ((g * 97) % 40) * interval '1 hour' END,
  CASE WHEN g % 10 = 0 THEN NULL ELSE date '2024-01-01' + (g * 3) % 15 END,
  CASE WHEN g % 25 = 0 THEN now() END
FROM generate_series(1, 300) g;
)sql";

std::string Quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') out += '\'';
    out += c;
  }
  return out + "'";
}

// A random value of one field, as a wire value and as a SQL literal.
struct Sample {
  v1::Value wire;
  std::string sql;
};

class Generator {
 public:
  explicit Generator(uint32_t seed) : rng_(seed) {}

  int Uniform(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  bool Chance(double p) { return std::bernoulli_distribution(p)(rng_); }
  template <typename T>
  const T& Pick(const std::vector<T>& items) {
    return items[Uniform(0, static_cast<int>(items.size()) - 1)];
  }

  Sample Value(const std::string& field) {
    Sample s;
    if (field == "n" || field == "big") {
      int v = field == "n" ? Uniform(-6, 18) : Uniform(-510, 510);
      s.wire.set_int_value(v);
      s.sql = absl::StrCat(v);
    } else if (field == "name") {
      std::string v = Pick<std::string>(
          {"alpha", "beta", "Gamma", "delta", "beta ray", "al_pha", "100%", "zzz", "Alpha"});
      s.wire.set_string_value(v);
      s.sql = Quote(v);
    } else if (field == "body") {
      std::string v = Pick<std::string>({"cats and dogs 5", "dogs run 3", "m", "the quick fox 7"});
      s.wire.set_string_value(v);
      s.sql = Quote(v);
    } else if (field == "color") {
      std::string v = Pick<std::string>({"red", "green", "blue"});
      s.wire.set_string_value(v);
      s.sql = Quote(v);
    } else if (field == "score") {
      double v = Uniform(-1, 17) / 4.0;
      s.wire.set_double_value(v);
      s.sql = absl::StrFormat("%.17g::float8", v);
    } else if (field == "amount") {
      std::string v = absl::StrFormat("%d.%02d", Uniform(0, 50), Pick<int>({0, 25, 50, 75}));
      s.wire.set_string_value(v);
      s.sql = absl::StrCat(Quote(v), "::numeric");
    } else if (field == "flag") {
      bool v = Chance(0.5);
      s.wire.set_bool_value(v);
      s.sql = v ? "true" : "false";
    } else if (field == "at") {
      int hours = Uniform(-1, 41);
      int64_t seconds = 1704067200 + hours * 3600;
      s.wire.mutable_timestamp_value()->set_seconds(seconds);
      s.sql = absl::StrCat("to_timestamp(", seconds, ")");
    } else if (field == "day") {
      std::string v = absl::StrFormat("2024-01-%02d", Uniform(1, 16));
      s.wire.set_string_value(v);
      s.sql = absl::StrCat(Quote(v), "::date");
    }
    return s;
  }

  // Builds a random filter and the equivalent SQL predicate.
  std::pair<v1::Filter, std::string> Filter(int depth) {
    v1::Filter f;
    int kind = depth >= 3 ? 0 : Uniform(0, 9);
    if (kind >= 6) {
      bool all = kind <= 7;
      int n = Uniform(0, 3);
      std::vector<std::string> parts;
      for (int i = 0; i < n; ++i) {
        auto [child, sql] = Filter(depth + 1);
        *(all ? f.mutable_all() : f.mutable_any())->add_filters() = child;
        parts.push_back(sql);
      }
      if (n == 0) {
        (all ? f.mutable_all() : f.mutable_any())->Clear();
        return {f, all ? "TRUE" : "FALSE"};
      }
      return {f, absl::StrCat("(", absl::StrJoin(parts, all ? " AND " : " OR "), ")")};
    }
    if (kind == 5) {
      auto [child, sql] = Filter(depth + 1);
      *f.mutable_not_() = child;
      return {f, absl::StrCat("(NOT ", sql, ")")};
    }
    return Condition(f);
  }

  std::vector<std::pair<std::string, bool>> Order() {
    std::vector<std::string> fields = {"n",    "big",   "name", "score", "amount",
                                       "flag", "color", "at",   "day",   "id"};
    std::vector<std::pair<std::string, bool>> out;
    int n = Uniform(0, 2);
    while (static_cast<int>(out.size()) < n) {
      std::string f = Pick(fields);
      bool dup = false;
      for (auto& o : out) dup = dup || o.first == f;
      if (!dup) out.emplace_back(f, Chance(0.5));
    }
    return out;
  }

 private:
  std::pair<v1::Filter, std::string> Condition(v1::Filter& f) {
    std::string field = Pick<std::string>(
        {"n", "big", "name", "body", "score", "amount", "flag", "color", "at", "day", "id"});
    if (field == "id") field = "n";
    bool text = field == "name" || field == "body" || field == "color";
    std::vector<v1::Operator> ops = {v1::EQ,      v1::NE,          v1::LT,     v1::LE,
                                     v1::GT,      v1::GE,          v1::IN,     v1::NOT_IN,
                                     v1::IS_NULL, v1::IS_NOT_NULL, v1::BETWEEN};
    if (text) {
      ops.push_back(v1::LIKE);
      ops.push_back(v1::ILIKE);
    }
    if (field == "body") ops.push_back(v1::MATCH);
    v1::Operator op = Pick(ops);
    auto* c = f.mutable_condition();
    c->set_field(field);
    c->set_op(op);
    std::string col = absl::StrCat("\"", field, "\"");
    auto compare = [&](const char* sql_op) {
      Sample s = Value(field);
      *c->mutable_value() = s.wire;
      return absl::StrCat(col, " ", sql_op, " ", s.sql);
    };
    switch (op) {
      case v1::EQ:
        return {f, compare("=")};
      case v1::NE:
        return {f, compare("<>")};
      case v1::LT:
        return {f, compare("<")};
      case v1::LE:
        return {f, compare("<=")};
      case v1::GT:
        return {f, compare(">")};
      case v1::GE:
        return {f, compare(">=")};
      case v1::IN:
      case v1::NOT_IN: {
        int n = Uniform(0, 4);
        std::vector<std::string> sql;
        auto* list = c->mutable_value()->mutable_list_value();
        for (int i = 0; i < n; ++i) {
          Sample s = Value(field);
          *list->add_values() = s.wire;
          sql.push_back(s.sql);
        }
        bool in = op == v1::IN;
        if (n == 0) return {f, in ? "FALSE" : "TRUE"};
        return {f, absl::StrCat(col, in ? " IN (" : " NOT IN (", absl::StrJoin(sql, ", "), ")")};
      }
      case v1::IS_NULL:
        return {f, absl::StrCat(col, " IS NULL")};
      case v1::IS_NOT_NULL:
        return {f, absl::StrCat(col, " IS NOT NULL")};
      case v1::BETWEEN: {
        Sample lo = Value(field);
        Sample hi = Value(field);
        auto* list = c->mutable_value()->mutable_list_value();
        *list->add_values() = lo.wire;
        *list->add_values() = hi.wire;
        return {f, absl::StrCat(col, " BETWEEN ", lo.sql, " AND ", hi.sql)};
      }
      case v1::LIKE:
      case v1::ILIKE: {
        std::string pattern =
            Pick<std::string>({"%a%", "b%", "%ray", "al\\_%", "100\\%", "%", "A%", "%s%o%"});
        c->mutable_value()->set_string_value(pattern);
        return {f, absl::StrCat(col, op == v1::LIKE ? " LIKE " : " ILIKE ", Quote(pattern))};
      }
      case v1::MATCH: {
        std::string words = Pick<std::string>({"cat", "dogs", "quick fox", "run", "the", "naps"});
        c->mutable_value()->set_string_value(words);
        return {f, absl::StrCat("to_tsvector('english'::regconfig, coalesce(\"body\", '')) @@ "
                                "plainto_tsquery('english'::regconfig, ",
                                Quote(words), ")")};
      }
      default:
        return {f, "TRUE"};
    }
  }

  std::mt19937 rng_;
};

class RepositoryFilterDiffTest : public ::testing::Test {
 protected:
  void SetUp() override {
    QG_REQUIRE_POSTGRES();
    if (querygate::testing::RedisUrl().empty()) GTEST_SKIP() << "no Redis";
    ASSERT_EQ(server_.Start(kSchema, kSeed), "");
    repo_ = v1::RepositoryService::NewStub(server_.Channel());
    session_ = server_.database().Connect();
  }

  std::vector<int64_t> Oracle(const std::string& sql) {
    auto rows = session_->Query(sql);
    EXPECT_TRUE(rows.ok()) << sql << ": " << rows.status();
    std::vector<int64_t> ids;
    if (!rows.ok()) return ids;
    for (const auto& row : rows->rows) ids.push_back(std::stoll(*row[0]));
    return ids;
  }

  TestServer server_;
  std::unique_ptr<v1::RepositoryService::Stub> repo_;
  std::unique_ptr<db::Session> session_;
};

TEST_F(RepositoryFilterDiffTest, RandomFiltersOrdersAndPagesMatchPlainSql) {
  const uint32_t seed = 20240229;
  Generator gen(seed);
  constexpr int kCases = 600;
  int nonempty = 0;
  int multi_page = 0;
  for (int i = 0; i < kCases; ++i) {
    auto [filter, where] = gen.Filter(0);
    auto order = gen.Order();
    int page_size = gen.Uniform(1, 40);
    int offset = gen.Chance(0.2) ? gen.Uniform(0, 30) : 0;
    std::vector<std::string> order_sql;
    for (auto& [field, desc] : order)
      order_sql.push_back(absl::StrCat("\"", field, "\"", desc ? " DESC" : ""));
    bool has_id = false;
    for (auto& o : order) has_id = has_id || o.first == "id";
    if (!has_id) order_sql.push_back("\"id\"");
    std::string sql =
        absl::StrCat("SELECT id FROM things WHERE (", where, ") AND deleted_at IS NULL ORDER BY ",
                     absl::StrJoin(order_sql, ", "), " OFFSET ", offset);
    std::vector<int64_t> expected = Oracle(sql);
    SCOPED_TRACE(absl::StrCat("case ", i, " seed ", seed, "\n", sql, "\npage_size ", page_size,
                              "\nfilter ", filter.ShortDebugString()));

    v1::ListRequest request;
    request.set_model("thing");
    *request.mutable_filter() = filter;
    for (auto& [field, desc] : order) {
      v1::Order* o = request.add_order_by();
      o->set_field(field);
      o->set_descending(desc);
    }
    request.set_page_size(page_size);
    request.set_offset(offset);
    if (i % 3 == 0) request.add_fields("id");
    request.set_cache_mode(i % 2 ? v1::CACHE_MODE_BYPASS : v1::CACHE_MODE_UNSPECIFIED);
    std::vector<int64_t> got;
    int pages = 0;
    while (true) {
      v1::ListResponse response;
      grpc::ClientContext context;
      context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(20)));
      grpc::Status status = repo_->List(&context, request, &response);
      ASSERT_TRUE(status.ok()) << status.error_message();
      ASSERT_LE(response.records_size(), page_size);
      for (const auto& r : response.records()) {
        if (i % 3 == 0) {
          ASSERT_EQ(r.fields().size(), 1u);
        }
        got.push_back(r.fields().at("id").int_value());
      }
      ++pages;
      ASSERT_LE(pages, 400);
      if (response.next_page_token().empty()) break;
      ASSERT_EQ(response.records_size(), page_size);
      request.set_page_token(response.next_page_token());
      request.set_offset(0);
    }
    ASSERT_EQ(got, expected);
    if (!expected.empty()) ++nonempty;
    if (pages > 1) ++multi_page;
    if (i % 5 == 0) {
      v1::CountRequest count_request;
      count_request.set_model("thing");
      *count_request.mutable_filter() = filter;
      v1::CountResponse count;
      grpc::ClientContext context;
      ASSERT_TRUE(repo_->Count(&context, count_request, &count).ok());
      auto all =
          Oracle(absl::StrCat("SELECT id FROM things WHERE (", where, ") AND deleted_at IS NULL"));
      ASSERT_EQ(count.count(), static_cast<int64_t>(all.size()));
    }
  }
  // The generator must exercise the interesting cases, or the test proves little.
  EXPECT_GT(nonempty, kCases / 3);
  EXPECT_GT(multi_page, kCases / 5);
}

}  // namespace
}  // namespace querygate
