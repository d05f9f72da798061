#ifndef QUERYGATE_MIGRATE_SHADOW_WORKSPACE_H_
#define QUERYGATE_MIGRATE_SHADOW_WORKSPACE_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "migrate/catalog.h"
#include "migrate/shadow_database.h"

namespace querygate::migrate {

// A named SQL script to replay.
struct Script {
  std::string label;
  const std::string* sql;
  // Set for a no-transaction migration: these statements run one by one, outside a
  // transaction, instead of `sql`.
  const std::vector<std::string>* statements = nullptr;
};

// One shadow database in which catalogs are computed, each in a fresh PostgreSQL schema.
// Every catalog it returns is normalised: PostgreSQL's printed definitions are not a fixpoint
// (a CHECK written as `IN (...)` prints differently once re-applied from its printed form), so
// a catalog is re-created from its own printed form once and read back.
class ShadowWorkspace {
 public:
  // Creates the shadow database beside `url` and installs generate_uuid_v7() in it, then runs
  // `functions_sql` (the functions migrations expect, e.g. querygate_current_tenant()). Fails
  // with the mapped database error.
  static absl::StatusOr<std::unique_ptr<ShadowWorkspace>> Open(
      const std::string& url, absl::Duration timeout, const std::string& functions_sql = "");

  // Returns the normalised catalog that `scripts` produce from nothing. Fails naming the
  // script that failed.
  absl::StatusOr<Catalog> Replay(const std::vector<Script>& scripts);

  // Returns `catalog` normalised, or unchanged when it cannot be re-created on its own (for
  // example when it depends on functions the catalog does not describe).
  absl::StatusOr<Catalog> Normalize(const Catalog& catalog);

 private:
  explicit ShadowWorkspace(std::unique_ptr<ShadowDatabase> db) : db_(std::move(db)) {}
  absl::Status EnterFreshSchema();

  std::unique_ptr<ShadowDatabase> db_;
  int schemas_ = 0;
};

}  // namespace querygate::migrate

#endif  // QUERYGATE_MIGRATE_SHADOW_WORKSPACE_H_
