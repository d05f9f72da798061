#ifndef QUERYGATE_TESTS_SUPPORT_POLL_H_
#define QUERYGATE_TESTS_SUPPORT_POLL_H_

#include <functional>

#include "absl/time/time.h"

namespace querygate::testing {

// Calls `done` until it returns true or `deadline` passes, pausing briefly between calls (the
// pause grows from 1 ms to 20 ms). Returns done's last answer, so a deadline that passed with
// the state still wrong reads as false.
bool PollUntil(absl::Time deadline, const std::function<bool()>& done);

}  // namespace querygate::testing

#endif  // QUERYGATE_TESTS_SUPPORT_POLL_H_
