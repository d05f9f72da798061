// RepositoryService over a real gRPC channel, PostgreSQL and Redis, on the example blog schema:
// CRUD on every model, every relation kind, soft delete, atomic batches, errors, optimistic
// concurrency, cache behaviour and freshness across two instances.
#include <gmock/gmock.h>
#include <grpcpp/client_context.h>
#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "querygate/v1/repository_service.grpc.pb.h"
#include "tests/support/test_server.h"
#include "tests/support/wire_values.h"

namespace querygate {
namespace {

using querygate::testing::Bool;
using querygate::testing::Dbl;
using querygate::testing::Int;
using querygate::testing::List;
using querygate::testing::Null;
using querygate::testing::Str;
using querygate::testing::TestServer;
using ::testing::HasSubstr;

constexpr size_t kTooLongToken = 5000;

std::string BlogSchema() { return querygate::testing::ReadSourceFile("schemas/blog.json"); }

// 5 users (user 5 soft-deleted), profiles for users 1-2, 50 posts (author = id % 4 + 1), two
// comments on each post, 3 tags linked to posts 1-3.
constexpr char kSeed[] = R"sql(
INSERT INTO users (id, username, email) SELECT g, 'user' || g, 'user' || g || '@x.org'
  FROM generate_series(1, 5) g;
UPDATE users SET deleted_at = now() WHERE id = 5;
SELECT setval('users_id_seq', 100);
INSERT INTO user_profiles (user_id, first_name) VALUES (1, 'Ada'), (2, 'Bob');
INSERT INTO posts (id, author_id, title, content, status, view_count)
  SELECT g, g % 4 + 1, 'Post ' || g, 'Content about cats number ' || g,
         (ARRAY['draft','published','archived'])[g % 3 + 1], g * 10
  FROM generate_series(1, 50) g;
SELECT setval('posts_id_seq', 1000);
INSERT INTO comments (post_id, user_id, content)
  SELECT p, (p + k) % 4 + 1, 'Comment ' || k || ' on ' || p
  FROM generate_series(1, 50) p, generate_series(1, 2) k;
INSERT INTO tags (id, name, slug) VALUES (1, 'c++', 'cpp'), (2, 'sql', 'sql'), (3, 'go', 'go');
SELECT setval('tags_id_seq', 100);
INSERT INTO post_tags (post_id, tag_id) VALUES (1, 1), (1, 2), (2, 2), (3, 3);
)sql";

v1::Record Rec(std::map<std::string, v1::Value> fields) {
  v1::Record out;
  for (auto& [k, v] : fields) (*out.mutable_fields())[k] = std::move(v);
  return out;
}
v1::Filter Cond(const std::string& field, v1::Operator op, v1::Value value = v1::Value()) {
  v1::Filter f;
  f.mutable_condition()->set_field(field);
  f.mutable_condition()->set_op(op);
  *f.mutable_condition()->mutable_value() = std::move(value);
  return f;
}

class RepositoryCrudTest : public ::testing::Test {
 protected:
  void SetUp() override {
    QG_REQUIRE_POSTGRES();
    if (querygate::testing::RedisUrl().empty()) GTEST_SKIP() << "no Redis";
    std::string schema = BlogSchema();
    ASSERT_FALSE(schema.empty()) << "cannot read schemas/blog.json";
    ASSERT_EQ(server_.Start(schema, kSeed), "");
    repo_ = v1::RepositoryService::NewStub(server_.Channel());
  }

  template <typename Req, typename Resp, typename Method>
  grpc::Status Call(Method method, const Req& request, Resp* response, int instance = -1) {
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(20)));
    auto* stub = instance < 0 ? repo_.get() : stubs_.at(instance).get();
    return (stub->*method)(&context, request, response);
  }

  v1::Record MustCreate(const std::string& model, v1::Record record) {
    v1::CreateRequest request;
    request.set_model(model);
    *request.mutable_record() = std::move(record);
    v1::CreateResponse response;
    grpc::Status status = Call(&v1::RepositoryService::Stub::Create, request, &response);
    EXPECT_TRUE(status.ok()) << model << ": " << status.error_message();
    return response.record();
  }

  grpc::Status Get(const std::string& model, v1::Value id, v1::GetResponse* response,
                   std::vector<std::string> include = {},
                   v1::CacheMode mode = v1::CACHE_MODE_UNSPECIFIED, int instance = -1) {
    v1::GetRequest request;
    request.set_model(model);
    *request.mutable_id() = std::move(id);
    for (auto& i : include) request.add_include(i);
    request.set_cache_mode(mode);
    return Call(&v1::RepositoryService::Stub::Get, request, response, instance);
  }

  grpc::Status Update(const std::string& model, v1::Value id, v1::Record record,
                      v1::UpdateResponse* response,
                      const google::protobuf::Timestamp* expected = nullptr, int instance = -1) {
    v1::UpdateRequest request;
    request.set_model(model);
    *request.mutable_id() = std::move(id);
    *request.mutable_record() = std::move(record);
    if (expected != nullptr) *request.mutable_expected_updated_at() = *expected;
    return Call(&v1::RepositoryService::Stub::Update, request, response, instance);
  }

  grpc::Status Delete(const std::string& model, v1::Value id, bool hard, bool* deleted) {
    v1::DeleteRequest request;
    request.set_model(model);
    *request.mutable_id() = std::move(id);
    request.set_hard(hard);
    v1::DeleteResponse response;
    grpc::Status status = Call(&v1::RepositoryService::Stub::Delete, request, &response);
    *deleted = response.deleted();
    return status;
  }

  int64_t Count(const std::string& model, v1::Filter filter = v1::Filter(), int instance = -1) {
    v1::CountRequest request;
    request.set_model(model);
    *request.mutable_filter() = std::move(filter);
    v1::CountResponse response;
    grpc::Status status = Call(&v1::RepositoryService::Stub::Count, request, &response, instance);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response.count();
  }

  std::string SqlValue(const std::string& sql) {
    auto session = server_.database().Connect();
    auto result = session->Query(sql);
    EXPECT_TRUE(result.ok()) << sql << ": " << result.status();
    if (!result.ok() || result->rows.empty()) return "<none>";
    return result->rows[0][0].value_or("<null>");
  }

  TestServer server_;
  std::unique_ptr<v1::RepositoryService::Stub> repo_;
  std::vector<std::unique_ptr<v1::RepositoryService::Stub>> stubs_;
};

TEST_F(RepositoryCrudTest, FullCrudOnEveryExampleModel) {
  struct Case {
    std::string model;
    v1::Record create;
    std::string update_field;
    v1::Value update_value;
  };
  std::vector<Case> cases = {
      {"user", Rec({{"username", Str("neo")}, {"email", Str("neo@x.org")}}), "email",
       Str("neo@y.org")},
      {"user_profile", Rec({{"user_id", Int(3)}, {"bio", Str("hi")}}), "bio", Str("hello")},
      {"post",
       Rec({{"author_id", Int(1)},
            {"title", Str("T")},
            {"content", Str("C")},
            {"tags", List({Str("a"), Str("b")})}}),
       "view_count", Int(7)},
      {"comment", Rec({{"post_id", Int(1)}, {"user_id", Int(2)}, {"content", Str("c")}}), "content",
       Str("edited")},
      {"tag", Rec({{"name", Str("rust")}, {"slug", Str("rust")}}), "slug", Str("rs")},
      {"document",
       Rec({{"title", Str("Doc")},
            {"body", Str("B")},
            {"price", Str("12.50")},
            {"rating", Dbl(4.5)},
            {"is_public", Bool(true)},
            {"published_on", Str("2024-02-29")},
            {"keywords", List({Str("k")})},
            {"attributes",
             [] {
               v1::Value v;
               (*v.mutable_struct_value()->mutable_fields())["a"] = Int(1);
               return v;
             }()},
            {"embedding", List({Dbl(0.5), Dbl(1), Dbl(-2)})}}),
       "price", Str("99.99")},
  };
  for (Case& c : cases) {
    SCOPED_TRACE(c.model);
    v1::Record created = MustCreate(c.model, c.create);
    const auto& fields = created.fields();
    ASSERT_TRUE(fields.count("id"));
    v1::Value id = fields.at("id");
    for (const auto& [name, value] : c.create.fields()) {
      ASSERT_TRUE(fields.count(name)) << name;
      if (value.has_string_value()) {
        EXPECT_EQ(fields.at(name).string_value(), value.string_value()) << name;
      }
    }
    v1::GetResponse got;
    ASSERT_TRUE(Get(c.model, id, &got).ok());
    EXPECT_EQ(got.record().fields().size(), fields.size());
    v1::ExistsRequest exists_request;
    exists_request.set_model(c.model);
    *exists_request.mutable_id() = id;
    v1::ExistsResponse exists;
    ASSERT_TRUE(Call(&v1::RepositoryService::Stub::Exists, exists_request, &exists).ok());
    EXPECT_TRUE(exists.exists());

    v1::UpdateResponse updated;
    grpc::Status status = Update(c.model, id, Rec({{c.update_field, c.update_value}}), &updated);
    ASSERT_TRUE(status.ok()) << status.error_message();
    v1::GetResponse after;
    ASSERT_TRUE(Get(c.model, id, &after).ok());
    EXPECT_EQ(after.record().fields().at(c.update_field).DebugString(),
              c.update_value.DebugString());
    if (fields.count("updated_at")) {
      EXPECT_GT(after.record().fields().at("updated_at").timestamp_value().nanos() +
                    after.record().fields().at("updated_at").timestamp_value().seconds() * 1e9,
                fields.at("updated_at").timestamp_value().nanos() +
                    fields.at("updated_at").timestamp_value().seconds() * 1e9);
    }

    bool deleted = false;
    ASSERT_TRUE(Delete(c.model, id, false, &deleted).ok());
    EXPECT_TRUE(deleted);
    v1::GetResponse gone;
    EXPECT_EQ(Get(c.model, id, &gone).error_code(), grpc::StatusCode::NOT_FOUND);
    ASSERT_TRUE(Call(&v1::RepositoryService::Stub::Exists, exists_request, &exists).ok());
    EXPECT_FALSE(exists.exists());
    ASSERT_TRUE(Delete(c.model, id, false, &deleted).ok());
    EXPECT_FALSE(deleted);
  }
  // The junction table is addressable with a two-part key.
  MustCreate("post_tags", Rec({{"post_id", Int(4)}, {"tag_id", Int(1)}}));
  v1::GetResponse link;
  ASSERT_TRUE(Get("post_tags", List({Int(4), Int(1)}), &link).ok());
  bool deleted = false;
  ASSERT_TRUE(Delete("post_tags", List({Int(4), Int(1)}), false, &deleted).ok());
  EXPECT_TRUE(deleted);
}

TEST_F(RepositoryCrudTest, UuidV7KeysAreGeneratedInOrder) {
  std::string last;
  for (int i = 0; i < 5; ++i) {
    v1::Record doc = MustCreate("document", Rec({{"title", Str("d")},
                                                 {"body", Str("b")},
                                                 {"price", Int(1)},
                                                 {"embedding", List({Int(1), Int(2), Int(3)})}}));
    std::string id = doc.fields().at("id").string_value();
    ASSERT_EQ(id.size(), 36u);
    EXPECT_EQ(id[14], '7');
    EXPECT_NE(std::string("89ab").find(id[19]), std::string::npos);
    EXPECT_GT(id, last);
    last = id;
  }
}

TEST_F(RepositoryCrudTest, EveryRelationKindLoadsWithInclude) {
  v1::GetResponse user;
  ASSERT_TRUE(Get("user", Int(1), &user, {"profile", "posts.comments", "posts.labels"}).ok());
  const auto& u = user.record().fields();
  EXPECT_EQ(u.at("profile").struct_value().fields().at("first_name").string_value(), "Ada");
  const auto& posts = u.at("posts").list_value().values();
  ASSERT_EQ(posts.size(), std::stoi(SqlValue("SELECT count(*) FROM posts WHERE author_id = 1")));
  for (const auto& p : posts) {
    const auto& pf = p.struct_value().fields();
    EXPECT_EQ(pf.at("author_id").int_value(), 1);
    EXPECT_EQ(pf.at("comments").list_value().values_size(), 2);
    for (const auto& c : pf.at("comments").list_value().values()) {
      EXPECT_EQ(c.struct_value().fields().at("post_id").int_value(), pf.at("id").int_value());
    }
  }
  v1::GetResponse no_profile;
  ASSERT_TRUE(Get("user", Int(3), &no_profile, {"profile"}).ok());
  EXPECT_TRUE(no_profile.record().fields().at("profile").has_null_value());

  v1::GetResponse post;
  ASSERT_TRUE(Get("post", Int(1), &post, {"author.profile", "labels"}).ok());
  const auto& pf = post.record().fields();
  EXPECT_EQ(pf.at("author").struct_value().fields().at("id").int_value(), 2);
  EXPECT_EQ(pf.at("author")
                .struct_value()
                .fields()
                .at("profile")
                .struct_value()
                .fields()
                .at("first_name")
                .string_value(),
            "Bob");
  std::set<int64_t> labels;
  for (const auto& t : pf.at("labels").list_value().values()) {
    labels.insert(t.struct_value().fields().at("id").int_value());
  }
  EXPECT_EQ(labels, (std::set<int64_t>{1, 2}));

  v1::GetResponse tag;
  ASSERT_TRUE(Get("tag", Int(2), &tag, {"posts"}).ok());
  std::set<int64_t> tagged;
  for (const auto& p : tag.record().fields().at("posts").list_value().values()) {
    tagged.insert(p.struct_value().fields().at("id").int_value());
  }
  EXPECT_EQ(tagged, (std::set<int64_t>{1, 2}));

  v1::GetResponse bad;
  EXPECT_EQ(Get("post", Int(1), &bad, {"author.nope"}).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(RepositoryCrudTest, ListWithIncludesSendsOneStatementPerLevel) {
  v1::ListRequest request;
  request.set_model("post");
  request.set_page_size(50);
  request.add_include("author");
  request.add_include("comments");
  request.set_cache_mode(v1::CACHE_MODE_BYPASS);
  v1::ListResponse response;
  ASSERT_TRUE(Call(&v1::RepositoryService::Stub::List, request, &response).ok());
  ASSERT_EQ(response.records_size(), 50);
  EXPECT_EQ(response.statements(), 3);
  int comments = 0;
  for (const auto& r : response.records()) {
    const auto& f = r.fields();
    int64_t author_id = f.at("author_id").int_value();
    if (author_id == 5) {
      EXPECT_TRUE(f.at("author").has_null_value());  // soft-deleted author is hidden
    } else {
      EXPECT_EQ(f.at("author").struct_value().fields().at("id").int_value(), author_id);
    }
    comments += f.at("comments").list_value().values_size();
  }
  EXPECT_EQ(comments, std::stoi(SqlValue("SELECT count(*) FROM comments")));
  // Nested includes add one statement per level, not per row.
  request.clear_include();
  request.add_include("comments.user.profile");
  ASSERT_TRUE(Call(&v1::RepositoryService::Stub::List, request, &response).ok());
  EXPECT_EQ(response.statements(), 4);
  // Cached: a hit sends nothing.
  request.set_cache_mode(v1::CACHE_MODE_UNSPECIFIED);
  ASSERT_TRUE(Call(&v1::RepositoryService::Stub::List, request, &response).ok());
  ASSERT_TRUE(Call(&v1::RepositoryService::Stub::List, request, &response).ok());
  EXPECT_EQ(response.cache().status(), v1::CACHE_STATUS_HIT);
  EXPECT_EQ(response.statements(), 0);
}

TEST_F(RepositoryCrudTest, SoftDeleteHidesRowsEverywhere) {
  int64_t before = Count("comment");
  bool deleted = false;
  ASSERT_TRUE(Delete("comment", Int(1), false, &deleted).ok());
  ASSERT_TRUE(deleted);
  EXPECT_EQ(Count("comment"), before - 1);
  EXPECT_EQ(SqlValue("SELECT deleted_at IS NOT NULL FROM comments WHERE id = 1"), "t");
  v1::GetResponse post;
  ASSERT_TRUE(Get("post", Int(1), &post, {"comments"}).ok());
  for (const auto& c : post.record().fields().at("comments").list_value().values()) {
    EXPECT_NE(c.struct_value().fields().at("id").int_value(), 1);
  }
  v1::UpdateResponse updated;
  EXPECT_EQ(Update("comment", Int(1), Rec({{"content", Str("x")}}), &updated).error_code(),
            grpc::StatusCode::NOT_FOUND);
  v1::GetResponse user5;
  EXPECT_EQ(Get("user", Int(5), &user5).error_code(), grpc::StatusCode::NOT_FOUND);
  // Hard delete removes the row, also a soft-deleted one.
  ASSERT_TRUE(Delete("comment", Int(1), true, &deleted).ok());
  EXPECT_TRUE(deleted);
  EXPECT_EQ(SqlValue("SELECT count(*) FROM comments WHERE id = 1"), "0");
}

TEST_F(RepositoryCrudTest, CreateManyAndTransactAreAllOrNothing) {
  int64_t tags = Count("tag");
  v1::CreateManyRequest many;
  many.set_model("tag");
  *many.add_records() = Rec({{"name", Str("t1")}, {"slug", Str("t1")}});
  *many.add_records() = Rec({{"name", Str("t2")}, {"slug", Str("cpp")}});  // duplicate slug
  v1::CreateManyResponse many_response;
  grpc::Status status = Call(&v1::RepositoryService::Stub::CreateMany, many, &many_response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_THAT(status.error_message(), HasSubstr("tags_slug_key"));
  EXPECT_THAT(status.error_message(), HasSubstr("(slug)"));
  EXPECT_EQ(Count("tag"), tags);
  (*many.mutable_records(1)->mutable_fields())["slug"] = Str("t2");
  ASSERT_TRUE(Call(&v1::RepositoryService::Stub::CreateMany, many, &many_response).ok());
  EXPECT_EQ(many_response.records_size(), 2);
  EXPECT_EQ(Count("tag"), tags + 2);

  v1::TransactRequest tx;
  auto* create = tx.add_ops()->mutable_create();
  create->set_model("tag");
  *create->mutable_record() = Rec({{"name", Str("t3")}, {"slug", Str("t3")}});
  auto* update = tx.add_ops()->mutable_update();
  update->set_model("post");
  *update->mutable_id() = Int(2);
  *update->mutable_record() = Rec({{"title", Str("changed in tx")}});
  auto* bad = tx.add_ops()->mutable_create();
  bad->set_model("comment");
  *bad->mutable_record() =
      Rec({{"post_id", Int(99999)}, {"user_id", Int(1)}, {"content", Str("x")}});
  v1::TransactResponse tx_response;
  status = Call(&v1::RepositoryService::Stub::Transact, tx, &tx_response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(status.error_message(), HasSubstr("ops[2]"));
  EXPECT_EQ(Count("tag"), tags + 2);
  EXPECT_EQ(SqlValue("SELECT title FROM posts WHERE id = 2"), "Post 2");
  tx.mutable_ops()->RemoveLast();
  auto* del = tx.add_ops()->mutable_delete_();
  del->set_model("tag");
  *del->mutable_id() = Int(3);
  ASSERT_TRUE(Call(&v1::RepositoryService::Stub::Transact, tx, &tx_response).ok());
  ASSERT_EQ(tx_response.records_size(), 3);
  EXPECT_EQ(tx_response.records(1).fields().at("title").string_value(), "changed in tx");
  EXPECT_EQ(SqlValue("SELECT count(*) FROM tags WHERE id = 3"), "0");
  EXPECT_EQ(SqlValue("SELECT count(*) FROM post_tags WHERE tag_id = 3"), "0");  // cascaded
}

TEST_F(RepositoryCrudTest, ErrorsMapToCodesAndNameTheField) {
  struct Case {
    std::string model;
    v1::Record record;
    grpc::StatusCode code;
    std::string message;
  };
  std::vector<Case> cases = {
      {"user", Rec({{"username", Str("user1")}, {"email", Str("n@x")}}),
       grpc::StatusCode::ALREADY_EXISTS, "users_username_key"},
      {"post", Rec({{"author_id", Int(999)}, {"title", Str("t")}, {"content", Str("c")}}),
       grpc::StatusCode::FAILED_PRECONDITION, "posts_author_id_fkey"},
      {"post",
       Rec({{"author_id", Int(1)},
            {"title", Str("t")},
            {"content", Str("c")},
            {"status", Str("bogus")}}),
       grpc::StatusCode::INVALID_ARGUMENT, "record.status"},
      {"post", Rec({{"author_id", Int(1)}, {"title", Null()}, {"content", Str("c")}}),
       grpc::StatusCode::INVALID_ARGUMENT, "record.title: must not be null"},
      {"post", Rec({{"author_id", Int(1)}, {"content", Str("c")}}),
       grpc::StatusCode::INVALID_ARGUMENT, "record.title: required"},
      {"post", Rec({{"author_id", Str("1")}, {"title", Str("t")}, {"content", Str("c")}}),
       grpc::StatusCode::INVALID_ARGUMENT, "record.author_id"},
      {"post",
       Rec({{"author_id", Int(1)},
            {"title", Str("t")},
            {"content", Str("c")},
            {"view_count", Int(int64_t{1} << 40)}}),
       grpc::StatusCode::INVALID_ARGUMENT, "record.view_count"},
      {"post",
       Rec({{"author_id", Int(1)},
            {"title", Str("t")},
            {"content", Str("c")},
            {"title; DROP TABLE posts", Str("x")}}),
       grpc::StatusCode::INVALID_ARGUMENT, "record.title; DROP TABLE posts"},
      {"posts\"; DROP TABLE posts; --", Rec({}), grpc::StatusCode::INVALID_ARGUMENT, "model"},
      {"document",
       Rec({{"title", Str("d")},
            {"body", Str("b")},
            {"price", Str("1")},
            {"embedding", List({Int(1)})}}),
       grpc::StatusCode::INVALID_ARGUMENT, "record.embedding"},
  };
  for (const Case& c : cases) {
    v1::CreateRequest request;
    request.set_model(c.model);
    *request.mutable_record() = c.record;
    v1::CreateResponse response;
    grpc::Status status = Call(&v1::RepositoryService::Stub::Create, request, &response);
    EXPECT_EQ(status.error_code(), c.code) << c.message << ": " << status.error_message();
    EXPECT_THAT(status.error_message(), HasSubstr(c.message));
  }
  EXPECT_EQ(SqlValue("SELECT count(*) FROM posts"), "50");
  v1::GetResponse missing;
  EXPECT_EQ(Get("post", Int(424242), &missing).error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(Get("post", Str("1"), &missing).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  v1::UpdateResponse updated;
  EXPECT_EQ(Update("post", Int(424242), Rec({{"title", Str("x")}}), &updated).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

TEST_F(RepositoryCrudTest, InjectionStringsAreStoredVerbatimAndRejectedAsNames) {
  const std::vector<std::string> nasty = {"'; DROP TABLE posts; --", "\"quoted\" \\ back",
                                          "$1::text", "Robert'); DELETE FROM users;--",
                                          "ünïcødé ✓"};
  for (const std::string& text : nasty) {
    v1::Record created = MustCreate(
        "post", Rec({{"author_id", Int(1)}, {"title", Str(text)}, {"content", Str(text)}}));
    v1::ListRequest request;
    request.set_model("post");
    *request.mutable_filter() = Cond("title", v1::EQ, Str(text));
    v1::ListResponse response;
    ASSERT_TRUE(Call(&v1::RepositoryService::Stub::List, request, &response).ok());
    ASSERT_EQ(response.records_size(), 1) << text;
    EXPECT_EQ(response.records(0).fields().at("content").string_value(), text);
    EXPECT_EQ(response.records(0).fields().at("id").int_value(),
              created.fields().at("id").int_value());
  }
  for (const std::string& name : nasty) {
    v1::ListRequest request;
    request.set_model("post");
    *request.mutable_filter() = Cond(name, v1::EQ, Int(1));
    v1::ListResponse response;
    EXPECT_EQ(Call(&v1::RepositoryService::Stub::List, request, &response).error_code(),
              grpc::StatusCode::INVALID_ARGUMENT);
    request.clear_filter();
    request.add_order_by()->set_field(name);
    EXPECT_EQ(Call(&v1::RepositoryService::Stub::List, request, &response).error_code(),
              grpc::StatusCode::INVALID_ARGUMENT);
    request.clear_order_by();
    request.add_fields(name);
    EXPECT_EQ(Call(&v1::RepositoryService::Stub::List, request, &response).error_code(),
              grpc::StatusCode::INVALID_ARGUMENT);
    request.clear_fields();
    request.set_model(name);
    EXPECT_EQ(Call(&v1::RepositoryService::Stub::List, request, &response).error_code(),
              grpc::StatusCode::INVALID_ARGUMENT);
  }
  EXPECT_EQ(SqlValue("SELECT count(*) FROM users"), "5");
}

TEST_F(RepositoryCrudTest, ConcurrentOptimisticUpdatesHaveExactlyOneWinner) {
  for (int round = 0; round < 3; ++round) {
    v1::GetResponse current;
    ASSERT_TRUE(Get("post", Int(7), &current, {}, v1::CACHE_MODE_BYPASS).ok());
    google::protobuf::Timestamp expected =
        current.record().fields().at("updated_at").timestamp_value();
    constexpr int kWriters = 8;
    std::atomic<int> ok{0}, aborted{0}, other{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < kWriters; ++i) {
      threads.emplace_back([&, i] {
        v1::UpdateResponse response;
        grpc::Status status = Update("post", Int(7), Rec({{"title", Str(absl::StrCat("w", i))}}),
                                     &response, &expected);
        if (status.ok()) {
          ++ok;
        } else if (status.error_code() == grpc::StatusCode::ABORTED) {
          ++aborted;
        } else {
          ++other;
        }
      });
    }
    for (auto& t : threads) t.join();
    EXPECT_EQ(ok.load(), 1);
    EXPECT_EQ(aborted.load(), kWriters - 1);
    EXPECT_EQ(other.load(), 0);
  }
}

TEST_F(RepositoryCrudTest, CachedReadsAreFreshAfterWritesOnAnotherInstance) {
  ASSERT_EQ(server_.StartAnother(), "");
  stubs_.push_back(v1::RepositoryService::NewStub(server_.Channel(0)));
  stubs_.push_back(v1::RepositoryService::NewStub(server_.Channel(1)));
  for (int i = 0; i < 20; ++i) {
    int reader = i % 2;
    int writer = 1 - reader;
    v1::GetResponse before;
    ASSERT_TRUE(Get("post", Int(9), &before, {"author"}, v1::CACHE_MODE_UNSPECIFIED, reader).ok());
    ASSERT_TRUE(Get("post", Int(9), &before, {"author"}, v1::CACHE_MODE_UNSPECIFIED, reader).ok());
    EXPECT_EQ(before.cache().status(), v1::CACHE_STATUS_HIT);
    int64_t count_before = Count("comment", v1::Filter(), reader);
    std::string title = absl::StrCat("fresh ", i);
    v1::UpdateResponse updated;
    ASSERT_TRUE(
        Update("post", Int(9), Rec({{"title", Str(title)}}), &updated, nullptr, writer).ok());
    v1::GetResponse after;
    ASSERT_TRUE(Get("post", Int(9), &after, {"author"}, v1::CACHE_MODE_UNSPECIFIED, reader).ok());
    EXPECT_EQ(after.record().fields().at("title").string_value(), title);
    // A write to an included table invalidates the parent's entries too.
    std::string name = absl::StrCat("renamed", i);
    ASSERT_TRUE(Update("user", before.record().fields().at("author_id"),
                       Rec({{"username", Str(name)}}), &updated, nullptr, writer)
                    .ok());
    ASSERT_TRUE(Get("post", Int(9), &after, {"author"}, v1::CACHE_MODE_UNSPECIFIED, reader).ok());
    EXPECT_EQ(
        after.record().fields().at("author").struct_value().fields().at("username").string_value(),
        name);
    v1::CreateRequest create;
    create.set_model("comment");
    *create.mutable_record() =
        Rec({{"post_id", Int(9)}, {"user_id", Int(1)}, {"content", Str("n")}});
    v1::CreateResponse created;
    ASSERT_TRUE(Call(&v1::RepositoryService::Stub::Create, create, &created, writer).ok());
    EXPECT_EQ(Count("comment", v1::Filter(), reader), count_before + 1);
  }
}

TEST_F(RepositoryCrudTest, KeysetPagesStayCorrectWhileRowsAreInserted) {
  v1::ListRequest request;
  request.set_model("post");
  request.set_page_size(7);
  request.add_order_by()->set_field("view_count");
  request.mutable_order_by(0)->set_descending(true);
  std::vector<int64_t> seen;
  int inserted = 0;
  while (true) {
    v1::ListResponse response;
    ASSERT_TRUE(Call(&v1::RepositoryService::Stub::List, request, &response).ok());
    for (const auto& r : response.records()) seen.push_back(r.fields().at("id").int_value());
    // Rows that sort before the cursor must not shift the walk.
    MustCreate("post", Rec({{"author_id", Int(1)},
                            {"title", Str("new")},
                            {"content", Str("c")},
                            {"view_count", Int(100000 + inserted++)}}));
    if (response.next_page_token().empty()) break;
    request.set_page_token(response.next_page_token());
  }
  std::set<int64_t> unique(seen.begin(), seen.end());
  EXPECT_EQ(unique.size(), seen.size());
  for (int64_t id = 1; id <= 50; ++id) EXPECT_TRUE(unique.count(id)) << id;
  // A token only works with the request it came from.
  request.mutable_order_by(0)->set_descending(false);
  v1::ListResponse response;
  request.set_page_token(request.page_token().empty() ? "x" : request.page_token());
  EXPECT_EQ(Call(&v1::RepositoryService::Stub::List, request, &response).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  request.set_page_token("not-a-token");
  EXPECT_EQ(Call(&v1::RepositoryService::Stub::List, request, &response).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(RepositoryCrudTest, CallerControlledSizesAreCappedBeforeAnyWrite) {
  ASSERT_EQ(server_.StartAnother([](server::ServerConfig& c) {
    c.repository.max_batch_records = 3;
    c.repository.max_transact_ops = 2;
    c.repository.max_include_rows = 30;
  }),
            "");
  stubs_.push_back(v1::RepositoryService::NewStub(server_.Channel(0)));
  stubs_.push_back(v1::RepositoryService::NewStub(server_.Channel(1)));
  int64_t tags = Count("tag");

  v1::CreateManyRequest many;
  many.set_model("tag");
  for (int i = 0; i < 4; ++i) {
    *many.add_records() =
        Rec({{"name", Str(absl::StrCat("cap", i))}, {"slug", Str(absl::StrCat("cap", i))}});
  }
  v1::CreateManyResponse many_response;
  grpc::Status status = Call(&v1::RepositoryService::Stub::CreateMany, many, &many_response, 1);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message(), "records: more than 3 (repository.max_batch_records)");
  EXPECT_EQ(Count("tag"), tags);
  many.mutable_records()->RemoveLast();
  ASSERT_TRUE(Call(&v1::RepositoryService::Stub::CreateMany, many, &many_response, 1).ok());
  EXPECT_EQ(Count("tag"), tags + 3);

  v1::TransactRequest tx;
  for (int i = 0; i < 3; ++i) {
    auto* create = tx.add_ops()->mutable_create();
    create->set_model("tag");
    *create->mutable_record() =
        Rec({{"name", Str(absl::StrCat("tx", i))}, {"slug", Str(absl::StrCat("tx", i))}});
  }
  v1::TransactResponse tx_response;
  status = Call(&v1::RepositoryService::Stub::Transact, tx, &tx_response, 1);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message(), "ops: more than 2 (repository.max_transact_ops)");
  EXPECT_EQ(Count("tag"), tags + 3);
  tx.mutable_ops()->RemoveLast();
  ASSERT_TRUE(Call(&v1::RepositoryService::Stub::Transact, tx, &tx_response, 1).ok());
  EXPECT_EQ(Count("tag"), tags + 5);

  // User 1 wrote 12 posts with 24 comments: each level fits 30 rows, both together do not.
  ASSERT_EQ(SqlValue("SELECT count(*) FROM posts WHERE author_id = 1"), "12");
  v1::GetResponse user;
  status = Get("user", Int(1), &user, {"posts.comments"}, v1::CACHE_MODE_BYPASS, 1);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(status.error_message(),
            "include: more than 30 related rows (repository.max_include_rows)");
  EXPECT_TRUE(Get("user", Int(1), &user, {"posts"}, v1::CACHE_MODE_BYPASS, 1).ok());
  EXPECT_TRUE(Get("user", Int(1), &user, {"posts.comments"}, v1::CACHE_MODE_BYPASS, 0).ok());
  v1::ListRequest list;
  list.set_model("post");
  list.set_page_size(50);
  list.add_include("comments");
  list.set_cache_mode(v1::CACHE_MODE_BYPASS);
  v1::ListResponse listed;
  status = Call(&v1::RepositoryService::Stub::List, list, &listed, 1);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_THAT(status.error_message(), HasSubstr("repository.max_include_rows"));
  list.set_page_size(15);
  EXPECT_TRUE(Call(&v1::RepositoryService::Stub::List, list, &listed, 1).ok());
}

TEST_F(RepositoryCrudTest, WideFiltersAreRefusedNamingTheCap) {
  auto any_of = [](int branches) {
    v1::Filter filter;
    for (int i = 0; i < branches; ++i) {
      *filter.mutable_any()->add_filters() = Cond("view_count", v1::EQ, Int(i * 10));
    }
    return filter;
  };
  v1::ListRequest request;
  request.set_model("post");
  *request.mutable_filter() = any_of(255);
  v1::ListResponse response;
  grpc::Status status = Call(&v1::RepositoryService::Stub::List, request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.records_size(), 50);
  for (int branches : {257, 20000}) {
    *request.mutable_filter() = any_of(branches);
    status = Call(&v1::RepositoryService::Stub::List, request, &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << branches;
    EXPECT_EQ(status.error_message(),
              "filter: more than 256 conditions and groups (repository.max_filter_nodes)");
  }
  v1::CountRequest count;
  count.set_model("post");
  *count.mutable_filter() = any_of(257);
  v1::CountResponse counted;
  EXPECT_EQ(Call(&v1::RepositoryService::Stub::Count, count, &counted).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(RepositoryCrudTest, PageTokensAreSignedByTheServer) {
  ASSERT_EQ(server_.StartAnother([](server::ServerConfig& c) {
    c.page_token_secret = "the secret of another deployment";
  }),
            "");
  stubs_.push_back(v1::RepositoryService::NewStub(server_.Channel(0)));
  stubs_.push_back(v1::RepositoryService::NewStub(server_.Channel(1)));
  v1::ListRequest request;
  request.set_model("post");
  request.set_page_size(5);
  request.set_cache_mode(v1::CACHE_MODE_BYPASS);
  v1::ListResponse first;
  ASSERT_TRUE(Call(&v1::RepositoryService::Stub::List, request, &first, 0).ok());
  std::string token = first.next_page_token();
  ASSERT_FALSE(token.empty());
  request.set_page_token(token);
  v1::ListResponse second;
  ASSERT_TRUE(Call(&v1::RepositoryService::Stub::List, request, &second, 0).ok());
  ASSERT_EQ(second.records_size(), 5);
  EXPECT_EQ(second.records(0).fields().at("id").int_value(), 6);

  std::string tampered = token;
  tampered[tampered.size() / 2] = tampered[tampered.size() / 2] == 'A' ? 'B' : 'A';
  std::vector<std::pair<std::string, int>> cases = {
      {token, 1},                              // issued under another secret
      {tampered, 0},                           // altered
      {token.substr(0, token.size() - 4), 0},  // truncated
      {std::string(kTooLongToken, 'A'), 0},    // longer than the cap
  };
  for (const auto& [text, instance] : cases) {
    request.set_page_token(text);
    v1::ListResponse response;
    grpc::Status status = Call(&v1::RepositoryService::Stub::List, request, &response, instance);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << text.substr(0, 40);
    EXPECT_THAT(status.error_message(), ::testing::StartsWith("page_token: "));
  }
  request.set_page_token(std::string(kTooLongToken, 'A'));
  v1::ListResponse response;
  EXPECT_THAT(Call(&v1::RepositoryService::Stub::List, request, &response).error_message(),
              HasSubstr("longer than 4096 characters"));
}

}  // namespace
}  // namespace querygate
