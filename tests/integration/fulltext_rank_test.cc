// Ranked full-text search (ListRequest.rank_by) against PostgreSQL's own ts_rank: the paged
// order and rank values equal a plain SQL oracle, the GIN index serves the match, cached pages
// are invalidated by writes, and hostile input is refused.
#include <gmock/gmock.h>
#include <grpcpp/client_context.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "querygate/v1/repository_service.grpc.pb.h"
#include "schema/loader.h"
#include "service/repository_fields.h"
#include "service/repository_rank.h"
#include "tests/support/poll.h"
#include "tests/support/test_server.h"
#include "tests/support/wire_values.h"

namespace querygate {
namespace {

using querygate::testing::PollUntil;
using querygate::testing::Str;
using querygate::testing::TestServer;
using ::testing::HasSubstr;

constexpr char kSchema[] = R"json({
  "models": {
    "article": {
      "indexes": [{"fields": ["title", "content"], "type": "fulltext", "language": "english"}],
      "fields": {
        "id": "int64",
        "title": "string",
        "content": "text",
        "category": "string"
      }
    }
  }
})json";

// Every fourth row is the same text (one long run of equal ranks); the others vary the term
// frequencies, the document length and where the terms stand.
constexpr char kSeed[] = R"sql(
CREATE EXTENSION IF NOT EXISTS pg_stat_statements;
INSERT INTO articles (id, title, content, category)
SELECT g,
  CASE WHEN g % 4 = 0 THEN 'plain title'
       ELSE (ARRAY['cats','dogs and cats','quick fox','red cat sat','nothing'])[g % 5 + 1] || ' ' || g
  END,
  CASE WHEN g % 4 = 0 THEN 'the cat and the dog'
       ELSE repeat('cat ', g % 7) || repeat('filler word ', g % 11) || repeat('dog ', g % 3)
            || 'fox ' || repeat('quick ', g % 2)
  END,
  (ARRAY['news','blog','misc'])[g % 3 + 1]
FROM generate_series(1, 400) g;
)sql";

// The independent checker's document: the seed's expression, not the server's.
constexpr char kDocument[] = "to_tsvector('english', title || ' ' || content)";

std::string Quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') out += '\'';
    out += c;
  }
  return out + "'";
}

struct Ranked {
  std::vector<int64_t> ids;
  std::vector<double> ranks;
  int pages = 0;
};

class FulltextRankTest : public ::testing::Test {
 protected:
  void SetUp() override {
    QG_REQUIRE_POSTGRES();
    if (querygate::testing::RedisUrl().empty()) GTEST_SKIP() << "no Redis";
    ASSERT_EQ(server_.Start(kSchema, kSeed), "");
    repo_ = v1::RepositoryService::NewStub(server_.Channel());
    session_ = server_.database().Connect();
  }

  // The ids and ranks of the rows matching `query`, most relevant first, from plain SQL.
  Ranked Oracle(const std::string& query, const std::string& function, int normalization,
                const std::string& extra_where = "TRUE") {
    std::string q = absl::StrCat("plainto_tsquery('english', ", Quote(query), ")");
    std::string rank = absl::StrCat(function, "(", kDocument, ", ", q, ", ", normalization, ")");
    std::string sql = absl::StrCat("SELECT id, ", rank, " FROM articles WHERE ", kDocument, " @@ ",
                                   q, " AND ", extra_where, " ORDER BY ", rank, " DESC, id");
    auto rows = session_->Query(sql);
    EXPECT_TRUE(rows.ok()) << sql << ": " << rows.status();
    Ranked out;
    if (!rows.ok()) return out;
    for (const auto& row : rows->rows) {
      out.ids.push_back(std::stoll(*row[0]));
      out.ranks.push_back(std::strtod(row[1]->c_str(), nullptr));
    }
    return out;
  }

  static v1::ListRequest RankRequest(const std::string& query, v1::RankFunction function,
                                     int normalization, int page_size) {
    v1::ListRequest request;
    request.set_model("article");
    request.set_page_size(page_size);
    v1::RankBy* rank = request.mutable_rank_by();
    rank->set_field("content");
    rank->set_query(query);
    rank->set_function(function);
    rank->set_normalization(normalization);
    return request;
  }

  grpc::Status Call(const v1::ListRequest& request, v1::ListResponse& response) {
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(20)));
    return repo_->List(&context, request, &response);
  }

  // Walks every page of `request` through its tokens.
  Ranked Walk(v1::ListRequest request) {
    Ranked out;
    while (true) {
      v1::ListResponse response;
      grpc::Status status = Call(request, response);
      EXPECT_TRUE(status.ok()) << status.error_message();
      if (!status.ok()) return out;
      EXPECT_LE(response.records_size(), request.page_size());
      for (const auto& record : response.records()) {
        out.ids.push_back(record.fields().at("id").int_value());
        EXPECT_TRUE(record.has_rank());
        out.ranks.push_back(record.rank());
      }
      ++out.pages;
      if (response.next_page_token().empty() || out.pages > 500) break;
      EXPECT_EQ(response.records_size(), request.page_size());
      request.set_page_token(response.next_page_token());
    }
    return out;
  }

  grpc::StatusCode CodeOf(const v1::ListRequest& request, std::string* message = nullptr) {
    v1::ListResponse response;
    grpc::Status status = Call(request, response);
    if (message != nullptr) *message = status.error_message();
    return status.error_code();
  }

  TestServer server_;
  std::unique_ptr<v1::RepositoryService::Stub> repo_;
  std::unique_ptr<db::Session> session_;
};

TEST_F(FulltextRankTest, PagedOrderAndRanksEqualTheSqlOracle) {
  struct Case {
    v1::RankFunction function;
    const char* sql_function;
    int normalization;
  };
  const std::vector<Case> cases = {{v1::RANK_FUNCTION_UNSPECIFIED, "ts_rank", 0},
                                   {v1::RANK_FUNCTION_TS_RANK, "ts_rank", 1 | 8},
                                   {v1::RANK_FUNCTION_TS_RANK_CD, "ts_rank_cd", 0},
                                   {v1::RANK_FUNCTION_TS_RANK_CD, "ts_rank_cd", 2 | 32}};
  const std::vector<std::string> queries = {"cat", "cat dog", "quick fox", "filler words"};
  int multi_page = 0;
  for (const Case& c : cases) {
    for (const std::string& query : queries) {
      for (int page_size : {7, 50}) {
        SCOPED_TRACE(absl::StrCat(c.sql_function, " normalization ", c.normalization, " query '",
                                  query, "' page_size ", page_size));
        Ranked expected = Oracle(query, c.sql_function, c.normalization);
        ASSERT_GT(expected.ids.size(), 20u);
        Ranked got = Walk(RankRequest(query, c.function, c.normalization, page_size));
        EXPECT_EQ(got.ids, expected.ids);
        EXPECT_EQ(got.ranks, expected.ranks);
        if (got.pages > 1) ++multi_page;
      }
    }
  }
  EXPECT_GT(multi_page, 16);
}

TEST_F(FulltextRankTest, TiesAcrossPageBoundariesPageWithoutLossOrDuplicates) {
  Ranked expected = Oracle("cat dog", "ts_rank", 0);
  std::set<double> distinct(expected.ranks.begin(), expected.ranks.end());
  // At least 100 rows share the top rank run of identical documents.
  size_t longest_tie = 0;
  for (double r : distinct) {
    longest_tie =
        std::max<size_t>(longest_tie, std::count(expected.ranks.begin(), expected.ranks.end(), r));
  }
  ASSERT_GE(longest_tie, 100u);
  for (int page_size : {1, 3, 10}) {
    Ranked got = Walk(RankRequest("cat dog", v1::RANK_FUNCTION_TS_RANK, 0, page_size));
    EXPECT_EQ(got.ids, expected.ids) << "page_size " << page_size;
    std::set<int64_t> unique(got.ids.begin(), got.ids.end());
    EXPECT_EQ(unique.size(), got.ids.size());
  }
}

TEST_F(FulltextRankTest, CombinesWithFilterFieldsAndOffset) {
  v1::ListRequest request = RankRequest("cat", v1::RANK_FUNCTION_TS_RANK, 0, 9);
  v1::Condition* condition = request.mutable_filter()->mutable_condition();
  condition->set_field("category");
  condition->set_op(v1::EQ);
  *condition->mutable_value() = Str("news");
  request.add_fields("id");
  Ranked expected = Oracle("cat", "ts_rank", 0, "category = 'news'");
  ASSERT_GT(expected.ids.size(), 20u);
  Ranked got = Walk(request);
  EXPECT_EQ(got.ids, expected.ids);
  EXPECT_EQ(got.ranks, expected.ranks);

  request.set_offset(5);
  request.set_page_size(4);
  v1::ListResponse response;
  ASSERT_TRUE(Call(request, response).ok());
  ASSERT_EQ(response.records_size(), 4);
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(response.records(i).fields().size(), 1u);
    EXPECT_EQ(response.records(i).fields().at("id").int_value(), expected.ids[5 + i]);
  }
}

TEST_F(FulltextRankTest, StopWordsOnlyMatchNothing) {
  v1::ListResponse response;
  grpc::Status status = Call(RankRequest("the and of", v1::RANK_FUNCTION_TS_RANK, 0, 10), response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.records_size(), 0);
  EXPECT_TRUE(response.next_page_token().empty());
}

// The SQL List runs for rank_by, composed from the same pieces (CompileRank, SelectList).
std::string GeneratedSql(const schema::Schema& schema, const std::string& query) {
  const schema::Model* model = schema.FindModel("article");
  service::RepoListRequest request;
  request.model = "article";
  request.rank_by = service::RankClause{"content", query, service::RankFunction::kTsRank, 0};
  service::SqlParams params;
  auto scored = service::CompileRank(schema, *model, request, params);
  EXPECT_TRUE(scored.ok()) << scored.status();
  if (!scored.ok()) return "";
  return absl::StrCat("SELECT ", service::SelectList(*model), ", ", scored->columns[0].sql,
                      " FROM \"articles\" WHERE (TRUE) AND ", scored->where, " ORDER BY ",
                      scored->order_sql, " LIMIT $3::bigint OFFSET $4::bigint");
}

// `sql` with every constant and parameter replaced by "?": pg_stat_statements shows constants
// as parameters, except where it matched an expression to another (ORDER BY to the select list).
std::string WithoutConstants(const std::string& sql) {
  return std::regex_replace(sql, std::regex("'[^']*'|\\$[0-9]+|\\bTRUE\\b"), "?");
}

TEST_F(FulltextRankTest, TheGinIndexServesTheMatchAndTheRank) {
  auto loaded = schema::LoadSchemaSources({{"article.json", kSchema}});
  ASSERT_TRUE(loaded.ok());
  std::string sql = GeneratedSql(loaded.schema, "cat dog");
  ASSERT_FALSE(sql.empty());
  // The statement the server ran is this one.
  ASSERT_TRUE(session_->Execute("SELECT pg_stat_statements_reset()").ok());
  v1::ListRequest request = RankRequest("cat dog", v1::RANK_FUNCTION_TS_RANK, 0, 10);
  request.set_cache_mode(v1::CACHE_MODE_BYPASS);
  v1::ListResponse response;
  ASSERT_TRUE(Call(request, response).ok());
  auto ran = session_->Query(
      "SELECT query FROM pg_stat_statements WHERE query LIKE 'SELECT % FROM \"articles\" %' AND "
      "query LIKE '%ts_rank(%' AND dbid = (SELECT oid FROM pg_database "
      "WHERE datname = current_database())");
  ASSERT_TRUE(ran.ok()) << ran.status();
  ASSERT_EQ(ran->rows.size(), 1u);
  EXPECT_EQ(WithoutConstants(*ran->rows[0][0]), WithoutConstants(sql));

  ASSERT_TRUE(session_->Execute("SET enable_seqscan = off").ok());
  ASSERT_TRUE(session_->Execute(absl::StrCat("PREPARE ranked AS ", sql)).ok());
  auto plan = session_->Query("EXPLAIN EXECUTE ranked('cat dog', 0, 11, 0)");
  ASSERT_TRUE(plan.ok()) << plan.status();
  std::string text;
  for (const auto& row : plan->rows) absl::StrAppend(&text, *row[0], "\n");
  EXPECT_THAT(text, HasSubstr("Bitmap Index Scan on idx_articles_title_content_fts")) << text;
  EXPECT_THAT(text, ::testing::Not(HasSubstr("Seq Scan"))) << text;
}

TEST_F(FulltextRankTest, AWriteChangesTheCachedRankedPage) {
  v1::ListRequest request = RankRequest("quick fox", v1::RANK_FUNCTION_TS_RANK, 0, 5);
  v1::ListResponse first;
  ASSERT_TRUE(Call(request, first).ok());
  ASSERT_GT(first.records_size(), 0);
  int64_t top = first.records(0).fields().at("id").int_value();
  v1::ListResponse cached;
  ASSERT_TRUE(Call(request, cached).ok());
  EXPECT_EQ(cached.cache().status(), v1::CACHE_STATUS_HIT);
  // Row 3 ("quick fox 3") becomes by far the most relevant.
  ASSERT_NE(top, 3);
  v1::UpdateRequest update;
  update.set_model("article");
  update.mutable_id()->set_int_value(3);
  (*update.mutable_record()->mutable_fields())["content"] =
      Str("quick fox quick fox quick fox quick fox");
  v1::UpdateResponse updated;
  grpc::ClientContext context;
  ASSERT_TRUE(repo_->Update(&context, update, &updated).ok());
  int64_t now_top = 0;
  double now_rank = 0;
  EXPECT_TRUE(PollUntil(absl::Now() + absl::Seconds(10),
                        [&] {
                          v1::ListResponse response;
                          if (!Call(request, response).ok() || response.records_size() == 0)
                            return false;
                          now_top = response.records(0).fields().at("id").int_value();
                          now_rank = response.records(0).rank();
                          return now_top == 3;
                        }))
      << "top is still " << now_top;
  Ranked expected = Oracle("quick fox", "ts_rank", 0);
  ASSERT_FALSE(expected.ids.empty());
  EXPECT_EQ(expected.ids[0], 3);
  EXPECT_EQ(now_rank, expected.ranks[0]);
}

TEST_F(FulltextRankTest, HostileInputIsInvalidArgument) {
  auto with = [&](auto change) {
    v1::ListRequest request = RankRequest("cat", v1::RANK_FUNCTION_TS_RANK, 0, 10);
    change(request);
    return request;
  };
  struct Case {
    v1::ListRequest request;
    std::string message;
  };
  std::vector<Case> cases = {
      {with([](v1::ListRequest& r) { r.mutable_rank_by()->set_field("nope"); }), "rank_by.field"},
      {with([](v1::ListRequest& r) { r.mutable_rank_by()->set_field("category"); }),
       "rank_by.field: needs a fulltext index"},
      {with([](v1::ListRequest& r) { r.mutable_rank_by()->set_field("id"); }),
       "rank_by.field: needs a fulltext index"},
      {with([](v1::ListRequest& r) { r.mutable_rank_by()->set_query(""); }),
       "rank_by.query: must not be empty"},
      {with([](v1::ListRequest& r) { r.mutable_rank_by()->set_query(std::string(1 << 20, 'a')); }),
       "rank_by.query: longer than"},
      {with([](v1::ListRequest& r) { r.mutable_rank_by()->set_query(std::string("ca\0t", 4)); }),
       "rank_by.query"},
      {with([](v1::ListRequest& r) { r.mutable_rank_by()->set_normalization(64); }),
       "rank_by.normalization"},
      {with([](v1::ListRequest& r) { r.mutable_rank_by()->set_normalization(-1); }),
       "rank_by.normalization"},
      {with([](v1::ListRequest& r) { r.add_order_by()->set_field("title"); }),
       "rank_by: cannot be combined with order_by"},
      {with([](v1::ListRequest& r) { r.set_page_token("not a token"); }), "page_token"},
  };
  for (const Case& c : cases) {
    std::string message;
    EXPECT_EQ(CodeOf(c.request, &message), grpc::StatusCode::INVALID_ARGUMENT) << c.message;
    EXPECT_THAT(message, HasSubstr(c.message));
  }

  v1::ListResponse page;
  ASSERT_TRUE(Call(RankRequest("cat", v1::RANK_FUNCTION_TS_RANK, 0, 3), page).ok());
  std::string token = page.next_page_token();
  ASSERT_FALSE(token.empty());
  // Tampered: one character of the signed token changed.
  std::string tampered = token;
  tampered[tampered.size() / 2] = tampered[tampered.size() / 2] == 'A' ? 'B' : 'A';
  std::string message;
  v1::ListRequest request = RankRequest("cat", v1::RANK_FUNCTION_TS_RANK, 0, 3);
  request.set_page_token(tampered);
  EXPECT_EQ(CodeOf(request, &message), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(message, HasSubstr("page_token"));
  // A token of another query, another function, or a List without rank_by.
  for (v1::ListRequest other : {RankRequest("dog", v1::RANK_FUNCTION_TS_RANK, 0, 3),
                                RankRequest("cat", v1::RANK_FUNCTION_TS_RANK_CD, 0, 3),
                                RankRequest("cat", v1::RANK_FUNCTION_TS_RANK, 1, 3)}) {
    other.set_page_token(token);
    EXPECT_EQ(CodeOf(other, &message), grpc::StatusCode::INVALID_ARGUMENT)
        << other.ShortDebugString();
    EXPECT_THAT(message, HasSubstr("page_token"));
  }
  v1::ListRequest plain;
  plain.set_model("article");
  plain.set_page_size(3);
  plain.set_page_token(token);
  EXPECT_EQ(CodeOf(plain, &message), grpc::StatusCode::INVALID_ARGUMENT);
  v1::ListResponse plain_page;
  plain.clear_page_token();
  ASSERT_TRUE(Call(plain, plain_page).ok());
  ASSERT_FALSE(plain_page.next_page_token().empty());
  request.set_page_token(plain_page.next_page_token());
  EXPECT_EQ(CodeOf(request, &message), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(message, HasSubstr("page_token"));
  // The service still answers.
  EXPECT_EQ(CodeOf(RankRequest("cat", v1::RANK_FUNCTION_TS_RANK, 0, 3)), grpc::StatusCode::OK);
}

}  // namespace
}  // namespace querygate
