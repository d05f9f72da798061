#ifndef QUERYGATE_SERVICE_CALL_CONTEXT_H_
#define QUERYGATE_SERVICE_CALL_CONTEXT_H_

#include <functional>
#include <memory>

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
};

}  // namespace querygate::service

#endif  // QUERYGATE_SERVICE_CALL_CONTEXT_H_
