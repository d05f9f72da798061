#include "service/query_registry.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/status_macros.h"
#include "nlohmann/json.hpp"
#include "schema/tenancy.h"
#include "service/partition_roots.h"
#include "service/tenant_scope.h"

namespace querygate::service {
namespace {

db::PgScalar ScalarOf(schema::TypeKind kind) {
  using schema::TypeKind;
  switch (kind) {
    case TypeKind::kInt32:
      return db::PgScalar::kInt32;
    case TypeKind::kInt64:
      return db::PgScalar::kInt64;
    case TypeKind::kFloat64:
      return db::PgScalar::kFloat64;
    case TypeKind::kDecimal:
      return db::PgScalar::kDecimal;
    case TypeKind::kBool:
      return db::PgScalar::kBool;
    case TypeKind::kBytes:
      return db::PgScalar::kBytes;
    case TypeKind::kDateTime:
      return db::PgScalar::kTimestamp;
    case TypeKind::kDate:
      return db::PgScalar::kDate;
    case TypeKind::kUuid:
    case TypeKind::kUuidV7:
      return db::PgScalar::kUuid;
    case TypeKind::kJson:
      return db::PgScalar::kJson;
    default:
      return db::PgScalar::kText;
  }
}

void CollectTables(const nlohmann::json& node, std::set<std::string>& tables, bool& writes) {
  if (node.is_object()) {
    auto relation = node.find("Relation Name");
    if (relation != node.end() && relation->is_string())
      tables.insert(relation->get<std::string>());
    auto type = node.find("Node Type");
    if (type != node.end() && type->is_string() && type->get<std::string>() == "ModifyTable") {
      writes = true;
    }
    for (const auto& [key, child] : node.items()) CollectTables(child, tables, writes);
  } else if (node.is_array()) {
    for (const auto& child : node) CollectTables(child, tables, writes);
  }
}

std::string TrimSql(const std::string& sql) {
  size_t end = sql.find_last_not_of(" \t\r\n;");
  return end == std::string::npos ? "" : sql.substr(0, end + 1);
}

absl::Status Fail(const schema::NamedQuery& q, absl::string_view what) {
  return absl::FailedPreconditionError(
      absl::StrCat("named query '", q.name, "' (", q.source_file, "): ", what));
}

// A syntactically valid tenant of `tenancy`'s type, set while a query is described so that
// the row-level security policies can be evaluated; it names no real tenant's rows.
std::string PlaceholderTenant(const schema::Tenancy& tenancy) {
  switch (tenancy.type.kind) {
    case schema::TypeKind::kUuid:
    case schema::TypeKind::kUuidV7:
      return "00000000-0000-0000-0000-000000000000";
    case schema::TypeKind::kInt32:
    case schema::TypeKind::kInt64:
      return "0";
    default:
      return "querygate-describe";
  }
}

// Returns why a named query may not run on a tenant schema, or "" when it may: the server
// alone sets the tenant, so the SQL may neither set settings nor read the tenant setting.
std::string TenantSettingUse(const std::string& sql) {
  std::string lower = absl::AsciiStrToLower(sql);
  if (absl::StrContains(lower, "set_config")) {
    return "calls set_config, which may not run on a schema that declares tenancy (the server "
           "sets querygate.tenant)";
  }
  if (absl::StrContains(lower, "current_setting") &&
      absl::StrContains(lower, schema::kTenantSetting)) {
    return "reads querygate.tenant with current_setting, which is not allowed on a schema that "
           "declares tenancy (row-level security applies the tenant)";
  }
  return "";
}

// Whether the vector extension is installed in the database (asked once, then remembered).
absl::StatusOr<bool> HasPgvector(db::Session& session, std::optional<bool>& known) {
  if (!known.has_value()) {
    QG_ASSIGN_OR_RETURN(db::ResultSet rows,
                        session.Query("SELECT 1 FROM pg_extension WHERE extname = 'vector'"));
    known = !rows.rows.empty();
  }
  return *known;
}

// A vector(N) parameter binds as REAL[] text; with pgvector it is cast on to vector(N).
std::string VectorParamCast(const schema::FieldType& type, bool pgvector) {
  if (!pgvector) return "real[]";
  return absl::StrCat("real[]::vector(", type.dimensions.value_or(1), ")");
}

// The readable name of a result column's type: the built-in name, else the catalog's
// (extension and enum types, e.g. pgvector's "vector"; each OID asked once).
absl::StatusOr<std::string> ColumnTypeName(db::Session& session, uint32_t oid,
                                           std::map<uint32_t, std::string>& known) {
  std::string name = db::TypeNameForOid(oid);
  if (!absl::StartsWith(name, "oid:")) return name;
  auto found = known.find(oid);
  if (found != known.end()) return found->second;
  QG_ASSIGN_OR_RETURN(db::ResultSet rows,
                      session.Query("SELECT format_type($1::oid, NULL)", {absl::StrCat(oid)}));
  if (!rows.rows.empty() && rows.rows[0][0].has_value()) name = *rows.rows[0][0];
  known.emplace(oid, name);
  return name;
}

}  // namespace

db::PgParamType BindTypeOf(const schema::FieldType& type) {
  if (type.kind == schema::TypeKind::kVector) return {db::PgScalar::kFloat64, true};
  return {ScalarOf(type.ScalarKind()), type.IsArray()};
}

std::string TableDependency(const std::string& table) { return absl::StrCat("t:", table); }
std::string QueryDependency(const std::string& query) { return absl::StrCat("q:", query); }
std::string TagDependency(const std::string& tag) { return absl::StrCat("tag:", tag); }
std::string TenantTableDependency(const std::string& table, const std::string& tenant) {
  return absl::StrCat("tt:", table, ":", tenant);
}

absl::StatusOr<std::pair<std::vector<std::string>, bool>> TablesInPlan(const std::string& json) {
  nlohmann::json plan = nlohmann::json::parse(json, nullptr, false);
  if (plan.is_discarded()) return absl::InternalError("EXPLAIN returned malformed JSON");
  std::set<std::string> tables;
  bool writes = false;
  CollectTables(plan, tables, writes);
  return std::make_pair(std::vector<std::string>(tables.begin(), tables.end()), writes);
}

absl::StatusOr<std::unique_ptr<QueryRegistry>> QueryRegistry::Build(
    const std::vector<schema::NamedQuery>& queries, const schema::Schema& schema,
    db::Session& session, absl::Duration default_ttl) {
  auto registry = std::make_unique<QueryRegistry>();
  registry->schema_ = schema;
  TenantScope scope(&schema);
  std::optional<bool> pgvector_installed;
  std::map<uint32_t, std::string> type_names;
  for (const schema::NamedQuery& def : queries) {
    if (schema.tenancy) {
      if (std::string why = TenantSettingUse(def.sql); !why.empty()) return Fail(def, why);
    }
    RegisteredQuery q;
    q.def = def;
    q.statement = absl::StrCat("qg_", def.name);
    q.cached = def.cached;
    q.ttl = def.ttl_seconds ? absl::Seconds(*def.ttl_seconds) : default_ttl;
    std::vector<std::pair<std::string, std::string>> casts;
    for (const schema::QueryParam& p : def.params) {
      if (p.type.kind == schema::TypeKind::kVector) {
        QG_ASSIGN_OR_RETURN(bool pgvector, HasPgvector(session, pgvector_installed));
        casts.emplace_back(p.name, VectorParamCast(p.type, pgvector));
        continue;
      }
      casts.emplace_back(p.name, db::SqlTypeName(BindTypeOf(p.type)));
      if (p.default_value && !p.default_value->is_null()) {
        auto encoded = db::EncodeParam(*p.default_value, BindTypeOf(p.type), p.name);
        if (!encoded.ok()) {
          return Fail(def, absl::StrCat("bad default: ", encoded.status().message()));
        }
      }
    }
    schema::PositionalSql positional = schema::RewriteNamedParams(TrimSql(def.sql), casts);
    q.sql = positional.sql;
    for (const std::string& name : positional.order) {
      for (size_t i = 0; i < def.params.size(); ++i) {
        if (def.params[i].name == name) {
          q.bind_params.push_back(i);
          q.bind_types.push_back(BindTypeOf(def.params[i].type));
        }
      }
    }
    if (q.bind_params.size() != positional.order.size()) {
      return Fail(def, "the sql uses a parameter that is not declared");
    }
    absl::Status prepared = session.Prepare(q.statement, q.sql);
    if (!prepared.ok()) return Fail(def, prepared.message());
    db::Params nulls(q.bind_params.size());
    std::string describe = absl::StrCat("SELECT * FROM (", q.sql, "\n) AS qg_describe LIMIT 0");
    absl::StatusOr<db::ResultSet> described;
    if (schema.tenancy) {
      // Row-level security policies call querygate_current_tenant(), which fails without a
      // tenant; describe under a placeholder one (LIMIT 0 reads no rows anyway).
      absl::Status ran = session.Transact([&](db::Transaction& tx) -> absl::Status {
        QG_RETURN_IF_ERROR(tx.Query("SELECT set_config($1, $2, true)",
                                    {schema::kTenantSetting, PlaceholderTenant(*schema.tenancy)})
                               .status());
        described = tx.Query(describe, nulls);
        return described.status();
      });
      if (!ran.ok()) described = ran;
    } else {
      described = session.Query(describe, nulls);
    }
    if (!described.ok()) return Fail(def, described.status().message());
    for (const db::ResultColumn& c : described->columns) {
      QG_ASSIGN_OR_RETURN(std::string type, ColumnTypeName(session, c.type_oid, type_names));
      q.columns.push_back({c.name, std::move(type)});
    }
    std::vector<std::string> args(q.bind_params.size(), "NULL");
    // Without pruning, a plan over a partitioned table lists every partition (with it, NULL
    // parameters can prune them all away and leave no relation to depend on).
    QG_RETURN_IF_ERROR(session.Execute(
        "SET plan_cache_mode = force_generic_plan; SET enable_partition_pruning = off"));
    auto plan = session.Query(absl::StrCat("EXPLAIN (FORMAT JSON) EXECUTE ", q.statement,
                                           args.empty() ? "" : "(", absl::StrJoin(args, ", "),
                                           args.empty() ? "" : ")"));
    QG_RETURN_IF_ERROR(session.Execute("RESET plan_cache_mode; RESET enable_partition_pruning"));
    if (!plan.ok()) return Fail(def, plan.status().message());
    QG_ASSIGN_OR_RETURN(auto tables, TablesInPlan(plan->Text(0, 0)));
    if (tables.second) return Fail(def, "named queries must be read-only (the plan writes)");
    QG_ASSIGN_OR_RETURN(q.tables, MapPartitionsToRoots(session, tables.first));
    q.tenant_scoped = scope.AnyScoped(std::set<std::string>(q.tables.begin(), q.tables.end()));
    q.dependencies.push_back(QueryDependency(def.name));
    for (const std::string& table : q.tables) q.dependencies.push_back(TableDependency(table));
    for (const std::string& tag : def.tags) q.dependencies.push_back(TagDependency(tag));
    q.dependencies.push_back(kEpochDependency);
    registry->by_name_[def.name] = registry->queries_.size();
    registry->queries_.push_back(std::move(q));
  }
  return registry;
}

const RegisteredQuery* QueryRegistry::Find(const std::string& name) const {
  auto it = by_name_.find(name);
  return it == by_name_.end() ? nullptr : &queries_[it->second];
}

}  // namespace querygate::service
