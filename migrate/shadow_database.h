#ifndef QUERYGATE_MIGRATE_SHADOW_DATABASE_H_
#define QUERYGATE_MIGRATE_SHADOW_DATABASE_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "db/session.h"

namespace querygate::migrate {

// A throwaway database on the same server as a given URL, dropped when this object dies.
// Migrations are replayed into it to learn the shape they produce.
class ShadowDatabase {
 public:
  // Creates an empty database beside the one `url` names. Fails with the mapped error, e.g.
  // PERMISSION_DENIED when the role may not create databases.
  static absl::StatusOr<std::unique_ptr<ShadowDatabase>> Create(const std::string& url,
                                                                absl::Duration timeout);
  ~ShadowDatabase();

  db::Session& session() { return *session_; }
  const std::string& name() const { return name_; }

 private:
  ShadowDatabase(std::unique_ptr<db::Session> admin, std::string name,
                 std::unique_ptr<db::Session> session);

  std::unique_ptr<db::Session> admin_;
  std::string name_;
  std::unique_ptr<db::Session> session_;
};

}  // namespace querygate::migrate

#endif  // QUERYGATE_MIGRATE_SHADOW_DATABASE_H_
