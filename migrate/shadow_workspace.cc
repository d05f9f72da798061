#include "migrate/shadow_workspace.h"

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "migrate/diff.h"
#include "migrate/introspect.h"
#include "schema/ddl.h"

namespace querygate::migrate {

absl::StatusOr<std::unique_ptr<ShadowWorkspace>> ShadowWorkspace::Open(
    const std::string& url, absl::Duration timeout, const std::string& functions_sql) {
  QG_ASSIGN_OR_RETURN(auto db, ShadowDatabase::Create(url, timeout));
  QG_RETURN_IF_ERROR(db->session().Execute(schema::UuidV7FunctionSql()));
  if (!functions_sql.empty()) QG_RETURN_IF_ERROR(db->session().Execute(functions_sql));
  return std::unique_ptr<ShadowWorkspace>(new ShadowWorkspace(std::move(db)));
}

absl::Status ShadowWorkspace::EnterFreshSchema() {
  std::string name = absl::StrCat("qg_workspace_", ++schemas_);
  return db_->session().Execute(
      absl::StrCat("CREATE SCHEMA ", name, "; SET search_path = ", name, ", public"));
}

absl::StatusOr<Catalog> ShadowWorkspace::Replay(const std::vector<Script>& scripts) {
  QG_RETURN_IF_ERROR(EnterFreshSchema());
  db::Session& session = db_->session();
  for (const Script& script : scripts) {
    absl::Status status = absl::OkStatus();
    if (script.statements != nullptr) {
      for (const std::string& statement : *script.statements) {
        status = session.Execute(statement);
        if (!status.ok()) break;
      }
    } else {
      status = session.Transact([&](db::Transaction& tx) { return tx.Execute(*script.sql); });
    }
    if (!status.ok()) {
      return absl::Status(status.code(),
                          absl::StrCat("replaying ", script.label, ": ", status.message()));
    }
  }
  QG_ASSIGN_OR_RETURN(Catalog catalog, IntrospectCatalog(session));
  return Normalize(catalog);
}

absl::StatusOr<Catalog> ShadowWorkspace::Normalize(const Catalog& catalog) {
  QG_RETURN_IF_ERROR(EnterFreshSchema());
  db::Session& session = db_->session();
  std::string sql = DiffCatalogs(Catalog{}, catalog).Sql();
  absl::Status applied = session.Transact([&](db::Transaction& tx) { return tx.Execute(sql); });
  if (!applied.ok()) return catalog;
  return IntrospectCatalog(session);
}

}  // namespace querygate::migrate
