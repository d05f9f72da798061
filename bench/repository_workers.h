#ifndef QUERYGATE_BENCH_REPOSITORY_WORKERS_H_
#define QUERYGATE_BENCH_REPOSITORY_WORKERS_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "bench/grpc_workers.h"
#include "bench/load_loop.h"

namespace querygate::bench {

// The RepositoryService calls of the bench, on the example schema (schemas/blog.json) and its
// seed (schemas/seed/example_data.sql).
enum class RepoOp {
  // Get{model: "user", id}: id cycles over 1..id_range.
  kGet,
  // List{model: "post", filter: id > 50 * page, order_by: id, page_size: 50,
  // include: [author, comments]}: page cycles over 0..list_pages-1, so every answer holds 50
  // posts, their 50 authors and their 250 comments (posts 1..4000 have 5 comments each).
  kList,
  // Create{model: "post", record: {author_id, title, content, status: "draft"}}: author_id
  // cycles over 1..id_range.
  kCreate,
};

struct RepoCall {
  RepoOp op = RepoOp::kGet;
  // The model kGet reads ("account" for the tenancy rows, on bench/tenancy/*.json).
  std::string get_model = "user";
  // When not empty (kGet only): worker i sends tenants[i % n] in the metadata header
  // `tenant_header` and reads only that tenant's ids, id = k * n + (i % n) + 1 for k over
  // 0..id_range / n - 1 (bench/tenancy/seed.sql gives account id to tenant (id - 1) % n);
  // every answer must carry the worker's tenant in organization_id.
  std::vector<std::string> tenants;
  std::string tenant_header;
  // CACHE_MODE_BYPASS when true (expects BYPASS), else the default mode (expects HIT). Ignored
  // by kCreate.
  bool bypass = false;
  int64_t id_range = 1000;
  int64_t list_pages = 80;
  int64_t page_size = 50;
  // Comments each listed post has in the seed (posts 1..4000).
  int64_t comments_per_post = 5;
};

// Creates `concurrency` RepositoryService workers issuing `call`, each with its own stub, over
// channels per `options`. Each worker starts at its own offset in the id or page cycle. Every
// answer is checked: cache status, statements sent, the record's id (Get), 50 records with
// their author and comments (List), a new id and status "draft" (Create).
absl::StatusOr<std::vector<std::unique_ptr<Worker>>> MakeRepoWorkers(
    const GrpcTargetOptions& options, const RepoCall& call, int concurrency);

// Issues every Get or List of `call`'s cycle once through the cache (for every tenant of
// `call.tenants`) so that the following run only hits. Returns how many answers were not HITs;
// fails on the first failed call.
absl::StatusOr<int64_t> WarmRepoCache(const GrpcTargetOptions& options, const RepoCall& call);

// Creates `concurrency` libpqxx workers, one connection each, doing the same work as `call`
// straight to PostgreSQL with prepared statements (exec_prepared), in the SQL the server sends:
//   kGet: the primary-key SELECT;
//   kList: the page SELECT, then one batched SELECT of the authors (id = ANY) and one of the
//          comments (post_id = ANY), the parameters built from the page;
//   kCreate: INSERT ... RETURNING in autocommit. The connections set querygate.skip_notify, as
//            the server's own writes do, so that the change trigger does not NOTIFY.
absl::StatusOr<std::vector<std::unique_ptr<Worker>>> MakeRepoPqxxWorkers(
    const std::string& database_url, const RepoCall& call, int concurrency,
    absl::Duration statement_timeout = absl::Seconds(5));

}  // namespace querygate::bench

#endif  // QUERYGATE_BENCH_REPOSITORY_WORKERS_H_
