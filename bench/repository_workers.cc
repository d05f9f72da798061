#include "bench/repository_workers.h"

#include <grpcpp/client_context.h>

#include <algorithm>
#include <chrono>
#include <exception>
#include <pqxx/pqxx>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "bench/pqxx_workers.h"
#include "querygate/v1/repository_service.grpc.pb.h"

namespace querygate::bench {
namespace {

namespace v1 = ::querygate::v1;

// The select lists the server builds from schemas/blog.json (SelectList: every field's column,
// in model order, deleted_at last).
constexpr char kUserColumns[] =
    R"("id", "username", "email", "created_at", "updated_at", "deleted_at")";
constexpr char kPostColumns[] =
    R"("id", "author_id", "title", "content", "status", "tags", "metadata", "view_count", )"
    R"("published_at", "created_at", "updated_at", "deleted_at")";
constexpr char kCommentColumns[] =
    R"("id", "post_id", "user_id", "parent_id", "content", "created_at", "updated_at", )"
    R"("deleted_at")";

constexpr char kIncludeAuthor[] = "author";
constexpr char kIncludeComments[] = "comments";

// Tenants the Get ids are spread over (1 without tenants).
int64_t TenantCount(const RepoCall& call) {
  return call.op == RepoOp::kGet && !call.tenants.empty()
             ? static_cast<int64_t>(call.tenants.size())
             : 1;
}

int64_t CycleLength(const RepoCall& call) {
  if (call.op == RepoOp::kList) return call.list_pages;
  return std::max<int64_t>(1, call.id_range / TenantCount(call));
}

// Position `n` (0-based) of the cycle of tenant number `tenant`: a user (or account) id, a page
// index or an author id.
int64_t CycleValue(const RepoCall& call, int64_t n, int64_t tenant = 0) {
  if (call.op == RepoOp::kList) return n;
  return n * TenantCount(call) + tenant + 1;
}

// Adds the tenant header of tenant number `tenant` to `context` when the call has tenants.
void AddTenant(const RepoCall& call, int64_t tenant, grpc::ClientContext& context) {
  if (call.op == RepoOp::kGet && !call.tenants.empty()) {
    context.AddMetadata(call.tenant_header, call.tenants[tenant]);
  }
}

// First post id of page `page`: the filter is id > page * page_size.
int64_t FirstPostOf(const RepoCall& call, int64_t page) { return page * call.page_size + 1; }

v1::CacheMode ModeOf(const RepoCall& call) {
  return call.bypass ? v1::CACHE_MODE_BYPASS : v1::CACHE_MODE_UNSPECIFIED;
}

void FillGet(const RepoCall& call, int64_t id, v1::GetRequest& request) {
  request.set_model(call.get_model);
  request.mutable_id()->set_int_value(id);
  request.set_cache_mode(ModeOf(call));
}

void FillList(const RepoCall& call, int64_t page, v1::ListRequest& request) {
  request.set_model("post");
  v1::Condition* condition = request.mutable_filter()->mutable_condition();
  condition->set_field("id");
  condition->set_op(v1::GT);
  condition->mutable_value()->set_int_value(page * call.page_size);
  if (request.order_by_size() == 0) request.add_order_by()->set_field("id");
  request.set_page_size(static_cast<int32_t>(call.page_size));
  if (request.include_size() == 0) {
    request.add_include(kIncludeAuthor);
    request.add_include(kIncludeComments);
  }
  request.set_cache_mode(ModeOf(call));
}

const v1::Value* Field(const v1::Record& record, const std::string& name) {
  auto it = record.fields().find(name);
  return it == record.fields().end() ? nullptr : &it->second;
}

const v1::Value* Field(const v1::StructValue& record, const std::string& name) {
  auto it = record.fields().find(name);
  return it == record.fields().end() ? nullptr : &it->second;
}

// Checks the cache status and the statement count of a read.
bool CheckRead(const v1::CacheInfo& cache, int32_t statements, bool bypass, int32_t miss_statements,
               std::string* detail) {
  v1::CacheStatus expected = bypass ? v1::CACHE_STATUS_BYPASS : v1::CACHE_STATUS_HIT;
  if (cache.status() != expected) {
    *detail = absl::StrCat("cache status ", v1::CacheStatus_Name(cache.status()), " where ",
                           v1::CacheStatus_Name(expected), " was expected");
    return false;
  }
  int32_t want = bypass ? miss_statements : 0;
  if (statements != want) {
    *detail = absl::StrCat(statements, " statements where ", want, " were expected");
    return false;
  }
  return true;
}

class RepoWorker : public Worker {
 public:
  RepoWorker(std::shared_ptr<grpc::Channel> channel, const RepoCall& call, absl::Duration deadline,
             int64_t first, int index)
      : stub_(v1::RepositoryService::NewStub(channel)),
        call_(call),
        deadline_(absl::ToChronoNanoseconds(deadline)),
        next_(first),
        tenant_(index % TenantCount(call)),
        title_(absl::StrCat("querygate-bench post, worker ", index)) {
    if (call.op == RepoOp::kCreate) {
      create_.set_model("post");
      auto& fields = *create_.mutable_record()->mutable_fields();
      fields["title"].set_string_value(title_);
      fields["content"].set_string_value(
          "Written by querygate-bench: a short body, as a blog post's first draft would be.");
      fields["status"].set_string_value("draft");
    }
  }

  CallOutcome Call(std::string* detail) override {
    int64_t value = CycleValue(call_, next_, tenant_);
    next_ = (next_ + 1) % CycleLength(call_);
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + deadline_);
    AddTenant(call_, tenant_, context);
    switch (call_.op) {
      case RepoOp::kGet:
        return Get(context, value, detail);
      case RepoOp::kList:
        return List(context, value, detail);
      case RepoOp::kCreate:
        return Create(context, value, detail);
    }
    return CallOutcome::kError;
  }

 private:
  CallOutcome Get(grpc::ClientContext& context, int64_t id, std::string* detail) {
    FillGet(call_, id, get_);
    auto* response = arena_.Fresh<v1::GetResponse>();
    grpc::Status status = stub_->Get(&context, get_, response);
    if (!status.ok()) {
      *detail = Describe(status);
      return CallOutcome::kError;
    }
    if (!CheckRead(response->cache(), response->statements(), call_.bypass, 1, detail)) {
      return CallOutcome::kUnexpected;
    }
    const v1::Value* got = Field(response->record(), "id");
    if (got == nullptr || got->int_value() != id) {
      *detail = absl::StrCat("Get ", call_.get_model, " ", id, " returned another record");
      return CallOutcome::kUnexpected;
    }
    if (!call_.tenants.empty()) {
      const v1::Value* tenant = Field(response->record(), "organization_id");
      if (tenant == nullptr || tenant->string_value() != call_.tenants[tenant_]) {
        *detail =
            absl::StrCat("Get ", call_.get_model, " ", id, " returned a record of another tenant");
        return CallOutcome::kUnexpected;
      }
    }
    return CallOutcome::kOk;
  }

  CallOutcome List(grpc::ClientContext& context, int64_t page, std::string* detail) {
    FillList(call_, page, list_);
    auto* response = arena_.Fresh<v1::ListResponse>();
    grpc::Status status = stub_->List(&context, list_, response);
    if (!status.ok()) {
      *detail = Describe(status);
      return CallOutcome::kError;
    }
    if (!CheckRead(response->cache(), response->statements(), call_.bypass, 3, detail)) {
      return CallOutcome::kUnexpected;
    }
    if (response->records_size() != call_.page_size) {
      *detail = absl::StrCat(response->records_size(), " records where ", call_.page_size,
                             " were expected (page ", page, ")");
      return CallOutcome::kUnexpected;
    }
    // Spot checks on the first and the last record: id, author, comments.
    for (int i : {0, response->records_size() - 1}) {
      const v1::Record& record = response->records(i);
      const v1::Value* id = Field(record, "id");
      const v1::Value* author_id = Field(record, "author_id");
      const v1::Value* author = Field(record, kIncludeAuthor);
      const v1::Value* comments = Field(record, kIncludeComments);
      const v1::Value* author_key = author != nullptr && author->has_struct_value()
                                        ? Field(author->struct_value(), "id")
                                        : nullptr;
      bool ok = id != nullptr && id->int_value() == FirstPostOf(call_, page) + i &&
                author_id != nullptr && author_key != nullptr &&
                author_key->int_value() == author_id->int_value() && comments != nullptr &&
                comments->list_value().values_size() == call_.comments_per_post;
      if (!ok) {
        *detail = absl::StrCat("page ", page, ": record ", i,
                               " is not the expected post with its author and ",
                               call_.comments_per_post, " comments");
        return CallOutcome::kUnexpected;
      }
    }
    return CallOutcome::kOk;
  }

  CallOutcome Create(grpc::ClientContext& context, int64_t author_id, std::string* detail) {
    (*create_.mutable_record()->mutable_fields())["author_id"].set_int_value(author_id);
    auto* response = arena_.Fresh<v1::CreateResponse>();
    grpc::Status status = stub_->Create(&context, create_, response);
    if (!status.ok()) {
      *detail = Describe(status);
      return CallOutcome::kError;
    }
    const v1::Value* id = Field(response->record(), "id");
    const v1::Value* state = Field(response->record(), "status");
    const v1::Value* author = Field(response->record(), "author_id");
    if (id == nullptr || id->int_value() <= 0 || state == nullptr ||
        state->string_value() != "draft" || author == nullptr || author->int_value() != author_id) {
      *detail = "Create post returned no new id, or not the record sent";
      return CallOutcome::kUnexpected;
    }
    return CallOutcome::kOk;
  }

  std::unique_ptr<v1::RepositoryService::Stub> stub_;
  RepoCall call_;
  std::chrono::nanoseconds deadline_;
  int64_t next_;
  // The worker's tenant number (0 without tenants).
  int64_t tenant_;
  std::string title_;
  ReusableArena arena_;
  v1::GetRequest get_;
  v1::ListRequest list_;
  v1::CreateRequest create_;
};

// ---- libpqxx baselines ----

constexpr char kPageStatement[] = "querygate_bench_page";
constexpr char kAuthorsStatement[] = "querygate_bench_authors";
constexpr char kCommentsStatement[] = "querygate_bench_comments";
constexpr char kGetStatement[] = "querygate_bench_get";
constexpr char kInsertStatement[] = "querygate_bench_insert";

std::string GetSql() {
  return absl::StrCat("SELECT ", kUserColumns,
                      R"( FROM "users" WHERE "id" = $1::bigint AND "deleted_at" IS NULL)");
}

std::string PageSql() {
  return absl::StrCat("SELECT ", kPostColumns,
                      R"( FROM "posts" WHERE "id" > $1::bigint AND "deleted_at" IS NULL )"
                      R"(ORDER BY "id" LIMIT $2::bigint OFFSET $3::bigint)");
}

std::string AuthorsSql() {
  return absl::StrCat("SELECT ", kUserColumns,
                      R"( FROM "users" WHERE "id" = ANY($1::bigint[]) AND "deleted_at" IS NULL )"
                      R"(ORDER BY "id")");
}

std::string CommentsSql() {
  return absl::StrCat(
      "SELECT ", kCommentColumns,
      R"( FROM "comments" WHERE "post_id" = ANY($1::bigint[]) AND "deleted_at" IS NULL )"
      R"(ORDER BY "id")");
}

std::string InsertSql() {
  return absl::StrCat(R"(INSERT INTO "posts" ("author_id", "title", "content", "status") )"
                      R"(VALUES ($1::bigint, $2::text, $3::text, $4::text) RETURNING )",
                      kPostColumns);
}

// "{1,2,3}": a bigint[] parameter in text form.
std::string ArrayText(const std::vector<int64_t>& values) {
  return absl::StrCat("{", absl::StrJoin(values, ","), "}");
}

class RepoPqxxWorker : public Worker {
 public:
  RepoPqxxWorker(std::unique_ptr<pqxx::connection> connection, const RepoCall& call, int64_t first,
                 int index)
      : connection_(std::move(connection)),
        call_(call),
        next_(first),
        title_(absl::StrCat("querygate-bench post (libpqxx), worker ", index)) {}

  CallOutcome Call(std::string* detail) override {
    int64_t value = CycleValue(call_, next_);
    next_ = (next_ + 1) % CycleLength(call_);
    try {
      pqxx::nontransaction tx(*connection_);
      switch (call_.op) {
        case RepoOp::kGet:
          return Rows(tx.exec_prepared(kGetStatement, value), 1, "users", detail);
        case RepoOp::kList:
          return List(tx, value, detail);
        case RepoOp::kCreate:
          return Rows(tx.exec_prepared(kInsertStatement, value, title_,
                                       "Written by querygate-bench: a short body.", "draft"),
                      1, "inserted", detail);
      }
      return CallOutcome::kError;
    } catch (const std::exception& e) {
      *detail = absl::StrCat("libpqxx: ", e.what());
      return CallOutcome::kError;
    }
  }

 private:
  static CallOutcome Rows(const pqxx::result& rows, size_t want, const char* what,
                          std::string* detail) {
    if (rows.size() == want) return CallOutcome::kOk;
    *detail = absl::StrCat(rows.size(), " ", what, " rows where ", want, " were expected");
    return CallOutcome::kUnexpected;
  }

  // The server's three statements: the page (page_size + 1 rows, the extra one tells whether
  // there is a next page), then the authors and the comments of the page's posts.
  CallOutcome List(pqxx::nontransaction& tx, int64_t page, std::string* detail) {
    pqxx::result rows =
        tx.exec_prepared(kPageStatement, page * call_.page_size, call_.page_size + 1, 0);
    size_t count = std::min<size_t>(rows.size(), static_cast<size_t>(call_.page_size));
    if (count != static_cast<size_t>(call_.page_size)) {
      return Rows(rows, call_.page_size, "page", detail);
    }
    post_ids_.clear();
    author_ids_.clear();
    seen_.clear();
    for (size_t i = 0; i < count; ++i) {
      post_ids_.push_back(rows[i][0].as<int64_t>());
      int64_t author = rows[i][1].as<int64_t>();
      if (seen_.insert(author).second) author_ids_.push_back(author);
    }
    pqxx::result authors = tx.exec_prepared(kAuthorsStatement, ArrayText(author_ids_));
    if (authors.size() != author_ids_.size()) {
      return Rows(authors, author_ids_.size(), "author", detail);
    }
    pqxx::result comments = tx.exec_prepared(kCommentsStatement, ArrayText(post_ids_));
    return Rows(comments, count * call_.comments_per_post, "comment", detail);
  }

  std::unique_ptr<pqxx::connection> connection_;
  RepoCall call_;
  int64_t next_;
  std::string title_;
  std::vector<int64_t> post_ids_;
  std::vector<int64_t> author_ids_;
  std::set<int64_t> seen_;
};

}  // namespace

absl::StatusOr<std::vector<std::unique_ptr<Worker>>> MakeRepoWorkers(
    const GrpcTargetOptions& options, const RepoCall& call, int concurrency) {
  auto channels = ChannelsPerWorker(options, concurrency);
  if (!channels.ok()) return channels.status();
  std::vector<std::unique_ptr<Worker>> workers;
  for (int i = 0; i < concurrency; ++i) {
    int64_t first = i * CycleLength(call) / concurrency;
    workers.push_back(
        std::make_unique<RepoWorker>((*channels)[i], call, options.call_deadline, first, i));
  }
  return workers;
}

absl::StatusOr<int64_t> WarmRepoCache(const GrpcTargetOptions& options, const RepoCall& call) {
  if (call.op == RepoOp::kCreate) return 0;
  auto channels = OpenChannels(options, 1);
  if (!channels.ok()) return channels.status();
  auto stub = v1::RepositoryService::NewStub(channels->front());
  RepoCall cached = call;
  cached.bypass = false;
  int64_t filled = 0;
  for (int64_t n = 0; n < CycleLength(call) * TenantCount(call); ++n) {
    int64_t tenant = n % TenantCount(call);
    int64_t value = CycleValue(call, n / TenantCount(call), tenant);
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() +
                         absl::ToChronoNanoseconds(options.call_deadline));
    AddTenant(call, tenant, context);
    grpc::Status status;
    v1::CacheStatus cache_status;
    if (call.op == RepoOp::kGet) {
      v1::GetRequest request;
      FillGet(cached, value, request);
      v1::GetResponse response;
      status = stub->Get(&context, request, &response);
      cache_status = response.cache().status();
    } else {
      v1::ListRequest request;
      FillList(cached, value, request);
      v1::ListResponse response;
      status = stub->List(&context, request, &response);
      cache_status = response.cache().status();
    }
    if (!status.ok()) {
      return absl::UnavailableError(absl::StrCat("warming the repository ",
                                                 call.op == RepoOp::kGet ? "Get " : "List page ",
                                                 value, ": ", Describe(status)));
    }
    if (cache_status != v1::CACHE_STATUS_HIT) ++filled;
  }
  return filled;
}

absl::StatusOr<std::vector<std::unique_ptr<Worker>>> MakeRepoPqxxWorkers(
    const std::string& database_url, const RepoCall& call, int concurrency,
    absl::Duration statement_timeout) {
  std::vector<std::unique_ptr<Worker>> workers;
  try {
    for (int i = 0; i < concurrency; ++i) {
      auto connection = std::make_unique<pqxx::connection>(WithConnectTimeout(database_url));
      switch (call.op) {
        case RepoOp::kGet:
          connection->prepare(kGetStatement, GetSql());
          break;
        case RepoOp::kList:
          connection->prepare(kPageStatement, PageSql());
          connection->prepare(kAuthorsStatement, AuthorsSql());
          connection->prepare(kCommentsStatement, CommentsSql());
          break;
        case RepoOp::kCreate:
          connection->prepare(kInsertStatement, InsertSql());
          break;
      }
      {
        pqxx::nontransaction tx(*connection);
        tx.exec(
            absl::StrCat("SET statement_timeout = ", absl::ToInt64Milliseconds(statement_timeout)));
        // The server's writes skip the change trigger's NOTIFY (it bumps the generations
        // itself); so does this baseline, so that its inserts do not make the server work.
        if (call.op == RepoOp::kCreate) tx.exec("SET querygate.skip_notify = 'on'");
      }
      int64_t first = i * CycleLength(call) / concurrency;
      workers.push_back(std::make_unique<RepoPqxxWorker>(std::move(connection), call, first, i));
    }
  } catch (const std::exception& e) {
    return absl::UnavailableError(absl::StrCat("PostgreSQL: ", e.what()));
  }
  return workers;
}

}  // namespace querygate::bench
