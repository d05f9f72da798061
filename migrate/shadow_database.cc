#include "migrate/shadow_database.h"

#include <unistd.h>

#include <random>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/status_macros.h"
#include "db/connection_url.h"

namespace querygate::migrate {

ShadowDatabase::ShadowDatabase(std::unique_ptr<db::Session> admin, std::string name,
                               std::unique_ptr<db::Session> session)
    : admin_(std::move(admin)), name_(std::move(name)), session_(std::move(session)) {}

ShadowDatabase::~ShadowDatabase() {
  session_.reset();
  (void)admin_->Execute(absl::StrCat("DROP DATABASE IF EXISTS ", name_, " WITH (FORCE)"));
}

absl::StatusOr<std::unique_ptr<ShadowDatabase>> ShadowDatabase::Create(const std::string& url,
                                                                       absl::Duration timeout) {
  QG_ASSIGN_OR_RETURN(std::unique_ptr<db::Session> admin, db::Session::Connect(url, timeout));
  std::random_device random;
  std::string name = absl::StrFormat("qg_shadow_%d_%08x", static_cast<int>(getpid()), random());
  absl::Status created =
      admin->Execute(absl::StrCat("CREATE DATABASE ", name, " TEMPLATE template0"));
  if (!created.ok()) {
    return absl::Status(created.code(),
                        absl::StrCat("creating shadow database: ", created.message()));
  }
  QG_ASSIGN_OR_RETURN(std::string shadow_url, db::WithDatabase(url, name));
  auto session = db::Session::Connect(shadow_url, timeout);
  if (!session.ok()) {
    (void)admin->Execute(absl::StrCat("DROP DATABASE IF EXISTS ", name, " WITH (FORCE)"));
    return session.status();
  }
  return std::unique_ptr<ShadowDatabase>(
      new ShadowDatabase(std::move(admin), std::move(name), *std::move(session)));
}

}  // namespace querygate::migrate
