// Randomized tenant isolation (issue 10): several tenants drive random reads and writes through
// two querygate instances that share Redis and the database, running as a runtime role (no
// superuser, no BYPASSRLS, owns nothing), with random callers (their own tenant, an upper-case
// spelling of it, a reader-only token, no tenant, a forged or malformed token, no token). Every
// answer is checked against the same read run by the test as the database owner with an
// explicit tenant predicate, right after the call. Each tenant's operations run on one thread,
// so a tenant's own writes are ordered and no other thread can change what its oracle sees;
// writes to the one global model hold a lock that its readers share. Four tenants write, two
// only read (their cache entries live long), and a seventh, valid tenant has no rows at all.
//
// Counted and required to be zero: rows of another tenant in any answer, writes that landed in
// another tenant (a tenant's rows changed by anything but its own successful writes; a created
// row whose tenant is not its creator's), answers that differ from the oracle (stale or wrong),
// and callers that should have been refused but were not.
#include <gmock/gmock.h>
#include <grpcpp/client_context.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <shared_mutex>
#include <string>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/substitute.h"
#include "absl/time/clock.h"
#include "auth/jwt_signer.h"
#include "nlohmann/json.hpp"
#include "querygate/v1/query_service.grpc.pb.h"
#include "querygate/v1/repository_service.grpc.pb.h"
#include "tests/integration/tenancy_isolation/filters.h"
#include "tests/integration/tenancy_isolation/render.h"
#include "tests/support/auth_tokens.h"
#include "tests/support/test_server.h"

namespace querygate {
namespace {

namespace iso = ::querygate::testing::isolation;
using iso::FieldKind;
using iso::FieldSpec;
using iso::Quote;

constexpr int kTenants = 6;
// The last tenants only read: their generations stay put, so their cache entries live long and
// an entry served under the wrong tenant would show.
constexpr int kReadOnlyTenants = 2;
constexpr int kOperations = 20000;
// The run stops early (and fails the operation count) past this.
constexpr absl::Duration kTimeBudget = absl::Seconds(150);

constexpr char kSchema[] = R"json({
  "tenancy": {"column": "organization_id", "type": "uuid", "model": "organization"},
  "models": {
    "organization": {"id": "uuid", "name": "string(80)"},
    "country": {
      "$options": {"tenant_scoped": false},
      "id": "int64",
      "code": {"type": "string(2)", "unique": true},
      "name": "string(80)"
    },
    "project": {
      "fields": {
        "id": "int64",
        "name": "string(80)",
        "budget": {"type": "int64", "default": 0},
        "archived": {"type": "bool", "default": false},
        "tasks": ["@task"],
        "labels": {"type": ["@label"], "relationship": "many_to_many", "through": "project_labels"}
      }
    },
    "task": {
      "soft_delete": true,
      "fields": {
        "id": "int64",
        "project_id": "int64",
        "project": "@project",
        "title": "string(80)",
        "points": {"type": "int32", "default": 1},
        "done": {"type": "bool", "default": false}
      }
    },
    "label": {
      "fields": {
        "id": "int64",
        "name": {"type": "string(40)", "unique": true},
        "projects": {
          "type": ["@project"],
          "relationship": "many_to_many",
          "through": "project_labels",
          "foreign_key": "label_id",
          "other_key": "project_id"
        }
      }
    }
  },
  "queries": {
    "open_tasks": {
      "sql": "SELECT t.id, t.organization_id, t.project_id, t.title, t.points FROM tasks t WHERE NOT t.done AND t.deleted_at IS NULL AND t.points >= :min_points ORDER BY t.id",
      "params": {"min_points": "int32"}
    },
    "project_summary": {
      "sql": "SELECT p.id, p.organization_id, p.name, count(t.id) AS open_tasks, coalesce(sum(t.points), 0)::bigint AS points FROM projects p LEFT JOIN tasks t ON t.project_id = p.id AND NOT t.done AND t.deleted_at IS NULL WHERE p.budget >= :min_budget GROUP BY p.id, p.organization_id, p.name ORDER BY p.id",
      "params": {"min_budget": "int64"}
    },
    "label_usage": {
      "sql": "SELECT l.id, l.organization_id, l.name, (SELECT count(*) FROM tasks t WHERE t.deleted_at IS NULL AND t.title LIKE l.name || '%') AS titled, (SELECT count(*) FROM project_labels j WHERE j.label_id = l.id) AS linked FROM labels l WHERE l.name LIKE :prefix || '%' ORDER BY l.id",
      "params": {"prefix": "string"}
    },
    "task_count": {
      "sql": "SELECT count(*) AS n, coalesce(sum(points), 0)::bigint AS points FROM tasks WHERE deleted_at IS NULL"
    },
    "my_organization": {"sql": "SELECT id, name FROM organizations ORDER BY id"},
    "countries": {"sql": "SELECT id, code, name FROM countries ORDER BY id"}
  }
})json";

const std::vector<std::string>& LabelNames() {
  static const auto* names = new std::vector<std::string>{
      "alpha", "beta", "gamma", "delta", "kappa", "zeta", "omega", "sigma", "tau", "rho"};
  return *names;
}

// Tenant i's id (a v4 UUID with letters in it, so its upper-case spelling differs).
std::string TenantId(int i) {
  return absl::StrFormat("5e1fa%03x-a7c2-4b3d-9e8f-0c1d2e3fa%03x", i, i);
}

// A valid tenant with no organization row and no data: its reads are empty, never someone
// else's.
const std::string& GhostTenant() {
  static const auto* ghost = new std::string(TenantId(0xabc));
  return *ghost;
}

std::string SeedSql() {
  std::vector<std::string> orgs;
  for (int i = 0; i < kTenants; ++i) {
    orgs.push_back(absl::StrCat("(", Quote(TenantId(i)), ", 'organization ", i, "')"));
  }
  return absl::StrCat(
      "INSERT INTO organizations (id, name) VALUES ", absl::StrJoin(orgs, ", "), ";\n",
      "INSERT INTO countries (code, name) VALUES ('de', 'Germany'), ('fr', 'France'), "
      "('jp', 'Japan'), ('br', 'Brazil'), ('ca', 'Canada');\n",
      // Interleaved over the tenants, so that neighbouring ids belong to different tenants.
      "INSERT INTO projects (organization_id, name, budget, archived) "
      "SELECT o.id, 'apollo ' || g, (g * 150) % 1000, g % 4 = 0 "
      "FROM organizations o, generate_series(1, 6) g ORDER BY g, o.id;\n",
      "INSERT INTO labels (organization_id, name) "
      "SELECT o.id, (ARRAY['alpha','beta','gamma','delta','kappa','zeta'])[g] "
      "FROM organizations o, generate_series(1, 6) g ORDER BY g, o.id;\n",
      "INSERT INTO tasks (organization_id, project_id, title, points, done) "
      "SELECT p.organization_id, p.id, "
      "(ARRAY['alpha','beta','gamma','delta','kappa','zeta','omega'])[(p.id * 7 + g) % 7 + 1] "
      "|| ' ' || g, (p.id + g) % 9, (p.id + g) % 3 = 0 "
      "FROM projects p, generate_series(1, 5) g ORDER BY g, p.id;\n",
      "INSERT INTO project_labels (organization_id, project_id, label_id) "
      "SELECT p.organization_id, p.id, l.id FROM projects p "
      "JOIN labels l ON l.organization_id = p.organization_id WHERE (p.id + l.id) % 3 = 0;\n");
}

// ---- What the oracle knows about the schema ----

struct ModelInfo {
  std::string model;
  std::string table;
  bool soft_delete = false;
  // The primary key as an ORDER BY list (the service's tie-breaker).
  std::string key_order = "\"id\"";
  std::vector<FieldSpec> fields;
};

const ModelInfo& Model(const std::string& name) {
  static const auto* models = new std::map<std::string, ModelInfo>{
      {"project",
       {"project",
        "projects",
        false,
        "\"id\"",
        {{"id", FieldKind::kInt},
         {"name", FieldKind::kText},
         {"budget", FieldKind::kInt},
         {"archived", FieldKind::kBool},
         {"organization_id", FieldKind::kUuid}}}},
      {"task",
       {"task",
        "tasks",
        true,
        "\"id\"",
        {{"id", FieldKind::kInt},
         {"project_id", FieldKind::kInt},
         {"title", FieldKind::kText},
         {"points", FieldKind::kInt},
         {"done", FieldKind::kBool},
         {"organization_id", FieldKind::kUuid}}}},
      {"label",
       {"label",
        "labels",
        false,
        "\"id\"",
        {{"id", FieldKind::kInt},
         {"name", FieldKind::kText},
         {"organization_id", FieldKind::kUuid}}}},
      {"project_labels",
       {"project_labels",
        "project_labels",
        false,
        "\"project_id\", \"label_id\"",
        {{"project_id", FieldKind::kInt},
         {"label_id", FieldKind::kInt},
         {"organization_id", FieldKind::kUuid}}}},
  };
  return models->at(name);
}

// A relation as the oracle loads it: rows of `target` with the parent's key in column
// qg_parent. $0 is the list of parent keys, $1 the tenant literal.
struct Relation {
  std::string target;
  bool many = true;
  // The parent's field holding the key the children are matched on.
  std::string parent_field = "id";
  std::string sql;
};

const Relation& RelationOf(const std::string& model, const std::string& name) {
  static const auto* relations = new std::map<std::pair<std::string, std::string>, Relation>{
      {{"project", "tasks"},
       {"task", true, "id",
        "SELECT x.project_id AS qg_parent, x.* FROM tasks x WHERE x.project_id IN ($0) "
        "AND x.organization_id = $1 AND x.deleted_at IS NULL"}},
      {{"project", "labels"},
       {"label", true, "id",
        "SELECT j.project_id AS qg_parent, x.* FROM project_labels j JOIN labels x "
        "ON x.id = j.label_id WHERE j.project_id IN ($0) AND j.organization_id = $1 "
        "AND x.organization_id = $1"}},
      {{"task", "project"},
       {"project", false, "project_id",
        "SELECT x.id AS qg_parent, x.* FROM projects x WHERE x.id IN ($0) "
        "AND x.organization_id = $1"}},
      {{"label", "projects"},
       {"project", true, "id",
        "SELECT j.label_id AS qg_parent, x.* FROM project_labels j JOIN projects x "
        "ON x.id = j.project_id WHERE j.label_id IN ($0) AND j.organization_id = $1 "
        "AND x.organization_id = $1"}},
  };
  return relations->at({model, name});
}

const std::vector<std::string>& IncludePaths(const std::string& model) {
  static const auto* paths = new std::map<std::string, std::vector<std::string>>{
      {"project", {"tasks", "labels", "tasks.project", "labels.projects"}},
      {"task", {"project", "project.labels", "project.tasks"}},
      {"label", {"projects", "projects.tasks"}},
      {"project_labels", {}},
  };
  return paths->at(model);
}

struct IncludeTree {
  std::map<std::string, IncludeTree> children;
};

IncludeTree TreeOf(const std::vector<std::string>& paths) {
  IncludeTree tree;
  for (const std::string& path : paths) {
    IncludeTree* node = &tree;
    for (absl::string_view part : absl::StrSplit(path, '.')) {
      node = &node->children[std::string(part)];
    }
  }
  return tree;
}

// ---- Callers ----

enum class CallerKind {
  kTenant,       // a token with the tenant claim and roles reader + writer
  kTenantUpper,  // the same, the tenant claim spelled in upper case (canonicalized by the edge)
  kReaderOnly,   // the tenant claim, role reader only: writes are refused
  kNoTenant,     // a valid token without a tenant claim: scoped data is refused
  kForged,       // signed with another secret, claiming some tenant: unauthenticated
  kMalformed,    // a valid token whose tenant claim is not a UUID: refused
  kAnonymous,    // no token at all: unauthenticated
};

const char* KindName(CallerKind kind) {
  switch (kind) {
    case CallerKind::kTenant:
      return "tenant";
    case CallerKind::kTenantUpper:
      return "tenant-upper";
    case CallerKind::kReaderOnly:
      return "reader-only";
    case CallerKind::kNoTenant:
      return "no-tenant";
    case CallerKind::kForged:
      return "forged";
    case CallerKind::kMalformed:
      return "malformed-tenant";
    case CallerKind::kAnonymous:
      return "anonymous";
  }
  return "?";
}

struct Caller {
  CallerKind kind = CallerKind::kTenant;
  std::string token;
};

// The refusal a caller must get for an operation, if any.
std::optional<grpc::StatusCode> ExpectedDenial(CallerKind kind, bool write, bool scoped) {
  switch (kind) {
    case CallerKind::kForged:
    case CallerKind::kAnonymous:
      return grpc::StatusCode::UNAUTHENTICATED;
    case CallerKind::kMalformed:
      return grpc::StatusCode::PERMISSION_DENIED;
    case CallerKind::kNoTenant:
      if (scoped) return grpc::StatusCode::PERMISSION_DENIED;
      return std::nullopt;
    case CallerKind::kReaderOnly:
      if (write) return grpc::StatusCode::PERMISSION_DENIED;
      return std::nullopt;
    default:
      return std::nullopt;
  }
}

std::string CodeName(grpc::StatusCode code) {
  static const std::map<int, std::string> names = {
      {grpc::OK, "OK"},
      {grpc::INVALID_ARGUMENT, "INVALID_ARGUMENT"},
      {grpc::NOT_FOUND, "NOT_FOUND"},
      {grpc::ALREADY_EXISTS, "ALREADY_EXISTS"},
      {grpc::PERMISSION_DENIED, "PERMISSION_DENIED"},
      {grpc::FAILED_PRECONDITION, "FAILED_PRECONDITION"},
      {grpc::ABORTED, "ABORTED"},
      {grpc::UNAUTHENTICATED, "UNAUTHENTICATED"},
      {grpc::UNAVAILABLE, "UNAVAILABLE"},
      {grpc::INTERNAL, "INTERNAL"},
      {grpc::UNKNOWN, "UNKNOWN"},
      {grpc::DEADLINE_EXCEEDED, "DEADLINE_EXCEEDED"},
      {grpc::RESOURCE_EXHAUSTED, "RESOURCE_EXHAUSTED"},
  };
  auto it = names.find(code);
  return it == names.end() ? absl::StrCat("code ", static_cast<int>(code)) : it->second;
}

// ---- Totals ----

struct Stats {
  std::map<std::string, int64_t> ops;
  std::map<std::string, int64_t> denials;
  std::map<std::string, int64_t> expected_errors;
  int64_t total = 0;
  int64_t ok = 0;
  int64_t hits = 0;
  int64_t reads = 0;
  int64_t writes = 0;
  // Must all stay 0.
  int64_t cross_tenant_rows = 0;
  int64_t foreign_writes = 0;
  int64_t mismatches = 0;
  int64_t wrong_status = 0;
  int64_t missed_denials = 0;
  // Informational: creates of a link another tenant has, answered ALREADY_EXISTS (the junction's
  // primary key has no tenant column, and the unique check runs before the foreign keys'), which
  // tells the caller that the other tenant's pair exists; FAILED_PRECONDITION otherwise.
  int64_t link_probes = 0;
  int64_t existence_leaks = 0;
  std::string existence_leak_example;
  std::vector<std::string> problems;

  void Merge(const Stats& other) {
    for (const auto& [k, v] : other.ops) ops[k] += v;
    for (const auto& [k, v] : other.denials) denials[k] += v;
    for (const auto& [k, v] : other.expected_errors) expected_errors[k] += v;
    total += other.total;
    ok += other.ok;
    hits += other.hits;
    reads += other.reads;
    writes += other.writes;
    cross_tenant_rows += other.cross_tenant_rows;
    foreign_writes += other.foreign_writes;
    mismatches += other.mismatches;
    wrong_status += other.wrong_status;
    missed_denials += other.missed_denials;
    link_probes += other.link_probes;
    existence_leaks += other.existence_leaks;
    if (existence_leak_example.empty()) existence_leak_example = other.existence_leak_example;
    for (const std::string& p : other.problems) {
      if (problems.size() < 40) problems.push_back(p);
    }
  }
};

// ---- State shared by the workers ----

struct Shared {
  std::vector<std::shared_ptr<grpc::Channel>> channels;
  std::atomic<int> next_op{0};
  absl::Time stop_at;
  // Readers of the global model hold it shared, its writers exclusively.
  std::shared_mutex global_mu;
  std::mutex created_mu;
  // (table, id) -> the tenant whose caller created the row.
  std::map<std::pair<std::string, int64_t>, std::string> created;
  std::vector<std::string> tenants;  // every tenant, the ghost included
  std::string no_tenant_token;
  std::string malformed_token;
  std::string anonymous_token;  // empty: no authorization header
};

// A tenant's rows as the oracle sees them.
struct TenantState {
  std::string fingerprint;
  std::vector<int64_t> projects, tasks, labels;
  std::vector<std::pair<int64_t, int64_t>> links;
  std::map<std::string, int64_t> max_id;
};

std::vector<int64_t> Ids(const std::string& csv) {
  std::vector<int64_t> out;
  for (absl::string_view part : absl::StrSplit(csv, ',', absl::SkipEmpty())) {
    int64_t id = 0;
    if (absl::SimpleAtoi(part, &id)) out.push_back(id);
  }
  return out;
}

class Worker {
 public:
  Worker(Shared& shared, int index, std::string tenant, bool writes,
         std::unique_ptr<db::Session> oracle)
      : shared_(shared),
        index_(index),
        tenant_(std::move(tenant)),
        writes_(writes),
        oracle_(std::move(oracle)),
        rng_(static_cast<uint32_t>(20261121 + index * 7919)) {
    absl::Time expires = absl::Now() + absl::Hours(2);
    std::string subject = absl::StrCat("user-", index_);
    good_token_ = querygate::testing::TestToken(subject, {"reader", "writer"}, expires, tenant_);
    upper_token_ = querygate::testing::TestToken(subject, {"reader", "writer"}, expires,
                                                 absl::AsciiStrToUpper(tenant_));
    reader_token_ = querygate::testing::TestToken(subject, {"reader"}, expires, tenant_);
    for (const auto& channel : shared_.channels) {
      repo_.push_back(v1::RepositoryService::NewStub(channel));
      query_.push_back(v1::QueryService::NewStub(channel));
    }
  }

  // Loads the tenant's state before the run.
  void Prepare() { state_ = LoadState(); }

  // Claims and runs operations until kOperations were claimed or the time budget is spent.
  void Run() {
    while (absl::Now() < shared_.stop_at) {
      if (shared_.next_op.fetch_add(1) >= kOperations) break;
      RunOne();
    }
  }

  // After every worker stopped: the tenant's rows are exactly what its own writes left.
  void FinalCheck() {
    TenantState now = LoadState();
    if (now.fingerprint != state_.fingerprint) {
      ++stats_.foreign_writes;
      Problem("final", "the tenant's rows changed after its last own write");
    }
  }

  const Stats& stats() const { return stats_; }

 private:
  // ---- plumbing ----

  int Uniform(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  bool Chance(double p) { return std::bernoulli_distribution(p)(rng_); }
  template <typename T>
  const T& Pick(const std::vector<T>& items) {
    return items[Uniform(0, static_cast<int>(items.size()) - 1)];
  }

  // The tenant as a SQL literal for the oracle.
  std::string TenantSql() const { return absl::StrCat(Quote(tenant_), "::uuid"); }

  void Problem(const std::string& what, const std::string& detail) {
    if (stats_.problems.size() < 40) {
      stats_.problems.push_back(absl::StrCat("[tenant ", index_, " op ", op_, " ", what,
                                             " caller=", KindName(caller_.kind),
                                             " instance=", instance_, "] ", detail));
    }
  }

  db::ResultSet Q(const std::string& sql) {
    auto rows = oracle_->Query(sql);
    if (!rows.ok()) {
      ADD_FAILURE() << "oracle: " << rows.status() << "\n" << sql;
      return db::ResultSet();
    }
    return *std::move(rows);
  }

  bool Exists(const std::string& sql) {
    db::ResultSet rows = Q(absl::StrCat("SELECT EXISTS (", sql, ")"));
    return !rows.rows.empty() && rows.Text(0, 0) == "t";
  }

  TenantState LoadState() {
    std::string t = TenantSql();
    auto agg = [&](const char* table, const char* order, const char* where) {
      return absl::StrCat("coalesce((SELECT string_agg(x::text, '|' ORDER BY ", order, ") FROM ",
                          table, " x WHERE ", where, "), '')");
    };
    std::string own = absl::StrCat("x.organization_id = ", t);
    std::string sql = absl::StrCat(
        "SELECT md5(",
        absl::StrJoin({agg("organizations", "x.id", absl::StrCat("x.id = ", t).c_str()),
                       agg("projects", "x.id", own.c_str()), agg("tasks", "x.id", own.c_str()),
                       agg("labels", "x.id", own.c_str()),
                       agg("project_labels", "x.project_id, x.label_id", own.c_str())},
                      " || '#' || "),
        "), ",
        "(SELECT coalesce(string_agg(id::text, ',' ORDER BY id), '') FROM projects "
        "WHERE organization_id = ",
        t, "), ",
        "(SELECT coalesce(string_agg(id::text, ',' ORDER BY id), '') FROM tasks "
        "WHERE organization_id = ",
        t, " AND deleted_at IS NULL), ",
        "(SELECT coalesce(string_agg(id::text, ',' ORDER BY id), '') FROM labels "
        "WHERE organization_id = ",
        t, "), ",
        "(SELECT coalesce(string_agg(project_id || ':' || label_id, ',' ORDER BY project_id, "
        "label_id), '') FROM project_labels WHERE organization_id = ",
        t, "), ",
        "(SELECT coalesce(max(id), 0) FROM projects), (SELECT coalesce(max(id), 0) FROM tasks), "
        "(SELECT coalesce(max(id), 0) FROM labels)");
    db::ResultSet rows = Q(sql);
    TenantState state;
    if (rows.rows.empty()) return state;
    state.fingerprint = rows.Text(0, 0);
    state.projects = Ids(rows.Text(0, 1));
    state.tasks = Ids(rows.Text(0, 2));
    state.labels = Ids(rows.Text(0, 3));
    for (absl::string_view pair : absl::StrSplit(rows.Text(0, 4), ',', absl::SkipEmpty())) {
      std::vector<std::string> parts = absl::StrSplit(pair, ':');
      int64_t p = 0, l = 0;
      if (parts.size() == 2 && absl::SimpleAtoi(parts[0], &p) && absl::SimpleAtoi(parts[1], &l)) {
        state.links.emplace_back(p, l);
      }
    }
    int64_t max = 0;
    for (const auto& [table, col] :
         std::vector<std::pair<std::string, int>>{{"projects", 5}, {"tasks", 6}, {"labels", 7}}) {
      absl::SimpleAtoi(rows.Text(0, col), &max);
      state.max_id[table] = std::max<int64_t>(max, 1);
    }
    return state;
  }

  // An id of the tenant's own (when it has one and `own`), else any id of `table` up to a few
  // past the largest (rows of other tenants, deleted and missing ones).
  int64_t PickId(const std::vector<int64_t>& own_ids, const std::string& table, double own) {
    if (!own_ids.empty() && Chance(own)) return Pick(own_ids);
    return std::uniform_int_distribution<int64_t>(1, state_.max_id[table] + 3)(rng_);
  }

  std::string OtherTenant() {
    std::string other;
    do {
      other = Pick(shared_.tenants);
    } while (other == tenant_);
    return other;
  }

  // A deadline, and the caller's token when it has one.
  void Setup(grpc::ClientContext& context) {
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    if (!caller_.token.empty()) querygate::testing::Authorize(context, caller_.token);
  }

  v1::RepositoryService::Stub& Repo() { return *repo_[instance_]; }
  v1::QueryService::Stub& Query() { return *query_[instance_]; }

  v1::CacheMode RandomMode() {
    int r = Uniform(0, 9);
    if (r < 6) return v1::CACHE_MODE_UNSPECIFIED;
    return r < 8 ? v1::CACHE_MODE_BYPASS : v1::CACHE_MODE_REFRESH;
  }

  void CountCache(const v1::CacheInfo& cache) {
    if (cache.status() == v1::CACHE_STATUS_HIT) ++stats_.hits;
  }

  // Handles a call that had to be refused: true when `denial` is set (the status was checked).
  bool CheckDenied(const std::optional<grpc::StatusCode>& denial, const grpc::Status& status,
                   bool scoped_data_returned) {
    if (!denial) return false;
    std::string says = DenialText(caller_.kind, status.error_code());
    if (status.error_code() == *denial && absl::StrContains(status.error_message(), says)) {
      ++stats_.denials[CodeName(*denial)];
      return true;
    }
    ++stats_.missed_denials;
    Problem("denial", absl::StrCat("expected ", CodeName(*denial), " saying \"", says, "\", got ",
                                   CodeName(status.error_code()), ": ", status.error_message(),
                                   scoped_data_returned ? " (with data)" : ""));
    return true;
  }

  // What the refusal of a `kind` caller must say (PERMISSION_DENIED for a reader-only caller is
  // the RPC permission, for the others the tenant).
  static std::string DenialText(CallerKind kind, grpc::StatusCode code) {
    switch (kind) {
      case CallerKind::kAnonymous:
        return "missing bearer token";
      case CallerKind::kMalformed:
        return "tenant: ";
      case CallerKind::kNoTenant:
        return "is tenant-scoped and the caller has no tenant";
      case CallerKind::kReaderOnly:
        return "missing permission";
      default:
        return code == grpc::StatusCode::UNAUTHENTICATED ? "" : "tenant";
    }
  }

  // Checks a non-refused call's status against `want`; true when it is OK and wanted OK. The
  // only PERMISSION_DENIED a non-refused caller is meant to get is for naming another tenant.
  bool CheckStatus(grpc::StatusCode want, const grpc::Status& status) {
    if (status.error_code() != want ||
        (want == grpc::StatusCode::PERMISSION_DENIED &&
         !absl::StrContains(status.error_message(), "organization_id: names another tenant"))) {
      ++stats_.wrong_status;
      Problem("status", absl::StrCat("expected ", CodeName(want), ", got ",
                                     CodeName(status.error_code()), ": ", status.error_message()));
      return false;
    }
    if (want != grpc::StatusCode::OK) {
      ++stats_.expected_errors[CodeName(want)];
      return false;
    }
    ++stats_.ok;
    return true;
  }

  void Compare(const std::string& what, const std::string& got, const std::string& want) {
    if (got == want) return;
    ++stats_.mismatches;
    Problem("mismatch", absl::StrCat(what, "\n  got:  ", got.substr(0, 1500),
                                     "\n  want: ", want.substr(0, 1500)));
  }

  void CheckTenantOf(const iso::Fields& fields) {
    int foreign = iso::CountForeign(fields, tenant_);
    if (foreign > 0) {
      stats_.cross_tenant_rows += foreign;
      Problem("cross-tenant", iso::Render(fields).substr(0, 1500));
    }
  }

  // Called before a write: the tenant's rows must be what its last own write left.
  void BeginWrite() {
    TenantState now = LoadState();
    if (now.fingerprint != state_.fingerprint) {
      ++stats_.foreign_writes;
      Problem("foreign-write", "the tenant's rows changed since its last own operation");
    }
    state_ = std::move(now);
  }

  // Called after a write; a write that failed or was refused must have changed nothing.
  void EndWrite(bool succeeded) {
    TenantState after = LoadState();
    if (!succeeded && after.fingerprint != state_.fingerprint) {
      ++stats_.foreign_writes;
      Problem("failed-write", "a refused or failed write changed the tenant's rows");
    }
    state_ = std::move(after);
  }

  void NoteCreated(const std::string& table, const iso::Fields& record) {
    auto id = record.find("id");
    if (id == record.end()) return;
    std::lock_guard<std::mutex> lock(shared_.created_mu);
    shared_.created[{table, id->second.int_value()}] = tenant_;
  }

  // ---- the oracle for repository reads ----

  std::string Visible(const ModelInfo& m, const std::string& alias = "") const {
    std::string prefix = alias.empty() ? "" : absl::StrCat(alias, ".");
    std::string sql = absl::StrCat(prefix, "organization_id = ", TenantSql());
    if (m.soft_delete) absl::StrAppend(&sql, " AND ", prefix, "deleted_at IS NULL");
    return sql;
  }

  void ApplyIncludes(const std::string& model, const std::vector<v1::StructValue*>& nodes,
                     const IncludeTree& tree) {
    for (const auto& [name, subtree] : tree.children) {
      const Relation& rel = RelationOf(model, name);
      std::set<std::string> keys;
      for (v1::StructValue* node : nodes) {
        const v1::Value& key = node->fields().at(rel.parent_field);
        if (key.has_string_value()) keys.insert(key.string_value());
      }
      std::map<std::string, std::vector<v1::StructValue>> children;
      if (!keys.empty()) {
        db::ResultSet rows = Q(absl::Substitute(rel.sql, absl::StrJoin(keys, ", "), TenantSql()));
        size_t parent_col = 0;
        for (size_t c = 0; c < rows.columns.size(); ++c) {
          if (rows.columns[c].name == "qg_parent") parent_col = c;
        }
        for (size_t r = 0; r < rows.rows.size(); ++r) {
          children[rows.Text(r, parent_col)].push_back(iso::FromRow(rows, r, "qg_parent"));
        }
      }
      std::vector<v1::StructValue*> all;
      for (auto& [key, list] : children) {
        for (v1::StructValue& child : list) all.push_back(&child);
      }
      ApplyIncludes(rel.target, all, subtree);
      for (v1::StructValue* node : nodes) {
        const v1::Value& key = node->fields().at(rel.parent_field);
        v1::Value attached;
        auto found = key.has_string_value() ? children.find(key.string_value()) : children.end();
        if (rel.many) {
          attached.mutable_list_value();
          if (found != children.end()) {
            for (const v1::StructValue& child : found->second) {
              *attached.mutable_list_value()->add_values()->mutable_struct_value() = child;
            }
          }
        } else if (found != children.end() && !found->second.empty()) {
          *attached.mutable_struct_value() = found->second.front();
        } else {
          attached.set_null_value(google::protobuf::NULL_VALUE);
        }
        (*node->mutable_fields())[name] = std::move(attached);
      }
    }
  }

  // The oracle's records for `sql` (rows of `model`), with `includes` attached.
  std::vector<v1::StructValue> OracleRecords(const std::string& model, const std::string& sql,
                                             const std::vector<std::string>& includes) {
    db::ResultSet rows = Q(sql);
    std::vector<v1::StructValue> records;
    for (size_t r = 0; r < rows.rows.size(); ++r) records.push_back(iso::FromRow(rows, r));
    std::vector<v1::StructValue*> nodes;
    for (auto& record : records) nodes.push_back(&record);
    ApplyIncludes(model, nodes, TreeOf(includes));
    return records;
  }

  std::string RenderAll(const std::vector<v1::StructValue>& records,
                        const std::set<std::string>& only = {}) {
    std::vector<std::string> texts;
    for (const auto& record : records) texts.push_back(iso::Render(record.fields(), only));
    return absl::StrJoin(texts, "\n");
  }

  std::vector<std::string> RandomIncludes(const std::string& model) {
    const std::vector<std::string>& paths = IncludePaths(model);
    std::vector<std::string> out;
    for (const std::string& path : paths) {
      if (Chance(0.25)) out.push_back(path);
    }
    return out;
  }

  // ---- operations ----

  void RunOne() {
    ++op_;
    instance_ = Uniform(0, static_cast<int>(repo_.size()) - 1);
    caller_ = PickCaller();
    struct Op {
      const char* name;
      int weight;
      void (Worker::*run)();
    };
    bool many_tasks = state_.tasks.size() > 60;
    bool many_projects = state_.projects.size() > 14;
    bool many_labels = state_.labels.size() > 10;
    std::vector<Op> ops = {
        {"get", 16, &Worker::GetOp},     {"get.organization", 2, &Worker::GetOrganizationOp},
        {"list", 16, &Worker::ListOp},   {"list.organization", 1, &Worker::ListOrganizationOp},
        {"count", 6, &Worker::CountOp},  {"exists", 2, &Worker::ExistsOp},
        {"query", 16, &Worker::QueryOp}, {"global.read", 4, &Worker::GlobalReadOp},
    };
    if (writes_) {
      std::vector<Op> writes = {
          {"create.project", many_projects ? 1 : 3, &Worker::CreateProjectOp},
          {"create.task", many_tasks ? 1 : 6, &Worker::CreateTaskOp},
          {"create_many.task", many_tasks ? 0 : 1, &Worker::CreateManyTasksOp},
          {"create.label", many_labels ? 1 : 2, &Worker::CreateLabelOp},
          {"create.link", 3, &Worker::CreateLinkOp},
          {"update.project", 3, &Worker::UpdateProjectOp},
          {"update.task", 5, &Worker::UpdateTaskOp},
          {"update.organization", 1, &Worker::UpdateOrganizationOp},
          {"delete.task", many_tasks ? 7 : 2, &Worker::DeleteTaskOp},
          {"delete.project", many_projects ? 3 : 1, &Worker::DeleteProjectOp},
          {"delete.label", many_labels ? 2 : 1, &Worker::DeleteLabelOp},
          {"delete.link", 2, &Worker::DeleteLinkOp},
          {"transact", 5, &Worker::TransactOp},
          {"global.write", 1, &Worker::GlobalWriteOp},
      };
      ops.insert(ops.end(), writes.begin(), writes.end());
    }
    int total = 0;
    for (const Op& op : ops) total += op.weight;
    int r = Uniform(0, total - 1);
    for (const Op& op : ops) {
      if (r < op.weight) {
        ++stats_.total;
        ++stats_.ops[op.name];
        (this->*op.run)();
        return;
      }
      r -= op.weight;
    }
  }

  Caller PickCaller() {
    int r = Uniform(0, 99);
    if (r < 76) return {CallerKind::kTenant, good_token_};
    if (r < 82) return {CallerKind::kTenantUpper, upper_token_};
    if (r < 87) return {CallerKind::kReaderOnly, reader_token_};
    if (r < 92) return {CallerKind::kNoTenant, shared_.no_tenant_token};
    if (r < 95) {
      // Signed with a secret the servers do not trust, claiming some tenant (maybe another).
      nlohmann::json claims = {{"sub", "forger"},
                               {"roles", {"reader", "writer", "admin"}},
                               {"exp", absl::ToUnixSeconds(absl::Now() + absl::Hours(1))},
                               {"tenant", Chance(0.5) ? tenant_ : OtherTenant()}};
      auto token = auth::SignJwt("HS256", "forged-secret-forged-secret-0123456789", claims.dump());
      return {CallerKind::kForged, token.ok() ? *token : "forged"};
    }
    if (r < 97) return {CallerKind::kMalformed, shared_.malformed_token};
    return {CallerKind::kAnonymous, shared_.anonymous_token};
  }

  template <typename Request, typename Response, typename Method>
  grpc::Status Call(Method method, const Request& request, Response* response) {
    grpc::ClientContext context;
    Setup(context);
    return (Repo().*method)(&context, request, response);
  }

  // Get of a project, task or label (own id or any), with random includes.
  void GetOp() {
    ++stats_.reads;
    std::string model = Pick<std::string>({"project", "project", "task", "task", "label"});
    const ModelInfo& m = Model(model);
    const std::vector<int64_t>& own = model == "project" ? state_.projects
                                      : model == "task"  ? state_.tasks
                                                         : state_.labels;
    int64_t id = PickId(own, m.table, 0.6);
    std::vector<std::string> includes = RandomIncludes(model);
    v1::GetRequest request;
    request.set_model(model);
    request.mutable_id()->set_int_value(id);
    for (const auto& path : includes) request.add_include(path);
    request.set_cache_mode(RandomMode());
    v1::GetResponse response;
    grpc::Status status = Call(&v1::RepositoryService::Stub::Get, request, &response);
    if (status.ok()) CheckTenantOf(response.record().fields());
    if (CheckDenied(ExpectedDenial(caller_.kind, false, true), status, status.ok())) return;
    std::vector<v1::StructValue> want = OracleRecords(
        model, absl::StrCat("SELECT * FROM ", m.table, " WHERE id = ", id, " AND ", Visible(m)),
        includes);
    if (!CheckStatus(want.empty() ? grpc::StatusCode::NOT_FOUND : grpc::StatusCode::OK, status)) {
      return;
    }
    CountCache(response.cache());
    Compare(absl::StrCat("Get ", request.ShortDebugString()),
            iso::Render(response.record().fields()), iso::Render(want[0].fields()));
  }

  void GetOrganizationOp() {
    ++stats_.reads;
    std::string id = Chance(0.6) ? tenant_ : Pick(shared_.tenants);
    v1::GetRequest request;
    request.set_model("organization");
    request.mutable_id()->set_string_value(id);
    request.set_cache_mode(RandomMode());
    v1::GetResponse response;
    grpc::Status status = Call(&v1::RepositoryService::Stub::Get, request, &response);
    if (status.ok()) {
      auto got = response.record().fields().find("id");
      if (got == response.record().fields().end() || got->second.string_value() != tenant_) {
        ++stats_.cross_tenant_rows;
        Problem("cross-tenant", iso::Render(response.record().fields()));
      }
    }
    if (CheckDenied(ExpectedDenial(caller_.kind, false, true), status, status.ok())) return;
    db::ResultSet rows = Q(absl::StrCat("SELECT * FROM organizations WHERE id = ", Quote(id),
                                        "::uuid AND id = ", TenantSql()));
    if (!CheckStatus(rows.rows.empty() ? grpc::StatusCode::NOT_FOUND : grpc::StatusCode::OK,
                     status)) {
      return;
    }
    CountCache(response.cache());
    Compare("Get organization", iso::Render(response.record().fields()),
            iso::Render(iso::FromRow(rows, 0).fields()));
  }

  void ListOrganizationOp() {
    ++stats_.reads;
    v1::ListRequest request;
    request.set_model("organization");
    request.set_cache_mode(RandomMode());
    v1::ListResponse response;
    grpc::Status status = Call(&v1::RepositoryService::Stub::List, request, &response);
    if (status.ok()) {
      for (const v1::Record& record : response.records()) {
        auto got = record.fields().find("id");
        if (got == record.fields().end() || got->second.string_value() != tenant_) {
          ++stats_.cross_tenant_rows;
          Problem("cross-tenant", iso::Render(record.fields()));
        }
      }
    }
    if (CheckDenied(ExpectedDenial(caller_.kind, false, true), status, status.ok())) return;
    if (!CheckStatus(grpc::StatusCode::OK, status)) return;
    CountCache(response.cache());
    db::ResultSet rows = Q(absl::StrCat("SELECT * FROM organizations WHERE id = ", TenantSql()));
    std::vector<v1::StructValue> want;
    for (size_t r = 0; r < rows.rows.size(); ++r) want.push_back(iso::FromRow(rows, r));
    std::vector<std::string> got;
    for (const v1::Record& record : response.records()) got.push_back(iso::Render(record.fields()));
    Compare("List organization", absl::StrJoin(got, "\n"), RenderAll(want));
  }

  iso::FilterGenerator Filters(const ModelInfo& m) {
    iso::ValueDomain domain;
    domain.max_id =
        std::max({state_.max_id["projects"], state_.max_id["tasks"], state_.max_id["labels"]});
    domain.tenants = shared_.tenants;
    return iso::FilterGenerator(rng_, m.fields, domain);
  }

  // List with a random filter, order, page size, projection and includes; follows up to two
  // page tokens, each page on a random instance.
  void ListOp() {
    ++stats_.reads;
    std::string model = Pick<std::string>({"project", "task", "task", "label", "project_labels"});
    const ModelInfo& m = Model(model);
    iso::FilterGenerator gen = Filters(m);
    auto [filter, where] = gen.Filter();
    auto order = gen.Order();
    int page_size = Uniform(1, 25);
    std::vector<std::string> includes = RandomIncludes(model);
    std::set<std::string> only;
    if (Chance(0.2)) {
      for (const FieldSpec& f : m.fields) {
        if (Chance(0.5)) only.insert(f.name);
      }
    }
    v1::ListRequest request;
    request.set_model(model);
    if (where != "TRUE") *request.mutable_filter() = filter;
    std::vector<std::string> order_sql;
    for (const auto& [field, desc] : order) {
      v1::Order* o = request.add_order_by();
      o->set_field(field);
      o->set_descending(desc);
      order_sql.push_back(absl::StrCat("\"", field, "\"", desc ? " DESC" : ""));
    }
    order_sql.push_back(m.key_order);
    request.set_page_size(page_size);
    for (const auto& path : includes) request.add_include(path);
    for (const auto& field : only) request.add_fields(field);
    std::string base = absl::StrCat("SELECT * FROM ", m.table, " WHERE (", where, ") AND ",
                                    Visible(m), " ORDER BY ", absl::StrJoin(order_sql, ", "));
    int pages = Chance(0.3) ? Uniform(2, 3) : 1;
    for (int page = 0; page < pages; ++page) {
      if (page > 0) instance_ = Uniform(0, static_cast<int>(repo_.size()) - 1);
      request.set_cache_mode(RandomMode());
      v1::ListResponse response;
      grpc::Status status = Call(&v1::RepositoryService::Stub::List, request, &response);
      if (status.ok()) {
        for (const v1::Record& record : response.records()) CheckTenantOf(record.fields());
      }
      if (CheckDenied(ExpectedDenial(caller_.kind, false, true), status, status.ok())) return;
      if (!CheckStatus(grpc::StatusCode::OK, status)) return;
      CountCache(response.cache());
      std::vector<v1::StructValue> want = OracleRecords(
          model, absl::StrCat(base, " LIMIT ", page_size + 1, " OFFSET ", page * page_size),
          includes);
      bool more = static_cast<int>(want.size()) > page_size;
      if (more) want.pop_back();
      std::vector<std::string> got;
      for (const v1::Record& record : response.records()) {
        got.push_back(iso::Render(record.fields(), only));
      }
      Compare(
          absl::StrCat("List page ", page, " ", request.ShortDebugString(), "\n  oracle: ", base),
          absl::StrJoin(got, "\n"), RenderAll(want, only));
      if (response.next_page_token().empty() == more) {
        ++stats_.mismatches;
        Problem("mismatch", absl::StrCat("List page ", page, ": next_page_token ",
                                         more ? "missing" : "present", " (", base, ")"));
        return;
      }
      if (!more) return;
      request.set_page_token(response.next_page_token());
    }
  }

  void CountOp() {
    ++stats_.reads;
    std::string model = Pick<std::string>({"project", "task", "label", "project_labels"});
    const ModelInfo& m = Model(model);
    iso::FilterGenerator gen = Filters(m);
    auto [filter, where] = gen.Filter();
    v1::CountRequest request;
    request.set_model(model);
    if (where != "TRUE") *request.mutable_filter() = filter;
    request.set_cache_mode(RandomMode());
    v1::CountResponse response;
    grpc::Status status = Call(&v1::RepositoryService::Stub::Count, request, &response);
    if (CheckDenied(ExpectedDenial(caller_.kind, false, true), status, status.ok())) return;
    if (!CheckStatus(grpc::StatusCode::OK, status)) return;
    CountCache(response.cache());
    db::ResultSet rows =
        Q(absl::StrCat("SELECT count(*) FROM ", m.table, " WHERE (", where, ") AND ", Visible(m)));
    Compare(absl::StrCat("Count ", request.ShortDebugString()), absl::StrCat(response.count()),
            rows.rows.empty() ? "?" : rows.Text(0, 0));
  }

  void ExistsOp() {
    ++stats_.reads;
    std::string model = Pick<std::string>({"project", "task", "label"});
    const ModelInfo& m = Model(model);
    const std::vector<int64_t>& own = model == "project" ? state_.projects
                                      : model == "task"  ? state_.tasks
                                                         : state_.labels;
    int64_t id = PickId(own, m.table, 0.5);
    v1::ExistsRequest request;
    request.set_model(model);
    request.mutable_id()->set_int_value(id);
    v1::ExistsResponse response;
    grpc::Status status = Call(&v1::RepositoryService::Stub::Exists, request, &response);
    if (CheckDenied(ExpectedDenial(caller_.kind, false, true), status, status.ok())) return;
    if (!CheckStatus(grpc::StatusCode::OK, status)) return;
    bool want =
        Exists(absl::StrCat("SELECT 1 FROM ", m.table, " WHERE id = ", id, " AND ", Visible(m)));
    Compare(absl::StrCat("Exists ", request.ShortDebugString()), response.exists() ? "t" : "f",
            want ? "t" : "f");
  }

  // One of the named queries over tenant-scoped tables, with its oracle.
  void QueryOp() {
    ++stats_.reads;
    v1::ExecuteRequest request;
    std::string oracle;
    std::string t = TenantSql();
    switch (Uniform(0, 4)) {
      case 0: {
        int min_points = Uniform(0, 8);
        request.set_query("open_tasks");
        (*request.mutable_params())["min_points"].set_int_value(min_points);
        oracle = absl::StrCat(
            "SELECT t.id, t.organization_id, t.project_id, t.title, t.points FROM tasks t "
            "WHERE NOT t.done AND t.deleted_at IS NULL AND t.points >= ",
            min_points, " AND t.organization_id = ", t, " ORDER BY t.id");
        break;
      }
      case 1: {
        int min_budget = 150 * Uniform(0, 6);
        request.set_query("project_summary");
        (*request.mutable_params())["min_budget"].set_int_value(min_budget);
        oracle = absl::StrCat(
            "SELECT p.id, p.organization_id, p.name, count(t.id) AS open_tasks, "
            "coalesce(sum(t.points), 0)::bigint AS points FROM projects p LEFT JOIN tasks t "
            "ON t.project_id = p.id AND NOT t.done AND t.deleted_at IS NULL "
            "AND t.organization_id = ",
            t, " WHERE p.budget >= ", min_budget, " AND p.organization_id = ", t,
            " GROUP BY p.id, p.organization_id, p.name ORDER BY p.id");
        break;
      }
      case 2: {
        std::string prefix = Pick<std::string>({"", "a", "b", "g", "k", "z", "o", "ta", "x"});
        request.set_query("label_usage");
        (*request.mutable_params())["prefix"].set_string_value(prefix);
        oracle = absl::StrCat(
            "SELECT l.id, l.organization_id, l.name, (SELECT count(*) FROM tasks t "
            "WHERE t.deleted_at IS NULL AND t.title LIKE l.name || '%' AND t.organization_id = ",
            t,
            ") AS titled, (SELECT count(*) FROM project_labels j WHERE j.label_id = l.id "
            "AND j.organization_id = ",
            t, ") AS linked FROM labels l WHERE l.name LIKE ", Quote(prefix),
            " || '%' AND l.organization_id = ", t, " ORDER BY l.id");
        break;
      }
      case 3:
        request.set_query("task_count");
        oracle = absl::StrCat(
            "SELECT count(*) AS n, coalesce(sum(points), 0)::bigint AS points FROM tasks "
            "WHERE deleted_at IS NULL AND organization_id = ",
            t);
        break;
      default:
        request.set_query("my_organization");
        oracle = absl::StrCat("SELECT id, name FROM organizations WHERE id = ", t, " ORDER BY id");
        break;
    }
    request.set_cache_mode(RandomMode());
    v1::ExecuteResponse response;
    grpc::ClientContext context;
    Setup(context);
    grpc::Status status = Query().Execute(&context, request, &response);
    if (status.ok()) {
      std::string column = request.query() == "my_organization" ? "id" : "organization_id";
      int foreign = iso::CountForeignRows(response, column, tenant_);
      if (foreign > 0) {
        stats_.cross_tenant_rows += foreign;
        Problem("cross-tenant", absl::StrCat(request.query(), ":\n", iso::RenderRows(response)));
      }
    }
    ++stats_.ops[absl::StrCat("query.", request.query())];
    if (CheckDenied(ExpectedDenial(caller_.kind, false, true), status, status.ok())) return;
    if (!CheckStatus(grpc::StatusCode::OK, status)) return;
    CountCache(response.cache());
    Compare(absl::StrCat("Execute ", request.ShortDebugString()), iso::RenderRows(response),
            iso::RenderRows(Q(oracle)));
  }

  // Reads of the global model: shared by every tenant and allowed without a tenant.
  void GlobalReadOp() {
    ++stats_.reads;
    std::shared_lock<std::shared_mutex> lock(shared_.global_mu);
    std::optional<grpc::StatusCode> denial = ExpectedDenial(caller_.kind, false, false);
    switch (Uniform(0, 2)) {
      case 0: {
        int64_t id = Uniform(1, 6);
        v1::GetRequest request;
        request.set_model("country");
        request.mutable_id()->set_int_value(id);
        request.set_cache_mode(RandomMode());
        v1::GetResponse response;
        grpc::Status status = Call(&v1::RepositoryService::Stub::Get, request, &response);
        if (CheckDenied(denial, status, status.ok())) return;
        db::ResultSet rows = Q(absl::StrCat("SELECT * FROM countries WHERE id = ", id));
        if (!CheckStatus(rows.rows.empty() ? grpc::StatusCode::NOT_FOUND : grpc::StatusCode::OK,
                         status)) {
          return;
        }
        CountCache(response.cache());
        Compare("Get country", iso::Render(response.record().fields()),
                iso::Render(iso::FromRow(rows, 0).fields()));
        return;
      }
      case 1: {
        v1::ListRequest request;
        request.set_model("country");
        request.set_cache_mode(RandomMode());
        v1::ListResponse response;
        grpc::Status status = Call(&v1::RepositoryService::Stub::List, request, &response);
        if (CheckDenied(denial, status, status.ok())) return;
        if (!CheckStatus(grpc::StatusCode::OK, status)) return;
        CountCache(response.cache());
        db::ResultSet rows = Q("SELECT * FROM countries ORDER BY id");
        std::vector<v1::StructValue> want;
        for (size_t r = 0; r < rows.rows.size(); ++r) want.push_back(iso::FromRow(rows, r));
        std::vector<std::string> got;
        for (const v1::Record& record : response.records()) {
          got.push_back(iso::Render(record.fields()));
        }
        Compare("List country", absl::StrJoin(got, "\n"), RenderAll(want));
        return;
      }
      default: {
        v1::ExecuteRequest request;
        request.set_query("countries");
        request.set_cache_mode(RandomMode());
        v1::ExecuteResponse response;
        grpc::ClientContext context;
        Setup(context);
        grpc::Status status = Query().Execute(&context, request, &response);
        ++stats_.ops["query.countries"];
        if (CheckDenied(denial, status, status.ok())) return;
        if (!CheckStatus(grpc::StatusCode::OK, status)) return;
        CountCache(response.cache());
        Compare("Execute countries", iso::RenderRows(response),
                iso::RenderRows(Q("SELECT id, code, name FROM countries ORDER BY id")));
        return;
      }
    }
  }

  void GlobalWriteOp() {
    ++stats_.writes;
    std::unique_lock<std::shared_mutex> lock(shared_.global_mu);
    int64_t id = Uniform(1, 5);
    v1::UpdateRequest request;
    request.set_model("country");
    request.mutable_id()->set_int_value(id);
    (*request.mutable_record()->mutable_fields())["name"].set_string_value(
        absl::StrCat("country ", id, " by tenant ", index_, " op ", op_));
    v1::UpdateResponse response;
    grpc::Status status = Call(&v1::RepositoryService::Stub::Update, request, &response);
    if (CheckDenied(ExpectedDenial(caller_.kind, true, false), status, status.ok())) return;
    if (!CheckStatus(grpc::StatusCode::OK, status)) return;
    db::ResultSet rows = Q(absl::StrCat("SELECT * FROM countries WHERE id = ", id));
    if (rows.rows.empty()) return;
    Compare("Update country", iso::Render(response.record().fields()),
            iso::Render(iso::FromRow(rows, 0).fields()));
  }

  // ---- writes ----

  // After a successful write of `model`: the returned record is the tenant's row as stored.
  void CheckWritten(const std::string& what, const std::string& model, const v1::Record& record) {
    CheckTenantOf(record.fields());
    const ModelInfo& m = Model(model);
    auto id = record.fields().find("id");
    if (id == record.fields().end()) {
      ++stats_.mismatches;
      Problem("mismatch", absl::StrCat(what, ": the returned record has no id"));
      return;
    }
    db::ResultSet rows =
        Q(absl::StrCat("SELECT * FROM ", m.table, " WHERE id = ", id->second.int_value(),
                       " AND organization_id = ", TenantSql()));
    if (rows.rows.empty()) {
      ++stats_.foreign_writes;
      Problem("foreign-write", absl::StrCat(what, ": the written row is not the tenant's: ",
                                            iso::Render(record.fields())));
      return;
    }
    Compare(what, iso::Render(record.fields()), iso::Render(iso::FromRow(rows, 0).fields()));
  }

  // Runs a write: caller refusal, expected status, the tenant's rows unchanged unless it
  // succeeded. Returns true when the write succeeded (as wanted).
  template <typename Request, typename Response, typename Method>
  bool Write(Method method, const Request& request, Response* response, grpc::StatusCode want) {
    ++stats_.writes;
    grpc::Status status = Call(method, request, response);
    bool denied = CheckDenied(ExpectedDenial(caller_.kind, true, true), status, false);
    bool ok = !denied && CheckStatus(want, status);
    EndWrite(status.ok());
    return ok;
  }

  // The tenant column in a record now and then: the caller's own tenant (allowed) or another
  // (refused before any SQL). Returns the status the tenant column alone leads to.
  grpc::StatusCode MaybeNameTenant(v1::Record& record) {
    int r = Uniform(0, 9);
    if (r == 0) {
      (*record.mutable_fields())["organization_id"].set_string_value(tenant_);
    } else if (r == 1) {
      (*record.mutable_fields())["organization_id"].set_string_value(OtherTenant());
      return grpc::StatusCode::PERMISSION_DENIED;
    }
    return grpc::StatusCode::OK;
  }

  bool OwnProject(int64_t id) {
    return Exists(
        absl::StrCat("SELECT 1 FROM projects WHERE id = ", id, " AND ", Visible(Model("project"))));
  }

  bool OwnTask(int64_t id) {
    return Exists(
        absl::StrCat("SELECT 1 FROM tasks WHERE id = ", id, " AND ", Visible(Model("task"))));
  }

  bool OwnLabel(int64_t id) {
    return Exists(
        absl::StrCat("SELECT 1 FROM labels WHERE id = ", id, " AND ", Visible(Model("label"))));
  }

  v1::Record TaskRecord(int64_t project_id) {
    v1::Record record;
    auto& f = *record.mutable_fields();
    f["project_id"].set_int_value(project_id);
    f["title"].set_string_value(absl::StrCat(Pick(LabelNames()), " ", Uniform(1, 12)));
    if (Chance(0.7)) f["points"].set_int_value(Uniform(0, 10));
    if (Chance(0.5)) f["done"].set_bool_value(Chance(0.3));
    return record;
  }

  void CreateProjectOp() {
    BeginWrite();
    v1::CreateRequest request;
    request.set_model("project");
    auto& f = *request.mutable_record()->mutable_fields();
    f["name"].set_string_value(absl::StrCat("apollo ", Uniform(1, 12)));
    if (Chance(0.7)) f["budget"].set_int_value(50 * Uniform(0, 20));
    if (Chance(0.5)) f["archived"].set_bool_value(Chance(0.3));
    grpc::StatusCode want = MaybeNameTenant(*request.mutable_record());
    v1::CreateResponse response;
    if (!Write(&v1::RepositoryService::Stub::Create, request, &response, want)) return;
    NoteCreated("projects", response.record().fields());
    CheckWritten("Create project", "project", response.record());
  }

  void CreateTaskOp() {
    BeginWrite();
    int64_t project = PickId(state_.projects, "projects", 0.75);
    v1::CreateRequest request;
    request.set_model("task");
    *request.mutable_record() = TaskRecord(project);
    grpc::StatusCode want = MaybeNameTenant(*request.mutable_record());
    if (want == grpc::StatusCode::OK && !OwnProject(project)) {
      want = grpc::StatusCode::FAILED_PRECONDITION;
    }
    v1::CreateResponse response;
    if (!Write(&v1::RepositoryService::Stub::Create, request, &response, want)) return;
    NoteCreated("tasks", response.record().fields());
    CheckWritten("Create task", "task", response.record());
  }

  void CreateManyTasksOp() {
    BeginWrite();
    v1::CreateManyRequest request;
    request.set_model("task");
    grpc::StatusCode want = grpc::StatusCode::OK;
    int n = Uniform(1, 3);
    for (int i = 0; i < n; ++i) {
      int64_t project = PickId(state_.projects, "projects", Chance(0.2) ? 0.5 : 1.0);
      v1::Record record = TaskRecord(project);
      grpc::StatusCode named = MaybeNameTenant(record);
      if (named != grpc::StatusCode::OK) {
        want = named;
      } else if (want == grpc::StatusCode::OK && !OwnProject(project)) {
        want = grpc::StatusCode::FAILED_PRECONDITION;
      }
      *request.add_records() = std::move(record);
    }
    v1::CreateManyResponse response;
    if (!Write(&v1::RepositoryService::Stub::CreateMany, request, &response, want)) return;
    for (const v1::Record& record : response.records()) {
      NoteCreated("tasks", record.fields());
      CheckWritten("CreateMany task", "task", record);
    }
  }

  void CreateLabelOp() {
    BeginWrite();
    std::string name = Pick(LabelNames());
    v1::CreateRequest request;
    request.set_model("label");
    (*request.mutable_record()->mutable_fields())["name"].set_string_value(name);
    grpc::StatusCode want = MaybeNameTenant(*request.mutable_record());
    if (want == grpc::StatusCode::OK &&
        Exists(absl::StrCat("SELECT 1 FROM labels WHERE name = ", Quote(name),
                            " AND organization_id = ", TenantSql()))) {
      want = grpc::StatusCode::ALREADY_EXISTS;  // unique per tenant, not across tenants
    }
    v1::CreateResponse response;
    if (!Write(&v1::RepositoryService::Stub::Create, request, &response, want)) return;
    NoteCreated("labels", response.record().fields());
    CheckWritten("Create label", "label", response.record());
  }

  void CreateLinkOp() {
    BeginWrite();
    int64_t project = PickId(state_.projects, "projects", 0.8);
    int64_t label = PickId(state_.labels, "labels", 0.8);
    // Now and then, exactly another tenant's existing link.
    bool probe = false;
    if (Chance(0.15)) {
      db::ResultSet rows = Q(
          absl::StrCat("SELECT project_id, label_id FROM project_labels WHERE organization_id <> ",
                       TenantSql(), " ORDER BY random() LIMIT 1"));
      if (!rows.rows.empty()) {
        probe = true;
        project = std::stoll(rows.Text(0, 0));
        label = std::stoll(rows.Text(0, 1));
      }
    }
    v1::CreateRequest request;
    request.set_model("project_labels");
    auto& f = *request.mutable_record()->mutable_fields();
    f["project_id"].set_int_value(project);
    f["label_id"].set_int_value(label);
    v1::CreateResponse response;
    if (probe) {
      ++stats_.writes;
      ++stats_.link_probes;
      grpc::Status status = Call(&v1::RepositoryService::Stub::Create, request, &response);
      bool denied = CheckDenied(ExpectedDenial(caller_.kind, true, true), status, false);
      if (!denied && status.error_code() == grpc::StatusCode::ALREADY_EXISTS) {
        ++stats_.existence_leaks;
        if (stats_.existence_leak_example.empty()) {
          stats_.existence_leak_example = status.error_message();
        }
      } else if (!denied) {
        CheckStatus(grpc::StatusCode::FAILED_PRECONDITION, status);
      }
      EndWrite(status.ok());
      return;
    }
    grpc::StatusCode want = MaybeNameTenant(*request.mutable_record());
    if (want == grpc::StatusCode::OK) {
      if (!OwnProject(project) || !OwnLabel(label)) {
        want = grpc::StatusCode::FAILED_PRECONDITION;
      } else if (Exists(absl::StrCat("SELECT 1 FROM project_labels WHERE project_id = ", project,
                                     " AND label_id = ", label))) {
        want = grpc::StatusCode::ALREADY_EXISTS;
      }
    }
    if (!Write(&v1::RepositoryService::Stub::Create, request, &response, want)) return;
    CheckTenantOf(response.record().fields());
    db::ResultSet rows =
        Q(absl::StrCat("SELECT * FROM project_labels WHERE project_id = ", project,
                       " AND label_id = ", label, " AND organization_id = ", TenantSql()));
    if (rows.rows.empty()) {
      ++stats_.foreign_writes;
      Problem("foreign-write", "the created link is not the tenant's");
      return;
    }
    Compare("Create link", iso::Render(response.record().fields()),
            iso::Render(iso::FromRow(rows, 0).fields()));
  }

  void UpdateProjectOp() {
    BeginWrite();
    int64_t id = PickId(state_.projects, "projects", 0.75);
    bool own = OwnProject(id);
    v1::UpdateRequest request;
    request.set_model("project");
    request.mutable_id()->set_int_value(id);
    auto& f = *request.mutable_record()->mutable_fields();
    f["name"].set_string_value(absl::StrCat("apollo ", Uniform(1, 12)));
    if (Chance(0.6)) f["budget"].set_int_value(50 * Uniform(0, 20));
    if (Chance(0.4)) f["archived"].set_bool_value(Chance(0.5));
    grpc::StatusCode want = own ? grpc::StatusCode::OK : grpc::StatusCode::NOT_FOUND;
    if (own) want = MaybeNameTenant(*request.mutable_record());
    v1::UpdateResponse response;
    if (!Write(&v1::RepositoryService::Stub::Update, request, &response, want)) return;
    CheckWritten("Update project", "project", response.record());
  }

  void UpdateTaskOp() {
    BeginWrite();
    int64_t id = PickId(state_.tasks, "tasks", 0.75);
    bool own = OwnTask(id);
    v1::UpdateRequest request;
    request.set_model("task");
    request.mutable_id()->set_int_value(id);
    auto& f = *request.mutable_record()->mutable_fields();
    grpc::StatusCode want = own ? grpc::StatusCode::OK : grpc::StatusCode::NOT_FOUND;
    if (Chance(0.6)) f["points"].set_int_value(Uniform(0, 10));
    if (Chance(0.5)) f["done"].set_bool_value(Chance(0.5));
    if (Chance(0.3)) f["title"].set_string_value(absl::StrCat(Pick(LabelNames()), " ", op_ % 13));
    if (Chance(0.2) || f.empty()) {
      int64_t project = PickId(state_.projects, "projects", 0.7);
      f["project_id"].set_int_value(project);
      if (own && !OwnProject(project)) want = grpc::StatusCode::FAILED_PRECONDITION;
    }
    if (own && want == grpc::StatusCode::OK) want = MaybeNameTenant(*request.mutable_record());
    v1::UpdateResponse response;
    if (!Write(&v1::RepositoryService::Stub::Update, request, &response, want)) return;
    CheckWritten("Update task", "task", response.record());
  }

  void UpdateOrganizationOp() {
    BeginWrite();
    std::string id = Chance(0.7) ? tenant_ : OtherTenant();
    v1::UpdateRequest request;
    request.set_model("organization");
    request.mutable_id()->set_string_value(id);
    (*request.mutable_record()->mutable_fields())["name"].set_string_value(
        absl::StrCat("organization ", index_, " renamed at op ", op_));
    grpc::StatusCode want = id == tenant_ ? grpc::StatusCode::OK : grpc::StatusCode::NOT_FOUND;
    v1::UpdateResponse response;
    if (!Write(&v1::RepositoryService::Stub::Update, request, &response, want)) return;
    auto got = response.record().fields().find("id");
    if (got == response.record().fields().end() || got->second.string_value() != tenant_) {
      ++stats_.foreign_writes;
      Problem("foreign-write", iso::Render(response.record().fields()));
      return;
    }
    db::ResultSet rows = Q(absl::StrCat("SELECT * FROM organizations WHERE id = ", TenantSql()));
    if (!rows.rows.empty()) {
      Compare("Update organization", iso::Render(response.record().fields()),
              iso::Render(iso::FromRow(rows, 0).fields()));
    }
  }

  // Delete of a row of `table` (own or any id); `deleted` must say whether it was the tenant's.
  void DeleteById(const std::string& model, const std::vector<int64_t>& own_ids,
                  double own_chance) {
    BeginWrite();
    const ModelInfo& m = Model(model);
    int64_t id = PickId(own_ids, m.table, own_chance);
    bool own =
        Exists(absl::StrCat("SELECT 1 FROM ", m.table, " WHERE id = ", id, " AND ", Visible(m)));
    v1::DeleteRequest request;
    request.set_model(model);
    request.mutable_id()->set_int_value(id);
    v1::DeleteResponse response;
    if (!Write(&v1::RepositoryService::Stub::Delete, request, &response, grpc::StatusCode::OK)) {
      return;
    }
    if (response.deleted() != own) {
      ++stats_.mismatches;
      if (!own) ++stats_.foreign_writes;
      Problem("mismatch", absl::StrCat("Delete ", model, " ", id, ": deleted=", response.deleted(),
                                       ", the tenant's row: ", own));
    }
  }

  void DeleteTaskOp() { DeleteById("task", state_.tasks, 0.7); }
  void DeleteProjectOp() { DeleteById("project", state_.projects, 0.6); }
  void DeleteLabelOp() { DeleteById("label", state_.labels, 0.6); }

  void DeleteLinkOp() {
    BeginWrite();
    int64_t project, label;
    if (!state_.links.empty() && Chance(0.7)) {
      std::tie(project, label) = Pick(state_.links);
    } else {
      project = PickId({}, "projects", 0);
      label = PickId({}, "labels", 0);
    }
    bool own =
        Exists(absl::StrCat("SELECT 1 FROM project_labels WHERE project_id = ", project,
                            " AND label_id = ", label, " AND organization_id = ", TenantSql()));
    v1::DeleteRequest request;
    request.set_model("project_labels");
    request.mutable_id()->mutable_list_value()->add_values()->set_int_value(project);
    request.mutable_id()->mutable_list_value()->add_values()->set_int_value(label);
    v1::DeleteResponse response;
    if (!Write(&v1::RepositoryService::Stub::Delete, request, &response, grpc::StatusCode::OK)) {
      return;
    }
    if (response.deleted() != own) {
      ++stats_.mismatches;
      if (!own) ++stats_.foreign_writes;
      Problem("mismatch", absl::StrCat("Delete link ", project, ":", label,
                                       ": deleted=", response.deleted(), ", own: ", own));
    }
  }

  // 2 to 4 writes in one transaction; a quarter of them poisoned by one op that must fail
  // (another tenant named, another tenant's row, another tenant's project), which must leave
  // nothing behind.
  void TransactOp() {
    BeginWrite();
    v1::TransactRequest request;
    std::vector<std::string> kinds;  // "create", "update", "delete" per op, for the checks
    // No row is written twice, so each op's returned record is the committed row.
    std::set<int64_t> used_tasks, used_projects;
    grpc::StatusCode want = grpc::StatusCode::OK;
    int n = Uniform(2, 4);
    int poison = Chance(0.25) ? Uniform(0, n - 1) : -1;
    for (int i = 0; i < n; ++i) {
      v1::WriteOp* op = request.add_ops();
      if (i == poison) {
        switch (Uniform(0, 2)) {
          case 0: {
            v1::CreateRequest* create = op->mutable_create();
            create->set_model("project");
            auto& f = *create->mutable_record()->mutable_fields();
            f["name"].set_string_value("poisoned");
            f["organization_id"].set_string_value(OtherTenant());
            want = grpc::StatusCode::PERMISSION_DENIED;
            break;
          }
          case 1: {
            int64_t id = PickId({}, "tasks", 0);
            if (OwnTask(id)) id = state_.max_id["tasks"] + 1000;
            v1::UpdateRequest* update = op->mutable_update();
            update->set_model("task");
            update->mutable_id()->set_int_value(id);
            (*update->mutable_record()->mutable_fields())["points"].set_int_value(3);
            want = grpc::StatusCode::NOT_FOUND;
            break;
          }
          default: {
            int64_t project = PickId({}, "projects", 0);
            if (OwnProject(project)) project = state_.max_id["projects"] + 1000;
            v1::CreateRequest* create = op->mutable_create();
            create->set_model("task");
            *create->mutable_record() = TaskRecord(project);
            want = grpc::StatusCode::FAILED_PRECONDITION;
            break;
          }
        }
        kinds.push_back("poison");
        continue;
      }
      int choice = Uniform(0, 4);
      std::vector<int64_t> free_tasks;
      for (int64_t id : state_.tasks) {
        if (!used_tasks.count(id)) free_tasks.push_back(id);
      }
      if ((choice == 1 || choice == 2) && free_tasks.empty()) choice = 0;
      if (choice == 0 && state_.projects.empty()) choice = 3;
      switch (choice) {
        case 0: {
          v1::CreateRequest* create = op->mutable_create();
          create->set_model("task");
          *create->mutable_record() = TaskRecord(Pick(state_.projects));
          kinds.push_back("create.task");
          break;
        }
        case 1: {
          int64_t id = Pick(free_tasks);
          used_tasks.insert(id);
          v1::UpdateRequest* update = op->mutable_update();
          update->set_model("task");
          update->mutable_id()->set_int_value(id);
          (*update->mutable_record()->mutable_fields())["points"].set_int_value(Uniform(0, 10));
          kinds.push_back("update.task");
          break;
        }
        case 2: {
          int64_t id = Pick(free_tasks);
          used_tasks.insert(id);
          v1::DeleteRequest* del = op->mutable_delete_();
          del->set_model("task");
          del->mutable_id()->set_int_value(id);
          kinds.push_back("delete.task");
          break;
        }
        case 3: {
          v1::CreateRequest* create = op->mutable_create();
          create->set_model("label");
          (*create->mutable_record()->mutable_fields())["name"].set_string_value(
              absl::StrCat("tx ", index_, " ", op_, " ", i));
          kinds.push_back("create.label");
          break;
        }
        default: {
          std::vector<int64_t> free_projects;
          for (int64_t id : state_.projects) {
            if (!used_projects.count(id)) free_projects.push_back(id);
          }
          if (free_projects.empty()) {
            op->mutable_create()->set_model("label");
            (*op->mutable_create()->mutable_record()->mutable_fields())["name"].set_string_value(
                absl::StrCat("tx ", index_, " ", op_, " ", i));
            kinds.push_back("create.label");
            break;
          }
          int64_t id = Pick(free_projects);
          used_projects.insert(id);
          v1::UpdateRequest* update = op->mutable_update();
          update->set_model("project");
          update->mutable_id()->set_int_value(id);
          (*update->mutable_record()->mutable_fields())["budget"].set_int_value(50 *
                                                                                Uniform(0, 20));
          kinds.push_back("update.project");
          break;
        }
      }
    }
    v1::TransactResponse response;
    if (!Write(&v1::RepositoryService::Stub::Transact, request, &response, want)) return;
    if (response.records_size() != n) {
      ++stats_.mismatches;
      Problem("mismatch", absl::StrCat("Transact returned ", response.records_size(),
                                       " records for ", n, " ops"));
      return;
    }
    for (int i = 0; i < n; ++i) {
      const std::string& kind = kinds[i];
      const v1::Record& record = response.records(i);
      if (kind == "create.task" || kind == "create.label") {
        std::string table = kind == "create.task" ? "tasks" : "labels";
        NoteCreated(table, record.fields());
        CheckWritten(absl::StrCat("Transact ", kind), kind.substr(7), record);
      } else if (kind == "update.task" || kind == "update.project") {
        CheckWritten(absl::StrCat("Transact ", kind), kind.substr(7), record);
      } else {
        CheckTenantOf(record.fields());
      }
    }
  }

  Shared& shared_;
  int index_;
  std::string tenant_;
  // False for the read-only tenants and the ghost tenant.
  bool writes_;
  std::unique_ptr<db::Session> oracle_;
  std::mt19937 rng_;
  std::string good_token_, upper_token_, reader_token_;
  std::vector<std::unique_ptr<v1::RepositoryService::Stub>> repo_;
  std::vector<std::unique_ptr<v1::QueryService::Stub>> query_;
  TenantState state_;
  Stats stats_;
  // The current operation.
  int64_t op_ = 0;
  int instance_ = 0;
  Caller caller_;
};

std::string Totals(const Stats& s, absl::Duration elapsed, int threads) {
  std::string out = absl::StrFormat(
      "tenant isolation: %d operations in %.1f s on %d threads (%.0f/s): %d reads, %d writes\n",
      s.total, absl::ToDoubleSeconds(elapsed), threads,
      s.total / std::max(absl::ToDoubleSeconds(elapsed), 0.001), s.reads, s.writes);
  absl::StrAppend(&out, "  by kind:");
  for (const auto& [kind, n] : s.ops) absl::StrAppend(&out, " ", kind, "=", n);
  absl::StrAppend(&out, "\n  answered OK: ", s.ok, " (cache hits: ", s.hits, ")\n");
  absl::StrAppend(&out, "  expected errors:");
  for (const auto& [code, n] : s.expected_errors) absl::StrAppend(&out, " ", code, "=", n);
  absl::StrAppend(&out, "\n  denials:");
  for (const auto& [code, n] : s.denials) absl::StrAppend(&out, " ", code, "=", n);
  absl::StrAppend(
      &out, "\n  rows of another tenant seen: ", s.cross_tenant_rows,
      "\n  writes that landed in another tenant (or refused writes that changed rows): ",
      s.foreign_writes, "\n  answers that differ from the oracle (stale or wrong): ", s.mismatches,
      "\n  unexpected statuses: ", s.wrong_status,
      "\n  callers that should have been refused but were not: ", s.missed_denials,
      "\n  creates of another tenant's existing link: ", s.link_probes,
      ", answered ALREADY_EXISTS (an existence leak): ", s.existence_leaks, "\n");
  if (!s.existence_leak_example.empty()) {
    absl::StrAppend(&out, "    for example: ", s.existence_leak_example, "\n");
  }
  return out;
}

class TenancyIsolationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    QG_REQUIRE_POSTGRES();
    if (querygate::testing::RedisUrl().empty()) GTEST_SKIP() << "no Redis";
    auto tweak = [](server::ServerConfig& c) {
      querygate::testing::UseTestJwt(c);
      c.page_token_secret = "tenancy-isolation-page-token-secret";
      c.database.max_connections = 6;
    };
    querygate::testing::StartOptions options;
    options.runtime_role = true;
    ASSERT_EQ(server_.Start(kSchema, SeedSql(), tweak, options), "");
    ASSERT_EQ(server_.StartAnother(), "");
  }

  querygate::testing::TestServer server_;
};

TEST_F(TenancyIsolationTest, RandomCallersNeverSeeOrWriteAnotherTenantsRows) {
  Shared shared;
  shared.channels = {server_.Channel(0), server_.Channel(1)};
  for (int i = 0; i < kTenants; ++i) shared.tenants.push_back(TenantId(i));
  shared.tenants.push_back(GhostTenant());
  absl::Time expires = absl::Now() + absl::Hours(2);
  shared.no_tenant_token = querygate::testing::TestToken("nobody", {"reader", "writer"}, expires);
  shared.malformed_token =
      querygate::testing::TestToken("bad", {"reader", "writer"}, expires, "not-a-uuid");

  std::vector<std::unique_ptr<Worker>> workers;
  for (int i = 0; i < static_cast<int>(shared.tenants.size()); ++i) {
    bool writes = i < kTenants - kReadOnlyTenants;
    auto oracle = server_.database().Connect();
    ASSERT_NE(oracle, nullptr);
    workers.push_back(
        std::make_unique<Worker>(shared, i, shared.tenants[i], writes, std::move(oracle)));
    workers.back()->Prepare();
  }

  absl::Time start = absl::Now();
  shared.stop_at = start + kTimeBudget;
  std::vector<std::thread> threads;
  for (auto& worker : workers) threads.emplace_back([&worker] { worker->Run(); });
  for (auto& thread : threads) thread.join();
  absl::Duration elapsed = absl::Now() - start;

  Stats totals;
  for (auto& worker : workers) {
    worker->FinalCheck();
    totals.Merge(worker->stats());
  }

  // Every row a caller created is its tenant's; no row of a scoped table belongs to anyone but
  // the seeded tenants (the ghost tenant has none).
  auto admin = server_.database().Connect();
  ASSERT_NE(admin, nullptr);
  std::map<std::string, std::vector<std::pair<int64_t, std::string>>> created_by_table;
  for (const auto& [key, tenant] : shared.created) {
    created_by_table[key.first].emplace_back(key.second, tenant);
  }
  int64_t created_rows = 0;
  for (const auto& [table, rows] : created_by_table) {
    auto stored = admin->Query(absl::StrCat("SELECT id, organization_id FROM ", table));
    ASSERT_TRUE(stored.ok()) << stored.status();
    std::map<int64_t, std::string> owner;
    for (size_t r = 0; r < stored->rows.size(); ++r) {
      owner[std::stoll(stored->Text(r, 0))] = stored->Text(r, 1);
    }
    for (const auto& [id, tenant] : rows) {
      ++created_rows;
      auto it = owner.find(id);
      if (it != owner.end() && it->second != tenant) {
        ++totals.foreign_writes;
        totals.problems.push_back(absl::StrCat(table, " ", id, " was created by tenant ", tenant,
                                               " but belongs to ", it->second));
      }
    }
  }
  std::vector<std::string> seeded;
  for (int i = 0; i < kTenants; ++i) seeded.push_back(Quote(TenantId(i)));
  for (const char* table : {"projects", "tasks", "labels", "project_labels"}) {
    auto strays =
        admin->Query(absl::StrCat("SELECT count(*) FROM ", table, " WHERE organization_id NOT IN (",
                                  absl::StrJoin(seeded, ", "), ")"));
    ASSERT_TRUE(strays.ok()) << strays.status();
    EXPECT_EQ(strays->Text(0, 0), "0") << table << " has rows of no seeded tenant";
  }

  std::cout << Totals(totals, elapsed, static_cast<int>(threads.size()))
            << "  rows created (checked for their tenant): " << created_rows << "\n";
  for (const std::string& problem : totals.problems) std::cout << "  problem: " << problem << "\n";

  EXPECT_GE(totals.total, kOperations) << "the run did not finish in " << kTimeBudget;
  EXPECT_EQ(totals.cross_tenant_rows, 0);
  EXPECT_EQ(totals.foreign_writes, 0);
  EXPECT_EQ(totals.mismatches, 0);
  EXPECT_EQ(totals.wrong_status, 0);
  EXPECT_EQ(totals.missed_denials, 0);
  // A junction's key leads with the tenant column, so another tenant's pair never collides.
  EXPECT_EQ(totals.existence_leaks, 0) << totals.existence_leak_example;
  // The run must have exercised what it claims to test.
  for (const char* kind :
       {"get", "list", "count", "query.open_tasks", "query.project_summary", "query.label_usage",
        "query.task_count", "query.countries", "create.task", "create.link", "update.task",
        "delete.task", "transact", "global.write"}) {
    EXPECT_GT(totals.ops[kind], 0) << kind;
  }
  EXPECT_GT(totals.hits, totals.total / 20) << "too few cache hits to test the cache";
  EXPECT_GT(totals.denials["PERMISSION_DENIED"], 100);
  EXPECT_GT(totals.denials["UNAUTHENTICATED"], 100);
  EXPECT_GT(totals.expected_errors["NOT_FOUND"], 50);
  EXPECT_GT(totals.expected_errors["FAILED_PRECONDITION"], 20);
  EXPECT_GT(created_rows, 500);
}

}  // namespace
}  // namespace querygate
