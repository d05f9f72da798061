#ifndef QUERYGATE_SERVER_CALL_LOG_H_
#define QUERYGATE_SERVER_CALL_LOG_H_

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <unordered_map>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/logger.h"
#include "rpc/call_observer.h"
#include "service/call_trace.h"

namespace querygate::server {

// The traces of calls in flight, by request id, holding at most `capacity` of them: opening
// one more forgets the oldest. Thread-safe.
class CallTraceTable {
 public:
  explicit CallTraceTable(size_t capacity = 4096) : capacity_(capacity) {}

  // Returns a new trace, registered under `request_id` unless a call with that id is in
  // flight already (then the trace is the caller's alone and never reported).
  std::shared_ptr<service::CallTrace> Open(const std::string& request_id);

  // Returns and forgets the trace registered under `request_id`, or null.
  std::shared_ptr<service::CallTrace> Take(const std::string& request_id);

  size_t size() const;

 private:
  struct Entry {
    uint64_t serial;
    std::shared_ptr<service::CallTrace> trace;
  };

  const size_t capacity_;
  mutable absl::Mutex mu_;
  uint64_t next_serial_ ABSL_GUARDED_BY(mu_) = 0;
  std::unordered_map<std::string, Entry> traces_ ABSL_GUARDED_BY(mu_);
  // Registration order, for forgetting the oldest; entries Take removed are skipped.
  std::deque<std::pair<std::string, uint64_t>> order_ ABSL_GUARDED_BY(mu_);
};

// Logs every finished call at debug (service, method, code, duration, request id) and each
// call slower than `slow_call` at warn, with the query or model name and the time of each
// step from the call's trace (pool wait, database, Redis, encode).
class CallLogObserver : public rpc::CallObserver {
 public:
  // `log` may be null (quiet); a zero `slow_call` turns the slow-call lines off.
  CallLogObserver(Logger* log, absl::Duration slow_call) : log_(log), slow_call_(slow_call) {}

  // Opens the trace of an admitted call (rpc::TraceStarter); null when slow calls are not
  // logged, so that calls then cost nothing.
  std::shared_ptr<service::CallTrace> StartTrace(const std::string& request_id);

  void OnCallDone(const rpc::CallRecord& record) override;

  const CallTraceTable& traces() const { return traces_; }

 private:
  bool SlowCallsLogged() const { return log_ != nullptr && slow_call_ > absl::ZeroDuration(); }

  Logger* log_;
  const absl::Duration slow_call_;
  CallTraceTable traces_;
};

}  // namespace querygate::server

#endif  // QUERYGATE_SERVER_CALL_LOG_H_
