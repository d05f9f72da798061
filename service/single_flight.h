#ifndef QUERYGATE_SERVICE_SINGLE_FLIGHT_H_
#define QUERYGATE_SERVICE_SINGLE_FLIGHT_H_

#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "service/query_result.h"

namespace querygate::service {

using SharedResult = std::shared_ptr<const QueryResult>;

// Collapses concurrent identical loads in one process into one: the first caller for a key
// runs the load, later callers wait for its outcome.
class SingleFlight {
 public:
  // Returns the outcome of `load` for `key`, run by this caller or by a concurrent one.
  // `leader` is set to whether this caller ran it. A waiting caller gives up with
  // DEADLINE_EXCEEDED at `deadline`.
  absl::StatusOr<SharedResult> Do(const std::string& key, absl::Time deadline,
                                  const std::function<absl::StatusOr<SharedResult>()>& load,
                                  bool* leader);

 private:
  struct Call {
    std::mutex mu;
    std::condition_variable done_cv;
    bool done = false;
    absl::StatusOr<SharedResult> outcome = absl::UnknownError("pending");
  };

  std::mutex mu_;
  std::map<std::string, std::shared_ptr<Call>> calls_;
};

}  // namespace querygate::service

#endif  // QUERYGATE_SERVICE_SINGLE_FLIGHT_H_
