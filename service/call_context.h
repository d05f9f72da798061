#ifndef QUERYGATE_SERVICE_CALL_CONTEXT_H_
#define QUERYGATE_SERVICE_CALL_CONTEXT_H_

#include <functional>
#include <memory>
#include <string>

#include "absl/time/time.h"
#include "common/identity.h"

namespace querygate::service {

// What the transport tells the service about one call.
struct CallContext {
  absl::Time deadline = absl::InfiniteFuture();
  // Returns true once the caller has gone away; may be empty.
  std::function<bool()> cancelled;
  // The authenticated caller; null for internal work (startup warming), which may do anything.
  std::shared_ptr<const Identity> identity;
  // The caller's address as the transport reports it (e.g. "ipv4:127.0.0.1:5000"); set only
  // for operator actions, whose outcome is audited.
  std::string peer;
  // The caller's tenant in canonical form (schema::CanonicalTenant), empty for none. Every
  // statement of the call runs with it as the transaction-local setting querygate.tenant.
  std::string tenant;
};

}  // namespace querygate::service

#endif  // QUERYGATE_SERVICE_CALL_CONTEXT_H_
