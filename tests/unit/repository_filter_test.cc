// The filter compiler: Filter trees to SQL with bound, typed parameters.
#include "service/repository_filter.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>

#include "schema/loader.h"
#include "service/repository_includes.h"

namespace querygate::service {
namespace {

using ::testing::HasSubstr;

constexpr char kSchema[] = R"json({
  "enums": {"kind": ["a", "b"]},
  "models": {
    "owner": {"id": "int64", "name": "string", "things": ["@thing"]},
    "thing": {
      "soft_delete": true,
      "timestamps": true,
      "indexes": [
        {"fields": ["title", "body"], "type": "fulltext", "language": "english"},
        {"fields": ["note"], "type": "fulltext", "language": "simple"}
      ],
      "fields": {
        "id": "int64",
        "owner_id": "int64",
        "owner": "@owner",
        "title": {"type": "string", "length": 20},
        "body": "text",
        "note": "text?",
        "n": "int32?",
        "score": "float64?",
        "kind": "@kind",
        "tags": "string[]",
        "data": "json",
        "vec": "vector(2)"
      }
    }
  }
})json";

class FilterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    loaded_ = schema::LoadSchemaSources({{"test.json", kSchema}});
    std::string errors;
    for (const auto& e : loaded_.errors) errors += e.ToString() + "\n";
    ASSERT_TRUE(loaded_.ok()) << errors;
    model_ = loaded_.schema.FindModel("thing");
    ASSERT_NE(model_, nullptr);
  }

  absl::StatusOr<std::string> Compile(const Filter& filter, FilterLimits limits = {}) {
    params_ = SqlParams();
    return CompileFilter(loaded_.schema, *model_, filter, limits, params_);
  }

  static Filter Cond(std::string field, FilterOp op, Value value = Value()) {
    Filter f;
    f.kind = Filter::Kind::kCondition;
    f.field = std::move(field);
    f.op = op;
    f.value = std::move(value);
    return f;
  }

  static Filter Node(Filter::Kind kind, std::vector<Filter> children) {
    Filter f;
    f.kind = kind;
    f.children = std::move(children);
    return f;
  }

  schema::LoadResult loaded_;
  const schema::Model* model_ = nullptr;
  SqlParams params_;
};

TEST_F(FilterTest, EmptyFilterIsTrue) {
  auto sql = Compile(Filter());
  ASSERT_TRUE(sql.ok());
  EXPECT_EQ(*sql, "TRUE");
  EXPECT_EQ(params_.size(), 0u);
}

TEST_F(FilterTest, ConditionsBindTypedParameters) {
  auto sql = Compile(Node(
      Filter::Kind::kAll,
      {Cond("n", FilterOp::kGt, Value::Int(3)), Cond("title", FilterOp::kEq, Value::String("x'y")),
       Node(Filter::Kind::kNot, {Cond("score", FilterOp::kIsNull)})}));
  ASSERT_TRUE(sql.ok()) << sql.status();
  EXPECT_EQ(*sql, "(\"n\" > $1::integer AND \"title\" = $2::text AND (NOT \"score\" IS NULL))");
  ASSERT_EQ(params_.size(), 2u);
  EXPECT_EQ(*params_.values()[0], "3");
  EXPECT_EQ(*params_.values()[1], "x'y");
}

TEST_F(FilterTest, EmptyListsFollowLogic) {
  EXPECT_EQ(*Compile(Node(Filter::Kind::kAll, {})), "TRUE");
  EXPECT_EQ(*Compile(Node(Filter::Kind::kAny, {})), "FALSE");
}

TEST_F(FilterTest, InBetweenAndLike) {
  auto in = Compile(Cond("n", FilterOp::kIn, Value::ListOf({Value::Int(1), Value::Int(2)})));
  ASSERT_TRUE(in.ok()) << in.status();
  EXPECT_EQ(*in, "\"n\" = ANY($1::integer[])");
  EXPECT_EQ(*params_.values()[0], "{\"1\",\"2\"}");
  auto not_in = Compile(Cond("kind", FilterOp::kNotIn, Value::ListOf({Value::String("a")})));
  ASSERT_TRUE(not_in.ok()) << not_in.status();
  EXPECT_EQ(*not_in, "\"kind\" <> ALL($1::text[])");
  auto between = Compile(
      Cond("score", FilterOp::kBetween, Value::ListOf({Value::Int(1), Value::Double(2.5)})));
  ASSERT_TRUE(between.ok()) << between.status();
  EXPECT_EQ(*between, "\"score\" BETWEEN $1::double precision AND $2::double precision");
  auto like = Compile(Cond("title", FilterOp::kILike, Value::String("%a%")));
  ASSERT_TRUE(like.ok());
  EXPECT_EQ(*like, "\"title\" ILIKE $1::text");
}

TEST_F(FilterTest, MatchUsesTheIndexExpression) {
  auto single = Compile(Cond("note", FilterOp::kMatch, Value::String("cats")));
  ASSERT_TRUE(single.ok()) << single.status();
  EXPECT_EQ(*single,
            "to_tsvector('simple'::regconfig, coalesce(\"note\", '')) @@ "
            "plainto_tsquery('simple'::regconfig, $1::text)");
  auto multi = Compile(Cond("title", FilterOp::kMatch, Value::String("cats")));
  ASSERT_TRUE(multi.ok()) << multi.status();
  EXPECT_THAT(*multi, HasSubstr("coalesce(\"title\", '') || ' ' || coalesce(\"body\", '')"));
  EXPECT_THAT(*multi, HasSubstr("to_tsvector('english'::regconfig, coalesce(\"title\", ''))"));
  EXPECT_EQ(params_.size(), 1u);
  auto no_index = Compile(Cond("kind", FilterOp::kMatch, Value::String("a")));
  EXPECT_EQ(no_index.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(no_index.status().message(), HasSubstr("fulltext index"));
}

TEST_F(FilterTest, InjectionInNamesNeverReachesSql) {
  for (const char* name : {"id; DROP TABLE things", "\"id\"", "id--", "deleted_at\" OR 1=1"}) {
    auto sql = Compile(Cond(name, FilterOp::kEq, Value::Int(1)));
    EXPECT_EQ(sql.status().code(), absl::StatusCode::kInvalidArgument) << name;
    EXPECT_THAT(sql.status().message(), HasSubstr("filter.condition.field"));
  }
  // Injection in values is bound verbatim.
  auto sql = Compile(Cond("title", FilterOp::kEq, Value::String("'); DROP TABLE x; --")));
  ASSERT_TRUE(sql.ok());
  EXPECT_EQ(*sql, "\"title\" = $1::text");
  EXPECT_EQ(*params_.values()[0], "'); DROP TABLE x; --");
}

TEST_F(FilterTest, RejectsBadInputNamingThePath) {
  struct Case {
    Filter filter;
    const char* path;
  };
  std::vector<Case> cases = {
      {Cond("n", FilterOp::kUnspecified, Value::Int(1)), "filter.condition.op"},
      {Cond("n", FilterOp::kEq, Value::String("x")), "filter.condition.value"},
      {Cond("n", FilterOp::kEq, Value::Int(int64_t{1} << 40)), "filter.condition.value"},
      {Cond("n", FilterOp::kEq), "filter.condition.value"},
      {Cond("n", FilterOp::kIn, Value::Int(1)), "filter.condition.value"},
      {Cond("n", FilterOp::kBetween, Value::ListOf({Value::Int(1)})), "filter.condition.value"},
      {Cond("n", FilterOp::kLike, Value::String("1")), "filter.condition.op"},
      {Cond("data", FilterOp::kLt, Value::Int(1)), "filter.condition.op"},
      {Cond("tags", FilterOp::kIn, Value::ListOf({})), "filter.condition.op"},
      {Cond("n", FilterOp::kIsNull, Value::Int(1)), "filter.condition.value"},
      {Node(Filter::Kind::kAny, {Cond("zz", FilterOp::kEq, Value::Int(1))}),
       "filter.any[0].condition.field"},
  };
  for (const Case& c : cases) {
    auto sql = Compile(c.filter);
    EXPECT_EQ(sql.status().code(), absl::StatusCode::kInvalidArgument) << c.path;
    EXPECT_THAT(sql.status().message(), HasSubstr(c.path)) << sql.status();
  }
}

TEST_F(FilterTest, EnforcesDepthAndInListCaps) {
  Filter deep = Cond("n", FilterOp::kIsNull);
  for (int i = 0; i < 3; ++i) deep = Node(Filter::Kind::kNot, {deep});
  EXPECT_TRUE(Compile(deep, {4, 10}).ok());
  EXPECT_EQ(Compile(deep, {3, 10}).status().code(), absl::StatusCode::kInvalidArgument);
  Value::List many(11, Value::Int(1));
  EXPECT_TRUE(
      Compile(Cond("n", FilterOp::kIn, Value::ListOf(Value::List(10, Value::Int(1)))), {4, 10})
          .ok());
  auto too_many = Compile(Cond("n", FilterOp::kIn, Value::ListOf(many)), {4, 10});
  EXPECT_EQ(too_many.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(too_many.status().message(), HasSubstr("more than 10"));
}

TEST_F(FilterTest, CapsLimitsNameTheirSettings) {
  Filter deep = Cond("n", FilterOp::kIsNull);
  for (int i = 0; i < 3; ++i) deep = Node(Filter::Kind::kNot, {deep});
  EXPECT_THAT(Compile(deep, {3, 10}).status().message(),
              HasSubstr("(repository.max_filter_depth)"));
  auto too_many =
      Compile(Cond("n", FilterOp::kIn, Value::ListOf(Value::List(11, Value::Int(1)))), {4, 10});
  EXPECT_THAT(too_many.status().message(), HasSubstr("(repository.max_in_list)"));
}

std::vector<Filter> Branches(size_t count) {
  std::vector<Filter> branches;
  for (size_t i = 0; i < count; ++i) {
    Filter f;
    f.kind = Filter::Kind::kCondition;
    f.field = "n";
    f.op = FilterOp::kEq;
    f.value = Value::Int(static_cast<int64_t>(i));
    branches.push_back(std::move(f));
  }
  return branches;
}

TEST_F(FilterTest, CountsEveryNodeNotOnlyDepth) {
  // One group and its branches are all nodes: 255 branches fill the default cap of 256.
  EXPECT_TRUE(Compile(Node(Filter::Kind::kAny, Branches(255))).ok());
  for (size_t branches : {256u, 257u, 20000u}) {
    auto sql = Compile(Node(Filter::Kind::kAny, Branches(branches)));
    EXPECT_EQ(sql.status().code(), absl::StatusCode::kInvalidArgument) << branches;
    EXPECT_EQ(sql.status().message(),
              "filter: more than 256 conditions and groups (repository.max_filter_nodes)");
  }
  EXPECT_EQ(params_.size(), 0u);  // refused before anything was compiled
  FilterLimits small;
  small.max_nodes = 3;
  EXPECT_TRUE(Compile(Node(Filter::Kind::kAll, Branches(2)), small).ok());
  auto over = Compile(Node(Filter::Kind::kAll, Branches(3)), small);
  EXPECT_THAT(over.status().message(), HasSubstr("more than 3 conditions and groups"));
}

TEST_F(FilterTest, DeepAndWideTreesAreCountedAcrossLevels) {
  // Four levels within the depth cap, each group 4 wide: 4 + 16 + 64 groups and 256 conditions.
  std::function<Filter(int)> tree = [&](int level) {
    if (level == 0) return Cond("n", FilterOp::kIsNull);
    std::vector<Filter> children;
    for (int i = 0; i < 4; ++i) children.push_back(tree(level - 1));
    return Node(level % 2 ? Filter::Kind::kAny : Filter::Kind::kAll, std::move(children));
  };
  Filter wide = tree(4);  // 1 + 4 + 16 + 64 + 256 = 341 nodes, depth 5
  FilterLimits limits;
  limits.max_nodes = 341;
  ASSERT_TRUE(Compile(wide, limits).ok());
  limits.max_nodes = 340;
  auto sql = Compile(wide, limits);
  EXPECT_EQ(sql.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(sql.status().message(), HasSubstr("repository.max_filter_nodes"));
  EXPECT_EQ(Compile(wide).status().code(), absl::StatusCode::kInvalidArgument);
  // A deep chain is refused by the node cap or the depth cap, whichever comes first.
  Filter chain = Cond("n", FilterOp::kIsNull);
  for (int i = 0; i < 300; ++i) chain = Node(Filter::Kind::kNot, {chain});
  EXPECT_THAT(Compile(chain).status().message(), HasSubstr("repository.max_filter_nodes"));
  limits.max_nodes = 1000;
  EXPECT_THAT(Compile(chain, limits).status().message(), HasSubstr("repository.max_filter_depth"));
}

TEST_F(FilterTest, FiltersAreNotHeldToStorageLimits) {
  // Comparing with a longer string or a non-member of the enum is legal; it matches nothing.
  EXPECT_TRUE(Compile(Cond("title", FilterOp::kEq, Value::String(std::string(50, 'x')))).ok());
  EXPECT_TRUE(Compile(Cond("kind", FilterOp::kEq, Value::String("zzz"))).ok());
}

TEST_F(FilterTest, IncludesParseAndReject) {
  const schema::Model* owner = loaded_.schema.FindModel("owner");
  auto tree = ParseIncludes(loaded_.schema, *owner, {"things.owner", "things"}, 3);
  ASSERT_TRUE(tree.ok()) << tree.status();
  EXPECT_EQ(IncludeFingerprint(*tree), "things(owner)");
  std::set<std::string> tables;
  AddIncludeTables(*tree, tables);
  EXPECT_EQ(tables, (std::set<std::string>{"owners", "things"}));
  EXPECT_EQ(ParseIncludes(loaded_.schema, *owner, {"things.nope"}, 3).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseIncludes(loaded_.schema, *owner, {"things.owner.things"}, 2).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseIncludes(loaded_.schema, *owner, {"things."}, 3).status().code(),
            absl::StatusCode::kInvalidArgument);
}

// A runner that answers every include statement with `rows_per_statement` rows (fewer if the
// statement's LIMIT asks for fewer), and records each LIMIT it was sent.
StatementRunner FakeRunner(const schema::Schema& schema, int64_t rows_per_statement,
                           std::vector<int64_t>* limits) {
  return [&schema, rows_per_statement, limits](const Statement& statement) {
    const schema::Model* target =
        schema.FindModel(statement.label.find(".things") != std::string::npos ? "thing" : "owner");
    int64_t limit = std::stoll(*statement.params.back());
    limits->push_back(limit);
    auto result = std::make_shared<QueryResult>();
    for (int64_t i = 0; i < std::min(rows_per_statement, limit); ++i) {
      result->rows.emplace_back(target->fields.size(), Value::Int(1 + i % 2));
    }
    return absl::StatusOr<SharedResult>(std::move(result));
  };
}

TEST_F(FilterTest, IncludesLoadAtMostMaxRowsOverAllLevels) {
  const schema::Model* owner = loaded_.schema.FindModel("owner");
  auto tree = ParseIncludes(loaded_.schema, *owner, {"things.owner"}, 3);
  ASSERT_TRUE(tree.ok()) << tree.status();
  auto owners = [] {
    return std::vector<Record>{{{"id", Value::Int(1)}, {"name", Value::String("a")}},
                               {{"id", Value::Int(2)}, {"name", Value::String("b")}}};
  };
  // Two levels of 4 rows each: 8 rows fit a budget of 8, and each statement asks for no more
  // than what is left plus one.
  std::vector<int64_t> limits;
  std::vector<Record> records = owners();
  ASSERT_TRUE(LoadIncludes(loaded_.schema, *owner, *tree, records,
                           FakeRunner(loaded_.schema, 4, &limits), 8)
                  .ok());
  EXPECT_EQ(limits, (std::vector<int64_t>{9, 5}));
  EXPECT_EQ(records[0].at("things").list_value().size(), 2u);

  limits.clear();
  records = owners();
  absl::Status over = LoadIncludes(loaded_.schema, *owner, *tree, records,
                                   FakeRunner(loaded_.schema, 4, &limits), 7);
  EXPECT_EQ(over.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(over.message(), "include: more than 7 related rows (repository.max_include_rows)");
  EXPECT_EQ(limits, (std::vector<int64_t>{8, 4}));

  // A first level past the budget stops before the next level is read.
  limits.clear();
  records = owners();
  over = LoadIncludes(loaded_.schema, *owner, *tree, records,
                      FakeRunner(loaded_.schema, 1000000, &limits), 3);
  EXPECT_EQ(over.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(limits, (std::vector<int64_t>{4}));
}

}  // namespace
}  // namespace querygate::service
